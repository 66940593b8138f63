"""Hazards: do minds learn to avoid a harm they can see?

Per run, over the second half of the run: the share of the living agents standing on
hazards (metrics.csv ``hazard_occupancy``), the energy lost on hazards per agent-step, and
the mean population. Per condition (learning, frozen, greedy, random: as in the cohort
experiment): the mean over seeds with a 95 % t interval, and the paired difference to the
frozen condition on the same seeds.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from alife.experiments.cohort import CONDITIONS, condition_of
from alife.experiments.common import Run, compare_conditions, runs_of
from alife.experiments.runner import Findings, fmt_ci

METRICS = {"occupancy": "share on hazards", "damage": "hazard damage per agent-step",
           "population": "population (2nd half)"}


def measures(run: Run) -> dict[str, float]:
    table = run.table("metrics.csv")
    half = slice(len(table.get("tick", [])) // 2, None)
    population = table["population"][half]
    damage = table["hazard_damage"][half].sum() / max(1.0, population.sum() * _every(table))
    return {"occupancy": float(np.mean(table["hazard_occupancy"][half])),
            "damage": float(damage), "population": float(population.mean())}


def _every(table) -> float:
    """Ticks between two metrics rows."""
    ticks = table["tick"]
    return float(ticks[1] - ticks[0]) if len(ticks) > 1 else 1.0


def analyse(sweep, out: Path) -> Findings:
    runs = runs_of(sweep, out)
    data: dict[str, dict[int, dict[str, float]]] = {}
    for run in runs:
        data.setdefault(condition_of(run.params), {})[run.seed] = measures(run)
    rows, table = compare_conditions(data, CONDITIONS, "frozen", METRICS, fmt_ci)
    lines = ["# Hazards: avoiding a harm that can be seen", "",
             f"{len(runs)} runs. Second half of each run; means over seeds with 95 % t "
             "intervals; Δ = paired difference to the frozen founders on the same seeds.", "",
             *table]
    lines.append("")
    return Findings(rows, "\n".join(lines), {"hazards": lambda fig: _draw(fig, rows)})


def _draw(figure, rows) -> None:
    axes = figure.subplots(1, 2)
    figure.suptitle("Hazards: mean and 95 % CI over seeds (second half of each run)")
    for ax, metric in zip(axes, ("occupancy", "population")):
        x = np.arange(len(rows))
        mean = np.array([r[metric] for r in rows])
        err = np.array([[r[metric] - r[f"{metric}_lo"] for r in rows],
                        [r[f"{metric}_hi"] - r[metric] for r in rows]])
        ax.bar(x, mean, 0.6, yerr=np.nan_to_num(err), capsize=4, color="tab:red")
        ax.set_xticks(x, [r["condition"] for r in rows])
        ax.set_title(METRICS[metric])
