"""scripts/profile_think.py probes the phases of think: it must call the same ones, in order."""

import ast
import importlib.util
import inspect
from pathlib import Path

from alife.kernels import mind

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "profile_think.py"


def _calls(function) -> list[str]:
    """Names of the functions called at the top level of ``function``'s body, in order."""
    body = ast.parse(inspect.getsource(function)).body[0].body
    names = []
    for statement in body:
        for node in ast.walk(statement):
            if isinstance(node, ast.Call):
                func = node.func
                names.append(func.attr if isinstance(func, ast.Attribute) else func.id)
    return names


def test_the_profiler_probes_the_phases_of_think_block():
    spec = importlib.util.spec_from_file_location("profile_think", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    phases = [name for name in _calls(mind.think_block.py_func) if name in module.PHASES]
    assert phases == list(module.PHASES)
    probed = [name for name in _calls(module.probed_block.py_func) if name in module.PHASES]
    assert probed == list(module.PHASES)
    others = {"select8", "splat8", "lap", "rdtsc"}
    assert set(_calls(mind.think_block.py_func)) - set(module.PHASES) <= others


def test_the_tick_profiler_steps_the_world_as_run_ticks_does():
    """scripts/profile_tick.py rebuilds run_ticks from its source with probes: the probed loop
    must leave the same world as the real one, and time each of the tick's kernels."""
    import numba
    import numpy as np

    from alife import Simulation
    from tests.conftest import assert_same_state, tiny_config

    spec = importlib.util.spec_from_file_location("profile_tick", SCRIPT.with_name(
        "profile_tick.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    probed = module.compile_probed()
    config = tiny_config(run={"threads": 1}, agents={"initial_count": 60, "max_population": 60})
    real, profiled = Simulation(config, seed=4), Simulation(config, seed=4)
    real.step(30)
    numba.set_num_threads(1)
    laps = np.zeros(len(module.PHASES) + 1, np.int64)
    assert probed(*profiled.tick_arguments(), 30, laps) == 30
    assert_same_state(real, profiled)
    timed = dict(zip(module.PHASES, laps))
    assert all(timed[name] > 0 for name in ("think", "move_and_eat", "tally", "reproduce"))
    assert laps[-1] > 0  # everything else: the alive-slot scan, regrowth, counters
