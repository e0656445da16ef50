#!/bin/bash
# Captures what the REAL ipvsadm prints with `ipvsadm -S -n` (the *.save golden files beside this
# script) and how the kernel reacts to edits (facts.txt). Runs INSIDE the lab VM, which has a real
# IPVS kernel (Debian 6.1, ipvsadm 1.31):
#   /work/shared/lab-vm/run-vm.sh "$PWD/test/golden/ipvs/capture.sh"
#   cp /tmp/vmlab/out/ipvs-golden/{*.save,facts.txt} test/golden/ipvs/   # then review the diff
# (sortquirk.save changes from run to run: ipvsadm's order there follows the kernel's hash order)
# Every golden case runs in its own fresh netns (IPVS tables are per netns). The TypeScript golden
# tests build the same tables and compare renderSave() byte for byte, so keep the two in sync.
SELF=$(readlink -f "${BASH_SOURCE[0]}")
OUTDIR=/tmp/vmlab/out/ipvs-golden

case_basic() { # NAT and DR, TCP/UDP/SCTP, weights 0/1/65535, insertion order != printed order
  ipvsadm -A -t 203.0.113.10:443 -s wlc
  ipvsadm -a -t 203.0.113.10:443 -r 10.1.0.12:8443 -m -w 3
  ipvsadm -a -t 203.0.113.10:443 -r 10.1.0.11:443 -m -w 0
  ipvsadm -a -t 203.0.113.10:443 -r 10.1.0.11:80 -m -w 65535
  ipvsadm -a -t 203.0.113.10:443 -r 10.1.0.9:443 -m
  ipvsadm -A -t 203.0.113.10:80 -s rr
  ipvsadm -a -t 203.0.113.10:80 -r 10.1.0.21:80 -g -w 2
  ipvsadm -a -t 203.0.113.10:80 -r 10.1.0.20 -g
  ipvsadm -A -u 203.0.113.10:53 -s wrr
  ipvsadm -a -u 203.0.113.10:53 -r 10.1.0.22:5353 -m -w 1
  ipvsadm -a -u 203.0.113.10:53 -r 10.1.0.21:53 -m -w 1
  ipvsadm -A -t 198.51.100.5:8080 -s lc
  ipvsadm -A --sctp-service 198.51.100.7:9000 -s rr
  ipvsadm -a --sctp-service 198.51.100.7:9000 -r 10.1.0.31:9000 -m -w 4
  ipvsadm -A -u 198.51.100.5:8080 -s sed
  ipvsadm -A -t 198.51.100.1:65535 -s dh
  ipvsadm -A -t 198.51.100.1:1 -s nq
}

case_persistence() { # -p/-M, default timeout, host netmask not printed, port-0 services
  ipvsadm -A -t 192.0.2.50:8080 -s sh -p 300 -M 255.255.255.0
  ipvsadm -a -t 192.0.2.50:8080 -r 198.51.100.21:8080 -g
  ipvsadm -A -t 192.0.2.51:80 -s rr -p
  ipvsadm -A -t 192.0.2.52:80 -s rr -p 5 -M 255.255.255.255
  ipvsadm -A -t 192.0.2.53:80 -s lblc -p 86400 -M 255.255.0.0
  ipvsadm -A -t 192.0.2.80:0 -s rr -p 600
  ipvsadm -a -t 192.0.2.80:0 -r 198.51.100.80 -g
  ipvsadm -a -t 192.0.2.80:0 -r 198.51.100.81:0 -i
  ipvsadm -A -u 192.0.2.80:0 -s wlc -p 120 -M 255.255.255.128
  ipvsadm -A -t [2001:db8::50]:443 -s wrr -p 60 -M 64
  ipvsadm -A -t [2001:db8::51]:443 -s wrr -p 60 -M 128
  ipvsadm -A -t [2001:db8::52]:0 -s rr -p 30
}

