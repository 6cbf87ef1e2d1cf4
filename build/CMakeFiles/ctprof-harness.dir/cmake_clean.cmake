file(REMOVE_RECURSE
  "CMakeFiles/ctprof-harness.dir/harness/main.c.o"
  "CMakeFiles/ctprof-harness.dir/harness/main.c.o.d"
  "ctprof-harness"
  "ctprof-harness.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/ctprof-harness.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
