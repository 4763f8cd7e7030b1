# shellcheck shell=bash
# Shipyard local Kubernetes toolchain: find or build the binaries scripts/cluster needs.
#
# Sourced by scripts/cluster after toolchain.sh (SHIPYARD_ROOT, SHIPYARD_CACHE).
#
# Resolution order for every tool (first match wins):
#   1. an explicit path in SHIPYARD_<TOOL>   (e.g. SHIPYARD_KUBE_APISERVER=/opt/k8s/kube-apiserver)
#   2. the version-keyed build cache         ${SHIPYARD_CACHE}/go-tools/<group>-<version>/<tool>
#   3. a binary on PATH whose --version matches the pinned version (same minor)
#   4. a fresh build from Go modules into the cache (only with `build`/`up`,
#      unless SHIPYARD_NO_BUILD=1)
#
# Pinned versions live in tools/k8s/versions.env.

# shellcheck disable=SC1091
source "${SHIPYARD_ROOT}/tools/k8s/versions.env"
KUBE_VERSION="${SHIPYARD_KUBE_VERSION:-$KUBE_VERSION}"
ETCD_VERSION="${SHIPYARD_ETCD_VERSION:-$ETCD_VERSION}"
KWOK_VERSION="${SHIPYARD_KWOK_VERSION:-$KWOK_VERSION}"
HELM_VERSION="${SHIPYARD_HELM_VERSION:-$HELM_VERSION}"
METRICS_SERVER_VERSION="${SHIPYARD_METRICS_SERVER_VERSION:-$METRICS_SERVER_VERSION}"
KUBE_SCORE_VERSION="${SHIPYARD_KUBE_SCORE_VERSION:-$KUBE_SCORE_VERSION}"
ACTIONLINT_VERSION="${SHIPYARD_ACTIONLINT_VERSION:-$ACTIONLINT_VERSION}"

SHIPYARD_GO="${SHIPYARD_GO:-}"
TOOLS_DIR="${SHIPYARD_CACHE}/go-tools"
BUILD_LOG_DIR="${SHIPYARD_CACHE}/build-logs"

log() { printf '[cluster] %s\n' "$*" >&2; }
die() { printf '[cluster] ERROR: %s\n' "$*" >&2; exit 1; }

# tool name -> env var suffix, cache dir <group>-<pinned version>, pinned version
tool_env() { local t="${1^^}"; echo "SHIPYARD_${t//-/_}"; }
tool_group() {
  case "$1" in
    kube-apiserver|kube-controller-manager|kube-scheduler|kubectl) echo "kubernetes-${KUBE_VERSION}" ;;
    etcd) echo "etcd-${ETCD_VERSION}" ;;
    kwok|kwokctl) echo "kwok-${KWOK_VERSION}" ;;
    helm) echo "helm-${HELM_VERSION}" ;;
    metrics-server) echo "metrics-server-${METRICS_SERVER_VERSION}" ;;
    kube-score) echo "kube-score-${KUBE_SCORE_VERSION}" ;;
    actionlint) echo "actionlint-${ACTIONLINT_VERSION}" ;;
    *) die "unknown tool $1" ;;
  esac
}
tool_pinned_version() { local g; g="$(tool_group "$1")"; echo "v${g##*-v}"; }
ALL_TOOLS=(etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok kwokctl metrics-server helm)
# Test-only tools (kube-score, actionlint) have a tool_group and a build_tool case but are
# never in ALL_TOOLS: `missing` (and so scripts/start, which builds what it lists before the
# clusters come up) leaves them out; the tests build them with `scripts/cluster build TOOL`.

# major.minor of a vX.Y.Z string
minor_of() { sed -E 's/^v?([0-9]+\.[0-9]+).*/\1/' <<<"$1"; }

