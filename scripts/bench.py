"""Benchmark the alife simulator: agent-steps per second and peak memory by population size.

Usage (from the repository root)::

    python scripts/bench.py                          # 1k, 10k and 100k agents, 5 s each
    python scripts/bench.py --quick                  # smoke test: 1k agents, 1 s
    python scripts/bench.py --agents 1000 50000 --seconds 10 --threads 2
    python scripts/bench.py --set agents.sense_radius=3 --json bench-results/r3.json
    python scripts/bench.py --build-only --agents 100000 1000000   # building the world only

For each size N the world is the default config with these overrides::

    agents.initial_count=N  agents.max_population=N      population held near N
    world.width=S  world.height=S, S = round(sqrt(4 N))   ~25 % of the cells occupied
    food.regrowth_rate=0.05                               enough food that it does not crash

Everything else (sensing, reproduction, mutation, ageing, ...) stays at the defaults, so the
measured work is that of a real run. ``--set key=value`` overrides are applied after these and
``--threads K`` is passed as ``--set run.threads=K``.

Each size runs in its own subprocess (this script re-invoked with the hidden ``--child N``
flag, which prints one JSON object on stdout), so that peak RSS is per size. The child imports
the alife of this script's repository (printed, and saved as ``alife``), whatever is installed.
It builds the simulation, times ``compile()`` (near 0 when numba's on-disk cache is warm, which
is reported too), runs a warm-up (``--warmup``, default 100 ticks), then steps in batches of
10 ticks for ``--seconds`` of wall time. ``take_stats()["agent_steps"]`` gives the exact
number of agent-steps (agents alive at the start of each tick, summed over ticks).

``--build-only`` measures only the building of the world at tick 0 (``Simulation(config)``):
the child first builds a tiny world, so that loading the compiled kernels is not counted, then
times the build (wall, user and system CPU seconds: on Linux the system time is mostly the
mapping of fresh memory) and reports the state's size (every grid and agent array) with the
peak RSS: the process's before the build, after it, and their ratio to the state. Storage that
the build does not write (what the first tick writes: senses, memories, error models) is not
resident yet, so the peak can stay below the state; the stepping table's peak RSS includes it.

Results are printed as a table and saved as JSON (``--json``, default
``bench-results/bench.json`` in the repository; ``bench-results/bench-quick.json`` with
``--quick``, ``bench-results/bench-build.json`` with ``--build-only``) together with the
machine (CPUs, platform, Python, numpy, numba) and a timestamp.
A warning follows a size whose measurement is suspect: the population drifted far from N, too
few ticks were measured, or other processes took CPU time from the numba threads.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import subprocess
import sys
import time
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

DEFAULT_SIZES = (1_000, 10_000, 100_000)
# the same work as biosim4's default run (its ini: 3000 agents on 128x128), for comparisons
MATCHED_AGENTS, MATCHED_SIDE, MATCHED_TICKS = 3000, 128, 4500
DEFAULT_SECONDS = 5.0
QUICK_SIZES = (1_000,)
QUICK_SECONDS = 1.0
WARMUP_TICKS = 100
BATCH_TICKS = 10
REGROWTH_RATE = 0.05
OCCUPANCY = 0.25
MIB = 1024.0 * 1024.0
# environment variables that change numba's threading or caching, recorded with the results
ENV_VARS = ("NUMBA_NUM_THREADS", "NUMBA_THREADING_LAYER", "NUMBA_CACHE_DIR", "NUMBA_DISABLE_JIT",
            "OMP_NUM_THREADS", "OMP_WAIT_POLICY", "GOMP_SPINCOUNT")
REPO_ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = REPO_ROOT / "bench-results"  # git-ignored
OVERRIDES_TEMPLATE = ("agents.initial_count=N", "agents.max_population=N", "world.width=S",
                      "world.height=S", f"food.regrowth_rate={REGROWTH_RATE}")


def grid_side(n_agents: int) -> int:
    """Side of the square world in which ``n_agents`` occupy ~25 % of the cells."""
    return max(1, round(math.sqrt(n_agents / OCCUPANCY)))


def bench_overrides(n_agents: int) -> list[str]:
    """The config overrides that set up a benchmark world for ``n_agents``."""
    side = grid_side(n_agents)
    return [
        f"agents.initial_count={n_agents}",
        f"agents.max_population={n_agents}",
        f"world.width={side}",
        f"world.height={side}",
        f"food.regrowth_rate={REGROWTH_RATE}",
    ]


# --------------------------------------------------------------------------------------------
# child: one size, one process


def build_world(n_agents: int, seed: int, extra: list[str]):
    """The benchmark's world of ``n_agents``: (sim, overrides, None), or (None, overrides, the
    result row naming the error) for a config that is refused."""
    from alife import ConfigError, Simulation

    overrides = bench_overrides(n_agents) + list(extra)
    try:
        return Simulation(None, seed=seed, overrides=overrides), overrides, None
    except ConfigError as err:
        return None, overrides, {"agents": n_agents, "error": f"bad config: {err}",
                                 "overrides": overrides}


def peak_rss_mib() -> float:
    """Peak resident set size of this process so far (ru_maxrss is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def world_record(sim, n_agents: int, overrides: list[str], seed: int) -> dict:
    """What both children report of the world they built (JSON-ready)."""
    import alife

    return {
        "agents": n_agents,
        "alife": str(Path(alife.__file__).resolve().parent),
        "grid": [sim.config.world.width, sim.config.world.height],
        "overrides": overrides,
        "seed": seed,
        "capacity": sim.state.capacity,
        "state_bytes": state_nbytes(sim.state),
        "config": sim.config.model_dump(mode="json"),
    }


def state_nbytes(state) -> int:
    """Bytes held by the simulation state: every grid and agent array, plus the counters."""
    arrays = [*state.grid, *state.agents, state.counters]
    return int(sum(a.nbytes for a in arrays))


def run_child(n_agents: int, seconds: float, warmup: int, seed: int, extra: list[str],
              fixed_ticks: int = 0) -> dict:
    """Build, compile, warm up and measure one simulation of ``n_agents`` for ``seconds``
    of wall time, or exactly ``fixed_ticks`` ticks when given; a JSON-ready dict."""
    rss_start = peak_rss_mib()
    # Measure this repository's alife, not an installed one: `python scripts/bench.py` puts
    # scripts/ (not the repository) first on sys.path, so an editable install of another
    # checkout would otherwise be imported.
    sys.path.insert(0, str(REPO_ROOT))
    import numba

    from alife.kernels.tick import kernels_cached
    from alife.runners.compiling import compile_kernels

    rss_imported = peak_rss_mib()

    t = time.perf_counter()
    sim, overrides, error = build_world(n_agents, seed, extra)
    if error:
        return error
    build_seconds = time.perf_counter() - t
    rss_built = peak_rss_mib()

    cache_warm = kernels_cached()  # must be asked before compile() loads or builds the kernels
    t = time.perf_counter()
    compile_kernels(sim, lambda message: None)  # a run's way: on 2+ cores in two processes
    compile_seconds = time.perf_counter() - t
    rss_compiled = peak_rss_mib()

    warmup_ticks = sim.step(warmup)
    sim.take_stats()  # discard the warm-up's totals

    ticks = 0
    batches = 0
    pop_min = pop_max = sim.n_alive
    wall0, cpu0 = time.perf_counter(), time.process_time()
    while (ticks < fixed_ticks) if fixed_ticks else (time.perf_counter() - wall0 < seconds):
        done = sim.step(min(BATCH_TICKS, fixed_ticks - ticks) if fixed_ticks else BATCH_TICKS)
        ticks += done
        batches += 1
        pop_min = min(pop_min, sim.n_alive)
        pop_max = max(pop_max, sim.n_alive)
        if sim.extinct:
            break
    wall = time.perf_counter() - wall0
    cpu = time.process_time() - cpu0
    stats = sim.take_stats()
    agent_steps = int(stats["agent_steps"])

    return {
        **world_record(sim, n_agents, overrides, seed),
        "numba_threads": numba.get_num_threads(),
        "threading_layer": numba.threading_layer(),
        "kernels_cached": cache_warm,
        "build_seconds": build_seconds,
        "compile_seconds": compile_seconds,
        "warmup_ticks": warmup_ticks,
        "seconds": wall,
        "cpu_seconds": cpu,
        "cpu_utilisation": cpu / wall if wall > 0 else 0.0,  # busy cores, ideally numba_threads
        "ticks": ticks,
        "batches": batches,
        "agent_steps": agent_steps,
        "agent_steps_per_second": agent_steps / wall if wall > 0 else 0.0,
        "ticks_per_second": ticks / wall if wall > 0 else 0.0,
        "mean_population": agent_steps / ticks if ticks else float(sim.n_alive),
        "min_population": pop_min,  # sampled after each batch
        "max_population": pop_max,
        "final_population": sim.n_alive,
        "extinct": sim.extinct,
        "final_tick": sim.tick,
        "events": {k: v for k, v in stats.items() if k != "agent_steps"},
        "state_mib": state_nbytes(sim.state) / MIB,
        "peak_rss_mib": peak_rss_mib(),
        "peak_rss_stages_mib": {
            "start": rss_start,
            "imported": rss_imported,
            "built": rss_built,
            "compiled": rss_compiled,
            "end": peak_rss_mib(),
        },
    }


def run_build_child(n_agents: int, seed: int, extra: list[str]) -> dict:
    """Build (only) one simulation of ``n_agents``: seconds, CPU and peak RSS against the
    state's size; a JSON-ready dict."""
    sys.path.insert(0, str(REPO_ROOT))  # this repository's alife (see run_child)
    from alife import Simulation

    t = time.perf_counter()  # load (or compile) the kernels the build runs: not counted
    Simulation(None, seed=seed, overrides=["agents.initial_count=16", "world.width=16",
                                           "world.height=16"])
    warmup_seconds = time.perf_counter() - t
    rss_before = peak_rss_mib()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    t = time.perf_counter()
    sim, overrides, error = build_world(n_agents, seed, extra)
    if error:
        return error
    build_seconds = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_SELF)
    state_mib = state_nbytes(sim.state) / MIB
    peak = peak_rss_mib()
    return {
        **world_record(sim, n_agents, overrides, seed),
        "warmup_seconds": warmup_seconds,
        "build_seconds": build_seconds,
        "build_user_seconds": after.ru_utime - usage.ru_utime,
        "build_system_seconds": after.ru_stime - usage.ru_stime,
        "page_faults": after.ru_minflt - usage.ru_minflt,
        "state_mib": state_mib,
        "rss_before_build_mib": rss_before,
        "peak_rss_mib": peak,
        "peak_rss_over_state": peak / state_mib,
        "build_rss_growth_over_state": (peak - rss_before) / state_mib,
    }


