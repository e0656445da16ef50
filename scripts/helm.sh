#!/usr/bin/env bash
# Prints (last line of stdout) the path of a helm binary for the chart's tests: `helm` on PATH when
# it is v3 or v4, otherwise helm v3 built from its Go module (helm.sh/helm/v3) into
# ${LVS_CACHE:-~/.cache/lvs-operator}/helm/<version>/ (once; a few minutes on 2 cores).
# HELM_VERSION overrides the pinned version. Progress goes to stderr.
set -euo pipefail
version=${HELM_VERSION:-v3.22.0}
if command -v helm >/dev/null && helm version --short 2>/dev/null | grep -qE '^v(3|4)\.'; then
  command -v helm
  exit 0
fi
out="${LVS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lvs-operator}/helm/$version"
mkdir -p "$out"
exec 9>"$out/.lock"
flock 9
if [ ! -x "$out/helm" ]; then
  command -v go >/dev/null || PATH="$PATH:/usr/local/go/bin"
  command -v go >/dev/null || { echo "helm.sh: needs Go on PATH to build helm, or helm itself" >&2; exit 1; }
  t0=$(date +%s)
  echo "helm.sh: building helm $version from helm.sh/helm/v3" >&2
  GOFLAGS="-buildvcs=false" GOWORK=off CGO_ENABLED=0 GOBIN="$out" \
    go install -trimpath -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$version" \
    "helm.sh/helm/v3/cmd/helm@$version" >&2
  echo "helm.sh: built in $(( $(date +%s) - t0 )) s" >&2
fi
echo "$out/helm"
