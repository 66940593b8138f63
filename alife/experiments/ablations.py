"""Ablations: does each part of the agent help it survive? Matched seeds, two worlds.

Per run: mean population over the second half of the run, final population, and mean
lifespan (agent-steps per death: the mean lifespan of a population in steady state).
Per world and condition: the mean over seeds with a 95 % t interval, and the paired
difference to the full agent on the same seeds (same worlds) with its interval.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from alife.experiments.common import Run, compare_conditions, runs_of
from alife.experiments.runner import Findings, fmt_ci

METRICS = {"mean_population": "population (2nd half)", "final_population": "final population",
           "lifespan": "mean lifespan (ticks)"}
CONDITIONS = ("full", "learning off", "curiosity off", "affect off")


def condition_of(params: dict) -> str:
    if params.get("learner.learning") is False:
        return "learning off"
    if params.get("learner.curiosity_weight") == 0:
        return "curiosity off"
    if params.get("affect.enabled") is False:
        return "affect off"
    return "full"


def world_of(params: dict) -> str:
    amplitude = params.get("food.season_amplitude", 0.0)
    return "stationary" if not amplitude else f"seasonal (amplitude {amplitude:g})"


def measures(run: Run) -> dict[str, float]:
    population = run.table("metrics.csv").get("population", np.zeros(0))
    half = population[len(population) // 2:]
    deaths = run.summary.get("deaths", 0)
    return {"mean_population": float(half.mean()) if len(half) else float("nan"),
            "final_population": float(run.summary.get("final_population", np.nan)),
            "lifespan": run.summary.get("agent_steps", 0) / deaths if deaths else float("nan")}


def analyse(sweep, out: Path) -> Findings:
    runs = runs_of(sweep, out)
    data: dict[tuple[str, str], dict[int, dict[str, float]]] = {}
    for run in runs:
        key = (world_of(run.params), condition_of(run.params))
        data.setdefault(key, {})[run.seed] = measures(run)
    worlds = sorted({w for w, _ in data}, key=lambda w: (w != "stationary", w))
    rows, lines = [], ["# Ablations", "",
                       f"{len(runs)} runs. Means over seeds with 95 % t intervals; Δ = paired "
                       "difference to the full agent on the same seeds (the same worlds).", ""]
    for world in worlds:
        by_condition = {c: data[(w, c)] for (w, c) in data if w == world}
        table, table_lines = compare_conditions(by_condition, CONDITIONS, "full", METRICS,
                                                fmt_ci)
        rows += [{"world": world, **row} for row in table]
        lines += [f"## {world}", "", *table_lines]
        lines.append("")
    return Findings(rows, "\n".join(lines), {"ablations": lambda fig: _draw(fig, rows, worlds)})


def _draw(figure, rows, worlds) -> None:
    axes = figure.subplots(1, 2)
    figure.suptitle("Ablations: mean and 95 % CI over seeds")
    for ax, metric in zip(axes, ("mean_population", "lifespan")):
        width = 0.8 / max(1, len(worlds))
        for w, world in enumerate(worlds):
            mine = [r for r in rows if r["world"] == world]
            x = np.arange(len(mine)) + w * width
            mean = np.array([r[metric] for r in mine])
            err = np.array([[r[metric] - r[f"{metric}_lo"] for r in mine],
                            [r[f"{metric}_hi"] - r[metric] for r in mine]])
            ax.bar(x, mean, width, yerr=np.nan_to_num(err), capsize=3, label=world)
            ax.set_xticks(np.arange(len(mine)) + width * (len(worlds) - 1) / 2,
                          [r["condition"] for r in mine], rotation=15)
        ax.set_title(METRICS[metric])
        ax.set_ylabel(METRICS[metric])
        ax.legend(fontsize=8)
