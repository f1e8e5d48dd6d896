from tongzheng.tests_matrix.cast import cast  # noqa: F401
