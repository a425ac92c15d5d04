# private_deps.cmake: lakepack's C/C++ dependencies besides Arrow (simdjson, libcurl, OpenSSL,
# pugixml), linked statically and hidden, so that lakepack's code always runs on its own copy.
#
# Why: the pyarrow wheel's libparquet.so exports its own (newer) simdjson and its whole libcrypto,
# unversioned.  A call from a shared lakepack binary to a shared dependency binds at run time to
# the first definition in load order, and a process that loaded pyarrow with RTLD_GLOBAL puts
# libparquet first: lakepack's simdjson 3 code then ran on libparquet's simdjson 4 objects (a
# segfault on the second JSON line) and its SigV4 HMAC on libparquet's OpenSSL (issue 16, F2/F9).
# A definition linked into the binary and hidden binds at link time and cannot be interposed.
#
# Provides:
#   lakepack::simdjson  simdjson 3.6.4 built from the single-file source in the pinned pysimdjson
#                       sdist (Debian ships simdjson only as a shared library), hidden visibility.
#   lakepack::curl      libcurl.a + libssl.a + libcrypto.a (Debian's static archives); the
#                       libraries curl needs besides OpenSSL stay shared (pyarrow exports none).
#   lakepack::crypto    libcrypto.a (SigV4's HMAC and SHA-256).
#   lakepack::pugixml   libpugixml.a.
# Executables and shared objects link with --exclude-libs naming these archives
# (LAKEPACK_PRIVATE_ARCHIVES) and lakepack's own (CMakeLists.txt), which turns every symbol that
# comes from them into a hidden one: nothing of these copies is exported, so neither do they
# interpose on libparquet's nor it on them.
# tests/link_isolation_test.sh checks the result.

set(_lp_libdir "${CMAKE_LIBRARY_ARCHITECTURE}")
# find_library(NAMES libX.a) finds only the static archive.
foreach(_lp_a curl ssl crypto pugixml)
  find_library(LAKEPACK_${_lp_a}_A NAMES lib${_lp_a}.a REQUIRED
               DOC "static lib${_lp_a} (libcurl4-openssl-dev, libssl-dev, libpugixml-dev)")
endforeach()
find_path(LAKEPACK_CURL_INCLUDE curl/curl.h REQUIRED)
find_path(LAKEPACK_OPENSSL_INCLUDE openssl/hmac.h REQUIRED)
find_path(LAKEPACK_PUGIXML_INCLUDE pugixml.hpp REQUIRED)

# Link order matters: a symbol that a shared library earlier on the link line defines is not taken
# from an archive after it, and libparquet.so defines simdjson's and libcrypto's symbols.  Each
# archive therefore names the Arrow libraries as its own (last) dependency: CMake then puts them
# after it on every link line.  tests/link_isolation_test.sh catches a reference left undefined.
add_library(lakepack::crypto STATIC IMPORTED)
set_target_properties(lakepack::crypto PROPERTIES
  IMPORTED_LOCATION "${LAKEPACK_crypto_A}"
  INTERFACE_INCLUDE_DIRECTORIES "${LAKEPACK_OPENSSL_INCLUDE}"
  INTERFACE_LINK_LIBRARIES "Threads::Threads;${CMAKE_DL_LIBS};${LAKEPACK_ARROW_LIBS}")
add_library(lakepack::ssl STATIC IMPORTED)
set_target_properties(lakepack::ssl PROPERTIES
  IMPORTED_LOCATION "${LAKEPACK_ssl_A}" INTERFACE_LINK_LIBRARIES lakepack::crypto)
add_library(lakepack::pugixml STATIC IMPORTED)
set_target_properties(lakepack::pugixml PROPERTIES
  IMPORTED_LOCATION "${LAKEPACK_pugixml_A}"
  INTERFACE_INCLUDE_DIRECTORIES "${LAKEPACK_PUGIXML_INCLUDE}"
  INTERFACE_LINK_LIBRARIES "${LAKEPACK_ARROW_LIBS}")

# libcurl.a's other dependencies, from its pkg-config file (Libs.private), linked shared by their
# run-time names: their -dev packages (the .so links) need not be installed.
find_package(PkgConfig REQUIRED)
execute_process(COMMAND ${PKG_CONFIG_EXECUTABLE} --static --libs-only-l libcurl
                OUTPUT_VARIABLE _lp_curl_libs OUTPUT_STRIP_TRAILING_WHITESPACE
                RESULT_VARIABLE _lp_rc)
if(NOT _lp_rc EQUAL 0)
  message(FATAL_ERROR "pkg-config --static libcurl failed (libcurl4-openssl-dev)")
endif()
separate_arguments(_lp_curl_libs UNIX_COMMAND "${_lp_curl_libs}")
set(_lp_curl_deps lakepack::ssl)
foreach(_lp_flag ${_lp_curl_libs})
  string(REGEX REPLACE "^-l" "" _lp_name "${_lp_flag}")
  if(_lp_name MATCHES "^(curl|ssl|crypto)$")
    continue()
  endif()
  # The shared object's run-time name (libz.so.1), resolved through the linker's own search.
  file(GLOB _lp_so "/usr/lib/${_lp_libdir}/lib${_lp_name}.so.*" "/lib/${_lp_libdir}/lib${_lp_name}.so.*")
  list(FILTER _lp_so INCLUDE REGEX "/lib${_lp_name}(-[0-9.]+)?\\.so\\.[0-9]+$")
  if(NOT _lp_so)
    file(GLOB _lp_so "/usr/lib/${_lp_libdir}/lib${_lp_name}-*.so.[0-9]")
  endif()
  if(NOT _lp_so)
    message(FATAL_ERROR "libcurl.a needs lib${_lp_name}, which is not installed")
  endif()
  list(GET _lp_so 0 _lp_so)
  list(APPEND _lp_curl_deps "${_lp_so}")