case_tun() { # IPIP (default and explicit), GUE with port and checksum modes, GRE, mixed family
  ipvsadm -A -t 192.0.2.60:80 -s rr
  ipvsadm -a -t 192.0.2.60:80 -r 198.51.100.61:80 -i -w 2
  ipvsadm -a -t 192.0.2.60:80 -r 198.51.100.62 -i --tun-type ipip
  ipvsadm -a -t 192.0.2.60:80 -r 198.51.100.63:80 -i --tun-type gue --tun-port 6080
  ipvsadm -a -t 192.0.2.60:80 -r 198.51.100.64:80 -i --tun-type gue --tun-port 6081 --tun-csum
  ipvsadm -a -t 192.0.2.60:80 -r 198.51.100.65:80 -i --tun-type gue --tun-port 6082 --tun-remcsum
  ipvsadm -a -t 192.0.2.60:80 -r 198.51.100.66:80 -i --tun-type gre
  ipvsadm -a -t 192.0.2.60:80 -r 198.51.100.67:80 -i --tun-type gre --tun-csum
  ipvsadm -a -t 192.0.2.60:80 -r 198.51.100.68:8080 -i
  ipvsadm -a -t 192.0.2.60:80 -r [2001:db8::69]:80 -i
  ipvsadm -A -t [2001:db8::60]:80 -s rr
  ipvsadm -a -t [2001:db8::60]:80 -r [2001:db8::61]:80 -i -w 7
}

case_ipv6() { # how addresses are printed: compressed, lowercase, first longest zero run, no 1-zero run
  # (VIPs close together: see case_sortquirk for fd00:: next to 2001:db8::)
  ipvsadm -A -t [2001:DB8:0:0:0:0:0:A]:80 -s rr
  ipvsadm -a -t [2001:db8::a]:80 -r [2001:0db8:0000:0001:0000:0000:0000:0001]:8080 -m
  ipvsadm -a -t [2001:db8::a]:80 -r [2001:db8:0:0:1:0:0:1]:80 -m
  ipvsadm -a -t [2001:db8::a]:80 -r [2001:db8:1:0:0:1:0:0]:80 -m
  ipvsadm -a -t [2001:db8::a]:80 -r [2001:db8:1:2:3:4:0:5]:80 -m
  ipvsadm -a -t [2001:db8::a]:80 -r [64:ff9b::192.0.2.1]:80 -m -w 9
  ipvsadm -A -u [2001:db8::a]:53 -s rr
  ipvsadm -a -u [2001:db8::a]:53 -r [2001:db8::b]:53 -m
  ipvsadm -A --sctp-service [2001:db8::a]:9000 -s rr
  ipvsadm -A -t [2001:db8:1::1]:80 -s wlc
}

case_flags() { # -b printing: names per scheduler, order, position after -p/-M
  ipvsadm -A -t 192.0.2.70:80 -s sh -b sh-fallback,sh-port
  ipvsadm -A -t 192.0.2.71:80 -s sh -b sh-port
  ipvsadm -A -t 192.0.2.72:80 -s mh -b mh-port,mh-fallback
  ipvsadm -A -t 192.0.2.73:80 -s mh -b flag-1
  ipvsadm -A -t 192.0.2.74:80 -s rr -b flag-1,flag-2,flag-3
  ipvsadm -A -t 192.0.2.75:80 -s sh -b sh-fallback -p 60 -M 255.255.255.0
}

case_thresholds() { # does -S print -x/-y? (compare with -Ln --thresholds in the log)
  ipvsadm -A -t 192.0.2.90:80 -s wlc
  ipvsadm -a -t 192.0.2.90:80 -r 10.1.0.91:80 -m -w 5 -x 100 -y 50
  ipvsadm -a -t 192.0.2.90:80 -r 10.1.0.92:80 -m -x 10
  ipvsadm -Ln --thresholds
}

