# Empty dependencies file for ctprof_obj.
# This may be replaced when dependencies are built.
