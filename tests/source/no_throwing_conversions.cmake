# no_throwing_conversions.cmake: a source-tree rule, run by ctest as `cmake -DSRC=<root> -P`.
#
# Inside the library errors are Status, and no exception may cross a Status boundary (issue 16:
# std::stoul on credential_process output aborted `lakepack cp`; std::stoll on pack state threw
# out of Pack).  std::stoi/stol/stoll/stoul/stoull/stof/stod/stold throw on bad text, so none may
# appear in src/: use std::from_chars and return a Status naming the input.  Fails listing every
# file:line that uses one.
if(NOT SRC)
  message(FATAL_ERROR "usage: cmake -DSRC=<source root> -P no_throwing_conversions.cmake")
endif()
set(_pattern "(^|[^A-Za-z0-9_])sto(i|l|ll|ul|ull|f|d|ld)[ \t]*\\(")
file(GLOB_RECURSE _files "${SRC}/src/*.cc" "${SRC}/src/*.h")
# Tests beside the sources may throw: a throw there is a failed test, not a crossed boundary.
list(FILTER _files EXCLUDE REGEX "_test\\.cc$")
list(LENGTH _files _count)
if(_count EQUAL 0)
  message(FATAL_ERROR "no sources under ${SRC}/src: wrong SRC?")
endif()
set(_found "")
foreach(_f ${_files})
  file(READ "${_f}" _text)
  if(NOT _text MATCHES "${_pattern}")
    continue()
  endif()
  file(STRINGS "${_f}" _lines)
  set(_n 0)
  foreach(_line IN LISTS _lines)
    math(EXPR _n "${_n} + 1")
    if(_line MATCHES "${_pattern}")
      file(RELATIVE_PATH _rel "${SRC}" "${_f}")
      string(APPEND _found "  ${_rel}:${_n}: ${_line}\n")
    endif()
  endforeach()
endforeach()
if(_found)
  message(FATAL_ERROR "throwing std::sto* conversions in src/ (use std::from_chars and a Status):\n${_found}")
endif()
message(STATUS "no std::sto* in ${_count} files under src/")
