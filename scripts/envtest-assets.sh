#!/usr/bin/env bash
# Prints (last line of stdout) a directory holding kube-apiserver, etcd and kubectl for the
# envtest-style tests (test/envtest), the way controller-runtime's envtest finds them:
#   - KUBEBUILDER_ASSETS, if it is set and holds all three (e.g. from `setup-envtest use`);
#   - otherwise they are built from their Go modules into
#     ${LVS_CACHE:-~/.cache/lvs-operator}/envtest/<k8s-version>/ (skipped when already there).
# Progress goes to stderr. Needs Go >= the go line of the modules (1.26.0 for k8s v1.37 and etcd v3.7).
# ENVTEST_K8S_VERSION and ENVTEST_ETCD_VERSION override the pinned versions.
#   --nodes  also builds what a real cluster's nodes and control plane add (kubelet, kube-proxy,
#            kube-controller-manager, kube-scheduler) into the same directory, for the e2e run
#            with real kubelets (test/e2e/pods.e2e.test.ts); only the missing ones are built.
set -euo pipefail

k8s_version=${ENVTEST_K8S_VERSION:-v1.37.2}
etcd_version=${ENVTEST_ETCD_VERSION:-v3.7.3}
k8s_bins=(kube-apiserver kubectl)
[ "${1:-}" != --nodes ] || k8s_bins+=(kubelet kube-proxy kube-controller-manager kube-scheduler)
bins=("${k8s_bins[@]}" etcd)

has_all() {
  local b
  for b in "${bins[@]}"; do [ -x "$1/$b" ] || return 1; done
}

if [ -n "${KUBEBUILDER_ASSETS:-}" ] && has_all "$KUBEBUILDER_ASSETS"; then
  echo "$KUBEBUILDER_ASSETS"
  exit 0
fi

out="${LVS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lvs-operator}/envtest/$k8s_version"
stamp="$out/.built-etcd-$etcd_version"
mkdir -p "$out"
# One builder at a time (parallel test workers, two shells); the others wait and then skip.
exec 9>"$out/.lock"
flock 9
if has_all "$out" && [ -e "$stamp" ]; then
  echo "$out"
  exit 0
fi

log() { echo "envtest-assets: $*" >&2; }
now() { date +%s; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/bin"
export GOFLAGS="-mod=mod -buildvcs=false" GOWORK=off CGO_ENABLED=0
# Go from the official tarball lives in /usr/local/go/bin, which a non-login shell may not have.
command -v go >/dev/null || PATH="$PATH:/usr/local/go/bin"
command -v go >/dev/null || { log "needs Go (>= 1.26) on PATH to build kube-apiserver, etcd and kubectl, or KUBEBUILDER_ASSETS"; exit 1; }

# kube-apiserver and kubectl: k8s.io/kubernetes is not meant to be a dependency. Its go.mod requires
# its staging modules (k8s.io/api, k8s.io/client-go, ...) at v0.0.0 and replaces them with
# ./staging/src/...; replace directives of a dependency are ignored, so this module replaces each
# of them with the published copy, k8s.io/<name> v0.X.Y for k8s v1.X.Y.
staging_version="v0.${k8s_version#v1.}"
mkdir "$work/k8s"
cd "$work/k8s"
go mod init envtest-k8s >/dev/null 2>&1
log "reading k8s.io/kubernetes@$k8s_version's go.mod"
kmod=$(go mod download -json "k8s.io/kubernetes@$k8s_version" | jq -r .GoMod)
# Staging modules = replace targets under ./staging that its require list names.
staging=$(go mod edit -json "$kmod" | jq -r '
  [.Require[].Path] as $req
  | .Replace[] | select(.New.Path | startswith("./staging/")) | .Old.Path
  | select(. as $p | $req | index($p))')
edits=()
for m in $staging; do edits+=("-replace=$m=$m@$staging_version"); done
go mod edit "${edits[@]}"
log "$(wc -w <<<"$staging") staging modules replaced with $staging_version"
missing=(); for b in "${k8s_bins[@]}"; do [ -x "$out/$b" ] || missing+=("$b"); done
t0=$(now)
[ ${#missing[@]} -eq 0 ] || go get $(printf "k8s.io/kubernetes/cmd/%s@$k8s_version " "${missing[@]}") >&2
log "modules for ${missing[*]} fetched in $(($(now) - t0))s"
# The version stamps hack/lib/version.sh sets (else they say v0.0.0-master and kubectl warns of skew).
minor=${k8s_version#v1.}
minor=${minor%%.*}
ldflags="-s -w"
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $p.gitVersion=$k8s_version -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
done
for b in "${missing[@]}"; do
  t0=$(now)
  log "building $b $k8s_version"
  go build -trimpath -ldflags="$ldflags" -o "$work/bin/$b" "k8s.io/kubernetes/cmd/$b"
  log "built $b in $(($(now) - t0))s"
done

# etcd: the server module has no main package; the etcd binary's main (the repository root module)
# is just etcdmain.Main, so a two-line main.go in a module of its own (kept apart so that its
# dependency versions don't shift the apiserver's).
if [ ! -x "$out/etcd" ] || [ ! -e "$stamp" ]; then
mkdir "$work/etcd"
cd "$work/etcd"
go mod init envtest-etcd >/dev/null 2>&1
cat >main.go <<'EOF'
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
EOF
t0=$(now)
go get "go.etcd.io/etcd/server/v3@$etcd_version" >&2
go mod tidy >&2
log "modules for etcd fetched in $(($(now) - t0))s"
t0=$(now)
log "building etcd $etcd_version"
go build -trimpath -ldflags="-s -w" -o "$work/bin/etcd" .
log "built etcd in $(($(now) - t0))s"
fi

# Move into place last, so a half-done build never looks done.
mv -f "$work/bin/"* "$out/" 2>/dev/null || true
touch "$stamp"
log "$("$out/kube-apiserver" --version) / $("$out/etcd" --version | head -1) / kubectl $("$out/kubectl" version --client -o json | jq -r .clientVersion.gitVersion)"
echo "$out"
