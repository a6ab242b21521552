
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/tests/native/aggregate_test.cpp" "CMakeFiles/core_tests.dir/tests/native/aggregate_test.cpp.o" "gcc" "CMakeFiles/core_tests.dir/tests/native/aggregate_test.cpp.o.d"
  "/work/main/tests/native/codec_test.cpp" "CMakeFiles/core_tests.dir/tests/native/codec_test.cpp.o" "gcc" "CMakeFiles/core_tests.dir/tests/native/codec_test.cpp.o.d"
  "/work/main/tests/native/element_key_test.cpp" "CMakeFiles/core_tests.dir/tests/native/element_key_test.cpp.o" "gcc" "CMakeFiles/core_tests.dir/tests/native/element_key_test.cpp.o.d"
  "/work/main/tests/native/main.cpp" "CMakeFiles/core_tests.dir/tests/native/main.cpp.o" "gcc" "CMakeFiles/core_tests.dir/tests/native/main.cpp.o.d"
  "/work/main/tests/native/pageview_test.cpp" "CMakeFiles/core_tests.dir/tests/native/pageview_test.cpp.o" "gcc" "CMakeFiles/core_tests.dir/tests/native/pageview_test.cpp.o.d"
  "/work/main/tests/native/sparse_test.cpp" "CMakeFiles/core_tests.dir/tests/native/sparse_test.cpp.o" "gcc" "CMakeFiles/core_tests.dir/tests/native/sparse_test.cpp.o.d"
  "/work/main/tests/native/tracker_test.cpp" "CMakeFiles/core_tests.dir/tests/native/tracker_test.cpp.o" "gcc" "CMakeFiles/core_tests.dir/tests/native/tracker_test.cpp.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/main/build-fuzz/CMakeFiles/thermograph_core.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