# Does the binary at $2 report the pinned major.minor of tool $1?
version_matches() {
  local tool="$1" bin="$2" want out
  want="$(minor_of "$(tool_pinned_version "$tool")")"
  case "$tool" in
    kubectl) out="$("$bin" version --client 2>/dev/null | head -1)" ;;
    helm) out="$("$bin" version --short 2>/dev/null)" ;;
    kwok|kwokctl) out="$("$bin" --version 2>/dev/null)" ;;
    metrics-server) out="$("$bin" --version 2>/dev/null | head -1)" ;;
    kube-score) out="$("$bin" version 2>/dev/null)" ;;
    actionlint) out="$("$bin" -version 2>/dev/null | head -1)" ;;
    *) out="$("$bin" --version 2>/dev/null | head -1)" ;;
  esac
  # kwok prints "kwok version v0.8.0 ..."; others "Kubernetes v1.36.3", "etcd Version: 3.6.16"
  grep -Eq "(^|[^0-9.])v?${want//./\\.}(\.[0-9]+)?([^0-9]|$)" <<<"$out"
}

# Prints the path of a usable binary for tool $1, or nothing.
find_tool() {
  local tool="$1" var path cached
  var="$(tool_env "$tool")"
  path="${!var:-}"
  if [[ -n "$path" ]]; then
    [[ -x "$path" ]] || die "$var=$path is not an executable file"
    echo "$path"; return 0
  fi
  cached="${TOOLS_DIR}/$(tool_group "$tool")/${tool}"
  if [[ -x "$cached" ]]; then echo "$cached"; return 0; fi
  if path="$(command -v "$tool" 2>/dev/null)" && version_matches "$tool" "$path"; then
    echo "$path"; return 0
  fi
  return 0
}

find_go() {
  if [[ -n "$SHIPYARD_GO" ]]; then
    [[ -x "$SHIPYARD_GO" ]] || die "SHIPYARD_GO=$SHIPYARD_GO is not executable"
    echo "$SHIPYARD_GO"; return
  fi
  if command -v go >/dev/null 2>&1; then command -v go; return; fi
  if [[ -x /usr/local/go/bin/go ]]; then echo /usr/local/go/bin/go; return; fi
  die "Go toolchain not found (needed to build the missing cluster binaries). Install Go >= 1.26, put it on PATH or set SHIPYARD_GO, or point SHIPYARD_<TOOL> at prebuilt binaries."
}

# go env shared by every build: caches outside the repo so CI re-runs reuse them.
go_env() {
  export GOMODCACHE="${SHIPYARD_GOMODCACHE:-${SHIPYARD_CACHE}/go-mod}"
  export GOCACHE="${SHIPYARD_GOCACHE:-${SHIPYARD_CACHE}/go-build}"
  export GOFLAGS="-trimpath"
  export CGO_ENABLED=0
  export GOTOOLCHAIN=local
  GO="$(find_go)"
}

# Run a build step, logging to a file; on failure show the tail and exit non-zero.
run_logged() {
  local name="$1"; shift
  mkdir -p "$BUILD_LOG_DIR"
  local logf="${BUILD_LOG_DIR}/${name}.log" start end
  start=$(date +%s)
  if ! "$@" >"$logf" 2>&1; then
    tail -n 30 "$logf" >&2 || true
    die "build of ${name} failed (full log: ${logf})"
  fi
  end=$(date +%s)
  log "built ${name} in $((end - start))s"
  echo "$(date -u +%FT%TZ) ${name} $((end - start))s" >>"${BUILD_LOG_DIR}/times.txt"
}

# go_install TOOL VERSION PACKAGE [LDFLAGS]: `go install PACKAGE@VERSION` into TOOL's cache dir.
go_install() {
  local tool="$1" version="$2" pkg="$3" ldflags="-s -w${4:+ $4}" out
  out="${TOOLS_DIR}/$(tool_group "$tool")"
  mkdir -p "$out"
  log "building ${tool} ${version} from ${pkg} (go install) ..."
  run_logged "${tool}-${version}" env GOBIN="$out" "$GO" install -ldflags="$ldflags" "${pkg}@${version}"
}

