"""Assimilation (the Baldwin effect done right): with a fixed deal, is what learners find out
taken over into the genes, and does learning then matter less?

Per evolved population and generation (lineage.csv and lineage_genomes.f32):
- the innate worth of each food kind: what the reward head at birth (``reward_init``) expects
  an action to bring per unit of the kind where the action leads (staying: the kind here;
  north: the kind in the north sector, …), averaged over the actions: the genes through which
  innate knowledge of food reaches choice;
- the innate world model's error on a fixed **probe battery**: transitions (features, action,
  next features) recorded once, in a reference world of the same kind with random actions
  (seed PROBE_SEED), so the error does not depend on how the agents themselves behave. Error
  = mean squared difference between the next features and the innate model's prediction,
  over the battery and up to AGENTS_PER_GENERATION agents of the generation.
From the trials (alife.experiments.stages): the agents of the first and of the last 10
generations, tested with learning on and off; gap = lifespan on − off. Per condition: means
over seeds with 95 % t intervals of first vs last 10 generations and of the change.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from alife.config import load_config
from alife.experiments.common import draw_generation_curves, runs_of
from alife.experiments.runner import Findings, fmt_ci
from alife.experiments.stages import trial_lifespan, trial_runs
from alife.genetics.genome import GenomeLayout
from alife.learners.features import feature_names
from alife.metrics.lineage import read_lineage
from alife.report.stats import mean_ci, paired_difference

PROBE_SEED = 424242
PROBE_TICKS = 60
PROBE_SIZE = 3000
AGENTS_PER_GENERATION = 40
WINDOW = 10  # generations at each end


def probe_battery(config) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Transitions of a reference world with random actions: features x̃ float32 (B, P+1)
    (bias last), actions int64 (B,), next features float32 (B, P). Deterministic."""
    from alife.sim import Simulation
    from alife.world.state import agent_rows

    sim = Simulation(load_config(config, {"learner.policy": "random", "learner.learning": False,
                                          "agents.founders": None, "seed": PROBE_SEED}))
    xs, actions, nexts = [], [], []
    a = sim.state.agents
    before = (agent_rows(a, "features").copy(), a.action.copy(), a.id.copy(), a.alive.copy())
    for _ in range(PROBE_TICKS):
        sim.step(1)
        a = sim.state.agents
        features, ids, alive = agent_rows(a, "features"), a.id, a.alive
        m = len(before[2])  # (storage may have grown: new slots are new agents)
        same = before[3] & alive[:m] & (before[2] == ids[:m]) & (before[1] >= 0)
        xs.append(before[0][same])
        actions.append(before[1][same].astype(np.int64))
        nexts.append(features[:m][same, :-1])
        before = (features.copy(), a.action.copy(), ids.copy(), alive.copy())
    x, act, nxt = np.concatenate(xs), np.concatenate(actions), np.concatenate(nexts)
    pick = np.random.default_rng(PROBE_SEED).permutation(len(x))[:PROBE_SIZE]
    return x[pick], act[pick], nxt[pick]


def probe_error(model: np.ndarray, battery) -> np.ndarray:
    """Mean squared error of innate models float32 (m, A, P, P+1) on the battery: (m,)."""
    x, actions, nxt = battery
    errors = np.empty(len(model))
    for k, w in enumerate(model):
        prediction = np.einsum("bpq,bq->bp", w[actions], x)
        errors[k] = np.mean((nxt - prediction) ** 2)
    return errors


def curves(folder: Path, battery) -> dict[str, np.ndarray]:
    """Per generation (float64 (G,) each): innate worth of food (kind 0) and of poison (kind 1)
    and the innate model's probe error."""
    config = load_config(folder / "config.yaml")
    layout = GenomeLayout.from_config(config)
    names = feature_names(config)
    where = ("here", "north", "east", "south", "west")  # where each action (ACTION_NAMES) leads
    good = [names.index(f"food_{w}") for w in where]
    bad = [names.index(f"food1_{w}") for w in where]
    actions = np.arange(len(where))
    lineage, genomes = read_lineage(folder)
    G = config.evolution.generations
    out = {k: np.full(G, np.nan) for k in ("worth_good", "worth_bad", "probe_error")}
    for g in range(G):
        rows = np.flatnonzero(lineage["generation"] == g)
        if not len(rows):
            continue
        reward = layout.view(genomes[rows], "reward_init")  # (m, A, P+1)
        out["worth_good"][g] = reward[:, actions, good].mean()
        out["worth_bad"][g] = reward[:, actions, bad].mean()
        model = layout.view(genomes[rows[:AGENTS_PER_GENERATION]], "model_init")
        out["probe_error"][g] = probe_error(model, battery).mean()
    return out


