file(REMOVE_RECURSE
  "CMakeFiles/thermograph-decode.dir/src/tools/decode_main.cpp.o"
  "CMakeFiles/thermograph-decode.dir/src/tools/decode_main.cpp.o.d"
  "thermograph-decode"
  "thermograph-decode.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang CXX)
  include(CMakeFiles/thermograph-decode.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
