#!/usr/bin/env bash
# The demo (npm run demo): the seed tutorial end to end on a real IPVS kernel, narrated. Sets up
# what is missing (scripts/setup.sh), then runs test/e2e's topology with the demo driver
# (test/e2e/driver/demo.ts): in a QEMU VM with Debian's kernel where this kernel has no IPVS
# (the first run builds the VM image: a few minutes), directly otherwise. Needs root.
# Exit status: 0 when every step of the narration was seen.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
out=${LVS_DEMO_OUT:-/tmp/lvs-operator-demo}
mkdir -p "$out"
: > "$out/narration.txt"
echo "demo: preparing (bundles, VM); the narration follows, the harness's log is in $out/e2e.log" >&2
# The driver appends to narration.txt as it goes (inside the VM: over the shared directory).
tail -n +1 -F "$out/narration.txt" 2>/dev/null &
tailer=$!
set +e
LVS_E2E_DRIVER=test/e2e/driver/demo.ts test/e2e/e2e.sh "$out" > "$out/e2e.log" 2>&1
status=$?
set -e
sleep 1
kill "$tailer" 2>/dev/null || true
wait "$tailer" 2>/dev/null || true
[ "$status" = 0 ] || { echo "demo: exit $status; the harness's log:" >&2; tail -n 20 "$out/e2e.log" >&2; }
exit "$status"