# --------------------------------------------------------------------------------------------
# parent: one child per size, table, JSON


def run_size(n_agents: int, args: argparse.Namespace, extra: list[str]) -> dict:
    """Run one size in a fresh interpreter and return its result (or an error record).

    The parent never imports numba or alife: Linux keeps ru_maxrss across exec, so a big parent
    would leak into the child's peak RSS.
    """
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(n_agents),
           "--seconds", str(args.seconds), "--warmup", str(args.warmup), "--seed", str(args.seed)]
    if args.ticks:
        cmd += ["--ticks", str(args.ticks)]
    if args.build_only:
        cmd += ["--build-only"]
    for item in extra:
        cmd += ["--set", item]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    try:
        result = json.loads(lines[-1]) if lines else None
    except json.JSONDecodeError:
        result = None
    if isinstance(result, dict) and ("error" in result or proc.returncode == 0):
        return result
    return {"agents": n_agents, "error": f"child exited with {proc.returncode}",
            "stderr": proc.stderr[-4000:], "stdout": proc.stdout[-4000:]}


def machine_info() -> dict:
    def pkg(name: str) -> str | None:
        try:
            return version(name)
        except PackageNotFoundError:
            return None

    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = None
    return {
        "cpu_count": os.cpu_count(),
        "cpus_usable": usable,
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor(),
        "python": platform.python_version(),
        "numpy": pkg("numpy"),
        "numba": pkg("numba"),
        "alife": pkg("alife"),
        "git_commit": git_commit(),
        "env": {k: os.environ[k] for k in ENV_VARS if k in os.environ},
    }


