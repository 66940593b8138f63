"""What tracing costs: the same headless run (``alife run``) with and without ``run.trace``,
alternating, in one sitting.

Usage (from the repository root)::

    python scripts/bench_trace.py  # 10k agents, 200x200, trace 100, 300 ticks, 3 pairs
    python scripts/bench_trace.py --agents 1000 --trace 50 --ticks 1000 --pairs 5

Each run is a fresh process-free call of :func:`alife.runners.headless.run` (kernels compiled
once before); reported per run: wall and CPU time per agent-step (process CPU time, which
moves less with a shared host than wall time), and the traced rows written. The ratio is
traced over untraced, median over the pairs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alife.runners.headless import run  # noqa: E402


def one_run(args, trace: int, out: Path) -> dict:
    side = round((4 * args.agents) ** 0.5)
    overrides = [f"agents.initial_count={args.agents}", f"agents.max_population={args.agents}",
                 f"world.width={side}", f"world.height={side}", "food.regrowth_rate=0.05",
                 f"run.trace={trace}", "run.checkpoint_every=0", "run.record_every=10"]
    cpu, wall = time.process_time(), time.perf_counter()
    result = run(None, out, overrides=[*overrides, f"run.steps={args.ticks}"], progress=False,
                 log=lambda m: None)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    steps = result.summary["agent_steps"]
    return {"trace": trace, "wall_s": wall, "cpu_s": cpu, "agent_steps": steps,
            "cpu_us_per_agent_step": 1e6 * cpu / steps,
            "wall_us_per_agent_step": 1e6 * wall / steps}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", type=int, default=10_000)
    parser.add_argument("--trace", type=int, default=100)
    parser.add_argument("--ticks", type=int, default=300)
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        one_run(argparse.Namespace(**{**vars(args), "ticks": 5}), args.trace, Path(tmp) / "warm")
        for k in range(args.pairs):
            for trace in ((0, args.trace) if k % 2 == 0 else (args.trace, 0)):
                r = one_run(args, trace, Path(tmp) / f"run-{k}-{trace}")
                results.append(r)
                print(f"trace {trace:>4}: {r['wall_us_per_agent_step']:.3f} µs wall, "
                      f"{r['cpu_us_per_agent_step']:.3f} µs CPU per agent-step", flush=True)
    ratios = {}
    for key in ("cpu_us_per_agent_step", "wall_us_per_agent_step"):
        on = [r[key] for r in results if r["trace"]]
        off = [r[key] for r in results if not r["trace"]]
        ratios[key] = statistics.median(a / b for a, b in zip(on, off))
    print(f"traced / untraced (median of {args.pairs} pairs): "
          f"CPU {ratios['cpu_us_per_agent_step']:.3f}, "
          f"wall {ratios['wall_us_per_agent_step']:.3f}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"args": vars(args) | {"json": str(args.json)},
                                         "runs": results, "ratios": ratios}, indent=2))


if __name__ == "__main__":
    main()
