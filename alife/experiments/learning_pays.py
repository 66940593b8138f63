"""Learning pays: evolved learners against evolved non-learners where food kinds are dealt
anew for every generation (a two-stage experiment, alife.experiments.stages).

Per trial (an evolved population in fresh worlds): mean lifespan over its generations, the
share of the food eaten that was poison, and the energy food brought per agent-step. Per
condition: means over seeds with 95 % t intervals, and the paired difference of the learners
to the non-learners on matched seeds (the same founders, the same trial worlds). Also the
lifespan of the last stage-1 generation (in the world the population evolved in).
"""

from __future__ import annotations

from pathlib import Path

from alife.experiments.common import compare_conditions, draw_bars
from alife.experiments.runner import Findings, fmt_ci
from alife.experiments.stages import TrialRun, poison_share, trial_data, trial_lifespan

METRICS = {"lifespan": "lifespan (ticks)", "poison_share": "share of food eaten that was poison",
           "food_energy": "energy from food per agent-step", "evolved_lifespan":
           "lifespan, last evolved generation"}
CONDITIONS = ("learning", "no learning")


def condition_of(trial: TrialRun) -> str:
    return "learning" if trial.population.params.get("learner.learning", True) else "no learning"


def measures(trial: TrialRun) -> dict[str, float]:
    metrics = trial.run.table("metrics.csv")
    steps = metrics["population"].sum() * (metrics["tick"][1] - metrics["tick"][0])
    return {"lifespan": trial_lifespan(trial), "poison_share": poison_share(trial),
            "food_energy": float(metrics["food_energy"].sum() / max(steps, 1.0)),
            "evolved_lifespan":
                float(trial.population.table("generations.csv")["mean_lifespan"][-1])}


def analyse(sweep, out: Path, trials, trials_out: Path) -> Findings:
    data = trial_data(sweep, out, trials, trials_out, condition_of, measures)
    rows, table = compare_conditions(data, CONDITIONS, "no learning", METRICS, fmt_ci)
    lines = ["# Learning pays: evolved learners vs evolved non-learners, food dealt anew", "",
             f"{sum(len(v) for v in data.values())} evolved populations "
             f"({sweep.runs[0].config.evolution.generations} generations each), each tested in "
             f"{trials.runs[0].config.evolution.generations} fresh worlds. Means over seeds with "
             "95 % t intervals; Δ = paired difference to the non-learners on the same seeds.", "",
             *table]
    if "learning" in data and "no learning" in data:
        rel = _relative(data, "lifespan")
        lines += ["", f"Learners' lifespan relative to non-learners': {fmt_ci(rel)} "
                  "(ratio − 1, paired over seeds)."]
    lines.append("")
    return Findings(rows, "\n".join(lines), {"learning_pays": lambda fig: draw_bars(
        fig, rows, {k: METRICS[k] for k in ("lifespan", "poison_share")},
        "Learning pays: evolved populations in fresh worlds (mean, 95 % CI over seeds)")})


def _relative(data, metric):
    from alife.report.stats import mean_ci

    seeds = sorted(set(data["learning"]) & set(data["no learning"]))
    return mean_ci([data["learning"][s][metric] / data["no learning"][s][metric] - 1.0
                    for s in seeds])
