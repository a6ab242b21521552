# Empty compiler generated dependencies file for decode_fuzz.
# This may be replaced when dependencies are built.