case_fwmark() { # firewall-mark services (we never manage them): format and position
  ipvsadm -A -f 1 -s rr
  ipvsadm -a -f 1 -r 10.1.0.101:80 -m
  ipvsadm -a -f 1 -r 10.1.0.102 -g
  ipvsadm -A -f 2 -6 -s wlc -p 300 -M 64
  ipvsadm -a -f 2 -6 -r [2001:db8::102]:80 -m
  ipvsadm -A -t 192.0.2.100:80 -s rr
  ipvsadm -a -t 192.0.2.100:80 -r 10.1.0.103:80 -m
}

case_order() { # sort order of services (family, protocol, address, port) and destinations
  ipvsadm -A -u 192.0.2.2:80 -s rr
  ipvsadm -A -t [2001:db8::1]:80 -s rr
  ipvsadm -A -t 192.0.2.2:80 -s rr
  ipvsadm -A -t 192.0.2.10:80 -s rr
  ipvsadm -A -t 192.0.2.2:443 -s rr
  ipvsadm -A -t 192.0.2.2:1000 -s rr
  ipvsadm -A --sctp-service 192.0.2.1:80 -s rr
  ipvsadm -A -u [2001:db8::1]:80 -s rr
  ipvsadm -A -t [2001:db8::1:0]:80 -s rr
  ipvsadm -A -t 172.16.0.1:80 -s rr
  ipvsadm -A -t 200.0.0.1:80 -s rr
  ipvsadm -a -t 192.0.2.2:1000 -r 10.0.0.10:1000 -m
  ipvsadm -a -t 192.0.2.2:1000 -r 10.0.0.9:8080 -m
  ipvsadm -a -t 192.0.2.2:1000 -r 10.0.0.9:1000 -m
  ipvsadm -a -t 192.0.2.2:1000 -r 10.0.0.9:999 -m
  ipvsadm -a -t 192.0.2.2:1000 -r 10.0.1.0:1000 -m
}

case_sortquirk() { # libipvs sorts with (int)(ntohl(a) - ntohl(b)), which wraps when addresses are
  # 2^31 or more apart: 1.0.0.1 is then "greater" than 200.0.0.1 and the printed order is not numeric
  for a in 200.0.0.1 1.0.0.1 100.0.0.1 250.0.0.1 129.0.0.1; do ipvsadm -A -t $a:80 -s rr; done
  ipvsadm -a -t 1.0.0.1:80 -r 200.0.0.9:80 -m; ipvsadm -a -t 1.0.0.1:80 -r 1.0.0.9:80 -m
  ipvsadm -a -t 1.0.0.1:80 -r 100.0.0.9:80 -m
  # the same per 32-bit word of IPv6 addresses
  for a in 2001:db8::1 fd00::1 2001:db8:ffff::1 2001:db8:1::1; do ipvsadm -A -t [$a]:80 -s rr; done
}

case_ops() { # one-packet scheduling (UDP only) and where -o goes relative to -p/-M/-b
  ipvsadm -A -u 192.0.2.110:5060 -s sh -b sh-port -p 10 -M 255.255.255.0 --ops
  ipvsadm -A -u 192.0.2.111:5060 -s rr -o
  ipvsadm -a -u 192.0.2.111:5060 -r 10.1.0.111:5060 -m -w 2147483647
}

CASES="basic persistence tun ipv6 flags thresholds fwmark order sortquirk ops"

# ---- behaviour probes: each prints the commands, their stderr/exit code and the resulting table
try() { echo "\$ ipvsadm $*"; ipvsadm "$@" 2>&1; echo "  rc=$?"; }
show() { ipvsadm -S -n | sed 's/^/  | /'; }

