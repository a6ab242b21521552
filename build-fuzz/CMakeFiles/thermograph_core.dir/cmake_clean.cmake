file(REMOVE_RECURSE
  "CMakeFiles/thermograph_core.dir/src/core/aggregate.cpp.o"
  "CMakeFiles/thermograph_core.dir/src/core/aggregate.cpp.o.d"
  "CMakeFiles/thermograph_core.dir/src/core/codec_decode.cpp.o"
  "CMakeFiles/thermograph_core.dir/src/core/codec_decode.cpp.o.d"
  "CMakeFiles/thermograph_core.dir/src/core/codec_encode.cpp.o"
  "CMakeFiles/thermograph_core.dir/src/core/codec_encode.cpp.o.d"
  "CMakeFiles/thermograph_core.dir/src/core/element_key.cpp.o"
  "CMakeFiles/thermograph_core.dir/src/core/element_key.cpp.o.d"
  "CMakeFiles/thermograph_core.dir/src/core/json.cpp.o"
  "CMakeFiles/thermograph_core.dir/src/core/json.cpp.o.d"
  "CMakeFiles/thermograph_core.dir/src/core/pageview.cpp.o"
  "CMakeFiles/thermograph_core.dir/src/core/pageview.cpp.o.d"
  "CMakeFiles/thermograph_core.dir/src/core/sparse.cpp.o"
  "CMakeFiles/thermograph_core.dir/src/core/sparse.cpp.o.d"
  "CMakeFiles/thermograph_core.dir/src/core/tracker.cpp.o"
  "CMakeFiles/thermograph_core.dir/src/core/tracker.cpp.o.d"
  "libthermograph_core.a"
  "libthermograph_core.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang CXX)
  include(CMakeFiles/thermograph_core.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
