"""Measure sweeps: the speed-up from 1 to 2 workers, and each executor's per-run overhead.

Usage (from the repository root)::

    python scripts/bench_sweep.py                 # speed-up and overhead, pool and Dask local
    python scripts/bench_sweep.py --quick         # smaller sweeps (a smoke test)

Speed-up: a sweep of ``--runs`` runs (64x64 world, 400 agents, ``--ticks`` ticks each) on the
process pool with 1 and with 2 workers, timed end to end (executor start included). Measured
twice: with the default thread budget (1 worker gets 2 numba threads, 2 workers get 1 each)
and with ``run.threads=1`` everywhere (pure process-level scaling).

Per-run overhead, for the pool and for a local Dask cluster, each with one worker:
- dispatch: ``--overhead-runs`` no-op tasks through an already started executor (ms per task);
- per run: sweeps of R and 2R near-empty runs (16x16 world, 20 agents, 1 tick); the slope
  (wall(2R) - wall(R)) / R is the whole fixed cost of a run: dispatching it, starting it in
  the worker (config, world, cached kernels), writing its folder and reading it back into the
  tables; the intercept is the cost of starting the executor.

Every measurement is repeated ``--repeat`` times (the load average is recorded with it): on a
shared machine, compare the best of each.

The kernels must already be in numba's disk cache (run any ``alife run`` first), or the first
runs include compiling. Results are printed and saved as JSON (``--json``, default
``bench-results/sweep.json``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from alife.batch.sweep import run_sweep  # noqa: E402
from alife.parallel import open_executor  # noqa: E402


def sweep_file(folder: Path, name: str, runs: int, ticks: int, size: int, agents: int,
               extra: dict | None = None) -> Path:
    data = {
        "name": name,
        "set": {"world.width": size, "world.height": size, "agents.initial_count": agents,
                "agents.max_population": max(agents, 64), "food.regrowth_rate": 0.05,
                "run.record_every": max(1, ticks // 10), "run.checkpoint_every": 0,
                **(extra or {})},
        "options": {"steps": ticks},
        "grid": {"learner.model_lr": [0.3]},
        "repeats": runs,
    }
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def timed(path: Path, out: Path, **kwargs) -> float:
    started = time.perf_counter()
    outcome = run_sweep(path, out, log=lambda msg: None, progress=False, parquet=False, **kwargs)
    wall = time.perf_counter() - started
    if outcome.counts.get("completed", 0) + outcome.counts.get("extinct", 0) != outcome.ran:
        raise SystemExit(f"{path.name}: not every run finished: {outcome.counts}")
    return wall


def dispatch_ms(tasks: int, scheduler: str | None) -> float:
    """Milliseconds per no-op task through a started one-worker executor."""
    with open_executor(1, scheduler) as info:
        info.executor.submit(os.getpid).result()  # the worker is up
        started = time.perf_counter()
        for future in [info.executor.submit(os.getpid) for _ in range(tasks)]:
            future.result()
        return 1000 * (time.perf_counter() - started) / tasks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=8, help="runs in the speed-up sweep")
    parser.add_argument("--ticks", type=int, default=1000,
                        help="ticks per run in the speed-up sweep")
    parser.add_argument("--overhead-runs", type=int, default=32,
                        help="R of the overhead sweeps (R and 2R)")
    parser.add_argument("--repeat", type=int, default=2, help="measure everything this many times")
    parser.add_argument("--quick", action="store_true",
                        help="4 runs of 300 ticks; overhead R = 4; once")
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask measurements")
    parser.add_argument("--json", default=str(ROOT / "bench-results" / "sweep.json"))
    args = parser.parse_args()
    if args.quick:
        args.runs, args.ticks, args.overhead_runs, args.repeat = 4, 300, 4, 1
    results: dict = {"machine": {"cpus": len(os.sched_getaffinity(0)),
                                 "loadavg_before": os.getloadavg()},
                     "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                     "runs": args.runs, "ticks": args.ticks}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for label, extra in (("default threads", None), ("run.threads=1", {"run.threads": 1})):
            path = sweep_file(tmp, f"speed-{len(results)}", args.runs, args.ticks, 64, 400, extra)
            rows = []
            for k in range(args.repeat):
                one = timed(path, tmp / f"{path.stem}-w1-{k}", workers=1)
                two = timed(path, tmp / f"{path.stem}-w2-{k}", workers=2)
                rows.append({"workers1_s": round(one, 2), "workers2_s": round(two, 2),
                             "speedup": round(one / two, 2), "loadavg_1min": os.getloadavg()[0]})
                print(f"{label:>16}: 1 worker {one:6.1f} s, 2 workers {two:6.1f} s, "
                      f"speed-up {one / two:.2f}x (load {os.getloadavg()[0]:.1f})", flush=True)
            results[f"speedup ({label})"] = rows
        executors = [("process pool", {})] + ([] if args.no_dask
                                              else [("dask local", {"scheduler": "local"})])
        for label, kwargs in executors:
            r = args.overhead_runs
            rows = []
            for k in range(args.repeat):
                dispatch = dispatch_ms(r, kwargs.get("scheduler"))
                small = sweep_file(tmp, f"small-{label[:4]}-{k}", r, 1, 16, 20)
                large = sweep_file(tmp, f"large-{label[:4]}-{k}", 2 * r, 1, 16, 20)
                wall_r = timed(small, tmp / small.stem, workers=1, **kwargs)
                wall_2r = timed(large, tmp / large.stem, workers=1, **kwargs)
                per_run = (wall_2r - wall_r) / r
                start = wall_r - r * per_run
                rows.append({"dispatch_ms": round(dispatch, 2),
                             "per_run_ms": round(1000 * per_run, 1),
                             "startup_s": round(start, 2), f"wall_{r}_s": round(wall_r, 2),
                             f"wall_{2 * r}_s": round(wall_2r, 2),
                             "loadavg_1min": os.getloadavg()[0]})
                print(f"{label:>16}: dispatch {dispatch:5.1f} ms per task; "
                      f"{1000 * per_run:6.0f} ms per run, "
                      f"{start:5.2f} s to start "
                      f"({r} runs {wall_r:.2f} s, {2 * r} runs {wall_2r:.2f} s; "
                      f"load {os.getloadavg()[0]:.1f})", flush=True)
            results[f"overhead ({label})"] = rows
    results["machine"]["loadavg_after"] = os.getloadavg()
    path = Path(args.json)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"load average before {results['machine']['loadavg_before']}, after "
          f"{results['machine']['loadavg_after']}; saved {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
