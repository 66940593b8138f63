"""Where the time of ``think`` goes: CPU cycles per agent in each of its phases, in a real run.

Usage (from the repository root)::

    python scripts/profile_think.py                    # 10k agents, 2 threads, 20 ticks
    python scripts/profile_think.py --agents 1000 --threads 1 --ticks 40

Builds the benchmark's world (``scripts/bench.py``: N agents held near N on a √(4N)-sided
grid), then compiles ``probed_think``: ``alife.kernels.mind.think`` with a cycle-counter probe
(``llvm.readcyclecounter``, i.e. ``rdtsc``) after each of the named phases that
``mind.think_block`` calls (blocks of 8 agents in vector lanes; a phase's cycles are per
agent, its block's eighth). Each measured tick steps the simulation once (so the other
phases of the tick run in between, as in a real run) and then calls the probed ``think`` on
the live state. Prints cycles per agent for each phase, summed over the threads (so with 2
threads the total is CPU time, not wall time), and the wall time per agent.

The probes cost ~30 cycles each and hold back the CPU's overlapping of neighbouring phases a
little: compare phases with each other and runs with runs, not with ``bench.py``.
``probed_block`` calls the phases as ``think_block`` does; tests/kernels/test_profile_script.py
checks that the two call the same phases in the same order.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from llvmlite import ir
from numba import njit, prange, types
from numba.core import cgutils
from numba.extending import intrinsic

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import alife.kernels.mind as mind  # noqa: E402
from alife import Simulation  # noqa: E402
from alife.kernels.learner import padded_rows  # noqa: E402
from alife.kernels.simd import select8, splat8  # noqa: E402


@intrinsic
def rdtsc(typingctx):
    """The CPU's time-stamp counter (cycles at the nominal clock), int64."""
    def codegen(context, builder, signature, args):
        fnty = ir.FunctionType(ir.IntType(64), [])
        fn = cgutils.get_or_insert_function(builder.module, fnty, "llvm.readcyclecounter")
        return builder.call(fn, [])
    return types.int64(), codegen


PHASES = ("fetch_learned", "sense_block", "compute_features8", "couplings8", "learn8",
          "fetch_memory", "remember8", "feel8", "report_and_replay", "fetch_choice", "choose8")


@njit(inline="always")
def lap(cycles, t, column, last):
    """Add the cycles since ``last`` to cycles[t, column]; return the counter now."""
    now = rdtsc()
    cycles[t, column] += now - last
    return now


@njit
def probed_block(b, ahead, agents, grid, p, f_col, f_weight, work, cycles, t):
    """mind.think_block with a probe after each phase (columns in the order of PHASES)."""
    last = rdtsc()
    mind.fetch_learned(agents, ahead)
    last = lap(cycles, t, 0, last)
    (live, learned, action, gain, crowding, last_reward, last_surprise,
     rate) = mind.sense_block(b, agents, grid, p)
    last = lap(cycles, t, 1, last)
    mind.compute_features8(b, agents, f_col, f_weight, live)
    last = lap(cycles, t, 2, last)
    model_lr, value_lr, energy_weight, boldness, temperature = mind.couplings8(b, agents, p)
    last = lap(cycles, t, 3, last)
    surprise, progress, reward = mind.learn8(b, ahead, agents, p, learned, action, gain,
                                             last_surprise, rate, model_lr, value_lr,
                                             energy_weight, boldness, work)
    last = lap(cycles, t, 4, last)
    mind.fetch_memory(agents, ahead)
    last = lap(cycles, t, 5, last)
    weight = mind.remember8(b, agents, learned, action, surprise)
    last = lap(cycles, t, 6, last)
    mind.feel8(b, agents, p, learned, surprise, gain, reward, last_reward, crowding, progress,
               rate, work, grid.deal.shape[0])
    last = lap(cycles, t, 7, last)
    mind.report_and_replay(b, agents, p, surprise, progress, reward, weight, model_lr, work)
    last = lap(cycles, t, 8, last)
    mind.fetch_choice(agents, ahead)
    last = lap(cycles, t, 9, last)
    mind.choose8(b, agents, p, live, select8(learned, surprise, splat8(0.0)), energy_weight,
                 boldness, temperature, work)
    lap(cycles, t, 10, last)


@njit(parallel=True)
def probed_think(blocks, agents, grid, p, feature_map, cycles):
    """mind.think calling probed_block; cycles int64 (chunks, len(PHASES)) accumulates."""
    n_blocks = blocks.shape[0]
    f_col, f_weight = padded_rows(feature_map)
    scratch = mind.chunk_scratch(agents)
    n_chunks = max(1, min(n_blocks, mind._CHUNKS))
    for t in prange(n_chunks):
        start = t * n_blocks // n_chunks
        stop = (t + 1) * n_blocks // n_chunks
        for j in range(start, stop):
            ahead = blocks[j + 1] if j + 1 < stop else blocks[j]
            probed_block(blocks[j], ahead, agents, grid, p, f_col, f_weight, scratch[t],
                         cycles, t)


def _blocks(alive: np.ndarray) -> np.ndarray:
    """The blocks of 8 slots that hold a living agent, as run_ticks lists them."""
    return np.unique(np.flatnonzero(alive) >> 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", type=int, default=10_000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--ticks", type=int, default=20, help="measured ticks")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="config override, e.g. --set food.kinds=2 (repeatable)")
    args = parser.parse_args()
    n = args.agents
    side = round((4 * n) ** 0.5)
    sim = Simulation(overrides=[f"agents.initial_count={n}", f"agents.max_population={n}",
                                f"world.width={side}", f"world.height={side}",
                                "food.regrowth_rate=0.05", f"run.threads={args.threads}",
                                *args.overrides])
    names = PHASES
    cycles = np.zeros((mind._CHUNKS, len(names)), np.int64)
    think = probed_think
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
