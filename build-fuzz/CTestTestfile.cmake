# CMake generated Testfile for 
# Source directory: /work/main
# Build directory: /work/main/build-fuzz
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test([=[core_tests]=] "/work/main/build-fuzz/core_tests")
set_tests_properties([=[core_tests]=] PROPERTIES  _BACKTRACE_TRIPLES "/work/main/CMakeLists.txt;49;add_test;/work/main/CMakeLists.txt;0;")
