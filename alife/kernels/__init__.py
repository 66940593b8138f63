"""Numba step kernels: arrays and scalars in, no I/O, ``cache=True`` everywhere.

``tick.run_ticks`` runs a batch of ticks entirely in compiled code; the other modules hold
the per-agent and per-cell pieces it calls.
"""

import os

# Idle OpenMP threads sleep at once instead of spinning. Spinning buys ~5 % on an idle machine
# but made runs up to 17x slower when another process shared the cores (measured on 2 cores).
# Set here, before numba starts its thread pool; a user's own setting wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
