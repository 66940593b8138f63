"""scripts/profile_think.py places its probes by matching lines of mind.py: keep them in step."""

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "profile_think.py"


def test_the_profiler_finds_every_probe_line_in_think():
    spec = importlib.util.spec_from_file_location("profile_think", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    think = module.probed_think()  # exits naming the line if one is missing; compiles lazily
    assert think.py_func.__code__.co_argcount == 6  # the cycles array was added
    assert "rdtsc" in think.py_func.__code__.co_names
