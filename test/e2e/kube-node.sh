# Real Kubernetes nodes in the topology's hosts (the e2e run with kubelets, LVS_E2E_KUBELETS),
# sourced after topology.sh inside the e2e VM. Each host that is a Node gets what a node has:
#   - its own network (the host's netns: a hostNetwork pod lands in it) and its own filesystem view
#     (a mount namespace in which /var/lib/lvs-operator, the agent's hostPath, is the node's own);
#   - its own containerd (Debian's; a hostNetwork container inherits the network namespace of the
#     shim, which is containerd's), with the pause and the project's images imported (no registry
#     is reachable), and the bridge CNI for the pods that are not hostNetwork (the controller);
#   - a kubelet that registers the Node with the API server (its system:node: certificate), and
#     kube-proxy (the pods find the API server through the "kubernetes" Service): in its default
#     mode (iptables) on the real servers, in IPVS mode on the directors (KN_PROXY_IPVS), where its
#     IPVS services and the agent's share one table and must leave each other alone;
#   - a cgroup /HOST holding all of it: a node that dies is `cgroup.kill` of it plus its link down.
# Pitfalls (../shared/lab-kubelet, and this harness's own runs): nsenter --net, not ip netns exec
# (that remounts /sys and hides cgroup2 from the kubelet); --node-ip (else two 10 s resolver
# timeouts); one cgroup per node with its controllers enabled, cgroupRoot and cgroupfs; a
# /var/lib/kubelet per node (fixed paths there: --root-dir does not move them); a default route
# per node (a ClusterIP is routed before kube-proxy's DNAT).
KN_ARCHIVES=${KN_ARCHIVES:-$LVS_E2E_OUT}   # pause.oci.tar and image.oci.tar (e2e.sh)
KN_BIN=$E2E_RUN/bin   # kubelet, kube-proxy, kubectl and helm, copied from the kube dir (control-plane.ts)
KN_CNI_BIN=/usr/lib/cni
KN_PROXY_IPVS=${LVS_E2E_PROXY_IPVS-lvs01 lvs02}   # the nodes whose kube-proxy runs in IPVS mode
KN_VIP_CIDRS=192.0.2.100/32                        # the VIPs, which kube-proxy's IPVS mode must leave alone

kn_index() { # kn_index HOST -> 1.. (the node's pod subnet 10.244.N.0/24)
  local i=1 h
  for h in $E2E_SERVERS; do [ "$h" = "$1" ] && { echo $i; return; }; i=$((i + 1)); done
  return 1
}

kn_containerd_config() { # kn_containerd_config DIR -> a containerd config with everything under DIR
  local d=$1
  cat <<EOC
version = 2
root = "$d/containerd/root"
state = "$d/containerd/state"
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs",
  "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]
[grpc]
  address = "$d/containerd.sock"
[ttrpc]
  address = "$d/containerd.sock.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "$d/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "localhost/pause:e2e"
  enable_selinux = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$KN_CNI_BIN"
    conf_dir = "$d/cni"
EOC
}

kube_nodes_prepare() { # once per VM: cgroup2 with every controller delegated, the hostPath's mount point
  mountpoint -q /sys/fs/cgroup || mount -t cgroup2 none /sys/fs/cgroup
  local c
  for c in $(cat /sys/fs/cgroup/cgroup.controllers); do echo "+$c" > /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null; done
  mkdir -p /var/lib/lvs-operator /var/lib/kubelet
  # The binaries from the VM's tmpfs: read over 9p, a kubectl call took 10-25 s under load.
  mkdir -p "$KN_BIN"
  cp "$LVS_E2E_KUBE_DIR"/{kubelet,kube-proxy,kubectl.bin,helm} "$KN_BIN/"
  echo "$KN_BIN/kubectl.bin" > "$LVS_E2E_KUBE_DIR/kubectl"
  # The images, imported once: one containerd imports the archives into a template root, and each
  # node's root starts as a hard-linked copy of it (its databases copied). Four imports at once
  # took over five minutes under TCG (unpacking the same layers four times); the links cost nothing.
  local t=$E2E_RUN/nodes/.template i
  mkdir -p "$t"; kn_containerd_config "$t" > "$t/containerd.toml"
  containerd --config "$t/containerd.toml" > "$t/containerd.log" 2>&1 &
  local pid=$!
  for i in $(seq 1 600); do ctr -a "$t/containerd.sock" version > /dev/null 2>&1 && break; sleep 0.2; done
  for i in "$KN_ARCHIVES/pause.oci.tar" "$KN_ARCHIVES/image.oci.tar"; do
    ctr -a "$t/containerd.sock" -n k8s.io images import "$i" > /dev/null || echo "E2E: import of $i failed"
  done
  # the same image under a second tag: what a helm upgrade to a new image rolls out (p10); and
  # under the name deploy/manifests gives (the chart's default image, a registry not reachable
  # here), for `kubectl apply -f deploy/manifests/` exactly as users run it (p12)
  ctr -a "$t/containerd.sock" -n k8s.io images tag "$LVS_E2E_IMAGE_TAG" "${LVS_E2E_IMAGE_TAG%:*}:e2e-next" > /dev/null
  local published
  published=$(sed -n 's/^ *image: *//p' "$LVS_E2E_DIR/../../deploy/manifests/lvs-operator.yaml" | head -n 1)
  ctr -a "$t/containerd.sock" -n k8s.io images tag "$LVS_E2E_IMAGE_TAG" "$published" > /dev/null
  echo "E2E: images for the nodes: $(ctr -a "$t/containerd.sock" -n k8s.io images ls -q | grep -v '^sha256:' | tr '\n' ' ')"
  kill "$pid"; wait "$pid"
}

