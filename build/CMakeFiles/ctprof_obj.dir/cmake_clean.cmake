file(REMOVE_RECURSE
  "CMakeFiles/ctprof_obj.dir/lib/snapshot/model.c.o"
  "CMakeFiles/ctprof_obj.dir/lib/snapshot/model.c.o.d"
  "CMakeFiles/ctprof_obj.dir/lib/util/util.c.o"
  "CMakeFiles/ctprof_obj.dir/lib/util/util.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/ctprof_obj.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
