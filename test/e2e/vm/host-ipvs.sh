# Sourced by build.sh and run.sh: the one place that decides between booting a VM and running the
# e2e script directly on this host. The direct path needs a kernel with IPVS; this machine's kernel
# (like many CI and container hosts') has none, so there the checks run in a QEMU VM with Debian's
# kernel. LVS_E2E_FORCE_VM=1 boots the VM even where the host could run the checks itself.
host_has_ipvs() {
  [ "${LVS_E2E_FORCE_VM:-0}" = 1 ] && return 1
  [ -e /proc/net/ip_vs ] && return 0
  modprobe -q ip_vs 2>/dev/null && [ -e /proc/net/ip_vs ]
}
