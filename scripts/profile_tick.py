"""Where a tick's time goes, kernel by kernel, at one thread and at K threads on the same world.

Usage (from the repository root)::

    python scripts/profile_tick.py                        # the matched work, 1 and 2 threads
    python scripts/profile_tick.py --agents 10000 --threads 2 --ticks 1000

Builds the benchmark's world (``scripts/bench.py``; the matched work by default: 3000 agents on
128x128, population held at 3000) and compiles ``probed_ticks``: ``alife.kernels.tick.
run_ticks`` made from its own source, with a time-stamp probe (``rdtsc``) before and after
each statement that calls one of the tick's kernels (PHASES). Since it is rebuilt from the
source each time, it runs what ``run_ticks`` runs. The same world then steps in alternating
batches at 1 thread and at K threads, so both see the same population in the same minutes.

Prints microseconds per tick for each kernel and for everything else (the alive-slot scan,
food regrowth, counters), at both thread counts, with each one's speed-up, and the bound
that the 1-thread time of the phases that stay on one thread sets on the whole tick's
speed-up (Amdahl). The probes cost ~30 cycles each: compare phases with each other and thread
counts with each other, not these totals with ``bench.py``.
"""

from __future__ import annotations

import argparse
import ast
import inspect
import sys
import textwrap
import time
from pathlib import Path

import numba
import numpy as np
from numba import njit

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import MATCHED_AGENTS, MATCHED_SIDE, bench_overrides  # noqa: E402
from profile_think import rdtsc  # noqa: E402

import alife.kernels.tick as tick  # noqa: E402
from alife import Simulation  # noqa: E402
from alife.kernels.move import PARALLEL_FROM  # noqa: E402

# the kernels run_ticks calls, timed one by one; the rest of the tick is counted as OTHER
PHASES = ("think", "move_and_eat", "tally", "record_deaths", "reproduce")
OTHER = "everything else"
# phases that run on one thread (move_and_eat only below move.PARALLEL_FROM living agents)
SERIAL = ("move_and_eat", "tally", "record_deaths", "reproduce", OTHER)


@njit
def counter_now():
    return rdtsc()


def counter_per_microsecond(seconds: float = 0.2) -> float:
    """The time-stamp counter's rate, against the wall clock (it ticks at a constant rate on
    CPUs with an invariant TSC, as any recent x86 has)."""
    counter_now()  # compile first
    wall, count = time.perf_counter(), counter_now()
    time.sleep(seconds)
    return (counter_now() - count) / ((time.perf_counter() - wall) * 1e6)


@njit(inline="always")
def lap(laps, column, last):
    """Add the counter ticks since ``last`` to laps[column]; return the counter now."""
    now = rdtsc()
    laps[column] += now - last
    return now


def _called(statement: ast.stmt) -> str | None:
    """The phase a statement calls, if any."""
    for node in ast.walk(statement):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id in PHASES:
                return node.func.id
    return None


def _lap_statement(column: int) -> ast.stmt:
    return ast.parse(f"_last = lap(laps, {column}, _last)").body[0]


def probed_source() -> str:
    """run_ticks's source with probes: laps int64 (len(PHASES) + 1,), counter ticks summed,
    is a new last argument.

    Inside the tick loop, the time up to each statement that calls a phase goes to OTHER
    (column len(PHASES)), the statement's own time to that phase's column; the tail of the
    loop body goes to OTHER.
    """
    tree = ast.parse(textwrap.dedent(inspect.getsource(tick.run_ticks.py_func)))
    function = tree.body[0]
    function.decorator_list = []
    function.name = "probed_ticks"
    function.args.args.append(ast.arg(arg="laps"))
    loops = [node for node in function.body if isinstance(node, ast.While)]
    if len(loops) != 1:
        raise RuntimeError("run_ticks no longer has one tick loop: update profile_tick.py")
    loop = loops[0]
    other = len(PHASES)
    body = [ast.parse("_last = rdtsc()").body[0]]
    found = []
    for statement in loop.body:
        phase = _called(statement)
        if phase is None:
            body.append(statement)
            continue
        found.append(phase)
        body += [_lap_statement(other), statement, _lap_statement(PHASES.index(phase))]
    body.append(_lap_statement(other))
    if sorted(found) != sorted(PHASES):
        raise RuntimeError(f"run_ticks calls {found}, not the phases {PHASES}: update "
                           "profile_tick.py")
    loop.body = body
    return ast.unparse(ast.fix_missing_locations(tree))


