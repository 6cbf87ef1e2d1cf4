# Empty dependencies file for test_fields.
# This may be replaced when dependencies are built.
