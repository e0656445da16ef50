#!/bin/sh
# The keepalived container of the agent's pod (the chart's default: agent --keepalived container).
# It keeps keepalived running while the agent wants it, in the foreground as its child, so that
# keepalived lives as long as this container and not as long as the agent's: an agent container
# that crashes or fails its liveness probe is restarted alone by the kubelet, finds keepalived
# running and adopts it (supervisor.ts), and the VIP never moves. The agent still decides
# everything: it writes and tests the config, asks for a start with the file keepalived.want in the
# state directory both containers mount, reloads keepalived with SIGHUP and stops it with SIGTERM
# (the pod shares one process namespace), removing the file first so that nothing here starts it
# again. On SIGTERM (the pod is going: the kubelet signals both containers at once) keepalived is
# left to the agent for up to AGENT_WAIT_S (15 s): the agent hands the VIP to a backup while
# keepalived still holds it, then stops it and removes the file. Without the file, or once the
# wait is out (no agent runs), keepalived gets SIGTERM from here: priority-0 adverts, and the
# backup takes over.
#
# Why sh and not a command of lvs-operator: the same loop in Node held 93 MB resident (the bundle
# loads everything), this one about 1 MB beside keepalived. Its only protocol with the agent is the
# files below and keepalived's arguments, the same as supervisor.ts's keepalivedArgs (an agent
# adopts only a keepalived started with its --use-file); test/integration/keepalived-driver/
# container.test.ts runs this script with the real keepalived and the agent's supervisor.
#
# Usage: container.sh [STATE_DIR [AGENT_WAIT_S]]   (defaults /var/lib/lvs-operator, 15)
set -u
dir=${1:-/var/lib/lvs-operator}
agent_wait=${2:-15}
conf=$dir/keepalived.conf
pidfile=$dir/keepalived.pid
vrrp_pidfile=$dir/keepalived-vrrp.pid
want=$dir/keepalived.want
child=
stopping=
failures=0
not_before=0

log() { printf '{"time":"%s","msg":"%s"%s}\n' "$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)" "$1" "${2:-}"; }

# A live keepalived on our config that is not our child (an agent of before started it): left be.
adoptable() {
  p=$(cat "$pidfile" 2>/dev/null) || return 1
  [ -n "$p" ] && [ "$(cat "/proc/$p/comm" 2>/dev/null)" = keepalived ] &&
    tr '\0' '\n' < "/proc/$p/cmdline" 2>/dev/null | grep -qxF -- "$conf"
}

# Our child has exited (gone, or a zombie until we wait for it). Builtins only: this runs every
# poll, and a fork per poll on four nodes loaded the e2e's emulated VM noticeably.
exited() {
  stat=
  read -r stat < "/proc/$child/stat" 2>/dev/null || return 0
  # "PID (COMM) STATE ...": keepalived's COMM has no blank
  set -- $stat
  [ "${3:-}" = Z ]
}

on_signal() {
  stopping=1
}
trap on_signal TERM INT

log "keepalived container ready" ",\"wantFile\":\"$want\""
while [ -z "$stopping" ]; do
  if [ -n "$child" ] && exited; then
    wait "$child"
    code=$?
    # One that ran a while and died starts again at once; one that keeps dying right away waits
    # longer each time (1 s, doubling, at most 32 s).
    if [ $(($(date +%s) - started)) -gt 60 ]; then failures=0; else failures=$((failures + 1)); fi
    delay=0
    [ "$failures" -eq 0 ] || delay=$((1 << (failures > 6 ? 5 : failures - 1)))
    not_before=$(($(date +%s) + delay))
    wanted=false
    [ ! -e "$want" ] || wanted=true
    log "keepalived exited" ",\"code\":$code,\"wanted\":$wanted,\"restartInS\":$delay"
    child=
  fi
  if [ -z "$child" ] && [ -e "$want" ] && [ "$(date +%s)" -ge "$not_before" ] && ! adoptable; then
    # As the agent's own start: stale pid files would make keepalived refuse to start.
    rm -f "$pidfile" "$vrrp_pidfile"
    keepalived --vrrp --log-detail --use-file "$conf" --pid "$pidfile" --vrrp_pid "$vrrp_pidfile" \
      --dont-fork --log-console &
    child=$!
    started=$(date +%s)
    log "keepalived started" ",\"pid\":$child"
  fi
  # Once a second (a keepalived start waits at most that long); in the background, so that a
  # signal ends the wait at once.
  sleep 1 &
  wait $! 2>/dev/null
done
stopped_by=
if [ -n "$child" ]; then
  i=0
  while [ -e "$want" ] && ! exited && [ $i -lt $((agent_wait * 4)) ]; do sleep 0.25; i=$((i + 1)); done
  if [ ! -e "$want" ]; then stopped_by=agent
  elif exited; then stopped_by=itself
  else stopped_by=container; kill -TERM "$child" 2>/dev/null; fi
  i=0
  while ! exited && [ $i -lt 40 ]; do sleep 0.25; i=$((i + 1)); done   # 10 s
  exited || kill -KILL "$child" 2>/dev/null
  wait "$child" 2>/dev/null
fi
log "keepalived container stopping" "${stopped_by:+,\"keepalivedStoppedBy\":\"$stopped_by\"}"
exit 0