kube_node_up() { # kube_node_up HOST -> containerd, kubelet and kube-proxy of HOST, in the background
  local h=$1 d=$E2E_RUN/nodes/$1 n i
  n=$(kn_index "$h"); mkdir -p "$d"/{cni,state,logs}
  mkdir -p "/sys/fs/cgroup/$h"
  for c in $(cat /sys/fs/cgroup/cgroup.controllers); do echo "+$c" > "/sys/fs/cgroup/$h/cgroup.subtree_control" 2>/dev/null; done
  mkdir -p "/sys/fs/cgroup/$h/node"   # the daemons; the kubelet puts the pods in /$h/kubepods
  # A node's default route (the root namespace, towards QEMU's network): a Service's ClusterIP is
  # routed before kube-proxy's DNAT, so without one the "kubernetes" Service is unreachable.
  ip -n "$E2E_NS$h" route replace default via "$NET.1"
  # The other nodes' pod subnets, through their node (the bridge is one segment).
  for i in $E2E_SERVERS; do
    [ "$i" = "$h" ] || ip -n "$E2E_NS$h" route replace "10.244.$(kn_index "$i").0/24" via "${E2E_ADDR[$i]}"
  done
  cat > "$d/cni/10-e2e.conflist" <<EOC
{"cniVersion": "1.0.0", "name": "e2e", "plugins": [
  {"type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": true, "hairpinMode": true,
   "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.244.$n.0/24"}]], "routes": [{"dst": "0.0.0.0/0"}],
            "dataDir": "$d/ipam"}},
  {"type": "portmap", "capabilities": {"portMappings": true}}]}
EOC
  kn_containerd_config "$d" > "$d/containerd.toml"
  cat > "$d/kubelet.yaml" <<EOC
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
containerRuntimeEndpoint: unix://$d/containerd.sock
cgroupDriver: cgroupfs
cgroupRoot: /$h
failSwapOn: false
podLogsDir: $d/logs
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: false}
  x509: {clientCAFile: ""}
authorization: {mode: AlwaysAllow}
address: ${E2E_ADDR[$h]}
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
localStorageCapacityIsolation: false
evictionHard: {memory.available: "1Mi"}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
resolvConf: ""
# runc under TCG with four nodes starting pods at once took past the default 2 min
runtimeRequestTimeout: 10m
EOC
  # The node's init: a process in the node's network and a mount namespace of its own, in the
  # node's cgroup, that starts the daemons and stays (topology's netns_kill finds it, as does
  # kube_node_down through the cgroup).
  nsenter --net="/run/netns/$E2E_NS$h" unshare --mount --propagation private \
    bash -c 'echo $$ > "/sys/fs/cgroup/$1/node/cgroup.procs"; . "$2/kube-node.sh"; kn_node_main "$1" "$3" "$4"' \
    kube-node "$h" "$LVS_E2E_DIR" "$d" "${E2E_ADDR[$h]}" >> "$d/node.log" 2>&1 < /dev/null &
  echo $! > "$d/node.pid"
}

