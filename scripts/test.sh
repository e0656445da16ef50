#!/usr/bin/env bash
# The test command: sets up what is missing (scripts/setup.sh), runs the unit and integration
# suites (npm test), then the controller and the CRDs in a real kube-apiserver (test/envtest:
# binaries from KUBEBUILDER_ASSETS, or built once from their Go modules by
# scripts/envtest-assets.sh, about 15-20 minutes, cached in ~/.cache/lvs-operator), then the end-to-end suites
# on a real IPVS kernel (test/e2e: a QEMU VM with Debian's kernel where this one has no IPVS; local
# mode about 9 minutes, the cluster path through the API server about 5, and the chart on real
# kubelets with the agents and the controller as pods of the image about 30 (building the image,
# 2-5 minutes, included; the kubelet, kube-proxy, kube-controller-manager and kube-scheduler built
# once beside the envtest binaries, about 3 minutes with a warm Go cache), one after the other on
# 2 cores). The podman suite (test/e2e/image.e2e.test.ts: the cluster path with every agent a
# podman container of the image, about 8 minutes) is not in it: the real kubelets run the same
# image as the chart's pods; run it by hand with LVS_E2E=1 npx vitest run test/e2e/image.e2e.test.ts.
# Needs root. LVS_E2E=0 skips the end-to-end suites, LVS_ENVTEST=0 the envtest
# suite and the cluster path's end-to-end suites (which need its binaries). npm test's test/deploy
# builds helm and argocd-lua-health once from their Go modules (scripts/helm.sh, scripts/argocd-lua.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$(scripts/setup-node.sh):$PATH"
npm test
if [ "${LVS_ENVTEST:-1}" != 0 ]; then
  scripts/envtest-assets.sh >/dev/null
  LVS_ENVTEST=1 npx vitest run test/envtest
fi
if [ "${LVS_E2E:-1}" != 0 ]; then
  e2e=(test/e2e/seed.e2e.test.ts)
  # the cluster path twice: the agents as processes, then the chart installed with helm on real
  # kubelets (pods of the image, which it builds)
  [ "${LVS_ENVTEST:-1}" = 0 ] || e2e+=(test/e2e/cluster.e2e.test.ts test/e2e/pods.e2e.test.ts)
  # one VM at a time: no check judges a duration any more, but two VMs (-smp 2, 3 GiB each) on
  # 2 cores would each run at half speed, towards their VM timeout, and both e2e.sh runs rebuild
  # dist/bundle/lvs-operator.mjs and the VM cache that the other is reading
  LVS_E2E=1 npx vitest run --fileParallelism=false "${e2e[@]}"
fi
