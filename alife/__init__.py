"""alife: a numba-accelerated artificial-life simulator.

The documented API::

    load_config(source=None, overrides=None) -> Config
    Simulation(config, seed=None, overrides=None)   .step(n)  .agents()  .state  .take_stats()
    run(config, out=None, progress=None) -> RunResult   (a headless run writing a run folder)
    evolve(config, out=None, progress=None) -> RunResult  (alife evolve: generations, lineage)
    resume(run_dir, steps=None, generations=None) -> RunResult  (alife resume: any run folder)
"""

import os
import sys

# numba picks its TBB threading layer first whenever a system libtbb exists, and with it
# processes leak memory per tick and spin for minutes at exit (numba issues 10225, 10556).
# OpenMP first, then numba's own workqueue: TBB only if nothing else loads. The layer never
# changes a result (the kernels are bit-identical for any thread count); the environment
# variable, when set, still decides.
_LAYERS = "omp workqueue tbb"
if "NUMBA_THREADING_LAYER_PRIORITY" not in os.environ:
    os.environ["NUMBA_THREADING_LAYER_PRIORITY"] = _LAYERS
    if "numba" in sys.modules:  # numba came first and has read its config: tell it directly
        sys.modules["numba"].config.THREADING_LAYER_PRIORITY = _LAYERS.split()

from alife.config import Config, ConfigError, config_to_yaml, load_config  # noqa: E402
from alife.sim import Simulation  # noqa: E402

__all__ = ["Config", "ConfigError", "Simulation", "config_to_yaml", "evolve", "load_config",
           "resume", "run"]
__version__ = "0.1.0"


def __getattr__(name):
    if name == "run":  # the runner pulls in tqdm and file I/O; import it only when asked
        from alife.runners.headless import run

        return run
    if name == "evolve":
        from alife.runners.evolve import evolve

        return evolve
    if name == "resume":
        from alife.runners.resume import resume

        return resume
    raise AttributeError(name)
