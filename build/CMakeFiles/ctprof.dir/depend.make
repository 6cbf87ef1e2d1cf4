# Empty dependencies file for ctprof.
# This may be replaced when dependencies are built.
