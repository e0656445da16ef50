#!/usr/bin/env bash
# Prepares what the e2e run needs: the Debian packages it drives, and (when the host kernel has no
# IPVS) a Debian kernel plus a tiny initramfs for the QEMU VM. Cached under
#   ${LVS_E2E_CACHE:-$HOME/.cache/lvs-operator/vm}
# and rebuilt only when missing (the initramfs name carries a hash of init and of this script).
# Writes $CACHE/current.env (KERNEL=..., INITRD=...) for run.sh. Idempotent: a second run takes < 1 s.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/host-ipvs.sh"
cache=${LVS_E2E_CACHE:-$HOME/.cache/lvs-operator/vm}
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"

packages=(ipvsadm keepalived curl nginx-light iproute2 procps)
host_has_ipvs || packages+=(qemu-system-x86 busybox-static kmod)
# the run with real kubelets (kube-node.sh): each Node's runtime, the pods' bridge network, and
# the iptables kube-proxy programs
[ -z "${LVS_E2E_KUBELETS:-}" ] || packages+=(containerd runc containernetworking-plugins iptables ipset busybox-static)
missing=(); for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  $sudo apt-get update -qq
  # nginx's postinst starts the service on a host with an init system: the e2e test starts its own
  # nginx instances in network namespaces, a host-wide one on port 80 is unwanted (policy-rc.d 101).
  added_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null; $sudo chmod +x /usr/sbin/policy-rc.d; added_policy=1
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  [ -z "$added_policy" ] || $sudo rm -f /usr/sbin/policy-rc.d
fi
if host_has_ipvs; then echo "build.sh: the host kernel has IPVS: no VM needed" >&2; exit 0; fi

# The kernel: the newest linux-image-6.1.0-N-amd64-unsigned that apt offers (the regular flavour:
# the -cloud one has no 9p). Debian's security archive moves N forward, so never hard-code it.
resolve_kver() {
  apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64-unsigned$' 2>/dev/null |
    awk '{print $1}' | sed 's/^linux-image-//; s/-unsigned$//' | sort -V | tail -n 1
}
kver=${LVS_E2E_KVER:-$(resolve_kver)}
if [ -z "$kver" ]; then $sudo apt-get update -qq; kver=$(resolve_kver); fi
if [ -z "$kver" ]; then # offline: fall back to the newest kernel already in the cache
  kver=$(ls "$cache"/vmlinuz-* 2>/dev/null | sed 's|.*/vmlinuz-||' | sort -V | tail -n 1 || true)
