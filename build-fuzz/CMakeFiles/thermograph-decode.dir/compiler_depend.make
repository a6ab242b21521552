# Empty compiler generated dependencies file for thermograph-decode.
# This may be replaced when dependencies are built.
