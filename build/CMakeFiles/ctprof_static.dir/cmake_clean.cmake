file(REMOVE_RECURSE
  "libctprof.a"
  "libctprof.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/ctprof_static.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
