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
