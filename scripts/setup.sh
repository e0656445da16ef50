#!/usr/bin/env bash
# Sets up a fresh Debian machine to build, run and test lvs-operator: the Debian packages the
# tests drive for real (keepalived, iproute2, ipvsadm), Node.js 24 (scripts/setup-node.sh), the
# npm packages (npm ci) and the build (dist/). Idempotent: a second run takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(ca-certificates curl iproute2 ipvsadm jq keepalived openssl)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PATH="$(scripts/setup-node.sh):$PATH"
export PATH
# npm ci only when the lock file changed since the last install.
stamp=node_modules/.lvs-operator-lock
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi
npm run --silent build
echo "set up: node $(node --version), $(keepalived --version 2>&1 | head -n 1)" >&2
