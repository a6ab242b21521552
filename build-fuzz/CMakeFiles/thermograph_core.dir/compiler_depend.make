# Empty compiler generated dependencies file for thermograph_core.
# This may be replaced when dependencies are built.
