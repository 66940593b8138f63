"""Delayed harm: is a longer view evolved when poison harms only D ticks after eating?

Per evolved population: the mean discount gene of its final genomes (founders: the config's
``learner.discount``), and, from its trials in fresh worlds (alife.experiments.stages), the
mean lifespan and the share of food eaten that was poison. Per condition (delay D or 0 ×
learning on or off): means over seeds with 95 % t intervals, and paired differences on
matched seeds: delay minus no delay, with and without learning.
"""

from __future__ import annotations

from pathlib import Path

from alife.config import load_config
from alife.experiments.common import compare_conditions, draw_bars, paired_comparisons
from alife.experiments.runner import Findings, fmt_ci
from alife.experiments.stages import TrialRun, mean_gene, poison_share, trial_data, trial_lifespan
from alife.genetics.genome import GenomeLayout

METRICS = {"discount": "evolved discount", "lifespan": "lifespan (ticks)",
           "poison_share": "share of food eaten that was poison"}


def condition_of(trial: TrialRun) -> str:
    params = trial.population.params
    delay = f"delay {params['food.delay']}" if params["food.delay"] else "no delay"
    return f"{delay}, {'learning' if params['learner.learning'] else 'no learning'}"


def measures(trial: TrialRun) -> dict[str, float]:
    layout = GenomeLayout.from_config(load_config(trial.population.folder / "config.yaml"))
    return {"discount": mean_gene(trial.population.folder, layout, "discount"),
            "lifespan": trial_lifespan(trial), "poison_share": poison_share(trial)}


def analyse(sweep, out: Path, trials, trials_out: Path) -> Findings:
    data = trial_data(sweep, out, trials, trials_out, condition_of, measures)
    delays = sorted({r.params["food.delay"] for r in sweep.runs}, reverse=True)
    named = [f"delay {d}" if d else "no delay" for d in delays]
    minds = [m for m in ("learning", "no learning")
             if any(c.endswith(f", {m}") for c in data)]
    conditions = [f"{d}, {m}" for m in minds for d in named]
    reference = f"no delay, {minds[0]}" if minds else ""
    rows, table = compare_conditions(data, conditions, reference, METRICS, fmt_ci)
    comparisons = [(f"{d}, {m}", f"no delay, {m}") for m in minds for d in named if d != "no delay"]
    _, paired = paired_comparisons(data, comparisons, METRICS, fmt_ci)
    founders = sweep.runs[0].config.learner.discount
    lines = ["# Delayed harm: the evolved discount when poison harms late", "",
             f"{sum(len(v) for v in data.values())} evolved populations "
             f"({sweep.runs[0].config.evolution.generations} generations from founders with "
             f"discount {founders:g}). Means over seeds with 95 % t intervals; Δ = paired "
             f"difference to '{reference}'.", "", *table, "",
             "Delay minus no delay on matched seeds:", "", *paired, ""]
    return Findings(rows, "\n".join(lines), {"delayed_harm": lambda fig: draw_bars(
        fig, rows, {k: METRICS[k] for k in ("discount", "lifespan")},
        "Delayed harm: evolved populations (mean, 95 % CI over seeds)")})