kube_nodes_up() { # every host that is a Node, at once (run-checks.sh, in the run's own mount namespace)
  local h
  kube_nodes_prepare
  for h in $E2E_SERVERS; do kube_node_up "$h"; done
  # what the nodes cost the VM, every 60 s, for the README's figures (top itself is not free
  # under TCG: at every 15 s it was among the busiest processes)
  mkdir -p "$LVS_E2E_OUT/logs/pods"
  # and the pods' logs, copied to the out dir as the run goes (kubectl logs cannot reach a kubelet
  # in the VM from the API server on the host)
  (while sleep 60; do
    for h in $E2E_SERVERS; do cp -rL "$E2E_RUN/nodes/$h/logs/." "$LVS_E2E_OUT/logs/pods/$h/pods" 2>/dev/null; done
    echo "== $(date +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"; free -m | sed -n 2p
    top -bn1 -o %CPU | sed -n 8,22p; done) >> "$LVS_E2E_OUT/logs/pods/top.log" 2>&1 &
}

kn_node_main() { # kn_node_main HOST DIR ADDRESS: runs as the node's init (kube_node_up)
  # The daemons' logs go straight to the out dir (logs/pods/HOST), to be read while the run goes.
  local h=$1 d=$2 ip=$3 i l=$LVS_E2E_OUT/logs/pods/$1
  mkdir -p "$l"
  # The node's own /var/lib/lvs-operator (the agent's hostPath) and /var/lib/kubelet (the kubelet
  # keeps fixed paths there whatever its --root-dir: the device plugins' socket, which a second
  # kubelet on a shared /var/lib/kubelet fails to bind).
  mkdir -p "$d/kubelet"
  mount --bind "$d/state" /var/lib/lvs-operator
  mount --bind "$d/kubelet" /var/lib/kubelet
  mkdir -p "$d/containerd"
  cp -al "$E2E_RUN/nodes/.template/containerd/root" "$d/containerd/root"
  find "$d/containerd/root" -name '*.db' -exec sh -c 'cp "$1" "$1.copy" && mv "$1.copy" "$1"' db {} \;
  echo "$(date +%T.%N) containerd starting"
  containerd --config "$d/containerd.toml" > "$l/containerd.log" 2>&1 &
  for i in $(seq 1 600); do ctr -a "$d/containerd.sock" version > /dev/null 2>&1 && break; sleep 0.2; done
  echo "$(date +%T.%N) containerd up; images: $(ctr -a "$d/containerd.sock" -n k8s.io images ls -q | grep -v '^sha256:' | tr '\n' ' ')"
  "$KN_BIN/kubelet" --config "$d/kubelet.yaml" --kubeconfig "$LVS_E2E_KUBE_DIR/node-$h.kubeconfig" \
    --hostname-override "$h" \
    --node-ip "$ip" --v=1 > "$l/kubelet.log" 2>&1 &
  local mode=()
  # In IPVS mode kube-proxy deletes, at every sync, each IPVS service it did not create unless its
  # address is excluded: the VIPs must be, as the README tells users (kube-proxy's ipvs.excludeCIDRs).
  case " $KN_PROXY_IPVS " in *" $h "*) mode=(--proxy-mode ipvs --ipvs-exclude-cidrs "$KN_VIP_CIDRS") ;; esac
  # Restarted when it exits, as its DaemonSet's pod would be: its first iptables call can fail
  # while four nodes start at once ("Could not fetch rule set generation id: Invalid argument",
  # seen once on lvs01), and kube-proxy then exits.
  (while :; do
    "$KN_BIN/kube-proxy" --kubeconfig "$LVS_E2E_KUBE_DIR/kube-proxy.kubeconfig" --hostname-override "$h" \
      --cluster-cidr 10.244.0.0/16 --conntrack-max-per-core 0 --metrics-bind-address 127.0.0.1:10249 \
      "${mode[@]}"
    echo "$(date +%T.%N) kube-proxy exited ($?); restarting in 5 s"; sleep 5
  done) >> "$l/kube-proxy.log" 2>&1 &
  echo "$(date +%T.%N) kubelet and kube-proxy started"
  wait
}

kube_node_down() { # kube_node_down HOST -> the node dies: every process of it at once, its link down
  # (from the driver too, whose ip netns exec hides cgroup2: through the run's mount namespace)
  "${E2E_ROOT_NS[@]}" sh -c 'echo 1 > "/sys/fs/cgroup/$1/cgroup.kill"' kube-node-down "$1"
  ip -n "$E2E_NS$1" link set eth0 down
}
