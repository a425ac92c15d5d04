#!/usr/bin/env bash
# Configures (once) and builds lakepack into build/ with Ninja and ccache (RelWithDebInfo unless
# BUILD_TYPE is set).  Arguments are Ninja targets; none means all.  Expects scripts/setup.sh to
# have run (Arrow C++ comes from the pyarrow wheel in .venv).
#
# g++ is the default compiler.  CXX=clang++ builds with clang instead, into build-clang/ (the
# `clang` apt package; LAKEPACK_BUILD_DIR still wins), so both compilers keep their own objects.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
compiler=()
default_build=$ROOT/build
case "${CXX:-}" in
  *clang++*)
    compiler=(-DCMAKE_CXX_COMPILER="$CXX")
    default_build=$ROOT/build-clang
    ;;
esac
BUILD=${LAKEPACK_BUILD_DIR:-$default_build}
# Paths relative to the checkout in ccache's hash, so another clone on the same machine (e.g. CI's
# fresh clone) reuses the cache; debug info may then name the other clone's build dir.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$ROOT} CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}
if [ ! -f "$BUILD/build.ninja" ]; then
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" \
    -DCMAKE_CXX_COMPILER_LAUNCHER=ccache "${compiler[@]}" \
    >"$BUILD.configure.log" 2>&1 || {
    cat "$BUILD.configure.log" >&2
    echo "build.sh: cmake configure failed" >&2
    exit 1
  }
  rm -f "$BUILD.configure.log"
fi
# Two cores on the target machines; ninja's default (cores + 2) would swap-thrash big Arrow TUs.
ninja -C "$BUILD" -j "${LAKEPACK_JOBS:-2}" "$@"
