"""Cohort: what does a mind add to a blank founder's life, measured against scripted controls?

Per run: mean lifespan of the cohort (agent-steps / founders: ticks lived, counted up to the
end of the run). Per condition: the mean over seeds with a 95 % t interval, and the share of
the gap from the random control to the greedy one that the condition closes,
(lifespan − random) / (greedy − random), per seed on the same worlds, with its interval.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import yaml

from alife.experiments.common import Run, runs_of
from alife.experiments.runner import Findings, fmt_ci
from alife.report.stats import mean_ci

CONDITIONS = ("greedy", "random", "learning", "frozen")


def condition_of(params: dict) -> str:
    policy = params.get("learner.policy", "learned")
    if policy != "learned":
        return policy
    return "frozen" if params.get("learner.learning") is False else "learning"


def lifespan(run: Run, founders: int) -> float:
    """Mean ticks lived by the cohort's founders within the run."""
    return run.summary.get("agent_steps", 0) / founders


def analyse(sweep, out: Path) -> Findings:
    runs = runs_of(sweep, out)
    data: dict[str, dict[int, float]] = {}
    for run in runs:
        data.setdefault(condition_of(run.params), {})[run.seed] = lifespan(run, _founders(run))
    greedy, random = data.get("greedy", {}), data.get("random", {})
    rows = []
    lines = ["# Cohort: a blank learner against its controls", "",
             f"{len(runs)} runs. Mean lifespan of the founders (ticks lived within the run), "
             "mean over seeds with 95 % t intervals; gap closed = (lifespan − random) / "
             "(greedy − random) per seed (the same worlds), then its mean and interval.", "",
             "| condition | seeds | mean lifespan (ticks) | gap closed |",
             "| --- | ---: | ---: | ---: |"]
    for condition in CONDITIONS:
        per_seed = data.get(condition)
        if not per_seed:
            continue
        seeds = sorted(per_seed)
        ci = mean_ci([per_seed[s] for s in seeds])
        common = [s for s in seeds if s in greedy and s in random and greedy[s] != random[s]]
        closed = mean_ci([(per_seed[s] - random[s]) / (greedy[s] - random[s]) for s in common])
        rows.append({"condition": condition, "seeds": len(seeds), "lifespan": ci.mean,
                     "lifespan_lo": ci.lo, "lifespan_hi": ci.hi, "gap_closed": closed.mean,
                     "gap_closed_lo": closed.lo, "gap_closed_hi": closed.hi})
        lines.append(f"| {condition} | {len(seeds)} | {fmt_ci(ci)} | {fmt_ci(closed)} |")
    if greedy and random:
        ratio = mean_ci([greedy[s] / random[s] for s in greedy if s in random])
        lines += ["", f"Greedy founders outlive random ones by {fmt_ci(ratio)}×."]
    lines.append("")
    return Findings(rows, "\n".join(lines), {"cohort": lambda fig: _draw(fig, rows)})


def _founders(run: Run) -> int:
    """agents.initial_count of the run (its resolved config.yaml)."""
    config = yaml.safe_load((run.folder / "config.yaml").read_text(encoding="utf-8"))
    return int(config["agents"]["initial_count"])


def _draw(figure, rows) -> None:
    ax = figure.subplots(1, 1)
    x = np.arange(len(rows))
    mean = np.array([r["lifespan"] for r in rows])
    err = np.array([[r["lifespan"] - r["lifespan_lo"] for r in rows],
                    [r["lifespan_hi"] - r["lifespan"] for r in rows]])
    ax.bar(x, mean, 0.6, yerr=np.nan_to_num(err), capsize=4, color="tab:green")
    ax.set_xticks(x, [r["condition"] for r in rows])
    ax.set_ylabel("mean lifespan of the cohort (ticks)")
    ax.set_title("Cohort: blank founders with and without learning against scripted controls "
                 "(mean, 95 % CI over seeds)")
