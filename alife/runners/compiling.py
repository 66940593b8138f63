"""Compiling the kernels with an honest message: on a cold cache numba compiles for about
65 s (one core; scripts/bench_compile.py), and a silent minute looks like a hang."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from alife.kernels.tick import kernels_cached

REPORT_EVERY = 10.0  # seconds between two "still compiling" lines


def compile_kernels(sim, log: Callable[[str], None], every: float = REPORT_EVERY) -> float:
    """Compile (or load from numba's cache) the kernels ``sim`` runs; returns the seconds it
    took. On a cold cache, say so at once and then every ``every`` seconds with the time spent."""
    started = time.perf_counter()
    if kernels_cached():
        sim.compile()
        return time.perf_counter() - started
    log("compiling kernels: first run only, about 65 s (more on a busy machine), cached on "
        "disk after that (`alife warmup` compiles ahead)…")
    done = threading.Event()

    def report() -> None:
        while not done.wait(every):
            log(f"  … still compiling ({time.perf_counter() - started:.0f} s)")

    reporter = threading.Thread(target=report, name="compile-status", daemon=True)
    reporter.start()
    try:
        sim.compile()
    finally:
        done.set()
        reporter.join()
    seconds = time.perf_counter() - started
    log(f"kernels compiled in {seconds:.0f} s")
    return seconds
