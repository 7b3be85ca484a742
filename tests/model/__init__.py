"""The configuration model: Account, Function, pools and their AWS validation."""
