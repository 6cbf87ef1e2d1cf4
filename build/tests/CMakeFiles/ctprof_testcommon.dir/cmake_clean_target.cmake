file(REMOVE_RECURSE
  "libctprof_testcommon.a"
)