probe_edit_service() {
  try -A -t 192.0.2.1:80 -s rr -p 300 -M 255.255.255.0; try -E -t 192.0.2.1:80 -s rr; show
  try -A -t 192.0.2.2:80 -s rr -p 300 -M 255.255.255.0; try -E -t 192.0.2.2:80 -s rr -p 300; show
  try -A -t 192.0.2.3:80 -s sh -b sh-port; try -E -t 192.0.2.3:80 -s sh; show
  try -A -t 192.0.2.4:80 -s rr -p 60; try -E -t 192.0.2.4:80 -p 60; show
  try -A -t 192.0.2.5:80 -s sh -b sh-port; try -E -t 192.0.2.5:80 -s rr; show
  try -E -t 192.0.2.5:80 -s mh -b mh-port; show
  try -A -t 192.0.2.6:80 -s rr; try -E -t 192.0.2.6:80 -s rr -p; show
}

probe_edit_dest() {
  try -A -t 192.0.2.1:80 -s rr
  try -a -t 192.0.2.1:80 -r 10.0.0.1:80 -m -w 3 -x 10 -y 5; try -e -t 192.0.2.1:80 -r 10.0.0.1:80 -w 4; show
  ipvsadm -Ln --thresholds | sed 's/^/  = /'
  try -a -t 192.0.2.1:80 -r 10.0.0.2:80 -m -w 3; try -e -t 192.0.2.1:80 -r 10.0.0.2:80 -m; show
  try -a -t 192.0.2.1:80 -r 10.0.0.3:80 -i --tun-type gue --tun-port 6080 -w 2
  try -e -t 192.0.2.1:80 -r 10.0.0.3:80 -i -w 2; show
  try -a -t 192.0.2.1:80 -r 10.0.0.4:80 -i -w 2; try -e -t 192.0.2.1:80 -r 10.0.0.4:80 -w 3; show
  try -a -t 192.0.2.1:80 -r 10.0.0.5:8080 -m; try -e -t 192.0.2.1:80 -r 10.0.0.5:8080 -g; show
  try -a -t 192.0.2.1:80 -r 10.0.0.6:80 -m; try -e -t 192.0.2.1:80 -r 10.0.0.6:80 -i; show
  try -a -t 192.0.2.1:80 -r 10.0.0.7:80 -g --tun-type ipip
  try -a -t 192.0.2.1:80 -r 10.0.0.7:80 -m -x 10 -y 20
  try -a -t 192.0.2.1:80 -r 10.0.0.7:80 -m -y 5
  try -a -t 192.0.2.1:80 -r 10.0.0.7:80 -m -x 2147483647 -y 2147483647
  try -a -t 192.0.2.1:80 -r [2001:db8::7]:80 -m
  try -a -t 192.0.2.1:80 -r 10.0.0.8:80 -i --tun-type gue
  try -a -t 192.0.2.1:80 -r 10.0.0.8:80 -i --tun-type gre --tun-remcsum
  try -a -t 192.0.2.1:80 -r 10.0.0.8:80 -i --tun-type ipip --tun-csum
  show; ipvsadm -Ln --thresholds | sed 's/^/  = /'
}

