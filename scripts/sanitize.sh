#!/usr/bin/env bash
# The C++ test suite under AddressSanitizer + UndefinedBehaviorSanitizer (+ LeakSanitizer), built
# with clang into build-asan/ (ccache), run against the local S3 server like scripts/test.sh does.
# Any sanitizer report fails the test that caused it (halt_on_error).  Arguments go to ctest
# (e.g. `-R pack_test`); `--build-only [TARGET...]` only builds.  The same objects carry
# libFuzzer's coverage instrumentation: the fuzz/ targets link against this build, and ctest here
# also replays their seed corpora (fuzz_*_corpus).  scripts/fuzz.sh fuzzes one target longer.
#
# Arrow, Parquet and the static curl/OpenSSL are not instrumented; simdjson and lakepack are.
# Suppressions (scripts/sanitize/*.supp) are only for code inside those libraries, each with its
# reason.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
BUILD=${LAKEPACK_ASAN_BUILD_DIR:-$ROOT/build-asan}
export AWS_EC2_METADATA_DISABLED=true
T0=$SECONDS
stamp() { echo "== [$((SECONDS - T0)) s] $*"; }
summary() { echo "sanitize.sh: $1 in $((SECONDS - T0)) s ($2)"; }

build_only=0
if [ "${1:-}" = "--build-only" ]; then
  build_only=1
  shift
fi

stamp "setup"
bash scripts/setup.sh || { summary FAIL "setup.sh failed"; exit 1; }
if ! command -v clang++ >/dev/null || [ ! -d /usr/lib/llvm-14/lib/clang/14.0.6/lib/linux ]; then
  sudo=()
  [ "$(id -u)" = 0 ] || sudo=(sudo)
  echo "sanitize.sh: installing clang" >&2
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    clang libclang-rt-14-dev >/dev/null || { summary FAIL "apt-get install clang failed"; exit 1; }
fi

stamp "build ($BUILD)"
if [ ! -f "$BUILD/build.ninja" ]; then
  san="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
  CCACHE_BASEDIR=$ROOT CCACHE_NOHASHDIR=1 cmake -S "$ROOT" -B "$BUILD" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
    "-DCMAKE_CXX_FLAGS=$san -fsanitize=fuzzer-no-link" \
    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g" \
    "-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=address,undefined" \
    "-DCMAKE_SHARED_LINKER_FLAGS=-fsanitize=address,undefined" \
    -DLAKEPACK_BUILD_FUZZ=ON >"$BUILD.configure.log" 2>&1 || {
    cat "$BUILD.configure.log" >&2
    summary FAIL "cmake configure failed"
    exit 1
  }
  rm -f "$BUILD.configure.log"
fi
if [ $build_only = 1 ]; then
  LAKEPACK_BUILD_DIR=$BUILD bash scripts/build.sh "$@" || { summary FAIL "build failed"; exit 1; }
  exit 0
fi
LAKEPACK_BUILD_DIR=$BUILD bash scripts/build.sh || { summary FAIL "build failed"; exit 1; }

stamp "S3 server"
# A server that runs already (scripts/test.sh's, or one shared) is used and left running.
if ! bash scripts/s3-server.sh status >/dev/null 2>&1; then
  bash scripts/s3-server.sh start || { summary FAIL "the S3 server did not start"; exit 1; }
  trap 'bash scripts/s3-server.sh stop' EXIT
fi
# shellcheck disable=SC1091
source "${LAKEPACK_S3_DIR:-/tmp/lakepack-s3}/env"
export LAKEPACK_REQUIRE_S3=1

SUPP=$ROOT/scripts/sanitize
# Arrow buffers from malloc, so ASan sees overruns of builder and array memory by lakepack code.
export ARROW_DEFAULT_MEMORY_POOL=system
export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:suppressions=$SUPP/ubsan.supp
export LSAN_OPTIONS=suppressions=$SUPP/lsan.supp:print_suppressions=0

stamp "ctest (sanitized)"
ctest --test-dir "$BUILD" --output-on-failure -j2 -E '^link_isolation$' "$@"
rc=$?
summary "$([ $rc = 0 ] && echo PASS || echo FAIL)" "ctest under ASan+UBSan+LSan"
exit $rc
