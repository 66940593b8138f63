"""Compiling the kernels: on a cold cache on two cores, with an honest message.

numba compiles on one core, and the tick's kernels take about a minute (scripts/
bench_compile.py). Two things make that wait shorter and say what it is:

- **Two processes.** ``mind.think``, most of the time, compiles in a helper process while
  this one builds the world and compiles the tick's other big kernels
  (``tick.callee_signatures``); both write numba's disk cache, where compiling ``run_ticks``
  then finds them. A runner calls :func:`start_compiling` with the config before it builds
  the world, and :func:`compile_kernels` once it has it. With one core everything compiles
  here, one kernel after the other. Either way each kernel is the same compile of the same
  source, and results do not change.
- **A message** at once, then every 10 s with the time spent and what is compiling.

Run as ``python -m alife.runners.compiling`` it is the helper: it reads a pickled list of
(module, kernel name, signature) on stdin and compiles each into the cache.
"""

from __future__ import annotations

import atexit
import importlib
import os
import pickle
import subprocess
import sys
import threading
import time
from collections.abc import Callable

from numba.core import event

from alife.kernels.tick import callee_signatures, kernels_cached

REPORT_EVERY = 10.0  # seconds between two "still compiling" lines
_early: _Helper | None = None  # started by start_compiling, taken by the next compile_ahead


def start_compiling(config) -> None:
    """On a cold cache with two cores or more, start compiling the heaviest kernel in a
    helper process now, before the world is built (its types do not depend on the world's
    size or contents); the next :func:`compile_kernels` takes it over. Does nothing otherwise."""
    global _early
    if _early is not None or kernels_cached() or _cores() < 2:
        return
    try:
        calls = callee_signatures(*_stand_in(config).tick_arguments())
    except Exception:  # only a head start: the run itself reports what is wrong, if anything
        return
    _early = _start_helper(calls[:1])
    atexit.register(_stop_early)  # a run that ends before its compile leaves nothing running


def _stop_early() -> None:
    global _early
    if _early is not None:
        _early.stop()
        _early = None


def compile_kernels(sim, log: Callable[[str], None], every: float = REPORT_EVERY) -> float:
    """Compile (or load from numba's cache) the kernels ``sim`` runs; returns the seconds it
    took. On a cold cache, say so at once and then every ``every`` seconds with the time spent
    and the kernels compiling."""
    started = time.perf_counter()
    if kernels_cached():
        sim.compile()
        return time.perf_counter() - started
    log("compiling kernels: first run only, about a minute (more on a busy machine or with "
        "one core), cached on disk after that (`alife warmup` compiles ahead)…")
    watch = _Watch()
    done = threading.Event()

    def report() -> None:
        while not done.wait(every):
            log(f"  … still compiling ({time.perf_counter() - started:.0f} s): {watch.now()}")

    reporter = threading.Thread(target=report, name="compile-status", daemon=True)
    reporter.start()
    try:
        with event.install_listener("numba:compile", watch):
            compile_ahead(sim, watch)
            sim.compile()
    finally:
        done.set()
        reporter.join()
    seconds = time.perf_counter() - started
    log(f"kernels compiled in {seconds:.0f} s")
    return seconds


def compile_for(config, log: Callable[[str], None]) -> float:
    """Compile the kernels for runs of ``config``'s kind without building its world (a
    stand-in world of the same types), or do nothing when numba's cache holds them; returns
    the seconds it took. E.g. once in a sweep's own process, before its pool's workers
    start: they then load the kernels instead of each compiling them."""
    if kernels_cached():
        return 0.0
    return compile_kernels(_stand_in(config), log)


def _stand_in(config):
    """A Simulation of ``config``'s kind around a world without agents (``empty_state``): the
    kernels' types, without building the real world."""
    from alife.sim import Simulation
    from alife.world.init import empty_state

    return Simulation(config, state=empty_state(config))


def compile_ahead(sim, watch: _Watch | None = None) -> None:
    """Compile ``run_ticks``'s big kernels before it, into numba's cache: the heaviest in a
    helper process when this machine has two cores or more, the others here meanwhile. A
    helper that fails costs only time (``run_ticks`` then compiles that kernel itself)."""
    arguments = getattr(sim, "tick_arguments", None)
    if arguments is None:  # not a Simulation (a stand-in): nothing to compile ahead
        return
    global _early
    calls = callee_signatures(*arguments())
    helper, _early = _early, None
    if helper is None and _cores() >= 2:
        helper = _start_helper(calls[:1])
    if helper is not None:
        calls = calls[1:]
        if watch is not None:
            watch.helper = helper
    try:
        for kernel, signature in calls:
            kernel.compile(signature)
        if helper is not None:
            helper.wait()
    finally:
        if helper is not None:
            helper.stop()  # when this process was stopped before it ended


class _Helper:
    """A helper process compiling ``kernels`` (names) into numba's disk cache."""

    def __init__(self, process: subprocess.Popen, kernels: list[str]):
        self.process, self.kernels = process, kernels

    @property
    def running(self) -> bool:
        return self.process.poll() is None

    def wait(self) -> None:
        self.process.communicate()

    def stop(self) -> None:
        if self.running:
            self.process.kill()
            self.process.wait()


def _start_helper(calls: list[tuple]) -> _Helper | None:
    """A helper process compiling ``calls`` [(dispatcher, signature)], or None if it cannot
    start (the kernels then compile here)."""
    work = [(k.py_func.__module__, k.py_func.__name__, signature) for k, signature in calls]
    try:
        process = subprocess.Popen([sys.executable, "-m", "alife.runners.compiling"],
                                   stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        process.stdin.write(pickle.dumps(work))
        process.stdin.close()
    except OSError:
        return None
    return _Helper(process, [_name(k) for k, _ in calls])


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _name(dispatcher) -> str:
    """``mind.think`` for alife.kernels.mind.think."""
    func = dispatcher.py_func
    return f"{func.__module__.removeprefix('alife.kernels.')}.{func.__qualname__}"


class _Watch(event.Listener):
    """What is compiling now: the kernels numba is compiling in this process (outermost
    first), and the helper's while it runs."""

    def __init__(self) -> None:
        self.stack: list[str] = []
        self.helper: _Helper | None = None

    def on_start(self, ev) -> None:
        self.stack.append(_name(ev.data["dispatcher"]))

    def on_end(self, ev) -> None:
        if self.stack:
            self.stack.pop()

    def now(self) -> str:
        parts = []
        if self.stack:  # the outermost kernel, and the innermost of ours inside it
            inner = [name for name in self.stack[1:] if not name.startswith("numba.")]
            parts.append(self.stack[0] + (f" ({inner[-1]})" if inner else ""))
        if self.helper is not None and self.helper.running:
            parts.append(f"{', '.join(self.helper.kernels)} in a second process")
        return "; ".join(parts) or "loading"


def _helper_main() -> None:
    for module, name, signature in pickle.load(sys.stdin.buffer):
        getattr(importlib.import_module(module), name).compile(signature)


if __name__ == "__main__":
    _helper_main()