def git_commit() -> str | None:
    """Short commit of the working tree, with '+dirty' for uncommitted changes; None if no git."""
    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root,
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=root, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("+dirty" if dirty else "")


def result_warnings(result: dict) -> list[str]:
    """What makes a measurement suspect: extinction, a population far from N, CPU contention."""
    warnings = []
    n = result["agents"]
    if result["extinct"]:
        warnings.append(f"the population died out after {result['ticks']} measured ticks")
    elif abs(result["mean_population"] - n) > 0.1 * n or result["min_population"] < 0.5 * n:
        warnings.append(f"population drifted from {n:,}: mean {result['mean_population']:,.0f}, "
                        f"min {result['min_population']:,}")
    if result["ticks"] < 5 * BATCH_TICKS:
        warnings.append(f"only {result['ticks']} ticks measured; "
                        "raise --seconds for a steadier figure")
    if result["cpu_utilisation"] < 0.75 * result["numba_threads"]:
        warnings.append(f"{result['cpu_utilisation']:.2f} of {result['numba_threads']} cores "
                        "busy on average: other processes competed for the CPUs, "
                        "the rate is pessimistic")
    return warnings


FOOTNOTE = """
agent-steps = agents alive at the start of a tick, summed over the measured ticks.
build s = Simulation(...), including numba's first-dispatch setup.
compile s = compiling the kernels as a run does (a second process compiles mind.think on
2+ cores; the world's own kernels compile in build s), ~0 when numba's cache was warm.
cpu/wall = cores busy on average while measuring (ideally = threads)."""


