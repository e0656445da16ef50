#!/usr/bin/env bash
# The benchmarks (npm run bench): side by side with keepalived, on a real IPVS kernel (test/e2e's
# topology in a QEMU VM with Debian's kernel where this one has none), plus the planner and the
# parsers and the agent's own work per change in-process. Writes bench/results/vm.json, plan.json,
# parsers.json and agent.json, bench/results/summary.svg and the README's table.
# About 20 minutes on 2 cores. Needs root. Timings are reported, never judged.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$(scripts/setup-node.sh):$PATH"
out=${LVS_BENCH_OUT:-/tmp/lvs-operator-bench}
rm -rf "$out"
mkdir -p "$out"
node bench/run.mjs bench/vm/inputs.ts "$out/inputs"
# the stand-in API server of the in-cluster agent's figures (bench/vm/in-cluster.ts)
cp bench/vm/fake-apiserver.mjs "$out/"
echo "bench: the VM run (log: $out/e2e.log, $out/driver.log)" >&2
# LVS_BENCH_ONLY=scale: the 10,000-destination figures alone (about 8 minutes), written as
# bench/results/vm-scale.json and taken out of vm.json; then the in-process agent figure.
only=${LVS_BENCH_ONLY:-}
LVS_E2E_DRIVER=bench/vm/driver.ts LVS_E2E_VM_TIMEOUT=3600 LVS_E2E_BENCH_SAMPLES=${LVS_BENCH_SAMPLES:-3} \
  LVS_E2E_BENCH_ONLY=$only test/e2e/e2e.sh "$out" > "$out/e2e.log" 2>&1 || echo "bench: the VM run exited $?" >&2
if [ "$only" = scale ]; then
  node bench/run.mjs bench/vm/collect.ts "$out/bench-vm.json" vm-scale
else
  node bench/run.mjs bench/vm/collect.ts "$out/bench-vm.json"
  npm run --silent bench:plan
  npm run --silent bench:parsers
fi
npm run --silent bench:agent
npm run --silent bench:report
