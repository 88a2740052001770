#!/usr/bin/env bash
# The installed C ABI as a C host sees it: installs the build into a temporary DESTDIR
# (meson install --no-rebuild), then compiles examples/embed.c with
# `pkg-config --cflags --libs pgrest` from that tree, once against libpgrest.so and once
# against libpgrest.a (`pkg-config --static`), and runs both on the sample catalog.
#
#   tests/capi/test_pkgconfig.sh BUILD_DIR SOURCE_DIR
#
# Ends with "N passed, N failed".
set -u
if [ $# -ne 2 ]; then
  echo "usage: $0 BUILD_DIR SOURCE_DIR" >&2
  exit 2
fi
build=$(cd "$1" && pwd)
source=$(cd "$2" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
pass() { passed=$((passed + 1)); }
fail() {
  failed=$((failed + 1))
  echo "FAIL: $*" >&2
}
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit
}

destdir=$work/root
if meson install -C "$build" --no-rebuild --quiet --destdir "$destdir" >"$work/install.log" 2>&1; then
  pass
else
  cat "$work/install.log" >&2
  fail "meson install"
  finish
fi

pc=$(find "$destdir" -name pgrest.pc -print -quit)
header=$(find "$destdir" -name pgrest.h -print -quit)
if [ -n "$pc" ]; then pass; else fail "pgrest.pc is not installed"; fi
if [ -n "$header" ]; then pass; else fail "pgrest.h is not installed"; fi
if [ -z "$pc" ] || [ -z "$header" ]; then finish; fi
libdir=$(dirname "$(dirname "$pc")")
for lib in libpgrest.so libpgrest.a; do
  if [ -e "$libdir/$lib" ]; then pass; else fail "$lib is not installed in $libdir"; fi
done

# The .pc names the configured prefix; the sysroot maps it into DESTDIR.
PKG_CONFIG_PATH=$(dirname "$pc")
export PKG_CONFIG_PATH
export PKG_CONFIG_SYSROOT_DIR=$destdir
if pkg-config --exists pgrest; then pass; else fail "pkg-config does not find pgrest"; finish; fi
header_version() { sed -n "s/^#define PGREST_VERSION_$1 //p" "$header"; }
if [ "$(pkg-config --modversion pgrest)" = \
  "$(header_version MAJOR).$(header_version MINOR).$(header_version PATCH)" ]; then
  pass
else
  fail "pgrest.pc's version differs from pgrest.h's"
fi

cc=${CC:-cc}
# A sanitized build's library needs the sanitizer runtime in the program too (meson passes
# -fsanitize=... here for such builds).
read -r -a extra_cflags <<<"${PGREST_TEST_CFLAGS:-}"
catalog=$source/examples/sample-catalog.json
check_run() {  # BINARY LABEL
  local out
  if out=$(LD_LIBRARY_PATH=$libdir "$1" "$catalog" 2>&1) &&
    [[ "$out" == '{"ok":true,"status":200,'* ]]; then
    pass
  else
    fail "$2: unexpected output: ${out:0:300}"
  fi
}

# Shared: the header from the include dir pkg-config names, the .so from its -L.
# shellcheck disable=SC2046  # word splitting of pkg-config's flags is intended
if "$cc" "${extra_cflags[@]}" -std=c11 -Wall -Wextra -Werror -o "$work/embed_shared" "$source/examples/embed.c" \
  $(pkg-config --cflags --libs pgrest) 2>"$work/cc.log"; then
  pass
  check_run "$work/embed_shared" "shared"
  if ldd "$work/embed_shared" | grep -q 'libpgrest\.so'; then pass; else fail "not linked to libpgrest.so"; fi
else
  cat "$work/cc.log" >&2
  fail "compiling embed.c against libpgrest.so"
fi

# Static: the archive itself, plus the private libraries the .pc lists for it.
static_libs=$(pkg-config --static --libs pgrest | sed 's/-lpgrest\b//')
# shellcheck disable=SC2046,SC2086
if "$cc" "${extra_cflags[@]}" -std=c11 -Wall -Wextra -Werror -o "$work/embed_static" "$source/examples/embed.c" \
  $(pkg-config --cflags pgrest) "$libdir/libpgrest.a" $static_libs 2>"$work/cc.log"; then
  pass
  check_run "$work/embed_static" "static"
  if ldd "$work/embed_static" | grep -q 'libpgrest\.so'; then fail "static build needs libpgrest.so"; else pass; fi
  # Only the C ABI has default visibility in the archive: the engine's symbols are hidden.
  visible=$(readelf -sW "$libdir/libpgrest.a" |
    awk '$5 == "GLOBAL" && $6 == "DEFAULT" && $7 != "UND" {print $8}' | sort -u)
  if [ -n "$visible" ] && ! grep -qv '^pgrest_' <<<"$visible" &&
    grep -qx 'pgrest_translate' <<<"$visible"; then
    pass
  else
    fail "libpgrest.a: default-visibility symbols other than pgrest_*: $(grep -v '^pgrest_' <<<"$visible" | head -3 | tr '\n' ' ')"
  fi
else
  cat "$work/cc.log" >&2
  fail "compiling embed.c against libpgrest.a"
fi

# Introspection is part of the C ABI: exported, with libpq a dependency of libpgrest.so
# (the CLI uses nothing else); the pure engine library never references libpq.
if nm -D --defined-only "$libdir/libpgrest.so" | awk '{sub(/@.*/, "", $3); print $3}' | grep -qx 'pgrest_catalog_introspect'; then
  pass
else
  fail "libpgrest.so does not export pgrest_catalog_introspect"
fi
if readelf -d "$libdir/libpgrest.so" | grep -q 'NEEDED.*libpq\.so'; then pass; else fail "libpgrest.so does not link libpq"; fi
engine_lib=$build/engine/libpgrest_engine.a
if [ -f "$engine_lib" ] && ! nm "$engine_lib" 2>/dev/null | grep -qE ' U (PQ|pq)[a-zA-Z]'; then
  pass
else
  fail "the pure engine library $engine_lib is missing or references libpq"
fi

# The shared library exports the C ABI and nothing else.
if nm -D --defined-only "$libdir/libpgrest.so" | awk '$2 ~ /[TDBRVWu]/ {print $3}' |
  grep -v '^pgrest_' | grep -v '^PGREST_' | grep -q .; then
  fail "libpgrest.so exports symbols other than pgrest_*: $(nm -D --defined-only "$libdir/libpgrest.so" | awk '{print $3}' | grep -v '^pgrest_' | head -3 | tr '\n' ' ')"
else
  pass
fi
finish
