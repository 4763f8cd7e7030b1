# shellcheck shell=bash
# Debian packages the test suite needs (sourced after toolchain.sh). Installs only
# what is missing, so a warm machine pays nothing.

apt_install() {
  local missing=()
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  ((${#missing[@]} == 0)) && return 0
  say "installing Debian packages: ${missing[*]}"
  local sudo=()
  [[ $(id -u) == 0 ]] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# Playwright drives Debian's Chromium: a browser download by Playwright itself is
# not possible on these machines.
ensure_browser() {
  apt_install chromium
  export SHIPYARD_CHROMIUM="${SHIPYARD_CHROMIUM:-/usr/bin/chromium}"
}
