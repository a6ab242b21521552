
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/src/core/aggregate.cpp" "CMakeFiles/thermograph_core.dir/src/core/aggregate.cpp.o" "gcc" "CMakeFiles/thermograph_core.dir/src/core/aggregate.cpp.o.d"
  "/work/main/src/core/codec_decode.cpp" "CMakeFiles/thermograph_core.dir/src/core/codec_decode.cpp.o" "gcc" "CMakeFiles/thermograph_core.dir/src/core/codec_decode.cpp.o.d"
  "/work/main/src/core/codec_encode.cpp" "CMakeFiles/thermograph_core.dir/src/core/codec_encode.cpp.o" "gcc" "CMakeFiles/thermograph_core.dir/src/core/codec_encode.cpp.o.d"
  "/work/main/src/core/element_key.cpp" "CMakeFiles/thermograph_core.dir/src/core/element_key.cpp.o" "gcc" "CMakeFiles/thermograph_core.dir/src/core/element_key.cpp.o.d"
  "/work/main/src/core/json.cpp" "CMakeFiles/thermograph_core.dir/src/core/json.cpp.o" "gcc" "CMakeFiles/thermograph_core.dir/src/core/json.cpp.o.d"
  "/work/main/src/core/pageview.cpp" "CMakeFiles/thermograph_core.dir/src/core/pageview.cpp.o" "gcc" "CMakeFiles/thermograph_core.dir/src/core/pageview.cpp.o.d"
  "/work/main/src/core/sparse.cpp" "CMakeFiles/thermograph_core.dir/src/core/sparse.cpp.o" "gcc" "CMakeFiles/thermograph_core.dir/src/core/sparse.cpp.o.d"
  "/work/main/src/core/tracker.cpp" "CMakeFiles/thermograph_core.dir/src/core/tracker.cpp.o" "gcc" "CMakeFiles/thermograph_core.dir/src/core/tracker.cpp.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
