"""Volatility: does affect pay where what food is worth flips within a life, and not where
it holds? (a two-stage experiment, alife.experiments.stages)

Per evolved population, from its trials in fresh worlds of its own kind: the mean lifespan;
from its final genomes, the evolved link from surprise to the learning rate: the sum over
affect dimensions of the learning-rate coupling times the dimension's sensitivity to the
surprise drive (> 0: surprise raises the learning rate; where affect is off these genes
drift unselected, a null). Per world and condition: means over seeds with 95 % t intervals;
paired differences of affect on to each control on matched seeds, also relative (ratio − 1).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from alife.config import load_config
from alife.experiments.common import draw_bars, paired_comparisons, summary_row
from alife.experiments.runner import Findings, fmt_ci
from alife.experiments.stages import GENOMES, TrialRun, trial_data, trial_lifespan
from alife.genetics.genome import GenomeLayout
from alife.kernels.affect import DRIVE_NAMES
from alife.report.stats import mean_ci

METRICS = {"lifespan": "lifespan (ticks)", "surprise_to_lr": "surprise → learning rate (genes)"}
CONDITIONS = ("affect", "η0/τ evolve", "affect off")
WORLDS = {"volatile": "volatile", "per_generation": "stable"}


def condition_of(trial: TrialRun) -> str:
    params = trial.population.params
    if params["affect.enabled"]:
        condition = "affect"
    else:
        condition = "affect off" if params.get("evolution.fixed_genes") else "η0/τ evolve"
    return f"{WORLDS[params['food.deal']]}: {condition}"


def surprise_to_learning_rate(folder: Path) -> float:
    """Mean over the evolved population of Σ_k learning_coupling[k] · sensitivity[k, surprise]."""
    layout = GenomeLayout.from_config(load_config(folder / "config.yaml"))
    with np.load(folder / GENOMES) as data:
        genomes = data["genomes"]
    coupling = layout.view(genomes, "learning_coupling")
    sensitivity = layout.view(genomes, "affect_sensitivity")[:, :, DRIVE_NAMES.index("surprise")]
    return float(np.mean(np.sum(coupling * sensitivity, axis=1)))


def measures(trial: TrialRun) -> dict[str, float]:
    return {"lifespan": trial_lifespan(trial),
            "surprise_to_lr": surprise_to_learning_rate(trial.population.folder)}


def analyse(sweep, out: Path, trials, trials_out: Path) -> Findings:
    data = trial_data(sweep, out, trials, trials_out, condition_of, measures)
    rows, lines = [], ["# Volatility: affect where the worth of food flips within a life", "",
                       f"{sum(len(v) for v in data.values())} evolved populations "
                       f"({sweep.runs[0].config.evolution.generations} generations each), each "
                       f"tested in {trials.runs[0].config.evolution.generations} fresh worlds of "
                       "its own kind. Means over seeds with 95 % t intervals.", "",
                       "| world: condition | seeds | " + " | ".join(METRICS.values()) + " |",
                       "| --- | ---: |" + " ---: |" * len(METRICS)]
    for world in WORLDS.values():
        for condition in CONDITIONS:
            name = f"{world}: {condition}"
            per_seed = data.get(name)
            if not per_seed:
                continue
            row, line = summary_row(name, per_seed, METRICS, fmt_ci)
            rows.append({"world": world, "condition": condition, "label": name, **row})
            lines.append(line)
    comparisons = [(f"{w}: affect", f"{w}: {c}") for w in WORLDS.values() for c in CONDITIONS[1:]]
    _, paired = paired_comparisons(data, comparisons, {"lifespan": METRICS["lifespan"]}, fmt_ci)
    lines += ["", "Affect on minus each control, on matched seeds:", "", *paired, "",
              "Relative lifespan, affect on over each control (ratio − 1):", ""]
    for a, b in comparisons:
        if a in data and b in data:
            seeds = sorted(set(data[a]) & set(data[b]))
            ratio = mean_ci([data[a][s]["lifespan"] / data[b][s]["lifespan"] - 1.0 for s in seeds])
            lines.append(f"- {a} vs {b.split(': ')[1]}: {fmt_ci(ratio)}")
    lines.append("")
    return Findings(rows, "\n".join(lines), {"volatility": lambda fig: draw_bars(
        fig, rows, METRICS, "Volatility: evolved populations (mean, 95 % CI over seeds)", "label")})