def _aligned(header: tuple[str, ...], results: list[dict], row_of) -> str:
    """A right-aligned text table: one row per result, ``row_of(result)`` giving its cells (a
    size whose child failed gets a FAILED row)."""
    rows = [(f"{r['agents']:,}", "-", "FAILED") + ("-",) * (len(header) - 3) if "error" in r
            else row_of(r) for r in results]
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]
    lines = ["  ".join(h.rjust(w) for h, w in zip(header, widths)),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.rjust(w) for c, w in zip(row, widths)) for row in rows]
    return "\n".join(lines)


def format_table(results: list[dict]) -> str:
    header = ("agents", "grid", "agent-steps/s", "CPU-µs/step", "ticks/s", "mean pop", "state MiB",
              "peak RSS MiB", "build s", "compile s", "threads", "cpu/wall")

    def row(r: dict) -> tuple[str, ...]:
        w, h = r["grid"]
        compile_note = " (cached)" if r["kernels_cached"] else ""
        return (
            f"{r['agents']:,}",
            f"{w}x{h}",
            f"{r['agent_steps_per_second'] / 1e6:.2f} M/s",
            f"{1e6 * r['cpu_seconds'] / max(1, r['agent_steps']):.3f}",
            f"{r['ticks_per_second']:,.1f}",
            f"{r['mean_population']:,.0f}",
            f"{r['state_mib']:.1f}",
            f"{r['peak_rss_mib']:.1f}",
            f"{r['build_seconds']:.2f}",
            f"{r['compile_seconds']:.2f}{compile_note}",
            str(r["numba_threads"]),
            f"{r['cpu_utilisation']:.2f}",
        )

    return _aligned(header, results, row)


BUILD_FOOTNOTE = """
build s = Simulation(...) after a tiny world has loaded the kernels; user/sys = its CPU seconds
(sys: mostly mapping fresh memory). state = every grid and agent array; RSS before = the process
before the build (interpreter, numpy, numba, kernels); peak/state = peak RSS / state;
growth/state = (peak RSS - RSS before) / state. Storage the first tick writes is not resident
yet."""