probe_errors() {
  try -A -t 192.0.2.1:80 -s rr; try -A -t 192.0.2.1:80 -s wlc
  try -a -t 192.0.2.1:80 -r 10.0.0.1:80 -m; try -a -t 192.0.2.1:80 -r 10.0.0.1:80 -m -w 2
  try -e -t 192.0.2.1:80 -r 10.0.0.99:80 -m; try -d -t 192.0.2.1:80 -r 10.0.0.99:80
  try -E -t 192.0.2.99:80 -s rr; try -D -t 192.0.2.99:80; try -a -t 192.0.2.99:80 -r 10.0.0.1:80 -m
  try -A -t 192.0.2.9:80 -s nosuchsched
  try -a -t 192.0.2.1:80 -r 10.0.0.2:80 -m -w 65536; try -a -t 192.0.2.1:80 -r 10.0.0.2:80 -m -w -1
  try -A -t 192.0.2.10:80 -s rr -p 0; try -A -t 192.0.2.11:80 -s rr -p 2678400; try -A -t 192.0.2.12:80 -s rr -p 2678401
  try -A -t 192.0.2.13:65536 -s rr; try -A -t 192.0.2.14:0 -s rr
  try -A -t 192.0.2.15:80 -s rr -M 255.255.255.0
  try -A -t 192.0.2.16:0 -s rr -p 10; try -a -t 192.0.2.16:0 -r 10.0.0.3:8080 -m
  try -A -t [2001:db8::16]:80 -s rr -p 10 -M 255.255.255.0; try -A -t [2001:db8::17]:80 -s rr -p 10 -M 129
  try -A -t 192.0.2.17:80 -s rr -p 10 -M 255.0.255.0
  try -A -t [::ffff:192.0.2.99]:80 -s rr; try -A -t [::192.0.2.98]:80 -s rr
  try -A -t 2001:db8::18 -s rr; try -A -t [2001:db8::19] -s rr -p
  try -A -u 192.0.2.18:5060 -s rr --ops; try -A -t 192.0.2.19:80 -s rr -o
  try -A -t 192.0.2.20:80 -s sh -b mh-port; try -A -t 192.0.2.21:80 -s rr -b sh-port; try -A -t 192.0.2.22:80 -b sh-port
  show
}

probe_restore_syntax() { # what -R accepts besides -S output, one line per -R run
  local l
  while IFS= read -r l; do
    echo "\$ echo '$l' | ipvsadm -R"; printf '%s\n' "$l" | ipvsadm -R 2>&1; echo "  rc=$?"
  done <<'LINES'
# a comment

-A -t 192.0.2.29:80 -s rr
  -A	-u 192.0.2.31:53   -s rr  
--add-service --tcp-service 192.0.2.30:80 --scheduler wrr --persistent 60 --netmask 255.255.0.0
--add-server --tcp-service 192.0.2.30:80 --real-server 10.0.0.30:80 --masquerading --weight 3
--add-server --tcp-service 192.0.2.30:80 --real-server 10.0.0.31:80 --gatewaying --weight=4
--add-server --tcp-service 192.0.2.30:80 --real-server 10.0.0.32:80 --ipip -w5 --u-threshold 9 --l-threshold 3
-A -t 192.0.2.32:80 -s rr -p -M 255.255.255.0
-A -t 192.0.2.33:80 -s rr -M 255.255.255.0 -p
-A -t 192.0.2.34:80 -s sh --sched-flags sh-port
-A --udp-service 192.0.2.35:80 --scheduler rr
-a -t 192.0.2.34:80 -r 10.0.0.34 -m
-a -t 192.0.2.34:80 -r 10.0.0.35:80 -m -w 2 -w 3
-A -t 192.0.2.36:80 -s rr -p 10 --bogus
-A -t 192.0.2.37:80 -s rr extra
-A -t 192.0.2.38:80 -s rr -t 192.0.2.39:80
-E -t 192.0.2.34:80 -s mh -b mh-port
-A -t 192.0.2.40:080 -s rr
-A -t 192.0.2.41:0x50 -s rr
-A -t 192.0.2.042:80 -s rr
-a -t 192.0.2.34:80 -r 10.0.0.36:80 -m -w 0x10
-a -t 192.0.2.34:80 -r 10.0.0.37:80 -m -w 2147483648
-a -t 192.0.2.34:80 -r 10.0.0.38:80 -m -x 4294967295
-A -t 192.0.2.43:80 -s rr -p 10 -M 16
-A -t [2001:db8::44]:80 -s rr -p 10 -M 255.255.255.255
-A -t [2001:db8::45]:80 -s rr -p 10 -M /64
-a -t [2001:db8::a]:80 -r [2001:db8::b]:80 -m
-A -t "192.0.2.46:80" -s rr
-A -t 192.0.2.47:http -s rr
-d -t 192.0.2.34:80 -r 10.0.0.34
-A -t 192.0.2.48:80 -s rr -b sh-port
-A -t 192.0.2.49:80 -s RR
LINES
  show
}