# etcd's own go.mod uses replace directives, so `go install` is refused: build it
# from a throw-away module that requires go.etcd.io/etcd/server/v3.
build_etcd() {
  local out src="${SHIPYARD_CACHE}/go-src/etcd-${ETCD_VERSION}"
  out="${TOOLS_DIR}/$(tool_group etcd)"
  mkdir -p "$out" "$src"
  log "building etcd ${ETCD_VERSION} from go.etcd.io/etcd/server/v3 ..."
  cat >"${src}/go.mod" <<EOF
module shipyard.local/etcd-build

go 1.26
EOF
  : >"${src}/go.sum"
  (
    cd "$src" || exit 1
    run_logged "etcd-${ETCD_VERSION}-deps" "$GO" get "go.etcd.io/etcd/server/v3@${ETCD_VERSION}"
    run_logged "etcd-${ETCD_VERSION}" "$GO" build -o "${out}/etcd" \
      -ldflags="-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=shipyard" go.etcd.io/etcd/server/v3
  )
}

# kube-* and kubectl: k8s.io/kubernetes refers to its staging modules through
# `replace k8s.io/x => ./staging/src/k8s.io/x`, which Go ignores for dependencies.
# Generate one replace per staging module (to the published v0.<minor>.<patch> tag)
# from k8s.io/kubernetes's own go.mod.
prepare_kube_src() {
  local src="${SHIPYARD_CACHE}/go-src/kubernetes-${KUBE_VERSION}" staging_ver modfile
  staging_ver="v0.${KUBE_VERSION#v1.}"
  if [[ -f "${src}/.ready" ]]; then echo "$src"; return; fi
  mkdir -p "$src"
  log "preparing build module for k8s.io/kubernetes ${KUBE_VERSION} (staging ${staging_ver}) ..." 
  modfile="$(cd "$src" && "$GO" mod download -json "k8s.io/kubernetes@${KUBE_VERSION}" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
  [[ -f "$modfile" ]] || die "could not download k8s.io/kubernetes@${KUBE_VERSION} go.mod"
  {
    echo "module shipyard.local/kube-build"
    echo
    echo "go 1.26"
    echo
    echo "require k8s.io/kubernetes ${KUBE_VERSION}"
    echo
    grep -E '^\s*k8s\.io/[^ ]+ => \./staging/' "$modfile" | awk -v v="$staging_ver" '{print "replace " $1 " => " $1 " " v}'
  } >"${src}/go.mod"
  : >"${src}/go.sum"
  (
    cd "$src" || exit 1
    run_logged "kubernetes-${KUBE_VERSION}-deps" "$GO" get \
      "k8s.io/kubernetes/cmd/kube-apiserver@${KUBE_VERSION}" \
      "k8s.io/kubernetes/cmd/kube-controller-manager@${KUBE_VERSION}" \
      "k8s.io/kubernetes/cmd/kube-scheduler@${KUBE_VERSION}" \
      "k8s.io/kubernetes/cmd/kubectl@${KUBE_VERSION}"
  ) >&2
  touch "${src}/.ready"
  echo "$src"
}

build_kube() {
  local tool="$1" out src minor ldflags
  out="${TOOLS_DIR}/$(tool_group "$1")"
  src="$(prepare_kube_src)"
  mkdir -p "$out"
  minor="$(minor_of "$KUBE_VERSION")"; minor="${minor#*.}"
  # Stamp the version like hack/lib/version.sh does: kwokctl and the apiserver's
  # compatibility-version logic read it.
  ldflags="-s -w"
  local pkg
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X ${pkg}.gitVersion=${KUBE_VERSION} -X ${pkg}.gitMajor=1 -X ${pkg}.gitMinor=${minor}"
    ldflags+=" -X ${pkg}.gitTreeState=clean -X ${pkg}.gitCommit=shipyard-gomod"
    ldflags+=" -X ${pkg}.buildDate=1970-01-01T00:00:00Z"
  done
  log "building ${tool} ${KUBE_VERSION} from k8s.io/kubernetes (this takes several minutes on 2 cores) ..."
  (cd "$src" && run_logged "${tool}-${KUBE_VERSION}" "$GO" build -o "${out}/${tool}" -ldflags="$ldflags" \
    "k8s.io/kubernetes/cmd/${tool}")
}

