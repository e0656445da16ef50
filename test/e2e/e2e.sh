#!/usr/bin/env bash
# The e2e run from the host: bundles the agent (npm run bundle -> dist/lvs-operator.mjs) and the
# driver (driver/*.ts -> OUT/driver.mjs), prepares the VM (vm/build.sh, cached), then runs
# run-checks.sh on a kernel with IPVS (vm/run.sh: in the VM, or directly where the host has IPVS).
#   test/e2e/e2e.sh [OUTDIR]      -> OUTDIR/results.json, OUTDIR/driver.log, OUTDIR/console.log, OUTDIR/logs/
# LVS_E2E_DRIVER names another driver to run on the same topology (a .ts file from the repository's
# root: the demo's test/e2e/driver/demo.ts, the benchmarks' bench/vm/driver.ts).
# Exit status: that of the driver (0 = every check passed), 125 when the VM gave no status.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
export PATH="$("$root/scripts/setup-node.sh"):$PATH"
out=${1:-${LVS_E2E_OUT:-/tmp/lvs-operator-e2e}}
mkdir -p "$out"; out=$(cd "$out" && pwd)
# what a previous run left (not the dir itself: the caller may be logging into it)
rm -rf "$out/results.json" "$out/driver.log" "$out/console.log" "$out/exit-status" "$out/logs"
t0=$(date +%s)
(cd "$root" && npm run --silent bundle)
"$root/node_modules/.bin/esbuild" "$root/${LVS_E2E_DRIVER:-test/e2e/driver/main.ts}" --bundle --platform=node --format=esm \
  --target=node24 --outfile="$out/driver.mjs" --log-level=warning
"$here/vm/build.sh"
echo "e2e: bundles and VM ready after $(( $(date +%s) - t0 )) s" >&2
export LVS_E2E_OUT=$out LVS_E2E_BUNDLE=$root/dist/lvs-operator.mjs
set +e; "$here/vm/run.sh" "$here/run-checks.sh" "$out"; status=$?; set -e
echo "e2e: exit $status after $(( $(date +%s) - t0 )) s; results in $out/results.json" >&2
exit $status