def condition_of(params: dict) -> str:
    return "learning" if params.get("learner.learning", True) else "no learning"


def analyse(sweep, out: Path, trials, trials_out: Path) -> Findings:
    populations = runs_of(sweep, out)
    battery = probe_battery(sweep.runs[0].config)
    per: dict[str, dict[int, dict[str, np.ndarray]]] = {}
    for population in populations:
        per.setdefault(condition_of(population.params), {})[population.seed] = (
            curves(population.folder, battery))
    gaps: dict[str, dict[int, dict[str, float]]] = {}
    lifespans: dict[tuple, float] = {}
    for trial in trial_runs(runs_of(trials, trials_out), populations):
        key = (condition_of(trial.population.params), trial.population.seed, trial.pool)
        lifespans[key + (bool(trial.run.params["learner.learning"]),)] = trial_lifespan(trial)
    for (condition, seed, pool, learning), value in lifespans.items():
        other = lifespans.get((condition, seed, pool, not learning))
        if learning and other is not None:
            gaps.setdefault(condition, {}).setdefault(seed, {})[pool] = value - other
    rows, lines = [], ["# Assimilation: is what is learned taken over into the genes?", "",
                       f"{len(populations)} evolved populations "
                       f"({sweep.runs[0].config.evolution.generations} generations, fixed deal). "
                       f"First / last = mean over the first / last {WINDOW} generations; means "
                       "over seeds with 95 % t intervals; change = last − first (paired).", "",
                       "| condition | measure | first | last | change |",
                       "| --- | --- | ---: | ---: | ---: |"]
    measures = {"worth_good": "innate worth of food (kind 0)",
                "worth_bad": "innate worth of poison (kind 1)",
                "probe_error": "innate model's probe-battery error",
                "gap": "lifespan gap, learning on − off (trials)"}
    for condition in ("learning", "no learning"):
        seeds = sorted(per.get(condition, {}))
        for measure, label in measures.items():
            if measure == "gap":
                seeds_g = sorted(s for s in gaps.get(condition, {})
                                 if {"first", "last"} <= set(gaps[condition][s]))
                first = [gaps[condition][s]["first"] for s in seeds_g]
                last = [gaps[condition][s]["last"] for s in seeds_g]
            else:
                first = [np.nanmean(per[condition][s][measure][:WINDOW]) for s in seeds]
                last = [np.nanmean(per[condition][s][measure][-WINDOW:]) for s in seeds]
            if not first:
                continue
            cis = mean_ci(first), mean_ci(last), paired_difference(last, first)
            row = {"condition": condition, "measure": measure, "label": f"{condition}: {measure}"}
            for name, ci in zip(("first", "last", "change"), cis):
                row.update({name: ci.mean, f"{name}_lo": ci.lo, f"{name}_hi": ci.hi})
            rows.append(row)
            lines.append(f"| {condition} | {label} | " + " | ".join(fmt_ci(c) for c in cis) + " |")
    lines += ["", f"Probe battery: {len(battery[0])} transitions of a reference world with random "
              f"actions (seed {PROBE_SEED}); error over up to {AGENTS_PER_GENERATION} agents of "
              "each generation.", ""]
    return Findings(rows, "\n".join(lines), {"assimilation": lambda fig: _draw(fig, per)})


def _draw(figure, per) -> None:
    axes = figure.subplots(1, 3)
    figure.suptitle("Assimilation: mean and 95 % CI over seeds, per generation")
    panels = (("worth_good", "innate worth of food"), ("worth_bad", "innate worth of poison"),
              ("probe_error", "innate model's probe error"))
    for ax, (measure, title) in zip(axes, panels):
        draw_generation_curves(ax, {c: [by_seed[s][measure] for s in sorted(by_seed)]
                                    for c, by_seed in per.items()}, title)