probe_roundtrip() { # everything -S printed must be accepted by -R and print the same again
  for c in $CASES; do
    [ "$c" = thresholds ] && continue
    ipvsadm -C; ipvsadm -R < "$OUTDIR/$c.save" 2>&1 | sed "s/^/  $c: /"
    if ipvsadm -S -n | cmp -s - "$OUTDIR/$c.save"; then echo "  $c: same after -R"; else echo "  $c: DIFFERS after -R"; ipvsadm -S -n | diff "$OUTDIR/$c.save" - | sed 's/^/    /'; fi
  done
}

probe_unicast() { # which destination (and service) addresses the kernel refuses
  try -A -t 192.0.2.1:80 -s rr; try -A -t [2001:db8::1]:80 -s rr
  for r in 0.0.0.0 0.1.2.3 127.0.0.1 224.0.0.1 239.1.1.1 240.0.0.1 255.255.255.255; do
    try -a -t 192.0.2.1:80 -r $r:80 -m; try -a -t 192.0.2.1:80 -r $r:80 -g
  done
  for r in :: ::1 fe80::1 ff02::1 ::ffff:10.0.0.1 64:ff9b::a00:1; do try -a -t [2001:db8::1]:80 -r [$r]:80 -m; done
  for v in 0.0.0.0 239.1.1.1 255.255.255.255; do try -A -t $v:80 -s rr; done
  try -A -t [ff02::1]:80 -s rr; try -A -t [::]:80 -s rr
  show
}

probe_restore_stops() { # does -R go on after a failing line? (ipvsadm's own checks vs kernel errors)
  printf '%s\n' '-A -t 192.0.2.1:80 -s rr' '-A -t [2001:db8::1]:80 -s rr -p 10 -M 0' '-A -t 192.0.2.2:80 -s rr' | ipvsadm -R 2>&1
  echo "  rc=$?"; show; ipvsadm -C
  printf '%s\n' '-A -t 192.0.2.1:80 -s rr' '-A -t 192.0.2.1:80 -s rr' '-A -t 192.0.2.3:80 -s rr' | ipvsadm -R 2>&1
  echo "  rc=$?"; show
}

probe_flag3() { # sh/mh cannot print bit 3: what -S shows, and whether -R takes it back
  try -A -t 192.0.2.1:80 -s sh -b flag-3; try -A -t 192.0.2.2:80 -s mh -b mh-port,flag-3
  ipvsadm -S -n | sed 's/^/  | /; s/$/$/'
  ipvsadm -S -n > /tmp/f3.save; ipvsadm -C; ipvsadm -R < /tmp/f3.save 2>&1; echo "  rc=$?"; show
}

PROBES="edit_service edit_dest errors restore_syntax roundtrip unicast restore_stops flag3"

if [ "${1:-}" = --case ]; then "case_$2"; exit $?; fi
if [ "${1:-}" = --probe ]; then CASES=$3 OUTDIR=$4; "probe_$2"; exit $?; fi

mkdir -p "$OUTDIR"; rm -f "$OUTDIR"/*.save "$OUTDIR"/*.log "$OUTDIR"/facts.txt
fresh() { ip netns del g 2>/dev/null; ip netns add g; ip -n g link set lo up; }
for c in $CASES; do
  fresh
  ip netns exec g bash "$SELF" --case "$c" > "$OUTDIR/$c.log" 2>&1
  ip netns exec g ipvsadm -S -n > "$OUTDIR/$c.save"
done
{
  echo "ipvsadm: $(ipvsadm --version 2>&1); kernel $(uname -r)"
  for p in $PROBES; do
    echo "===== $p"; fresh
    ip netns exec g bash "$SELF" --probe "$p" "$CASES" "$OUTDIR" 2>&1
  done
} > "$OUTDIR/facts.txt"
ip netns del g
echo "capture.sh: wrote $(ls "$OUTDIR" | wc -l) files to $OUTDIR"
