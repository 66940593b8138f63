"""Numba step kernels: arrays and scalars in, no I/O, ``cache=True`` everywhere.

``tick.run_ticks`` runs a batch of ticks entirely in compiled code; the other modules hold
the per-agent and per-cell pieces it calls.
"""
