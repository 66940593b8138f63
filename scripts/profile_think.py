"""Where the time of ``think`` goes: CPU cycles per agent in each of its parts, in a real run.

Usage (from the repository root)::

    python scripts/profile_think.py                    # 10k agents, 2 threads, 20 ticks
    python scripts/profile_think.py --agents 1000 --threads 1 --ticks 40

Builds the benchmark's world (``scripts/bench.py``: N agents held near N on a √(4N)-sided
grid), then compiles a copy of ``alife.kernels.mind.think`` (blocks of 8 agents in vector
lanes; a part's cycles are per agent, its block's eighth) with a cycle-counter probe
(``llvm.readcyclecounter``, i.e. ``rdtsc``) between its parts. Each measured tick steps the
simulation once (so the other phases run in between, as in a real run) and then calls the
probed ``think`` on the live state. Prints cycles per agent for each part, summed over the
threads (so with 2 threads the total is CPU time, not wall time), and the wall time per agent.

The probes cost ~30 cycles each and hold back the CPU's overlapping of neighbouring parts a
little: compare parts with each other and runs with runs, not with ``bench.py``. The copy is
compiled without numba's cache (~1 min). The probes are placed by matching lines of
``mind.py``: after an edit there, update ``PROBES`` below (the script says which line it
could not find).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import alife.kernels.mind as mind  # noqa: E402
from alife import Simulation  # noqa: E402


@intrinsic
def rdtsc(typingctx):
    """The CPU's time-stamp counter (cycles at the nominal clock), int64."""
    def codegen(context, builder, signature, args):
        fnty = ir.FunctionType(ir.IntType(64), [])
        fn = cgutils.get_or_insert_function(builder.module, fnty, "llvm.readcyclecounter")
        return builder.call(fn, [])
    return types.int64(), codegen


# (a line of mind.think, the part that ends there): a probe goes in before each line
PROBES = [
    ("            # --- per lane: senses", "prefetch next block"),
    ("            live = gt8(live_flag, zero)", "sense (per lane)"),
    ("            curiosity_weight = load8(traits", "features"),
    ("            # --- learn from what the last action", "couplings"),
    ("            fetch_block(mem_x, ahead)", "learn"),
    ("            if p.affect_on:  # a config switch", "remember, drives"),
    ("            # --- per lane: the traces and outputs", "affect"),
    ("            fetch_block(err_fast, ahead)", "traces, replay (per lane)"),
    ("            best = splat8(-np.inf)", "couplings, imagine"),
    ("            inv_t = div8(one, temperature)", "scores"),
]
LOOP_START = "        for j in range(start, stop):\n"
LOOP_END = ("                store_where(prev_features, row8(b, m, n_inputs), live,\n"
            "                            load8(features, row8(b, m, n_inputs)))\n")


def probed_think():
    """A copy of think(blocks, agents, grid, p, feature_map, cycles) that adds the cycles of
    each part to cycles int64 (chunks, parts)."""
    src = Path(mind.__file__).read_text().replace("cache=True, ", "")
    for line in [LOOP_START, LOOP_END] + [line for line, _ in PROBES]:
        if line not in src:
            sys.exit(f"profile_think: line not found in {mind.__file__}: {line.strip()!r}")

    def probe(column, indent):
        return f"{indent}_now = rdtsc(); cycles[t, {column}] += _now - _last; _last = _now\n"

    for column, (line, _) in enumerate(PROBES, start=1):
        src = src.replace(line, probe(column, line[:len(line) - len(line.lstrip())]) + line, 1)
    src = src.replace(LOOP_START, "        _last = rdtsc()\n" + LOOP_START + probe(0, " " * 12))
    src = src.replace(LOOP_END, LOOP_END + probe(len(PROBES) + 1, " " * 12))
    src = src.replace("def think(blocks, agents, grid, p, feature_map):",
                      "def think(blocks, agents, grid, p, feature_map, cycles):")
    namespace = {"rdtsc": rdtsc}
    exec(compile(src, f"{mind.__file__} (probed)", "exec"), namespace)
    return namespace["think"]


def _blocks(alive: np.ndarray) -> np.ndarray:
    """The blocks of 8 slots that hold a living agent, as run_ticks lists them."""
    return np.unique(np.flatnonzero(alive) >> 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", type=int, default=10_000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--ticks", type=int, default=20, help="measured ticks")
    args = parser.parse_args()
    n = args.agents
    side = round((4 * n) ** 0.5)
    sim = Simulation(overrides=[f"agents.initial_count={n}", f"agents.max_population={n}",
                                f"world.width={side}", f"world.height={side}",
                                "food.regrowth_rate=0.05", f"run.threads={args.threads}"])
    names = ["loop"] + [name for _, name in PROBES] + ["softmax, draw, bookkeeping"]
    cycles = np.zeros((mind._CHUNKS, len(names)), np.int64)
    think = probed_think()
    print(f"compiling the probed think and warming up ({n:,} agents, {args.threads} threads)…",
          flush=True)
    sim.step(30)
    state = sim.state
    think(_blocks(state.agents.alive), state.agents, state.grid, sim.params, sim.feature_map,
          cycles)
    cycles[:] = 0
    agents_seen = 0
    wall = 0.0
    for _ in range(args.ticks):
        sim.step(1)  # sets the thread count too
        start = time.perf_counter()
        think(_blocks(state.agents.alive), state.agents, state.grid, sim.params,
              sim.feature_map, cycles)
        wall += time.perf_counter() - start
        agents_seen += int(state.agents.alive.sum())
    per_agent = cycles.sum(axis=0) / agents_seen
    print(f"think: {wall / agents_seen * 1e9:.0f} ns wall per agent; CPU cycles per agent:")
    for name, value in zip(names, per_agent):
        print(f"  {name:20s} {value:7.0f}  {100 * value / per_agent.sum():4.1f} %")
    print(f"  {'total':20s} {per_agent.sum():7.0f}")


if __name__ == "__main__":
    main()
