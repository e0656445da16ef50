#!/usr/bin/env bash
# Inside the VM (test/e2e/vm/run.sh): the netlink checks, captures and benchmark (main.ts, bundled
# into $LVS_E2E_OUT/ipvs-netlink.mjs with koffi beside it in $LVS_E2E_OUT/node_modules), then the
# agent's bundle (dist/bundle/lvs-operator.mjs, netlink by default) programming the seed on lvs01 of the
# e2e topology (each netns has its own IPVS table): its table, and curl to the VIP from the client
# (check "agent").
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=$LVS_E2E_OUT/ipvs-netlink
echo "ipvs-netlink: kernel $(uname -r), node $(node --version), $(ipvsadm --version 2>&1 | head -n 1)"
node "$LVS_E2E_OUT/ipvs-netlink.mjs"
status=$?

export E2E_NS="" E2E_RUN=/tmp/lvs-e2e LVS_E2E_DIR=$here/..
mkdir -p "$E2E_RUN/node_modules"
cp "$(dirname "$LVS_E2E_BUNDLE")"/*.mjs "$E2E_RUN/"
cp -r "$(dirname "$LVS_E2E_BUNDLE")/../../node_modules/koffi" "$(dirname "$LVS_E2E_BUNDLE")/../../node_modules/@koromix" \
  "$E2E_RUN/node_modules/"
. "$here/../topology.sh"
topo_up dr
# lvs01 alone becomes the VRRP master; the real servers' agents put the VIP on their lo (DR).
for h in lvs01 nginx01 nginx02; do agent_start "$h" "$here/../manifests/seed-dr"; done
ok=false; table=""; answer=""
for _ in $(seq 1 90); do
  table=$(ip netns exec lvs01 ipvsadm -S -n 2>&1)
  answer=$(ip netns exec client curl -s -m 2 http://192.0.2.100/ 2>&1) && [ -n "$answer" ] && \
    grep -q -- '-a -t 192.0.2.100:80 -r 192.0.2.11:80' <<<"$table" && grep -q -- '-r 192.0.2.12:80' <<<"$table" && { ok=true; break; }
  sleep 1
done
log=$(tail -n 5 "$E2E_RUN/agents/lvs01/agent.log" | tr '\n' ' ' | tr -d '"\\' | cut -c1-800)
table=$(tr '\n' ' ' <<<"$table" | tr -d '"\\')
answer=$(tr '\n' ' ' <<<"$answer" | tr -d '"\\' | cut -c1-200)
printf '{"id":"agent","ok":%s,"details":"lvs01 table: %s; curl: %s; agent log tail: %s"}\n' "$ok" "$table" "$answer" "$log" \
  > "$out/agent.json"
echo "check agent: $ok: $table / $answer"
topo_down
[ "$ok" = true ] || status=1
exit $status
