# The seed topology in network namespaces, sourced inside the e2e VM (or on a host with IPVS):
#
#   client 192.0.2.10 ─┐
#   lvs01  192.0.2.2  ─┤  bridge lvsbr0 (netns "sw")      VIP 192.0.2.100
#   lvs02  192.0.2.3  ─┤                                  held by the VRRP master (lvs01 first)
#   nginx01 192.0.2.11 ┤  Debian's nginx, page <h1>nginx01</h1>
#   nginx02 192.0.2.12 ┘  Debian's nginx, page <h1>nginx02</h1>
#
# Every host's eth0 is a veth into the bridge. All addresses are documentation addresses that exist
# only inside these namespaces. E2E_NS prefixes the namespace names (empty in the VM; set on a shared
# host so that other tests' namespaces are never touched). E2E_RUN holds every file a run writes.
E2E_NS=${E2E_NS:-}
E2E_RUN=${E2E_RUN:-/tmp/lvs-e2e}
NET=192.0.2
VIP=$NET.100
declare -A E2E_ADDR=([client]=$NET.10 [lvs01]=$NET.2 [lvs02]=$NET.3 [nginx01]=$NET.11 [nginx02]=$NET.12)
E2E_SERVERS="lvs01 lvs02 nginx01 nginx02"

host_add() { # host_add NAME -> netns NAME, eth0 with its address, plugged into the bridge
  local n=$1 ns=$E2E_NS$1
  ip netns add "$ns"
  # Pitfall: bring lo up before anything else. Without it IPVS rejects destinations in the netns
  # ("Invalid operation ... address not unicast", EINVAL) and local services do not answer.
  ip -n "$ns" link set lo up
  # created straight in the two namespaces: nothing passes through the host's own namespace
  ip -n "${E2E_NS}sw" link add "v-$n" type veth peer name eth0 netns "$ns"
  ip -n "${E2E_NS}sw" link set "v-$n" master lvsbr0 up
  ip -n "$ns" addr add "${E2E_ADDR[$n]}/24" dev eth0
  ip -n "$ns" link set eth0 up
  # The cluster path: the API server is reached through the root namespace (api_path_up).
  [ -z "${LVS_E2E_API_HOST:-}" ] || ip -n "$ns" route add "$LVS_E2E_API_HOST/32" via "$NET.1"
}

api_path_up() { # the root namespace as the hosts' gateway to the API server (LVS_E2E_API_HOST)
  # A veth from the root namespace into the bridge, 192.0.2.1 on its end. In the VM the API server
  # is the host's loopback behind QEMU's user network (10.0.2.2 via eth0, 10.0.2.15 ours); proxy
  # ARP lets the root namespace answer QEMU for 192.0.2.x, so replies come back without NAT.
  ip link add "${E2E_NS}gw0" type veth peer name v-gw netns "${E2E_NS}sw"
  ip -n "${E2E_NS}sw" link set v-gw master lvsbr0 up
  ip addr add "$NET.1/24" dev "${E2E_NS}gw0"; ip link set "${E2E_NS}gw0" up
  if [ "${LVS_E2E_IN_VM:-0}" = 1 ]; then
    ip link set eth0 up; ip addr add 10.0.2.15/24 dev eth0
    sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.eth0.proxy_arp=1
  fi
}

nginx_start() { # nginx_start NAME -> Debian's nginx in netns NAME, its own config, pid, logs, temp dirs
  local n=$1 d=$E2E_RUN/nginx/$1
  mkdir -p "$d/www"
  echo "<h1>$n</h1>" > "$d/www/index.html"
  # keepalive_timeout 300 s: check 5 holds one connection open across a director crash
  cat > "$d/nginx.conf" <<EOC
pid $d/nginx.pid;
error_log $d/error.log;
worker_processes 1;
events { worker_connections 256; }
http {
  access_log $d/access.log;
  client_body_temp_path $d/body; proxy_temp_path $d/proxy; fastcgi_temp_path $d/fastcgi;
  uwsgi_temp_path $d/uwsgi; scgi_temp_path $d/scgi;
  keepalive_timeout 300s; keepalive_requests 100000;
  server { listen 80; root $d/www; index index.html; }
}
EOC
  # -e: the error log before the config is read (the default one may not be writable)
  ip netns exec "$E2E_NS$n" nginx -e "$d/error.log" -c "$d/nginx.conf"
}

