#!/usr/bin/env bash
# Prints (last line of stdout) the path of argocd-lua-health, which runs an Argo CD health script
# (deploy/argocd/*.lua) on an object the way Argo CD's application controller does and prints
# {"status", "message"} (test/argocd-lua/README.md):
#   - ARGOCD_LUA_HEALTH, if it is set and executable;
#   - otherwise test/argocd-lua (Argo CD's wrapper reproduced over gopher-lua) built from the Go
#     module proxy into ${LVS_CACHE:-~/.cache/lvs-operator}/argocd-lua/<hash of its sources>/
#     (once; 35-45 s with an empty Go cache, 1.3 MB of modules);
#   - with --argo-cd, the same command over Argo CD's own github.com/argoproj/argo-cd/v3/util/lua
#     (ARGOCD_VERSION, pinned below) into .../argocd-lua/argo-cd-<version>/, to check the first
#     against it: about 11 minutes and 2.6 GB of Go module and build cache on 2 cores, so not in CI.
# Progress goes to stderr.
set -euo pipefail
src="$(cd "$(dirname "$0")/../test/argocd-lua" && pwd)"
argocd_version=${ARGOCD_VERSION:-v3.5.8}

if [ "${1:-}" != --argo-cd ] && [ -n "${ARGOCD_LUA_HEALTH:-}" ] && [ -x "$ARGOCD_LUA_HEALTH" ]; then
  echo "$ARGOCD_LUA_HEALTH"
  exit 0
fi

cache="${LVS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lvs-operator}/argocd-lua"
if [ "${1:-}" = --argo-cd ]; then
  out="$cache/argo-cd-$argocd_version"
else
  out="$cache/$(cat "$src/go.mod" "$src/go.sum" "$src"/*.go | sha256sum | cut -c1-16)"
fi
mkdir -p "$out"
exec 9>"$out/.lock"
flock 9
if [ -x "$out/argocd-lua-health" ]; then
  echo "$out/argocd-lua-health"
  exit 0
fi

log() { echo "argocd-lua: $*" >&2; }
command -v go >/dev/null || PATH="$PATH:/usr/local/go/bin"
command -v go >/dev/null || { log "needs Go on PATH to build argocd-lua-health, or ARGOCD_LUA_HEALTH"; exit 1; }
export GOWORK=off CGO_ENABLED=0
t0=$(date +%s)
if [ "${1:-}" != --argo-cd ]; then
  log "building test/argocd-lua (gopher-lua)"
  (cd "$src" && GOFLAGS="-mod=readonly -buildvcs=false" go build -trimpath -ldflags="-s -w" -o "$out/argocd-lua-health.new" .)
else
  # A module of its own around _argo-cd/main.go. argo-cd's go.mod replaces its k8s.io staging
  # modules with versions and gitops-engine with ./gitops-engine; replace directives of a
  # dependency are ignored, so the versioned ones are copied and gitops-engine, which the proxy
  # has only as pseudo-versions of its default branch, is taken at the one below.
  gitops_engine=${GITOPS_ENGINE_VERSION:-v0.0.0-20260914071520-c9c369efcc5b}
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  cp "$src/_argo-cd/main.go" "$work/"
  cd "$work"
  export GOFLAGS="-mod=mod -buildvcs=false"
  go mod init argocd-lua-health >/dev/null 2>&1
  log "building over github.com/argoproj/argo-cd/v3/util/lua@$argocd_version (about 11 minutes)"
  argocd_mod=$(go mod download -json "github.com/argoproj/argo-cd/v3@$argocd_version" | jq -r .GoMod)
  edits=("-replace=github.com/argoproj/argo-cd/gitops-engine=github.com/argoproj/argo-cd/gitops-engine@$gitops_engine")
  for r in $(go mod edit -json "$argocd_mod" | jq -r '.Replace[] | select(.New.Version != null) | "\(.Old.Path)=\(.New.Path)@\(.New.Version)"'); do
    edits+=("-replace=$r")
  done
  go mod edit "${edits[@]}"
  go get "github.com/argoproj/argo-cd/v3@$argocd_version" >&2
  go build -trimpath -ldflags="-s -w" -o "$out/argocd-lua-health.new" .
fi
# Moved into place last, so a half-done build never looks done.
mv -f "$out/argocd-lua-health.new" "$out/argocd-lua-health"
log "built in $(($(date +%s) - t0)) s"
echo "$out/argocd-lua-health"
