#----------------------------------------------------------------
# Generated CMake target import file for configuration "RelWithDebInfo".
#----------------------------------------------------------------

# Commands may need to know the format version.
set(CMAKE_IMPORT_FILE_VERSION 1)

# Import target "ctprof::ctprof" for configuration "RelWithDebInfo"
set_property(TARGET ctprof::ctprof APPEND PROPERTY IMPORTED_CONFIGURATIONS RELWITHDEBINFO)
set_target_properties(ctprof::ctprof PROPERTIES
  IMPORTED_LOCATION_RELWITHDEBINFO "${_IMPORT_PREFIX}/lib/libctprof.so.0.1.0"
  IMPORTED_SONAME_RELWITHDEBINFO "libctprof.so.0"
  )

list(APPEND _cmake_import_check_targets ctprof::ctprof )
list(APPEND _cmake_import_check_files_for_ctprof::ctprof "${_IMPORT_PREFIX}/lib/libctprof.so.0.1.0" )

# Import target "ctprof::ctprof_static" for configuration "RelWithDebInfo"
set_property(TARGET ctprof::ctprof_static APPEND PROPERTY IMPORTED_CONFIGURATIONS RELWITHDEBINFO)
set_target_properties(ctprof::ctprof_static PROPERTIES
  IMPORTED_LINK_INTERFACE_LANGUAGES_RELWITHDEBINFO "C"
  IMPORTED_LOCATION_RELWITHDEBINFO "${_IMPORT_PREFIX}/lib/libctprof.a"
  )

list(APPEND _cmake_import_check_targets ctprof::ctprof_static )
list(APPEND _cmake_import_check_files_for_ctprof::ctprof_static "${_IMPORT_PREFIX}/lib/libctprof.a" )

# Commands beyond this point should not need to know the version.
set(CMAKE_IMPORT_FILE_VERSION)
