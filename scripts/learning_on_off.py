"""Does lifetime learning pay in the default world? Open-ended runs from blank founders,
learning on against learning off, on matched seeds.

Usage (from the repository root)::

    python scripts/learning_on_off.py  # default world, seeds 1-5, 3000 ticks
    python scripts/learning_on_off.py --seeds 1 2 3 --ticks 1000 --set world.width=64

Each seed runs the config twice, with ``learner.learning`` true and false (the same world and
founders: founders are born blank by default, so the frozen ones never learn what food is
worth). Reported per condition: the mean population over the second half of the run and the
final population, agent-steps per death, moves per agent-step and the share of the food
eaten that was worth less than nothing (food kinds) (mean over seeds, 95 % t interval), and
the paired difference on matched seeds, also relative to the frozen value. JSON in ``--json``.
``python scripts/learning_on_off.py configs/scenarios/food_kinds.yaml`` runs it in a world of
food kinds.
"""

from __future__ import annotations

import argparse
import json
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alife import Simulation, load_config  # noqa: E402
from alife.report.stats import mean_ci, paired_difference  # noqa: E402


def population_curve(config_path, overrides: list[str], ticks: int) -> tuple[list[int], dict]:
    """The population every 10 ticks, and the run's totals (births, deaths, moves, …)."""
    sim = Simulation(load_config(config_path, overrides))
    curve = []
    for _ in range(ticks // 10):
        sim.step(10)
        curve.append(sim.n_alive)
    return curve, sim.take_stats()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config", nargs="?", help="YAML config (default: the built-in defaults)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--ticks", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    parser.add_argument("--json", default="bench-results/learning_on_off.json")
    args = parser.parse_args()
    jobs = {(seed, learning): [f"seed={seed}", f"learner.learning={learning}", "run.threads=1",
                               *args.overrides]
            for seed in args.seeds for learning in ("true", "false")}
    with ProcessPoolExecutor(args.workers) as pool:
        futures = {key: pool.submit(population_curve, args.config, ov, args.ticks)
                   for key, ov in jobs.items()}
        results = {key: f.result() for key, f in futures.items()}
    curves = {key: np.array(curve) for key, (curve, _) in results.items()}
    totals = {key: stats for key, (_, stats) in results.items()}
    rows = {}
    for learning in ("true", "false"):
        half = [curves[(s, learning)][len(curves[(s, learning)]) // 2:].mean() for s in args.seeds]
        final = [curves[(s, learning)][-1] for s in args.seeds]
        steps = [totals[(s, learning)]["agent_steps"] for s in args.seeds]
        deaths = [totals[(s, learning)]["deaths_starved"] + totals[(s, learning)]["deaths_old_age"]
                  for s in args.seeds]
        rows[learning] = {"second_half": half, "final": final,
                          "lifespan": [n / max(d, 1) for n, d in zip(steps, deaths)],
                          "moves": [totals[(s, learning)]["moves"] / n
                                    for s, n in zip(args.seeds, steps)],
                          "poison": [totals[(s, learning)]["bad_food_eaten"]
                                     / max(totals[(s, learning)]["food_eaten"], 1e-9)
                                     for s in args.seeds]}
    on, off = rows["true"], rows["false"]
    report = {"seeds": args.seeds, "ticks": args.ticks, "overrides": args.overrides,
              "learning_on": on, "learning_off": off}
    print(f"{len(args.seeds)} seeds, {args.ticks} ticks; mean [95 % CI] over seeds")
    print("| measure | learning on | learning off | on − off (paired) | (on − off) / off |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for measure, label in (("second_half", "population, 2nd half"), ("final", "final population"),
                           ("lifespan", "lifespan (agent-steps per death)"),
                           ("moves", "moves per agent-step"),
                           ("poison", "share of food eaten that was bad")):
        a, b = mean_ci(on[measure]), mean_ci(off[measure])
        diff = paired_difference(on[measure], off[measure])
        rel = mean_ci([(x - y) / y for x, y in zip(on[measure], off[measure]) if y > 0])
        print(f"| {label} | {a.mean:.3g} [{a.lo:.3g}, {a.hi:.3g}] | {b.mean:.3g} [{b.lo:.3g}, "
              f"{b.hi:.3g}] | {diff.mean:.3g} [{diff.lo:.3g}, {diff.hi:.3g}] | "
              f"{rel.mean:+.0%} [{rel.lo:+.0%}, {rel.hi:+.0%}] |")
        report[f"{measure}_difference"] = [diff.mean, diff.lo, diff.hi]
        report[f"{measure}_relative"] = [rel.mean, rel.lo, rel.hi]
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1, default=float), encoding="utf-8")


if __name__ == "__main__":
    main()
