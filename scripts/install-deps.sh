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
  libfuzzer-14-dev
  libpg-query-dev
  postgresql-15
  clang-format
  python3-dev
  python3-psycopg2
  "$@"
)

die() {
  echo "install-deps: $*" >&2
  exit 1
}

command -v dpkg-query >/dev/null 2>&1 || die "dpkg-query not found: this script targets Debian 12"

# A package counts as present only when dpkg reports it fully installed; half-installed
# or config-files-only (removed) states must be reinstalled.
missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  if [[ "$status" != "installed" ]]; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#PACKAGES[@]} packages already installed"
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

echo "install-deps: done"
