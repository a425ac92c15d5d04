#!/usr/bin/env bash
# cpp_consumer_test.sh BUILD_DIR SOURCE_DIR: the installed C++ API works for an outside project.
#   1. `cmake --install BUILD_DIR` into a fresh temporary prefix;
#   2. the installed library exports only lakepack's names and keeps simdjson, libcurl, OpenSSL
#      and pugixml hidden (link_isolation_test.sh --library); no header under include/ of the
#      prefix names a private (src/) header;
#   3. examples/cpp_consumer is configured with find_package(lakepack) from that prefix alone and
#      built; its compile commands must not mention lakepack's source tree;
#   4. it runs (generate → pack → read back on local disk) and its report must add up;
#   5. with a Python whose pyarrow is another version, find_package(lakepack) fails, naming it.
# ctest runs it as `cpp_consumer`.  LAKEPACK_CXX, LAKEPACK_CXX_FLAGS and LAKEPACK_EXE_LINKER_FLAGS
# are the build's compiler (default c++) and flags (a sanitizer build's consumer needs them).
set -euo pipefail
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lakepack-consumer.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail() {
  echo "cpp_consumer: $*" >&2
  exit 1
}

cmake --install "$build" --prefix "$tmp/prefix" >"$tmp/install.log" 2>&1 ||
  { cat "$tmp/install.log" >&2; fail "cmake --install failed"; }
lib=$(ls "$tmp"/prefix/lib*/liblakepack.so.*.* 2>/dev/null | head -1)
[ -n "$lib" ] || fail "no liblakepack.so installed under $tmp/prefix"
[ -f "$tmp/prefix/include/lakepack/lakepack.h" ] || fail "lakepack/lakepack.h not installed"
bash "$src/tests/link_isolation_test.sh" --library "$lib" || fail "the library leaks symbols"
# Public headers include only lakepack/, arrow/ (and parquet/) and the standard library.
bad=$(grep -HnE '^#include "' "$tmp"/prefix/include/lakepack/*.h | grep -vE '"(lakepack|arrow|parquet)/' || true)
[ -z "$bad" ] || fail "installed headers include private headers: $bad"

launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
gen=()
command -v ninja >/dev/null && gen=(-G Ninja)
export CCACHE_BASEDIR="$tmp" CCACHE_NOHASHDIR=1
cmake -S "$src/examples/cpp_consumer" -B "$tmp/build" "${gen[@]}" "${launcher[@]}" \
  -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER="${LAKEPACK_CXX:-c++}" \
  -DCMAKE_CXX_FLAGS="${LAKEPACK_CXX_FLAGS:-}" -DCMAKE_EXE_LINKER_FLAGS="${LAKEPACK_EXE_LINKER_FLAGS:-}" \
  -DCMAKE_PREFIX_PATH="$tmp/prefix" ${LAKEPACK_PYTHON:+-DLAKEPACK_PYTHON="$LAKEPACK_PYTHON"} \
  >"$tmp/configure.log" 2>&1 || { cat "$tmp/configure.log" >&2; fail "configure failed"; }
cmake --build "$tmp/build" >"$tmp/build.log" 2>&1 ||
  { cat "$tmp/build.log" >&2; fail "build failed"; }
if grep -qF -- "$src/src" "$tmp/build/compile_commands.json" ||
   grep -qF -- "-I$src/include" "$tmp/build/compile_commands.json"; then
  fail "the consumer was compiled against lakepack's source tree, not the installed headers"
fi

# The package insists on the pyarrow version the library was built with: a Python whose pyarrow
# reports another version makes find_package(lakepack) fail, naming both.
printf '#!/bin/sh\nexec "%s" -c "import pyarrow as pa; print(pa.get_include()); print(pa.get_library_dirs()[0]); print(\\"0.0.1\\")"\n' \
  "${LAKEPACK_PYTHON:-python3}" >"$tmp/otherpy"
chmod +x "$tmp/otherpy"
if cmake -S "$src/examples/cpp_consumer" -B "$tmp/build-otherpy" "${gen[@]}" \
  -DCMAKE_CXX_COMPILER="${LAKEPACK_CXX:-c++}" -DCMAKE_PREFIX_PATH="$tmp/prefix" \
  -DLAKEPACK_PYTHON="$tmp/otherpy" >"$tmp/otherpy.log" 2>&1; then
  fail "find_package(lakepack) accepted a pyarrow of another version"
fi
grep -q 'has pyarrow 0.0.1' "$tmp/otherpy.log" || { cat "$tmp/otherpy.log" >&2; fail "no version message"; }

rows=4000
"$tmp/build/cpp_consumer" "$tmp/work" $rows >"$tmp/out.txt" 2>"$tmp/err.txt" ||
  { cat "$tmp/out.txt" "$tmp/err.txt" >&2; fail "cpp_consumer failed"; }
cat "$tmp/out.txt"
total=$(grep '^total ' "$tmp/out.txt") || fail "no total line"
read -r _ _ inputs _ generated _ files _ read_rows <<<"$total"
[ "$inputs" = 3 ] && [ "$generated" = $((3 * rows)) ] || fail "generated: $total"
[ "$read_rows" = "$generated" ] || fail "read back $read_rows of $generated rows"
[ "$files" -ge 2 ] || fail "expected several packed files: $total"
[ "$(grep -c '^packed ' "$tmp/out.txt")" = "$files" ] || fail "packed lines differ from $files"
# Every packed file but the last is 256 kB ± 2%, and on disk as reported.
n=0
while read -r _ path _ frows _ fbytes; do
  n=$((n + 1))
  path=${path#file://}
  [ "$(stat -c %s "$path")" = "$fbytes" ] || fail "$path: size on disk differs from $fbytes"
  if [ $n -lt "$files" ] && { [ "$fbytes" -lt 250880 ] || [ "$fbytes" -gt 261120 ]; }; then
    fail "$path: $fbytes bytes, not 256000 ± 2%"
  fi
done < <(grep '^packed ' "$tmp/out.txt")
echo "cpp_consumer: PASS ($files files, $read_rows rows read back through the installed API)"
