# lakepack_arrow.cmake: where Arrow C++ and Parquet C++ come from — for lakepack's own build
# (CMakeLists.txt) and, installed beside lakepackConfig.cmake, for every project that calls
# find_package(lakepack), so that a consumer links the very Arrow the library was built with.
#
# lakepack_find_arrow(SOURCE PYTHON VERSION)
#   SOURCE  "auto"    (lakepack's build) a system Arrow if find_package finds one, else the wheel;
#           "system"  find_package(Arrow) and find_package(Parquet): Arrow::arrow_shared and
#                     Parquet::parquet_shared;
#           "pyarrow" the pyarrow wheel of the Python interpreter PYTHON: pyarrow.get_include()
#                     and the libarrow*.so in pyarrow.get_library_dirs()[0] (made linkable with
#                     pyarrow.create_library_symlinks()), as the imported targets pyarrow::arrow,
#                     pyarrow::parquet, pyarrow::arrow_compute, pyarrow::arrow_dataset and
#                     pyarrow::arrow_acero.
#   VERSION "" or the pyarrow version that must be found (the consumer's check: Arrow's C++ ABI
#           changes with every release, so a different wheel would not match liblakepack).
# Sets LAKEPACK_ARROW_SOURCE ("system" / "pyarrow"), LAKEPACK_ARROW_LIBS (the targets to link)
# and, for the wheel, PYARROW_INCLUDE, PYARROW_LIBDIR and PYARROW_VERSION.  On failure it sets
# LAKEPACK_ARROW_ERROR (and nothing else); the caller decides whether that is fatal.
macro(lakepack_find_arrow _lpa_source _lpa_python _lpa_version)
  set(LAKEPACK_ARROW_ERROR "")
  set(LAKEPACK_ARROW_SOURCE "")
  if(NOT "${_lpa_source}" STREQUAL "pyarrow")
    find_package(Arrow QUIET)
    find_package(Parquet QUIET)
    if(Arrow_FOUND AND Parquet_FOUND)
      set(LAKEPACK_ARROW_SOURCE system)
      set(LAKEPACK_ARROW_LIBS Arrow::arrow_shared Parquet::parquet_shared)
    elseif("${_lpa_source}" STREQUAL "system")
      string(CONCAT LAKEPACK_ARROW_ERROR "lakepack was built with a system Arrow C++, which find_package "
                               "(Arrow, Parquet) does not find")
    endif()
  endif()
  if(LAKEPACK_ARROW_SOURCE STREQUAL "" AND LAKEPACK_ARROW_ERROR STREQUAL "")
    execute_process(
      COMMAND "${_lpa_python}" -c
        "import pyarrow as pa; pa.create_library_symlinks(); print(pa.get_include()); print(pa.get_library_dirs()[0]); print(pa.__version__)"
      OUTPUT_VARIABLE _lpa_out RESULT_VARIABLE _lpa_rc OUTPUT_STRIP_TRAILING_WHITESPACE
      ERROR_QUIET)
    if(NOT _lpa_rc EQUAL 0)
      string(CONCAT LAKEPACK_ARROW_ERROR "no pyarrow in the Python '${_lpa_python}' (set LAKEPACK_PYTHON to "
                               "a Python whose pyarrow provides Arrow C++)")
    else()
      string(REPLACE "\n" ";" _lpa_out "${_lpa_out}")
      list(GET _lpa_out 0 PYARROW_INCLUDE)
      list(GET _lpa_out 1 PYARROW_LIBDIR)
      list(GET _lpa_out 2 PYARROW_VERSION)
      if(NOT "${_lpa_version}" STREQUAL "" AND NOT PYARROW_VERSION STREQUAL "${_lpa_version}")
        string(CONCAT LAKEPACK_ARROW_ERROR "lakepack was built with pyarrow ${_lpa_version}, but the Python "
                                 "'${_lpa_python}' has pyarrow ${PYARROW_VERSION} (set "
                                 "LAKEPACK_PYTHON to a Python with pyarrow ${_lpa_version})")
      else()
        set(LAKEPACK_ARROW_SOURCE pyarrow)
        foreach(_lpa_lib arrow parquet arrow_compute arrow_dataset arrow_acero)
          if(NOT TARGET pyarrow::${_lpa_lib})
            add_library(pyarrow::${_lpa_lib} SHARED IMPORTED)
            set_target_properties(pyarrow::${_lpa_lib} PROPERTIES
              IMPORTED_LOCATION "${PYARROW_LIBDIR}/lib${_lpa_lib}.so"
              INTERFACE_INCLUDE_DIRECTORIES "${PYARROW_INCLUDE}")
          endif()
        endforeach()
        set(LAKEPACK_ARROW_LIBS pyarrow::arrow pyarrow::parquet pyarrow::arrow_compute)
      endif()
    endif()
  endif()
endmacro()
