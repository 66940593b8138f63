"""Curiosity under noise: do raw-surprise seekers get stuck at the noise, and do
learning-progress seekers not?

Per run: the share of agents standing in noise patches (mean over the second half of the
run; the patches cover ``world.noise_cover`` of the cells, so an agent that ignored them
would sit there about that often, and one that followed food alone less), the population
(second half) and the mean lifespan (agent-steps per death). Per condition: means with 95 %
t intervals over seeds, and paired differences on matched seeds: surprise minus progress,
and each against no curiosity.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from alife.experiments.common import Run, paired_comparisons, runs_of, summary_row
from alife.experiments.runner import Findings, fmt_ci

METRICS = {"noise_occupancy": "share of agents in noise",
           "mean_population": "population (2nd half)",
           "lifespan": "mean lifespan (ticks)"}
CONDITIONS = ("surprise", "progress", "no curiosity")
COMPARISONS = (("surprise", "progress"), ("surprise", "no curiosity"), ("progress", "no curiosity"))


def condition_of(params: dict) -> str:
    if not params.get("learner.curiosity_weight", 0.5):
        return "no curiosity"
    return str(params.get("learner.curiosity", "progress"))


def measures(run: Run) -> dict[str, float]:
    metrics = run.table("metrics.csv")
    half = len(metrics.get("population", [])) // 2
    deaths = run.summary.get("deaths", 0)
    return {"noise_occupancy": float(np.nanmean(metrics["noise_occupancy"][half:])),
            "mean_population": float(np.mean(metrics["population"][half:])),
            "lifespan": run.summary.get("agent_steps", 0) / deaths if deaths else float("nan")}


def analyse(sweep, out: Path) -> Findings:
    runs = runs_of(sweep, out)
    data: dict[str, dict[int, dict[str, float]]] = {}
    for run in runs:
        data.setdefault(condition_of(run.params), {})[run.seed] = measures(run)
    cover = sweep.runs[0].config.world.noise_cover
    rows = []
    lines = ["# Curiosity under noise", "",
             f"{len(runs)} runs; noise patches cover {cover:.0%} of the cells. Means over seeds "
             "with 95 % t intervals.", "",
             "| condition | seeds | " + " | ".join(METRICS.values()) + " |",
             "| --- | ---: |" + " ---: |" * len(METRICS)]
    for condition in CONDITIONS:
        per_seed = data.get(condition)
        if not per_seed:
            continue
        row, line = summary_row(condition, per_seed, METRICS, fmt_ci)
        rows.append({"condition": condition, **row})
        lines.append(line)
    _, paired = paired_comparisons(data, COMPARISONS, METRICS, fmt_ci)
    lines += ["", "Paired differences on matched seeds:", "", *paired]
    lines.append("")
    return Findings(rows, "\n".join(lines),
                    {"curiosity_noise": lambda fig: _draw(fig, runs, cover)})


def _draw(figure, runs: list[Run], cover: float) -> None:
    """The share of agents in noise over time, mean over seeds per condition."""
    from alife.report.stats import mean_ci_columns

    ax = figure.subplots(1, 1)
    by_condition: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
    for run in runs:
        m = run.table("metrics.csv")
        by_condition.setdefault(condition_of(run.params), []).append(
            (m["tick"], m["noise_occupancy"]))
    for condition in CONDITIONS:
        series = by_condition.get(condition)
        if not series:
            continue
        n = min(len(s[1]) for s in series)
        mean, lo, hi, _ = mean_ci_columns(np.array([s[1][:n] for s in series]))
        ticks = series[0][0][:n]
        ax.plot(ticks, mean, label=condition)
        ax.fill_between(ticks, lo, hi, alpha=0.25)
    ax.axhline(cover, color="grey", linestyle=":", label="share of noise cells")
    ax.set_xlabel("tick")
    ax.set_ylabel("share of agents in noise patches")
    ax.set_title("Curiosity under noise: mean and 95 % CI over seeds")
    ax.legend(fontsize=8)