def format_build_table(results: list[dict]) -> str:
    header = ("agents", "grid", "build s", "user s", "sys s", "state MiB", "RSS before MiB",
              "peak RSS MiB", "peak/state", "growth/state")

    def row(r: dict) -> tuple[str, ...]:
        w, h = r["grid"]
        return (f"{r['agents']:,}", f"{w}x{h}", f"{r['build_seconds']:.2f}",
                f"{r['build_user_seconds']:.2f}", f"{r['build_system_seconds']:.2f}",
                f"{r['state_mib']:,.1f}", f"{r['rss_before_build_mib']:,.1f}",
                f"{r['peak_rss_mib']:,.1f}", f"{r['peak_rss_over_state']:.3f}",
                f"{r['build_rss_growth_over_state']:.3f}")

    return _aligned(header, results, row)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark alife: agent-steps/s (warm) and peak RSS per population size.")
    parser.add_argument("--agents", type=int, nargs="+", default=list(DEFAULT_SIZES),
                        metavar="N", help="population sizes (default: %(default)s)")
    parser.add_argument("--seconds", type=float, default=DEFAULT_SECONDS,
                        help="measured wall time per size, after warm-up (default: %(default)s)")
    parser.add_argument("--warmup", type=int, default=WARMUP_TICKS, metavar="TICKS",
                        help="ticks run before measuring (default: %(default)s)")
    parser.add_argument("--threads", type=int, default=None, metavar="K",
                        help="numba threads, passed as --set run.threads=K "
                             "(default: the config's, 0 = all cores)")
    parser.add_argument("--seed", type=int, default=0,
                        help="simulation seed (default: %(default)s)")
    parser.add_argument("--set", dest="overrides", action="append", default=[],
                        metavar="KEY=VALUE",
                        help="extra config override, applied last (repeatable)")
    parser.add_argument("--json", type=Path, default=None, metavar="PATH",
                        help="where to save the results (default: bench-results/bench.json, "
                             "bench-results/bench-quick.json with --quick)")
    parser.add_argument("--ticks", type=int, default=None, metavar="N",
                        help="measure exactly N ticks instead of --seconds of wall time")
    parser.add_argument("--matched", action="store_true",
                        help="the work biosim4 is compared on: 3000 agents, 128x128, "
                             "max_population 3000, regrowth 0.05, 4500 ticks (add --threads 1)")
    parser.add_argument("--quick", action="store_true",
                        help=f"smoke test: {QUICK_SIZES[0]:,} agents for {QUICK_SECONDS:g} s")
    parser.add_argument("--build-only", action="store_true",
                        help="measure only building the world (seconds, CPU, peak RSS against "
                             "the state's size), no steps")
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.agents, args.seconds = list(QUICK_SIZES), QUICK_SECONDS
    if args.matched:
        args.agents, args.ticks = [MATCHED_AGENTS], args.ticks or MATCHED_TICKS
        args.overrides = [f"world.width={MATCHED_SIDE}", f"world.height={MATCHED_SIDE}",
                          *args.overrides]
    if args.json is None:
        args.json = RESULTS_DIR / ("bench-build.json" if args.build_only else
                                   "bench-quick.json" if args.quick else "bench.json")
    if any(n <= 0 for n in args.agents):
        parser.error("--agents: sizes must be > 0")
    if args.seconds <= 0:
        parser.error("--seconds: must be > 0")
    if args.warmup < 0:
        parser.error("--warmup: must be >= 0")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    extra = list(args.overrides)
    if args.threads is not None:
        extra.insert(0, f"run.threads={args.threads}")

    if args.child is not None:
        if args.build_only:
            result = run_build_child(args.child, args.seed, extra)
        else:
            result = run_child(args.child, args.seconds, args.warmup, args.seed, extra,
                               args.ticks or 0)
        print(json.dumps(result), flush=True)
        return 2 if "error" in result else 0

    print("alife benchmark: default config with, per size N (S = round(sqrt(4 N))):")
    print("  " + "  ".join(OVERRIDES_TEMPLATE))
    if extra:
        print("  extra: " + "  ".join(extra))
    if args.build_only:
        print("  the world at tick 0 only (no steps); each size in its own process\n")
    else:
        print(f"  {args.warmup} warm-up ticks, then {args.seconds:g} s measured in batches of "
              f"{BATCH_TICKS} ticks; each size in its own process\n")

    results = []
    for n in args.agents:
        print(f"running {n:,} agents ...", flush=True)
        result = run_size(n, args, extra)
        if "error" in result:
            print(f"  FAILED: {result['error']}", file=sys.stderr)
            if result.get("stderr"):
                print(result["stderr"], file=sys.stderr)
        else:
            print(f"  measured {result['alife']}")
            for warning in ([] if args.build_only else result_warnings(result)):
                print(f"  warning: {warning}")
        results.append(result)

    print()
    print(format_build_table(results) if args.build_only else format_table(results))
    print(BUILD_FOOTNOTE if args.build_only else FOOTNOTE)

    report = {
        "timestamp": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": machine_info(),
        "settings": {
            "agents": args.agents,
            "seconds": args.seconds,
            "seed": args.seed,
            "warmup_ticks": args.warmup,
            "batch_ticks": BATCH_TICKS,
            "occupancy": OCCUPANCY,
            "overrides_per_size": list(OVERRIDES_TEMPLATE),
            "extra_overrides": extra,
            "build_only": args.build_only,
        },
        "results": results,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"saved {args.json}")
    return 1 if any("error" in r for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
