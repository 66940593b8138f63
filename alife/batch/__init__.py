"""Headless batches: parameter sweeps on a process pool or a Dask cluster.

- ``spec``: the sweep file (base config, grid / cases, seeds, command) → planned runs
- ``seeds``: per-run seeds and ids, derived reproducibly
- ``commands``: what one run does (command name → function), e.g. ``run``
- ``worker``: one run in a worker process, recorded even when it fails
- ``executors``: process pool or Dask, behind ``concurrent.futures.Executor``
- ``results``: results.csv and the long per-tick metrics table
- ``sweep``: the whole thing (``run_sweep``); ``cli``: ``alife sweep``

Dask is imported only when a scheduler is asked for.
"""

from alife.batch.spec import Sweep, SweepError, load_sweep
from alife.batch.sweep import SweepOutcome, run_sweep

__all__ = ["Sweep", "SweepError", "SweepOutcome", "load_sweep", "run_sweep"]
