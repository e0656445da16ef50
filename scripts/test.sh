#!/usr/bin/env bash
# The test command: sets up what is missing (scripts/setup.sh), runs the unit and integration
# suites (npm test), then the end-to-end suite on a real IPVS kernel (test/e2e: a QEMU VM with
# Debian's kernel where this one has no IPVS; about 7 minutes on 2 cores). Needs root.
# Then the CRDs in a real kube-apiserver (test/envtest: binaries from KUBEBUILDER_ASSETS, or built
# once from their Go modules by scripts/envtest-assets.sh, about 15-20 minutes, cached in ~/.cache).
# LVS_E2E=0 skips the end-to-end suite, LVS_ENVTEST=0 the envtest suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$(scripts/setup-node.sh):$PATH"
npm test
if [ "${LVS_E2E:-1}" != 0 ]; then
  LVS_E2E=1 npx vitest run test/e2e
fi
if [ "${LVS_ENVTEST:-1}" != 0 ]; then
  scripts/envtest-assets.sh >/dev/null
  LVS_ENVTEST=1 npx vitest run test/envtest
fi
