#!/usr/bin/env bash
# Installs the Debian 12 packages pgrest needs to build, test, fuzz and format.
#
# Idempotent: each package is checked with dpkg-query first, and apt-get (including the
# slow `apt-get update`) only runs when something is actually missing, so CI and
# developers can call this unconditionally before every build.
#
# Usage: scripts/install-deps.sh [extra-package ...]
#   Extra packages are for optional jobs only (bench/charts.sh asks for gnuplot-nox).
set -euo pipefail

readonly PACKAGES=(
  meson
  ninja-build
  pkg-config
  g++
  tao-pegtl-dev
  libsimdjson-dev
  libpq-dev
  libgtest-dev
  libbenchmark-dev
  clang
  # Only a Recommends of clang, so --no-install-recommends leaves it out: the sanitizer
  # runtimes (ASan, UBSan, TSan for clang) and FuzzedDataProvider.h, which fuzz/meson.build
  # needs for every build.
  libclang-rt-14-dev
  libfuzzer-14-dev
  libpg-query-dev
  postgresql-15
  clang-format
  python3-dev
  python3-psycopg2
  "$@"
)

# Node.js (for the Node module and its tests): the `node` already on PATH when it is new
# enough and has its N-API headers and npm, as NodeSource's `nodejs` package does (it
# bundles npm and /usr/include/node); otherwise Debian's own: nodejs (18), npm, and
# libnode-dev for node_api.h. Debian's packages cannot be mixed with NodeSource's (both
# are called nodejs), so they are only asked for what is missing.
readonly NODE_MIN_MAJOR=18
node_major() {
  node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0
}
node_headers() {
  local prefix
  prefix=$(node -p 'require("path").resolve(process.execPath, "../..")' 2>/dev/null) || return 1
  [[ -f "$prefix/include/node/node_api.h" || -f /usr/include/node/node_api.h ]]
}
NODE_PACKAGES=()
if ! command -v node >/dev/null 2>&1 || (($(node_major) < NODE_MIN_MAJOR)); then
  NODE_PACKAGES=(nodejs npm libnode-dev)
else
  command -v npm >/dev/null 2>&1 || NODE_PACKAGES+=(npm)
  node_headers || NODE_PACKAGES+=(libnode-dev)
fi

die() {
  echo "install-deps: $*" >&2
  exit 1
}

command -v dpkg-query >/dev/null 2>&1 || die "dpkg-query not found: this script targets Debian 12"

# A package counts as present only when dpkg reports it fully installed; half-installed
# or config-files-only (removed) states must be reinstalled.
missing=()
for pkg in "${PACKAGES[@]}" "${NODE_PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  if [[ "$status" != "installed" ]]; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all $((${#PACKAGES[@]} + ${#NODE_PACKAGES[@]})) packages and node $(node_major) already installed"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"

# CI runs as root; a developer may not. Elevate only when needed, and never hang or fail
# obscurely when it is impossible: say exactly what to install instead.
SUDO=()
if ((EUID != 0)); then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  else
    die "not root and sudo is unavailable; as root run: apt-get install ${missing[*]}"
  fi
fi

# noninteractive: no debconf prompts (tzdata, postgresql-common) in CI. The variable is
# passed through `env` so it survives sudo's environment reset.
apt_get() {
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -qq "$@"
}

apt_get update >/dev/null || die "apt-get update failed"
apt_get install -y --no-install-recommends "${missing[@]}" >/dev/null ||
  die "apt-get install failed for: ${missing[*]}"

# Verify rather than trust the exit status: a package name that resolves to nothing
# should be reported, not discovered later as a confusing build error.
still_missing=()
for pkg in "${missing[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "installed" ]] || still_missing+=("$pkg")
done
((${#still_missing[@]} == 0)) || die "still missing after install: ${still_missing[*]}"
# A node older than Debian's that comes first on PATH (e.g. in /usr/local/bin) would
# still shadow the one just installed.
if ((${#NODE_PACKAGES[@]} > 0)); then
  (($(node_major) >= NODE_MIN_MAJOR)) ||
    die "node $(command -v node) is older than $NODE_MIN_MAJOR; remove it or put /usr/bin first on PATH"
  node_headers || die "node_api.h not found for $(command -v node) (apt-get install libnode-dev)"
fi

echo "install-deps: done"
