"""World state (typed containers of numpy arrays) and its seeded construction."""
