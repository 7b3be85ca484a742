"""The test suite of lambda_core, one subpackage per area of the package (see tests/README.md)."""
