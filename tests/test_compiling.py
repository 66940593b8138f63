"""The compile message: said at once on a cold cache, then with the time spent; alife warmup."""

import threading

from alife.cli import main
from alife.runners import compiling


class SlowCompile:
    """A simulation whose compile lasts until the status line has been said once."""

    def __init__(self):
        self.reported = threading.Event()

    def compile(self):
        assert self.reported.wait(30), "no 'still compiling' line came"


def test_a_cold_compile_is_announced_and_its_progress_reported(monkeypatch):
    monkeypatch.setattr(compiling, "kernels_cached", lambda: False)
    sim, said = SlowCompile(), []

    def log(message):
        said.append(message)
        if "still compiling" in message:
            sim.reported.set()

    compiling.compile_kernels(sim, log, every=0.01)
    assert said[0].startswith("compiling kernels: first run only") and "alife warmup" in said[0]
    assert any("still compiling (" in m and " s)" in m for m in said[1:-1])
    assert said[-1].startswith("kernels compiled in ")


def test_a_warm_cache_compiles_silently(monkeypatch):
    monkeypatch.setattr(compiling, "kernels_cached", lambda: True)
    said = []

    class Quick:
        def compile(self):
            said.append("compiled")

    compiling.compile_kernels(Quick(), said.append)
    assert said == ["compiled"]


def test_warmup_compiles_what_runs_use(capsys):
    assert main(["warmup"]) == 0
    assert "kernels ready" in capsys.readouterr().out
