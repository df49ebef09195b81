"""Attack programs against the sandbox, one module per attack class."""