endforeach()
list(REMOVE_DUPLICATES _lp_curl_deps)
list(APPEND _lp_curl_deps lakepack::crypto)
add_library(lakepack::curl STATIC IMPORTED)
set_target_properties(lakepack::curl PROPERTIES
  IMPORTED_LOCATION "${LAKEPACK_curl_A}"
  INTERFACE_INCLUDE_DIRECTORIES "${LAKEPACK_CURL_INCLUDE}"
  INTERFACE_LINK_LIBRARIES "${_lp_curl_deps}")

# ---- simdjson: the single-file source (simdjson.h + simdjson.cpp) of one pinned release ------
# Debian has no static simdjson and no simdjson source package in its binary archive; the
# pysimdjson sdist on PyPI carries simdjson's own amalgamated release files.  It is fetched once
# with pip (into .deps/ of the checkout, checked against this hash) and compiled here.
set(LAKEPACK_SIMDJSON_SDIST "pysimdjson==6.0.2")  # ships simdjson 3.6.4
set(LAKEPACK_SIMDJSON_SHA256 ddbd6fecd42aa01c5c87d3c79b8ede1885b6763337d21745587a5392572c1f45)
set(LAKEPACK_DEPS_DIR "${CMAKE_SOURCE_DIR}/.deps" CACHE PATH
    "Where pinned third-party sources are downloaded to (once per checkout)")
set(_lp_tar "${LAKEPACK_DEPS_DIR}/pysimdjson-6.0.2.tar.gz")
set(_lp_ok FALSE)
if(EXISTS "${_lp_tar}")
  file(SHA256 "${_lp_tar}" _lp_have)
  if(_lp_have STREQUAL LAKEPACK_SIMDJSON_SHA256)
    set(_lp_ok TRUE)
  endif()
endif()
if(NOT _lp_ok)
  if(DEFINED LAKEPACK_PYTHON AND EXISTS "${LAKEPACK_PYTHON}")
    set(_lp_pip_python "${LAKEPACK_PYTHON}")
  elseif(Python_EXECUTABLE)
    set(_lp_pip_python "${Python_EXECUTABLE}")
  else()
    find_package(Python3 REQUIRED COMPONENTS Interpreter)
    set(_lp_pip_python "${Python3_EXECUTABLE}")
  endif()
  message(STATUS "Downloading ${LAKEPACK_SIMDJSON_SDIST} (simdjson's source) into ${LAKEPACK_DEPS_DIR}")
  file(REMOVE "${_lp_tar}")
  execute_process(
    COMMAND "${_lp_pip_python}" -m pip download --quiet --no-deps --no-binary :all:
            --dest "${LAKEPACK_DEPS_DIR}" "${LAKEPACK_SIMDJSON_SDIST}"
    RESULT_VARIABLE _lp_rc ERROR_VARIABLE _lp_err)
  if(NOT _lp_rc EQUAL 0 OR NOT EXISTS "${_lp_tar}")
    message(FATAL_ERROR "pip download ${LAKEPACK_SIMDJSON_SDIST} failed:\n${_lp_err}")
  endif()
  file(SHA256 "${_lp_tar}" _lp_have)
  if(NOT _lp_have STREQUAL LAKEPACK_SIMDJSON_SHA256)
    file(REMOVE "${_lp_tar}")
    message(FATAL_ERROR "${_lp_tar}: sha256 ${_lp_have}, expected ${LAKEPACK_SIMDJSON_SHA256}")
  endif()
endif()
set(_lp_sj "${CMAKE_BINARY_DIR}/_deps/simdjson")
if(NOT EXISTS "${_lp_sj}/simdjson.cpp")
  file(ARCHIVE_EXTRACT INPUT "${_lp_tar}" DESTINATION "${CMAKE_BINARY_DIR}/_deps/pysimdjson"
       PATTERNS "*/simdjson/simdjson.h" "*/simdjson/simdjson.cpp")
  file(MAKE_DIRECTORY "${_lp_sj}")
  file(COPY "${CMAKE_BINARY_DIR}/_deps/pysimdjson/pysimdjson-6.0.2/simdjson/simdjson.h"
            "${CMAKE_BINARY_DIR}/_deps/pysimdjson/pysimdjson-6.0.2/simdjson/simdjson.cpp"
       DESTINATION "${_lp_sj}")
endif()
add_library(lakepack_simdjson STATIC "${_lp_sj}/simdjson.cpp")
target_include_directories(lakepack_simdjson SYSTEM PUBLIC "${_lp_sj}")
# -w: third-party code, not ours to warn about.
target_compile_options(lakepack_simdjson PRIVATE -w)
target_link_libraries(lakepack_simdjson INTERFACE ${LAKEPACK_ARROW_LIBS})  # order only, see above
set_target_properties(lakepack_simdjson PROPERTIES
  POSITION_INDEPENDENT_CODE ON CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
add_library(lakepack::simdjson ALIAS lakepack_simdjson)

# The archives whose symbols no binary may export (their file names, as --exclude-libs wants).
set(LAKEPACK_PRIVATE_ARCHIVES liblakepack_simdjson.a)
foreach(_lp_a ${LAKEPACK_curl_A} ${LAKEPACK_ssl_A} ${LAKEPACK_crypto_A} ${LAKEPACK_pugixml_A})
  get_filename_component(_lp_a ${_lp_a} NAME)
  list(APPEND LAKEPACK_PRIVATE_ARCHIVES ${_lp_a})
endforeach()
