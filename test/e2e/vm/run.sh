#!/usr/bin/env bash
# Runs SCRIPT (bash) on a kernel with IPVS and exits with its status:
#   run.sh SCRIPT [OUTDIR]
# On a host whose kernel has IPVS, directly; otherwise inside a QEMU (TCG, no KVM here) VM with
# Debian's kernel (build.sh) that sees the host's / read-only over 9p and OUTDIR read-write at the
# same path. The VM's console goes to OUTDIR/console.log.
# Pitfall: environment variables do not cross into the VM: LVS_E2E_* and node's directory are
# written into OUTDIR/cmd, which the VM's init sources.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/host-ipvs.sh"
script=$(readlink -f "$1")
out=${2:-${LVS_E2E_OUT:-/tmp/lvs-operator-e2e}}
out=$(mkdir -p "$out" && cd "$out" && pwd)
export LVS_E2E_OUT=$out
node_dir=$(dirname "$(command -v node)")   # Node 24 (scripts/setup-node.sh), read over 9p in the VM
rm -f "$out/exit-status"
in_vm=1; host_has_ipvs && in_vm=0
{
  echo "export LVS_E2E_IN_VM=$in_vm"
  export -p | grep -E '^declare -x LVS_E2E_[A-Z0-9_]*=' | grep -v '^declare -x LVS_E2E_IN_VM=' || true
  echo "export PATH=$node_dir:\$PATH"
  echo "bash $script"
} > "$out/cmd"

if [ $in_vm = 0 ]; then
  echo "run.sh: the host kernel has IPVS: running $script directly" >&2
  set +e; (cd "$out" && bash -c ". $out/cmd"); status=$?; set -e
  echo "$status" > "$out/exit-status"; exit "$status"
fi

# Pitfall: the VM mounts its own tmpfs on /tmp and /run, hiding the host's. The script's dir, the
# repository and node are bound back from the host's root when they live there (a CI clone in /tmp).
binds=()
for p in "$(dirname "$script")" "$(cd "$here/../../.." && pwd)" "$node_dir"; do
  case "$p/" in "$out"/*) continue ;; /tmp/* | /run/*) binds+=("$p") ;; esac
done
bind_arg=""; [ ${#binds[@]} -eq 0 ] || bind_arg="lvse2e.bind=$(IFS=,; echo "${binds[*]}")"
cache=${LVS_E2E_CACHE:-$HOME/.cache/lvs-operator/vm}
[ -f "$cache/current.env" ] || "$here/build.sh"
. "$cache/current.env"
# No network but the topology's own, unless the cluster path needs the host's API server: QEMU's
# user network then maps 10.0.2.2 to the host's loopback.
nic=none; [ "${LVS_E2E_NIC:-}" != user ] || nic=user,model=virtio-net-pci
# modules loaded on demand (kube-proxy's netfilter) only for the run with real kubelets (init)
modprobe_arg=""; [ -z "${LVS_E2E_KUBELETS:-}" ] || modprobe_arg=lvse2e.modprobe=1
# -smp 2 with multi-threaded TCG: the machine has 2 cores; -cpu max for the kernel's x86-64 baseline.
# A hung guest must not hang the caller: timeout kills QEMU (no exit-status file = failure).
set +e
timeout -k 10 "${LVS_E2E_VM_TIMEOUT:-1500}" qemu-system-x86_64 \
  -machine pc -accel tcg,thread=multi -cpu max -smp "${LVS_E2E_SMP:-2}" -m "${LVS_E2E_MEM:-3072}" \
  -nographic -nic "${nic}" -no-reboot \
  -kernel "$KERNEL" -initrd "$INITRD" \
  -append "console=ttyS0 loglevel=3 panic=-1 mitigations=off tsc=reliable lvse2e.out=$out $bind_arg $modprobe_arg" \
  -virtfs local,path=/,mount_tag=hostroot,readonly=on,security_model=none,multidevs=remap \
  -virtfs local,path="$out",mount_tag=out,security_model=none \
  < /dev/null > "$out/console.log" 2>&1
qemu_status=$?
set -e
if [ ! -f "$out/exit-status" ]; then
  echo "run.sh: the VM ended without an exit status (QEMU status $qemu_status); console tail:" >&2
  tail -n 30 "$out/console.log" >&2; exit 125
fi
exit "$(cat "$out/exit-status")"
