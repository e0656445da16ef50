#!/usr/bin/env bash
# The in-cluster agent's resident memory on this host, by hand (root; a figure, not a test):
#   bench/agent-memory-host.sh BUNDLE LVSNODE_JSON [NODE_OPTIONS] [SECONDS]
# Runs `lvs-operator agent` as a pod would (the ServiceAccount's files, KUBERNETES_SERVICE_HOST),
# in a mount and network namespace of its own with bench/vm/fake-apiserver.mjs serving the LVSNode,
# and prints its VmRSS (anonymous and file-backed) after SECONDS (default 15). The host kernel has
# no IPVS: the agent's passes stop at the kernel modules, so what it holds is its plan, its health
# checks and its status, not a kernel table; bench/vm/in-cluster.ts measures the same in the VM.
# The LVSNodes: node bench/run.mjs bench/vm/inputs.ts DIR writes DIR/seed-lvs01.lvsnode.json
# and DIR/scale/a/lvsnode.json (10,000 destinations).
set -euo pipefail
if [ "${1:-}" != --inside ]; then
  [ $# -ge 2 ] || { sed -n '2,10p' "$0" >&2; exit 2; }
  exec unshare -mn "$0" --inside "$(realpath "$1")" "$(realpath "$2")" "${3:-}" "${4:-15}"
fi
bundle=$2 lvsnode=$3 nodeopts=$4 secs=$5
here=$(cd "$(dirname "$0")" && pwd)
ip link set lo up
mount -t tmpfs tmpfs /run
sa=/run/secrets/kubernetes.io/serviceaccount
mkdir -p "$sa"
d=$(mktemp -d)
trap 'kill -9 ${agent:-} ${server:-} 2>/dev/null || true; rm -rf "$d"' EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=127.0.0.1 \
  -addext subjectAltName=IP:127.0.0.1 -days 1 -keyout "$d/key" -out "$d/cert" 2>/dev/null
cp "$d/cert" "$sa/ca.crt"
printf bench-token > "$sa/token"
node "$here/vm/fake-apiserver.mjs" 6443 "$d/cert" "$d/key" "$lvsnode" "$d/ready" &
server=$!
for _ in $(seq 100); do [ -s "$d/ready" ] && break; sleep 0.1; done
KUBERNETES_SERVICE_HOST=127.0.0.1 KUBERNETES_SERVICE_PORT=6443 NODE_OPTIONS="$nodeopts" \
  node "$bundle" agent --node lvs01 --state-dir "$d/state" --metrics-address 127.0.0.1:9641 > "$d/agent.log" 2>&1 &
agent=$!
sleep "$secs"
grep -E '^(VmRSS|RssAnon|RssFile):' "/proc/$agent/status" | tr -s ' \t' ' ' | tr '\n' ' '
echo "(NODE_OPTIONS=${nodeopts:-none}, $(basename "$lvsnode"))"
