# Empty dependencies file for ctprof-harness.
# This may be replaced when dependencies are built.
