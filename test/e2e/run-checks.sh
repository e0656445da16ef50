# Runs INSIDE the e2e VM (vm/run.sh run-checks.sh), or directly on a host whose kernel has IPVS.
# Needs LVS_E2E_OUT (shared output dir, holding driver.mjs) and LVS_E2E_BUNDLE (dist/bundle/lvs-operator.mjs).
# Builds the topology, runs the driver in the client's network namespace, saves logs, tears down.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export LVS_E2E_DIR=$here
# In the VM /tmp is the VM's own tmpfs; on a shared host every run gets a dir and a netns prefix.
in_vm=${LVS_E2E_IN_VM:-0}
if [ -z "${E2E_NS+x}" ]; then if [ "$in_vm" = 1 ]; then E2E_NS=""; else E2E_NS="e2e$$-"; fi; fi
export E2E_NS
export E2E_RUN=${E2E_RUN:-$(mktemp -d /tmp/lvs-e2e.XXXXXX)}
# the run's mount namespace, for what the driver starts from inside ip netns exec (topology.sh)
export E2E_ROOT_PID=$$
mkdir -p "$E2E_RUN"
# Pitfall: loading files over 9p is slow (a node_modules tree took 11-16 s): the agent runs from
# the esbuild bundle (lvs-operator.mjs and the chunks each command loads), copied into the VM's tmpfs.
# A snapshot, so that a rebuild of dist/ during the run changes nothing. The bundle carries the
# CRDs' schemas (src/core/api/generated/crd-documents.ts): it needs nothing beside it.
cp "$(dirname "$LVS_E2E_BUNDLE")"/*.mjs "$E2E_RUN/"
# koffi (the agent's FFI for IPVS over netlink) stays outside the bundle, beside it as in the image.
mkdir -p "$E2E_RUN/node_modules"
cp -r "$(dirname "$LVS_E2E_BUNDLE")/../../node_modules/koffi" "$(dirname "$LVS_E2E_BUNDLE")/../../node_modules/@koromix" \
  "$E2E_RUN/node_modules/"
. "$here/topology.sh"
echo "E2E: kernel $(uname -r), node $(node --version), $(ipvsadm --version 2>&1 | head -n 1), $(keepalived --version 2>&1 | head -n 1)"
start=$(date +%s)
# (with LVS_E2E_KUBELETS, topology.sh brings kube-node.sh: the nodes' containerd imports the image)
if [ -n "${LVS_E2E_IMAGE_TAG:-}" ] && [ -z "${LVS_E2E_KUBELETS:-}" ]; then
  image_load "$LVS_E2E_OUT/image.oci.tar" || { echo "E2E: podman could not load the image"; exit 125; }
  echo "E2E: image $LVS_E2E_IMAGE_TAG loaded in $(( $(date +%s) - start )) s: $("${E2E_PODMAN[@]}" run --rm --network none "$LVS_E2E_IMAGE_TAG" --version)"
  start=$(date +%s)
fi
topo_up dr
echo "E2E: topology up in $(( $(date +%s) - start )) s"
if [ -n "${LVS_E2E_KUBELETS:-}" ]; then
  kube_nodes_up   # the cluster exists before the checks start (they wait for its Nodes)
  echo "E2E: containerd, kubelet and kube-proxy starting on $E2E_SERVERS"
fi
ip netns exec "${E2E_NS}client" node "$LVS_E2E_OUT/driver.mjs"
status=$?
echo "E2E: driver exit $status after $(( $(date +%s) - start )) s"
topo_down
[ "$in_vm" = 1 ] || rm -rf "$E2E_RUN"
exit $status
