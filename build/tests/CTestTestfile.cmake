# CMake generated Testfile for 
# Source directory: /work/main/tests
# Build directory: /work/main/build/tests
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test(unit/test_fields "/work/main/build/tests/test_fields")
set_tests_properties(unit/test_fields PROPERTIES  ENVIRONMENT "CTPROF_FIXTURES=/work/main/fixtures;CTPROF_HARNESS=/work/main/build/ctprof-harness;CK_DEFAULT_TIMEOUT=60" LABELS "unit" SKIP_RETURN_CODE "77" TIMEOUT "300" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;37;add_test;/work/main/tests/CMakeLists.txt;0;")
