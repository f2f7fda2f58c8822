"""CLI command groups; each module has a register(app) function."""
