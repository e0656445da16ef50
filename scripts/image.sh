#!/usr/bin/env bash
# Builds the project's image from the Dockerfile, as a registry build would, on base images made
# here (no image registry is reachable from this machine):
#   scripts/image.sh [TAG]          (default tag: localhost/lvs-operator:dev)
# The stand-ins of the Dockerfile's public base images are Debian bookworm (mmdebstrap minbase,
# about 20 s) and the same plus Node.js 24 and npm from the npm registry; they are cached as
# archives in ${LVS_CACHE:-~/.cache/lvs-operator}/image and imported when podman lacks them.
# Writes the image as an OCI archive ($cache/lvs-operator.oci.tar, for a container runtime in the
# e2e VM; its path is the last line on stdout) and its size in bytes ($cache/lvs-operator.size). Needs root (podman, mmdebstrap).
#
# Two things are lent to the build, not baked into the image: the host's CA bundle (the package
# registries' TLS here may be signed by a CA only the host trusts; NODE_EXTRA_CA_CERTS points npm
# at it) and chroot isolation (crun refuses to run build steps where cgroups are in hybrid mode).
set -euo pipefail
cd "$(dirname "$0")/.."
tag=${1:-localhost/lvs-operator:dev}
cache="${LVS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lvs-operator}/image"
mkdir -p "$cache"
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"

packages=(mmdebstrap podman crun uidmap)
missing=(); for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
podman=($sudo podman)
PATH="$(scripts/setup-node.sh):$PATH"

debian=localhost/debian:bookworm-slim
node=localhost/node:24-bookworm-slim

# Debian bookworm, minimal and slim as debian:bookworm-slim is: no manuals, translations or docs
# but the copyrights (dpkg keeps excluding them for the packages installed later), no apt caches.
if [ ! -s "$cache/debian.tar" ]; then
  slim=()
  for p in /usr/share/man/'*' /usr/share/info/'*' /usr/share/locale/'*' /usr/share/doc/'*'; do
    slim+=(--dpkgopt="path-exclude=$p")
  done
  slim+=(--dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-include=/usr/share/locale/locale.alias')
  slim+=(--customize-hook='rm -rf "$1"/var/cache/apt/* "$1"/var/lib/apt/lists/*')
  $sudo mmdebstrap --quiet --variant=minbase --format=tar "${slim[@]}" bookworm "$cache/debian.tar.part" >&2
  mv "$cache/debian.tar.part" "$cache/debian.tar"
  "${podman[@]}" rmi --force "$debian" "$node" >/dev/null 2>&1 || true   # made from the old one
  rm -f "$cache/node.tar"
fi
"${podman[@]}" image exists "$debian" || "${podman[@]}" import --quiet "$cache/debian.tar" "$debian" >/dev/null

# node:24-bookworm-slim's layout: node in /usr/local/bin, npm in /usr/local/lib/node_modules.
if [ ! -s "$cache/node.tar" ]; then
  root=$(mktemp -d)
  trap 'rm -rf "$root"' EXIT
  tar -xf "$cache/debian.tar" -C "$root"
  install -D -m 0755 "$(command -v node)" "$root/usr/local/bin/node"
  mkdir -p "$root/usr/local/lib/node_modules"
  npm_tgz=$(cd "$root" && npm pack --silent npm@11 | tail -n 1)
  tar -xzf "$root/$npm_tgz" -C "$root/usr/local/lib/node_modules" && rm "$root/$npm_tgz"
  mv "$root/usr/local/lib/node_modules/package" "$root/usr/local/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
  tar -cf "$cache/node.tar.part" -C "$root" .
  mv "$cache/node.tar.part" "$cache/node.tar"
  "${podman[@]}" rmi --force "$node" >/dev/null 2>&1 || true
fi
"${podman[@]}" image exists "$node" || "${podman[@]}" import --quiet "$cache/node.tar" "$node" >/dev/null

ca=/etc/ssl/certs/ca-certificates.crt
"${podman[@]}" build --quiet --format docker --isolation chroot \
  --build-arg "NODE_IMAGE=$node" --build-arg "BASE_IMAGE=$debian" \
  --build-arg NODE_EXTRA_CA_CERTS=/run/host-ca.crt --volume "$ca:/run/host-ca.crt:ro" \
  --tag "$tag" . >/dev/null
rm -f "$cache/lvs-operator.oci.tar"
"${podman[@]}" save --quiet --format oci-archive --output "$cache/lvs-operator.oci.tar" "$tag"
"${podman[@]}" image inspect --format '{{.Size}}' "$tag" > "$cache/lvs-operator.size"
echo "image: $tag, $(($(cat "$cache/lvs-operator.size") / 1048576)) MiB" >&2
echo "$cache/lvs-operator.oci.tar"
