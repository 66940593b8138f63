"""The noisy TV on evolved populations: are agents that evolved with raw-surprise curiosity
trapped by unlearnable noise, and those with learning-progress curiosity not?

Per evolved population, from its trials in fresh worlds (alife.experiments.stages): the
share of its agents standing in noise patches relative to the share of cells that are noise
(1 = as often as chance; metrics.csv ``noise_occupancy`` over all rows after tick 0), the
mean lifespan, and its evolved curiosity weight (final genomes). Per condition: means over
seeds with 95 % t intervals and paired differences on matched seeds.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from alife.config import load_config
from alife.experiments.common import compare_conditions, draw_bars, paired_comparisons
from alife.experiments.runner import Findings, fmt_ci
from alife.experiments.stages import TrialRun, mean_gene, trial_data, trial_lifespan
from alife.genetics.genome import GenomeLayout

METRICS = {"noise_ratio": "occupancy of noise / its cover", "lifespan": "lifespan (ticks)",
           "curiosity_weight": "evolved curiosity weight"}
CONDITIONS = ("surprise", "progress", "no curiosity")
COMPARISONS = [("surprise", "progress"), ("surprise", "no curiosity"), ("progress", "no curiosity")]


def condition_of(trial: TrialRun) -> str:
    params = trial.population.params
    return "no curiosity" if not params["learner.curiosity_weight"] else params["learner.curiosity"]


def measures(trial: TrialRun) -> dict[str, float]:
    config = load_config(trial.population.folder / "config.yaml")
    metrics = trial.run.table("metrics.csv")
    occupancy = metrics["noise_occupancy"][metrics["tick"] > 0]
    return {"noise_ratio": float(np.nanmean(occupancy) / config.world.noise_cover),
            "lifespan": trial_lifespan(trial),
            "curiosity_weight": mean_gene(trial.population.folder, GenomeLayout.from_config(config),
                                          "curiosity_weight")}


def analyse(sweep, out: Path, trials, trials_out: Path) -> Findings:
    data = trial_data(sweep, out, trials, trials_out, condition_of, measures)
    rows, table = compare_conditions(data, CONDITIONS, "no curiosity", METRICS, fmt_ci)
    _, paired = paired_comparisons(data, COMPARISONS, METRICS, fmt_ci)
    config = sweep.runs[0].config
    lines = ["# The noisy TV, on evolved populations", "",
             f"{sum(len(v) for v in data.values())} evolved populations "
             f"({config.evolution.generations} generations); noise covers "
             f"{config.world.noise_cover:.0%} of the cells. Occupancy ratio 1 = agents stand in "
             "noise as often as chance. Means over seeds with 95 % t intervals; Δ = paired "
             "difference to no curiosity.", "", *table, "", "Paired differences on matched seeds:",
             "", *paired, ""]
    return Findings(rows, "\n".join(lines), {"noisy_tv": lambda fig: draw_bars(
        fig, rows, {k: METRICS[k] for k in ("noise_ratio", "curiosity_weight")},
        "Noisy TV: evolved populations (mean, 95 % CI over seeds)")})