def compile_probed():
    """probed_ticks, jitted in the namespace of alife.kernels.tick."""
    namespace = dict(vars(tick))
    namespace.update(rdtsc=rdtsc, lap=lap)
    exec(compile(probed_source(), "<probed run_ticks>", "exec"), namespace)
    return njit(namespace["probed_ticks"])


def measure(sim: Simulation, probed, thread_counts: tuple[int, ...], ticks: int,
            batch: int) -> dict[int, np.ndarray]:
    """Step ``sim`` in alternating batches at each thread count until each has ``ticks`` ticks.

    Returns {threads: microseconds per tick, float64 (len(PHASES) + 1,)}.
    """
    laps = {k: np.zeros(len(PHASES) + 1, np.int64) for k in thread_counts}
    done = dict.fromkeys(thread_counts, 0)
    while min(done.values()) < ticks:
        for k in (k for k in thread_counts if done[k] < ticks):
            numba.set_num_threads(k)
            n = probed(*sim.tick_arguments(), min(batch, ticks - done[k]), laps[k])
            done[k] += n
            if n == 0:  # storage or the death log needs room, or extinct: let step decide
                if sim.step(1) == 0:
                    raise SystemExit("the population died out; try more food or agents")
    rate = counter_per_microsecond()
    return {k: laps[k] / rate / done[k] for k in thread_counts}


def report(per_tick: dict[int, np.ndarray], threads: int, agents: int) -> str:
    """The table of microseconds per tick (see the module docstring)."""
    names = (*PHASES, OTHER)
    one, many = per_tick[1], per_tick[threads]
    lines = [f"{'phase':18s} {'1 thread':>10s} {f'{threads} threads':>10s} {'speed-up':>9s}"
             f" {'share at 1':>10s}"]
    for k, name in enumerate(names):
        speedup = one[k] / many[k] if many[k] > 0 else float("nan")
        lines.append(f"{name:18s} {one[k]:10.1f} {many[k]:10.1f} {speedup:8.2f}x"
                     f" {100 * one[k] / one.sum():9.1f}%")
    lines.append(f"{'tick':18s} {one.sum():10.1f} {many.sum():10.1f} "
                 f"{one.sum() / many.sum():8.2f}x   (µs per tick, {agents:,} agents)")
    on_one = [name for name in SERIAL if name != "move_and_eat" or agents < PARALLEL_FROM]
    serial = sum(one[names.index(name)] for name in on_one)
    bound = one.sum() / (serial + (one.sum() - serial) / threads)
    lines.append(f"Amdahl: {100 * serial / one.sum():.1f}% of the 1-thread tick runs on one "
                 f"thread ({', '.join(on_one)}), so {threads} threads give at most "
                 f"{bound:.2f}x even if think scaled perfectly")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", type=int, default=None,
                        help="bench.py's world for N agents (default: the matched work)")
    parser.add_argument("--threads", type=int, default=2, help="compared with 1 thread")
    parser.add_argument("--ticks", type=int, default=1000, help="measured ticks per thread count")
    parser.add_argument("--batch", type=int, default=50, help="ticks per alternating batch")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--set", dest="overrides", action="append", default=[],
                        metavar="KEY=VALUE", help="config override (repeatable)")
    args = parser.parse_args(argv)
    agents = args.agents or MATCHED_AGENTS
    overrides = bench_overrides(agents)
    if args.agents is None:
        overrides += [f"world.width={MATCHED_SIDE}", f"world.height={MATCHED_SIDE}"]
    sim = Simulation(overrides=[*overrides, *args.overrides], seed=args.seed)
    print(f"compiling the probed tick and warming up ({agents:,} agents)…", flush=True)
    probed = compile_probed()
    sim.step(100)
    measure(sim, probed, (1, args.threads), 20, 10)  # compile and warm both thread counts
    per_tick = measure(sim, probed, (1, args.threads), args.ticks, args.batch)
    print(report(per_tick, args.threads, agents))


if __name__ == "__main__":
    main()
