file(REMOVE_RECURSE
  "CMakeFiles/ctprof_testcommon.dir/common/testutil.c.o"
  "CMakeFiles/ctprof_testcommon.dir/common/testutil.c.o.d"
  "libctprof_testcommon.a"
  "libctprof_testcommon.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/ctprof_testcommon.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
