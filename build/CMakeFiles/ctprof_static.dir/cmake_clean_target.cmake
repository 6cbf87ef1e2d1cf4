file(REMOVE_RECURSE
  "libctprof.a"
)