build_tool() {
  case "$1" in
    # kwokctl and the version checks read the stamped versions
    metrics-server) go_install metrics-server "$METRICS_SERVER_VERSION" sigs.k8s.io/metrics-server/cmd/metrics-server \
      "-X k8s.io/client-go/pkg/version.gitVersion=${METRICS_SERVER_VERSION} -X k8s.io/client-go/pkg/version.gitCommit=shipyard-gomod" ;;
    kwok|kwokctl) go_install "$1" "$KWOK_VERSION" "sigs.k8s.io/kwok/cmd/$1" ;;
    helm) go_install helm "$HELM_VERSION" helm.sh/helm/v3/cmd/helm "-X helm.sh/helm/v3/internal/version.version=${HELM_VERSION}" ;;
    kube-score) go_install kube-score "$KUBE_SCORE_VERSION" github.com/zegl/kube-score/cmd/kube-score \
      "-X main.version=${KUBE_SCORE_VERSION#v} -X main.commit=shipyard-gomod" ;;
    # `go install` stamps the module version, which `actionlint -version` prints
    actionlint) go_install actionlint "$ACTIONLINT_VERSION" github.com/rhysd/actionlint/cmd/actionlint ;;
    etcd) build_etcd ;;
    kube-apiserver|kube-controller-manager|kube-scheduler|kubectl) build_kube "$1" ;;
  esac
}

# ensure_tools [TOOL...]: resolve (and build if missing) every tool; sets BIN_<TOOL> vars.
ensure_tools() {
  local tools=("$@") tool path var
  [[ ${#tools[@]} -gt 0 ]] || tools=("${ALL_TOOLS[@]}")
  local go_ready=0
  for tool in "${tools[@]}"; do
    path="$(find_tool "$tool")"
    if [[ -z "$path" ]]; then
      if [[ "${SHIPYARD_NO_BUILD:-0}" == 1 ]]; then
        die "${tool} $(tool_pinned_version "$tool") not found (SHIPYARD_NO_BUILD=1). Run 'scripts/cluster build' or set $(tool_env "$tool")."
      fi
      if [[ $go_ready == 0 ]]; then
        go_env; go_ready=1
        # One build at a time per cache (a test run and a developer may both start one).
        mkdir -p "$SHIPYARD_CACHE"
        exec 8>"${SHIPYARD_CACHE}/.build.lock"
        if ! flock -n 8; then
          log "another build is running in ${SHIPYARD_CACHE}; waiting for it ..."
          flock -w 3600 8 || die "timed out waiting for the other build"
        fi
      fi
      path="$(find_tool "$tool")" # the other build may have produced it meanwhile
      if [[ -z "$path" ]]; then
        build_tool "$tool"
        path="${TOOLS_DIR}/$(tool_group "$tool")/${tool}"
        [[ -x "$path" ]] || die "build of ${tool} produced no binary at ${path}"
      fi
    fi
    var="BIN_${tool^^}"; var="${var//-/_}"
    printf -v "$var" '%s' "$path"
  done
  # release the build lock; the cluster daemons started later must not inherit it
  if [[ $go_ready == 1 ]]; then exec 8>&-; fi
}

# resolve_tools_nobuild TOOL...: like ensure_tools but never builds; BIN_<TOOL> may be empty.
resolve_tools_nobuild() {
  local tool var
  for tool in "$@"; do
    var="BIN_${tool^^}"; var="${var//-/_}"
    printf -v "$var" '%s' "$(find_tool "$tool")"
  done
}
