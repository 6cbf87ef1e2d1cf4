file(REMOVE_RECURSE
  "libctprof.pdb"
  "libctprof.so"
  "libctprof.so.0"
  "libctprof.so.0.1.0"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/ctprof.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
