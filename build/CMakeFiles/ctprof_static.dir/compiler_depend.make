# Empty compiler generated dependencies file for ctprof_static.
# This may be replaced when dependencies are built.