nginx_stop() { # nginx_stop NAME -> fast shutdown, waits until the master process is gone
  local pidfile=$E2E_RUN/nginx/$1/nginx.pid pid
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile"); kill -TERM "$pid" 2>/dev/null
  while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
}

nat_return_path() { # NAT: the real servers answer the client through the VIP's holder (the master)
  # One-armed NAT: client and real servers share the segment, so without this route the answer would
  # go straight to the client with the real server's address and be dropped. The director would
  # also send ICMP redirects ("go direct"): the real servers must ignore them.
  local n
  for n in nginx01 nginx02; do
    ip netns exec "$E2E_NS$n" sysctl -qw net.ipv4.conf.all.accept_redirects=0 net.ipv4.conf.eth0.accept_redirects=0
    ip -n "$E2E_NS$n" route replace "${E2E_ADDR[client]}/32" via "$VIP"
  done
}

agent_start() { # agent_start HOST MANIFESTS -> the node agent of HOST, in netns HOST, in the background
  # The only place that starts an agent: the driver calls it for every (re)start. Resync at the
  # agent's default (10 s): manifest changes reach it through its directory watch.
  # The cluster path (LVS_E2E_KUBE_DIR) starts the in-cluster agent on its LVSNode instead; the
  # status file is written there too, so the checks read the same document either way. With
  # LVS_E2E_IMAGE_TAG the agent is the image's, in a container (agent_container).
  local h=$1 d=$E2E_RUN/agents/$1 source
  mkdir -p "$d/state"
  if [ -n "${LVS_E2E_KUBE_DIR:-}" ]; then source=(agent --kubeconfig "$LVS_E2E_KUBE_DIR/agent.kubeconfig")
  else source=(local --manifests "$2"); fi
  local flags=(--node "$h" --state-dir "$d/state" --resync-seconds "${LVS_E2E_RESYNC:-10}"
    --status-file "$d/status.json" --drain-timeout-seconds "${LVS_E2E_DRAIN_TIMEOUT:-300}")
  if [ -n "${LVS_E2E_IMAGE_TAG:-}" ]; then manifests=$2 agent_container "$h" "${source[@]}" "${flags[@]}"; return; fi
  ip netns exec "$E2E_NS$h" node "$E2E_RUN/lvs-operator.mjs" "${source[@]}" "${flags[@]}" \
    >> "$d/agent.log" 2>&1 < /dev/null &
  echo $! > "$d/agent.pid"   # ip netns exec execs node: this is the agent's own pid
}

# podman with its storage in the run's dir (the VM's tmpfs; its root is an overlay, which overlay
# storage cannot sit on) and cgroupfs (no systemd in the VM).
E2E_PODMAN=(podman --root "$E2E_RUN/containers" --runroot /run/containers --cgroup-manager cgroupfs
  --events-backend file --storage-driver overlay)

# The mount namespace and root of the shell that sourced this file (run-checks.sh), for commands
# that the driver runs from inside ip netns exec's.
E2E_ROOT_NS=(nsenter --target "${E2E_ROOT_PID:-$$}" --mount --root --wd="$PWD")

image_load() { # image_load ARCHIVE -> the image in the run's podman storage
  "${E2E_PODMAN[@]}" load --quiet --input "$1"
}

