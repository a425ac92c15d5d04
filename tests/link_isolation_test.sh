#!/usr/bin/env bash
# link_isolation_test.sh [--module ENTRY | --library] FILE|BUILD_DIR...: checks that each ELF FILE (the
# lakepack CLI, a test binary, with --module the Python extension and its one entry point, with
# --library the installed liblakepack.so) keeps lakepack's
# own copies of simdjson, libcurl, OpenSSL and pugixml to itself (issue 16, F2/F9):
#   - it needs none of them as a shared library (readelf -d: NEEDED);
#   - it leaves no symbol of theirs undefined, to be bound at run time to whichever copy the
#     process loaded first (pyarrow's libparquet exports its own simdjson and libcrypto);
#   - it exports none of theirs (nm -D --defined-only), which would interpose on libparquet's;
#   - the CLI exports only what the linker must (copy-relocated glibc data, typeinfo of std::
#     types), a module (--module ENTRY) exactly ENTRY, the library (--library) only names of
#     namespace lakepack (with their vtables and typeinfo).
# Prints one line per problem and exits 1 if there is any.  Used by ctest (link_isolation) and by
# tests/python/test_link_isolation.py on the installed package.
set -uo pipefail

module_entry=""
library=0
if [ "${1:-}" = "--module" ]; then
  module_entry=$2
  shift 2
elif [ "${1:-}" = "--library" ]; then
  library=1
  shift
fi
[ $# -gt 0 ] || { echo "usage: $0 [--module ENTRY] FILE|BUILD_DIR..." >&2; exit 2; }
# A build directory stands for its CLI and every test binary in it.
files=()
for a in "$@"; do
  if [ -d "$a" ]; then
    for f in "$a"/lakepack "$a"/*_test; do
      [ -f "$f" ] && [ -x "$f" ] && files+=("$f")
    done
  else
    files+=("$a")
  fi
done
set -- "${files[@]}"

# The libraries lakepack links privately, as shared-object names and as symbol names.
DEP_LIBS='^lib(simdjson|curl|ssl|crypto|pugixml)\.so'
DEP_SYMS='simdjson|pugi|^_?(curl|Curl)_|^(SSL|TLS|DTLS|EVP|HMAC|SHA[0-9]*|MD5|CRYPTO|OPENSSL|OSSL|ERR|BIO|X509|RAND|BN|ASN1|PEM|RSA|EC|ENGINE|PKCS[0-9]*|OBJ|CONF)(_|$)'

fail=0
problem() {
  echo "link_isolation: $1" >&2
  fail=1
}

for f in "$@"; do
  [ -f "$f" ] || { problem "$f: no such file"; continue; }
  name=$(basename "$f")
  needed=$(readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
  [ -n "$needed" ] || { problem "$name: not a dynamically linked ELF file"; continue; }
  for lib in $(grep -E "$DEP_LIBS" <<<"$needed"); do
    problem "$name needs the shared $lib"
  done
  undefined=$(nm -D --undefined-only "$f" | awk '{print $NF}' | sed 's/@.*//')
  for s in $(grep -E "$DEP_SYMS" <<<"$undefined" | head -5); do
    problem "$name leaves $s to be bound at run time"
  done
  defined=$(nm -D --defined-only "$f" | awk '{print $NF}')
  for s in $(grep -E "$DEP_SYMS" <<<"$defined" | head -5); do
    problem "$name exports $s"
  done
  if [ $library = 1 ]; then
    others=$(c++filt <<<"$defined" | grep -vE '^((typeinfo|typeinfo name|vtable|VTT) for |(non-)?virtual thunk to )?lakepack::' | grep -v '^$')
  elif [ -n "$module_entry" ]; then
    others=$(grep -vxF "$module_entry" <<<"$defined" | grep -v '^$')
    grep -qxF "$module_entry" <<<"$defined" || problem "$name does not export $module_entry"
  elif [[ "$name" == *_test ]]; then
    # A test binary's own objects may export weak instantiations of Arrow and std:: templates
    # (the same code as libarrow's); only the dependencies' symbols matter there.
    others=""
  else
    # Versioned names are glibc/libstdc++ data the executable holds by copy relocation; std::
    # typeinfo is exported because libstdc++ defines it too.
    others=$(grep -vE '@|^_ZT[ISV]N?St' <<<"$defined" | grep -v '^$')
  fi
  for s in $(head -5 <<<"$others"); do
    problem "$name exports $s, which is not its own entry point"
  done
done
if [ $fail = 0 ]; then
  echo "link_isolation: $# file(s) keep simdjson, libcurl, OpenSSL and pugixml private"
fi
exit $fail
