"""Compare think (one agent at a time) with think_lanes (blocks of 8 in vector lanes).

Work in progress on the ``lanes`` branch: think_lanes is not yet wired into the tick loop, so
this script estimates what it would give. It runs the default benchmark world
(scripts/bench.py's overrides), times one real tick (sim.step) and, on copies of the same
state, think and think_lanes, interleaved so that the machine's state hits all three alike.
The estimated tick with lanes = measured tick − think + think_lanes.

    python scripts/bench_think_lanes.py [--agents N] [--threads K] [--reps R]
"""

import argparse
import time

import numba
import numpy as np

from alife import Simulation
from alife.kernels.mind import think
from alife.kernels.mind_lanes import lane_state_of, think_lanes
from alife.world.state import AgentState


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=10_000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--reps", type=int, default=30)
    args = parser.parse_args()
    numba.set_num_threads(args.threads)
    side = int((4 * args.agents) ** 0.5)
    n = args.agents
    sim = Simulation(None, overrides=[f"agents.initial_count={n}", f"agents.max_population={n}",
                                      f"world.width={side}", f"world.height={side}",
                                      "food.regrowth_rate=0.05", f"run.threads={args.threads}"])
    sim.step(100)
    tick, one, lanes = [], [], []
    for _ in range(args.reps):
        alive_before = sim.n_alive
        start = time.perf_counter()
        sim.step(1)
        tick.append((time.perf_counter() - start) / alive_before)
        agents, grid, p = sim.state.agents, sim.state.grid, sim.params
        living = np.flatnonzero(agents.alive)
        copy = AgentState(*[a.copy() for a in agents])
        start = time.perf_counter()
        think(living, copy, grid, p, sim.feature_map)
        one.append((time.perf_counter() - start) / len(living))
        copy = AgentState(*[a.copy() for a in agents])
        state = lane_state_of(copy, p)
        start = time.perf_counter()
        think_lanes(np.unique(living >> 3), copy, state, grid, p, sim.feature_map)
        lanes.append((time.perf_counter() - start) / len(living))
    t, o, l_ = (np.median(v) * 1e9 for v in (tick, one, lanes))
    print(f"{n:,} agents, {args.threads} threads, medians of {args.reps} ticks (ns per agent-step):")
    print(f"  tick {t:.0f} = think {o:.0f} + rest {t - o:.0f}  -> {1e3 / t:.2f} M agent-steps/s")
    print(f"  think_lanes {l_:.0f} ({o / l_:.2f}x)  -> tick ~{t - o + l_:.0f}, "
          f"~{1e3 / (t - o + l_):.2f} M agent-steps/s")


if __name__ == "__main__":
    main()