agent_container() { # agent_container HOST ARGS... -> the image's agent as the chart runs it, in netns HOST
  # The DaemonSet's pod without a kubelet: the node's network (hostNetwork), root with
  # NET_ADMIN, NET_RAW and SYS_MODULE only, no privilege escalation, the host's /proc/sys at
  # /host/proc/sys (the container's own is read-only) and /lib/modules; the state dir and the
  # kubeconfig bound in at the paths the checks know. Started in the run's own mount namespace
  # (the driver runs under ip netns exec, which remounts /sys and hides cgroup2 from the runtime)
  # and the host's network namespace, as a kubelet starts a hostNetwork pod.
  local h=$1 d=$E2E_RUN/agents/$1 manifests=${manifests:-}; shift
  local mounts=(-v "$d:$d" -v /proc/sys:/host/proc/sys)
  # the kernel's modules tree, where there is one (in the VM only for the run with kubelets)
  [ ! -d /lib/modules ] || mounts+=(-v /lib/modules:/lib/modules:ro)
  if [ -n "${LVS_E2E_KUBE_DIR:-}" ]; then mounts+=(-v "$LVS_E2E_KUBE_DIR:$LVS_E2E_KUBE_DIR:ro")
  else mounts+=(-v "$manifests:$manifests:ro"); fi
  rm -f "$d/agent.pid"
  "${E2E_ROOT_NS[@]}" --net="/run/netns/$E2E_NS$h" "${E2E_PODMAN[@]}" run --rm --replace --name "agent-$h" \
    --network host --user 0 --cap-drop ALL --cap-add NET_ADMIN,NET_RAW,SYS_MODULE \
    --security-opt no-new-privileges -e "NODE_NAME=$h" "${mounts[@]}" \
    "$LVS_E2E_IMAGE_TAG" "$@" --proc-sys /host/proc/sys >> "$d/agent.log" 2>&1 < /dev/null &
  # the checks signal the agent itself: the container's first process, as the host sees it
  local pid="" _
  for _ in $(seq 1 600); do
    pid=$("${E2E_ROOT_NS[@]}" "${E2E_PODMAN[@]}" inspect --format '{{.State.Pid}}' "agent-$h" 2>/dev/null || true)
    [ -n "$pid" ] && [ "$pid" != 0 ] && break
    sleep 0.1
  done
  echo "$pid" > "$d/agent.pid"
}

netns_kill() { # netns_kill NAME -> SIGKILL every process in the netns (agents, keepalived, nginx)
  local pids; pids=$(ip netns pids "$E2E_NS$1" 2>/dev/null)
  [ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
}

servers_down() { # deletes the directors and real servers (the client and the bridge stay)
  local n
  for n in $E2E_SERVERS; do netns_kill "$n"; done
  sleep 0.2
  for n in $E2E_SERVERS; do ip netns del "$E2E_NS$n" 2>/dev/null; ip -n "${E2E_NS}sw" link del "v-$n" 2>/dev/null; done
  rm -rf "$E2E_RUN/agents" "$E2E_RUN/nginx"
  ip -n "${E2E_NS}client" neigh flush dev eth0 2>/dev/null || true   # stale MACs of the old hosts
}

servers_up() { # servers_up dr|nat|tun -> directors and real servers with nginx running (no agents)
  local n
  for n in $E2E_SERVERS; do host_add "$n"; done
  for n in nginx01 nginx02; do nginx_start "$n"; done
  [ "$1" != nat ] || nat_return_path
}

topo_up() { # topo_up dr|nat|tun -> the whole topology
  # nginx's workers run as nobody: the pages under E2E_RUN (mktemp -d: mode 700) must be readable
  mkdir -p "$E2E_RUN"; chmod 755 "$E2E_RUN"
  ip netns add "${E2E_NS}sw"; ip -n "${E2E_NS}sw" link set lo up
  ip -n "${E2E_NS}sw" link add lvsbr0 type bridge; ip -n "${E2E_NS}sw" link set lvsbr0 up
  [ -z "${LVS_E2E_API_HOST:-}" ] || api_path_up
  host_add client
  servers_up "$1"
}

topo_down() {
  servers_down; netns_kill client; netns_kill sw
  ip netns del "${E2E_NS}client" 2>/dev/null; ip netns del "${E2E_NS}sw" 2>/dev/null
  ip link del "${E2E_NS}gw0" 2>/dev/null; true
}

# The run with real kubelets: the nodes' functions (kube_node_down for the driver's checks too).
[ -z "${LVS_E2E_KUBELETS:-}" ] || . "$(dirname "${BASH_SOURCE[0]}")/kube-node.sh"
