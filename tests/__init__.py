"""The test suite of lambda_core, one subpackage per area (see tests/README.md)."""
