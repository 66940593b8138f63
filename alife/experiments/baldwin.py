"""The Baldwin effect: does lifetime learning speed up evolution, and is what was learned
taken over into the innate model over the generations?

Per run (generational evolution): mean lifespan per generation (generations.csv) and the
innate prediction error per generation: the mean surprise of the generation's agents at age
``run.record_every`` (all agents of a generation are born together, so that metrics row holds
agents that have barely learned). Per condition (learning on / off): curves with 95 % CIs
over seeds; the rise of lifespan (last 5 generations minus first 5) and the change of innate
error, each with paired differences between the conditions on matched seeds.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from alife.config import load_config
from alife.experiments.common import Run, draw_generation_curves, runs_of
from alife.experiments.runner import Findings, fmt_ci
from alife.report.stats import mean_ci, paired_difference

FIRST, LAST = 5, 5


def condition_of(params: dict) -> str:
    return "learning" if params.get("learner.learning", True) else "no learning"


def curves(run: Run) -> tuple[np.ndarray, np.ndarray]:
    """Mean lifespan and innate error per generation, float64 (G,) each."""
    config = load_config(run.folder / "config.yaml")
    lifespan = run.table("generations.csv")["mean_lifespan"]
    metrics = run.table("metrics.csv")
    ticks, surprise = metrics["tick"], metrics["mean_surprise"]
    T, every = config.evolution.generation_ticks, config.run.record_every
    innate = np.full(len(lifespan), np.nan)
    for g in range(len(lifespan)):
        hit = np.flatnonzero(ticks == g * T + every)
        if len(hit):
            innate[g] = surprise[hit[0]]
    return lifespan, innate


def analyse(sweep, out: Path) -> Findings:
    runs = runs_of(sweep, out)
    data: dict[str, dict[int, tuple[np.ndarray, np.ndarray]]] = {}
    for run in runs:
        data.setdefault(condition_of(run.params), {})[run.seed] = curves(run)
    rows, summary = [], {}
    lines = ["# Baldwin effect", "",
             f"{len(runs)} runs. Means over seeds with 95 % t intervals. Lifespan in ticks "
             f"(fitness); innate error = mean surprise of a generation at age "
             f"{sweep.runs[0].config.run.record_every} ticks.", "",
             "| condition | seeds | lifespan, first 5 gens | lifespan, last 5 gens | rise | "
             "innate error, first 5 | innate error, last 5 | change |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for condition in ("learning", "no learning"):
        per_seed = data.get(condition)
        if not per_seed:
            continue
        seeds = sorted(per_seed)
        values = {}
        for name, index in (("lifespan", 0), ("innate_error", 1)):
            first = np.array([np.nanmean(per_seed[s][index][:FIRST]) for s in seeds])
            last = np.array([np.nanmean(per_seed[s][index][-LAST:]) for s in seeds])
            values[name] = (first, last, last - first)
        summary[condition] = (seeds, values)
        row = {"condition": condition, "seeds": len(seeds)}
        cells = []
        for name, (first, last, change) in values.items():
            for label, v in (("first", first), ("last", last), ("change", change)):
                ci = mean_ci(v)
                row.update({f"{name}_{label}": ci.mean, f"{name}_{label}_lo": ci.lo,
                            f"{name}_{label}_hi": ci.hi})
                cells.append(fmt_ci(ci))
        rows.append(row)
        lines.append(f"| {condition} | {len(seeds)} | " + " | ".join(cells) + " |")
    if len(summary) == 2:
        (sa, va), (sb, vb) = summary["learning"], summary["no learning"]
        lines += ["", "Paired differences, learning minus no learning, on matched seeds:", ""]
        for name, label in (("lifespan", "lifespan, last 5 generations"),
                            ("lifespan", "rise of lifespan"),
                            ("innate_error", "change of innate error")):
            k = 2 if label.startswith(("rise", "change")) else 1
            diff = paired_difference(va[name][k], vb[name][k], keys_a=sa, keys_b=sb)
            lines.append(f"- {label}: {fmt_ci(diff)}")
    lines.append("")
    return Findings(rows, "\n".join(lines), {"baldwin": lambda fig: _draw(fig, data)})


def _draw(figure, data) -> None:
    axes = figure.subplots(1, 2)
    figure.suptitle("Baldwin experiment: mean and 95 % CI over seeds")
    for ax, index, title in ((axes[0], 0, "mean lifespan (ticks)"),
                             (axes[1], 1, "innate prediction error")):
        draw_generation_curves(ax, {c: [per_seed[s][index] for s in sorted(per_seed)]
                                    for c, per_seed in data.items()}, title)
