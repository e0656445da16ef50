#!/usr/bin/env bash
# The e2e run from the host: bundles the agent (npm run bundle -> dist/bundle/lvs-operator.mjs) and the
# driver (driver/*.ts -> OUT/driver.mjs), prepares the VM (vm/build.sh, cached), then runs
# run-checks.sh on a kernel with IPVS (vm/run.sh: in the VM, or directly where the host has IPVS).
#   test/e2e/e2e.sh [OUTDIR]      -> OUTDIR/results.json, OUTDIR/driver.log, OUTDIR/console.log, OUTDIR/logs/
# LVS_E2E_DRIVER names another driver to run on the same topology (a .ts file from the repository's
# root: the demo's test/e2e/driver/demo.ts, the benchmarks' bench/vm/driver.ts).
# LVS_E2E_IMAGE=1 builds the image (scripts/image.sh) and runs the agents from it, in containers.
# LVS_E2E_APISERVER=1 runs a kube-apiserver and etcd on the host (control-plane.ts) for the
# cluster path: the VM gets a user-mode NIC, and the hosts in it reach the host as 10.0.2.2.
# LVS_E2E_KUBELETS=HOST,... (with both of the above) makes those hosts real Nodes (kube-node.sh):
# kube-controller-manager and kube-scheduler join the control plane, and each host runs
# containerd, a kubelet and kube-proxy; the driver installs the chart as a user does.
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
if [ "${LVS_E2E_IMAGE:-0}" = 1 ]; then
  # The agents run from the project's image (scripts/image.sh) in a container runtime in the VM;
  # the archive goes through the out dir, which the VM sees wherever the cache is.
  export LVS_E2E_IMAGE_TAG=${LVS_E2E_IMAGE_TAG:-localhost/lvs-operator:e2e}
  cp "$("$root/scripts/image.sh" "$LVS_E2E_IMAGE_TAG" | tail -n 1)" "$out/image.oci.tar"
fi
assets_args=()
if [ -n "${LVS_E2E_KUBELETS:-}" ]; then
  assets_args=(--nodes)
  # The pods' sandbox ("pause") image, made here as no registry is reachable: Debian's static
  # busybox sleeping, which is all a pause container does for hostNetwork and bridge pods.
  ctx=$(mktemp -d); cp /bin/busybox "$ctx/busybox"
  printf 'FROM scratch\nCOPY busybox /busybox\nENTRYPOINT ["/busybox", "sleep", "2147483647"]\n' > "$ctx/Containerfile"
  podman build --quiet --isolation chroot --tag localhost/pause:e2e "$ctx" > /dev/null
  rm -f "$out/pause.oci.tar"; podman save --quiet --format oci-archive --output "$out/pause.oci.tar" localhost/pause:e2e
  rm -rf "$ctx"
  export LVS_E2E_HELM=$("$root/scripts/helm.sh" | tail -n 1)
fi
echo "e2e: bundles and VM ready after $(( $(date +%s) - t0 )) s" >&2
export LVS_E2E_OUT=$out LVS_E2E_BUNDLE=$root/dist/bundle/lvs-operator.mjs
cp_pid=""
if [ "${LVS_E2E_APISERVER:-0}" = 1 ]; then
  . "$here/vm/host-ipvs.sh"
  # Where the topology's hosts find the API server: the host through QEMU's user network, or, on
  # a host with IPVS (no VM), the root namespace's end of the gateway veth (topology.sh).
  if host_has_ipvs; then api_host=192.0.2.1; else api_host=10.0.2.2; export LVS_E2E_NIC=user; fi
  kube=$out/kube; rm -rf "$kube"; mkdir -p "$kube"
  cp_args=(); [ "$api_host" = 10.0.2.2 ] || cp_args=(--bind-address=0.0.0.0)
  "$root/node_modules/.bin/esbuild" "$here/control-plane.ts" --bundle --platform=node --format=esm \
    --target=node24 --outfile="$out/control-plane.mjs" --log-level=warning
  # the binaries first, in the foreground: on a fresh machine the node binaries take minutes to
  # build (a build inside the backgrounded line below ran past the start wait and failed CI)
  assets=$("$root/scripts/envtest-assets.sh" "${assets_args[@]}" | tail -n 1)
  LVS_E2E_REPO=$root LVS_E2E_ENVTEST_ASSETS=$assets \
    node "$out/control-plane.mjs" "$kube" "$api_host" "${cp_args[@]}" > "$out/control-plane.log" 2>&1 &
  cp_pid=$!
  for _ in $(seq 1 240); do [ -f "$kube/ready" ] || ! kill -0 $cp_pid 2>/dev/null && break; sleep 0.5; done
  [ -f "$kube/ready" ] || {
    echo "e2e: the control plane did not start:" >&2; tail -n 30 "$out/control-plane.log" >&2
    kill "$cp_pid" 2>/dev/null; wait "$cp_pid" || true; exit 125
  }
  export LVS_E2E_KUBE_DIR=$kube LVS_E2E_API_HOST=$api_host
  echo "e2e: API server $(cat "$kube/ready") ready after $(( $(date +%s) - t0 )) s" >&2
fi
set +e; "$here/vm/run.sh" "$here/run-checks.sh" "$out"; status=$?; set -e
[ -z "$cp_pid" ] || { kill "$cp_pid"; wait "$cp_pid" || true; }
echo "e2e: exit $status after $(( $(date +%s) - t0 )) s; results in $out/results.json" >&2
exit $status
