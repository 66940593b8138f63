"""Metrics: reducers over the state into tidy rows, and writers for them."""
