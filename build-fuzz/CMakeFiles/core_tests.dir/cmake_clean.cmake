file(REMOVE_RECURSE
  "CMakeFiles/core_tests.dir/tests/native/aggregate_test.cpp.o"
  "CMakeFiles/core_tests.dir/tests/native/aggregate_test.cpp.o.d"
  "CMakeFiles/core_tests.dir/tests/native/codec_test.cpp.o"
  "CMakeFiles/core_tests.dir/tests/native/codec_test.cpp.o.d"
  "CMakeFiles/core_tests.dir/tests/native/element_key_test.cpp.o"
  "CMakeFiles/core_tests.dir/tests/native/element_key_test.cpp.o.d"
  "CMakeFiles/core_tests.dir/tests/native/main.cpp.o"
  "CMakeFiles/core_tests.dir/tests/native/main.cpp.o.d"
  "CMakeFiles/core_tests.dir/tests/native/pageview_test.cpp.o"
  "CMakeFiles/core_tests.dir/tests/native/pageview_test.cpp.o.d"
  "CMakeFiles/core_tests.dir/tests/native/sparse_test.cpp.o"
  "CMakeFiles/core_tests.dir/tests/native/sparse_test.cpp.o.d"
  "CMakeFiles/core_tests.dir/tests/native/tracker_test.cpp.o"
  "CMakeFiles/core_tests.dir/tests/native/tracker_test.cpp.o.d"
  "core_tests"
  "core_tests.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang CXX)
  include(CMakeFiles/core_tests.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
