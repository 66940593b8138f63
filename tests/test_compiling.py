"""The compile message: said at once on a cold cache, then with the time spent; alife warmup."""

import hashlib
import json
import os
import subprocess
import sys
import threading

import pytest

from alife import Simulation, load_config
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


COLD_RUN = r"""
import hashlib, json, os, sys
from numba.core import event

compiled = []


class Recorder(event.Listener):
    def on_start(self, ev):
        func = ev.data["dispatcher"].py_func
        compiled.append(f"{func.__module__}.{func.__qualname__}")

    def on_end(self, ev):
        pass


event.register("numba:compile", Recorder())
from alife import Simulation, load_config
from alife.runners.compiling import compile_kernels, start_compiling

config = load_config(json.loads(sys.argv[1]))
start_compiling(config)  # as the runners do
sim = Simulation(config)
said = []
compile_kernels(sim, said.append, every=5.0)
sim.step(int(sys.argv[2]))
digest = hashlib.sha256()
for array in (*sim.state.grid, *sim.state.agents, sim.state.counters):
    digest.update(array.tobytes())
print(json.dumps({"compiled": compiled, "said": said, "digest": digest.hexdigest(),
                  "cores": len(os.sched_getaffinity(0))}))
"""

BIG_CALLEES = ("alife.kernels.mind.think", "alife.kernels.life.reproduce",
               "alife.kernels.move.move_and_eat", "alife.kernels.tick.record_deaths",
               "alife.kernels.life.tally")


@pytest.mark.slow
def test_a_cold_compile_on_two_processes_runs_the_same_world(tmp_path):
    """A first run on an empty cache (think compiled in a helper process, the other big
    kernels here, run_ticks finding both in the cache) steps exactly as warm kernels do, and
    compiles none of run_ticks's big kernels twice."""
    config = {"world": {"width": 20, "height": 20, "noise_cover": 0.1, "hazard_cover": 0.1},
              "food": {"kinds": 2, "kind_values": [1.0, -1.0]}, "agents": {"initial_count": 40},
              "seed": 5}
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "cache"))
    proc = subprocess.run([sys.executable, "-c", COLD_RUN, json.dumps(config), "25"], env=env,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    cold = json.loads(proc.stdout.strip().splitlines()[-1])
    assert cold["said"][0].startswith("compiling kernels") and "compiled in" in cold["said"][-1]
    for kernel in BIG_CALLEES:
        assert cold["compiled"].count(kernel) <= 1, kernel  # types matched run_ticks's calls
    assert "alife.kernels.tick.run_ticks" in cold["compiled"]
    if cold["cores"] >= 2:
        assert "alife.kernels.mind.think" not in cold["compiled"]  # the helper's

    warm = Simulation(load_config(config))
    warm.step(25)
    digest = hashlib.sha256()
    for array in (*warm.state.grid, *warm.state.agents, warm.state.counters):
        digest.update(array.tobytes())
    assert cold["digest"] == digest.hexdigest()


@pytest.mark.parametrize("first_call", [
    "sim.compile()",
    # the viewer's way: the first call from a worker thread
    "t = threading.Thread(target=sim.step, args=(3,)); t.start(); t.join(); assert sim.tick == 3",
])
def test_the_first_call_of_a_fresh_process_runs_the_cached_kernels(first_call):
    """run_ticks releases the GIL. Once, with one state of numba's cache (not pinned down
    since), calling it before numba's thread pool had started crashed the process (SIGSEGV),
    even for 0 ticks; Simulation.compile and .step now start the pool first. A fresh process
    runs the cached kernels from either first call."""
    Simulation({"world": {"width": 16, "height": 16}, "agents": {"initial_count": 16}}).compile()
    code = ("import threading\nfrom alife import Simulation\n"
            "sim = Simulation({'world': {'width': 16, 'height': 16}, "
            "'agents': {'initial_count': 16}})\n" + first_call + "\nprint('ran')")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 0 and "ran" in proc.stdout, proc.stderr


def test_the_compile_message_names_our_kernels_and_the_helpers():
    from types import SimpleNamespace

    from alife.kernels.life import reproduce
    from alife.kernels.mind import think
    from alife.kernels.move import move_and_eat

    def ev(dispatcher):
        return SimpleNamespace(data={"dispatcher": dispatcher})

    numba_internal = SimpleNamespace(py_func=SimpleNamespace(__module__="numba.np.arrayobj",
                                                             __qualname__="impl"))
    watch = compiling._Watch()
    assert watch.now() == "loading"
    watch.on_start(ev(reproduce))
    watch.on_start(ev(move_and_eat))
    watch.on_start(ev(numba_internal))
    assert watch.now() == "life.reproduce (move.move_and_eat)"
    watch.on_end(ev(numba_internal))
    watch.on_end(ev(move_and_eat))

    class Running:
        kernels = [compiling._name(think)]
        running = True

    watch.helper = Running()
    assert watch.now() == "life.reproduce; mind.think in a second process"


def test_the_head_start_compiles_think_and_never_stops_a_run(monkeypatch):
    from alife.kernels.mind import think
    from alife.world import init

    started = []
    monkeypatch.setattr(compiling, "kernels_cached", lambda: False)
    monkeypatch.setattr(compiling, "_cores", lambda: 2)
    monkeypatch.setattr(compiling, "_start_helper", lambda calls: started.append(calls) or None)
    config = load_config({"world": {"width": 16, "height": 16}, "agents": {"initial_count": 16}})
    compiling.start_compiling(config)
    assert [kernel for kernel, _ in started[0]] == [think]  # from a stand-in world's types
    warm = Simulation(config)
    assert started[0][0][1] == compiling.callee_signatures(*warm.tick_arguments())[0][1]

    def broken(*args, **kwargs):
        raise ValueError("a world this config cannot make")

    monkeypatch.setattr(init, "empty_state", broken)
    compiling.start_compiling(config)  # no exception: the run itself will say what is wrong
    assert len(started) == 1
