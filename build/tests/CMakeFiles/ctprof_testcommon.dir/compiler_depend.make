# Empty compiler generated dependencies file for ctprof_testcommon.
# This may be replaced when dependencies are built.