fi
[ -n "$kver" ] || { echo "build.sh: apt offers no linux-image-6.1.0-*-amd64-unsigned" >&2; exit 1; }
vmlinuz=$cache/vmlinuz-$kver
stamp=$(cat "$here/init" "$0" | sha256sum | cut -c1-12)
initrd=$cache/initramfs-$kver-$stamp.cpio.gz
if [ ! -f "$vmlinuz" ] || [ ! -f "$initrd" ]; then
  mkdir -p "$cache/debs"
  deb=$(ls "$cache"/debs/linux-image-"$kver"-unsigned_*.deb 2>/dev/null | head -n 1 || true)
  if [ -z "$deb" ]; then
    # as root, apt's download sandbox user (_apt) cannot write into root's cache: say so, or it warns
    sandbox=(); [ "$(id -u)" -ne 0 ] || sandbox=(-o APT::Sandbox::User=root)
    (cd "$cache/debs" && apt-get download -q "${sandbox[@]}" "linux-image-$kver-unsigned")
    deb=$(ls "$cache"/debs/linux-image-"$kver"-unsigned_*.deb | head -n 1)
  fi
  # The package unpacked is about 400 MB: only vmlinuz and the initramfs stay in the cache (with
  # the 70 MB .deb, for a rebuild of the initramfs without a download).
  work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
  dpkg-deb -x "$deb" "$work/k"
  md=$work/k/lib/modules/$kver
  depmod -b "$work/k" "$kver"   # the package's postinst would do it; modules.dep is not shipped
  # Leaf modules; their dependencies come from modules.dep. nf_conntrack, nf_defrag_* and libcrc32c
  # arrive as dependencies of ip_vs (CONFIG_IP_VS_NFCT=y), so NAT needs nothing more.
  #   virtio_pci 9pnet_virtio 9p overlay: the host's / over 9p with a tmpfs overlay on top
  #   ipip (tunnel4, ip_tunnel): TUN real servers (tunl0 then exists in every netns)
  want="virtio_pci 9pnet_virtio 9p overlay crc32c_generic ip_vs veth bridge ipip virtio_net"
  # every IPVS scheduler this kernel ships (Debian 6.1 has no ip_vs_twos); ftp and pe_sip are helpers
  scheds=$(grep -oE '/ip_vs_[a-z]+\.ko[a-z.]*:' "$md/modules.dep" | sed 's|^/||; s|\.ko.*||' | grep -vE '^ip_vs_(ftp|pe_sip)$' | sort -u)
  declare -A seen; order=()
  path_of() { { grep -E "(^|/)$1\.ko(\.[a-z]+)?:" "$md/modules.dep" || true; } | head -n 1 | cut -d: -f1; }
  visit() { # depth-first: modules.dep lists deps so that the LAST one must be loaded first
    local p=$1 i deps; [ -n "${seen[$p]:-}" ] && return; seen[$p]=1
    read -r -a deps <<<"$(grep -E "^$p:" "$md/modules.dep" | cut -d: -f2)"
    for ((i = ${#deps[@]} - 1; i >= 0; i--)); do visit "${deps[$i]}"; done
    order+=("$p")
  }
  for m in $want $scheds; do p=$(path_of "$m"); [ -n "$p" ] || { echo "build.sh: kernel $kver has no module $m" >&2; exit 1; }; visit "$p"; done
  # crc32c_generic must precede libcrc32c (libcrc32c asks the crypto API for crc32c at init)
  sorted=(); for p in "${order[@]}"; do [[ $p == *crc32c_generic* ]] && sorted=("$p" "${sorted[@]}") || sorted+=("$p"); done
  ird=$work/ird
  mkdir -p "$ird"/{bin,sbin,proc,sys,dev,host,newroot,ovl,lib/modules/"$kver"}
  cp /bin/busybox "$ird/bin/busybox"   # busybox-static: the initramfs has no libc
  # Loaded at boot, in this order (insmod): the list above.
  for p in "${sorted[@]}"; do echo "$p" >> "$ird/modules.list"; done
  # On demand (modprobe, and the kernel's own request_module): netfilter, which kube-proxy's
  # iptables and nftables modes need on the real-cluster run, with their dependencies. A modules
  # tree with its own modules.dep (depmod), about 8 MB; for that run only (lvse2e.modprobe=1),
  # init points the kernel at busybox's modprobe and binds the tree into the root, where the
  # agent's modprobe (kmod) finds it too. And dummy: kube-proxy's IPVS mode (on the directors)
  # binds the ClusterIPs to kube-ipvs0, a dummy link ("operation not supported" without it).
  for f in $(cd "$md" && find kernel/net/netfilter kernel/net/ipv4/netfilter kernel/net/ipv6/netfilter kernel/net/bridge kernel/drivers/net/dummy.ko* -name '*.ko*'); do visit "$f"; done
  for p in "${order[@]}"; do mkdir -p "$ird/lib/modules/$kver/$(dirname "$p")"; cp "$md/$p" "$ird/lib/modules/$kver/$p"; done
  cp "$md"/modules.order "$md"/modules.builtin* "$ird/lib/modules/$kver/" 2>/dev/null || true
  depmod -b "$ird" "$kver"
  cp "$here/init" "$ird/init"; chmod +x "$ird/init"
  (cd "$ird" && find . | busybox cpio -o -H newc 2>/dev/null | gzip -1) > "$initrd.tmp"
  cp "$work/k/boot/vmlinuz-$kver" "$vmlinuz.tmp"
  find "$cache" -maxdepth 1 -name 'initramfs-*.cpio.gz' ! -name "$(basename "$initrd")" -delete   # stale builds
  mv "$initrd.tmp" "$initrd"; mv "$vmlinuz.tmp" "$vmlinuz"
  echo "build.sh: kernel $kver, initramfs modules: $(tr '\n' ' ' < "$ird/modules.list")" >&2
fi
printf 'KERNEL=%s\nINITRD=%s\n' "$vmlinuz" "$initrd" > "$cache/current.env"
