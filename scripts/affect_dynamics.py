"""Does affect move within a life, and does it follow the seasons? Per-agent traces of affect.

Usage (from the repository root)::

    python scripts/affect_dynamics.py                       # default world, seasons 0.8, seeds 1-3
    python scripts/affect_dynamics.py --seeds 1 2 --ticks 3000 --set world.width=64

Runs the default config with ``food.season_amplitude`` 0.8 (open-ended, births on) and records
every living agent's affect every tick. Per seed and affect dimension it reports, over the
agents that lived at least ``--min-life`` recorded ticks:

- the within-life standard deviation of e (median over agents), and the half-life gene;
- the within-life correlation r of e with the season at the agent's column,
  sin(2π(t/P + waves·x/W)) (the regrowth modulation), as the mean |r| over agents; and the
  same mean |r| against a season of random phase per agent (a null: slow series correlate
  by chance, so |r| alone overstates the link). A dimension follows the season when its
  |r| clearly exceeds the null's.

Output: a table per seed and JSON (``--json``, default bench-results/affect_dynamics.json).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alife import Simulation, load_config  # noqa: E402
from alife.world.state import agent_rows  # noqa: E402


def traces(config, ticks: int) -> tuple[dict[int, list], np.ndarray]:
    """Per agent id: rows (tick, x, affect K...) of every tick it lived; and the half-lives."""
    sim = Simulation(config)
    rows: dict[int, list] = {}
    for _ in range(ticks):
        sim.step(1)
        a = sim.state.agents
        alive = np.flatnonzero(a.alive)
        affect = agent_rows(a, "affect")[alive]
        for j, slot in enumerate(alive):
            rows.setdefault(int(a.id[slot]), []).append((sim.tick, int(a.x[slot]), *affect[j]))
        if sim.extinct:
            break
    half_lives = np.exp(sim.layout.view(sim.state.agents.genome, "affect_log_half_life")[
        sim.state.agents.alive]).mean(axis=0)
    return rows, half_lives


def analyse(rows: dict[int, list], config, min_life: int, rng: np.random.Generator) -> dict:
    f, w = config.food, config.world
    k_dims = config.affect.dims
    sds, rs, nulls = [], [], []
    for life in rows.values():
        if len(life) < min_life:
            continue
        data = np.asarray(life, np.float64)
        t, x, e = data[:, 0], data[:, 1], data[:, 2:]
        phase = 2 * math.pi * (t / f.season_period + f.season_waves * x / w.width)
        season = np.sin(phase)
        shuffled = np.sin(phase + rng.uniform(0, 2 * math.pi))
        sds.append(e.std(axis=0))
        rs.append([_abs_r(e[:, k], season) for k in range(k_dims)])
        nulls.append([_abs_r(e[:, k], shuffled) for k in range(k_dims)])
    sds, rs, nulls = np.array(sds), np.array(rs), np.array(nulls)
    return {"agents": int(len(sds)),
            "within_life_sd": np.median(sds, axis=0).tolist() if len(sds) else [],
            "season_abs_r": np.nanmean(rs, axis=0).tolist() if len(rs) else [],
            "null_abs_r": np.nanmean(nulls, axis=0).tolist() if len(nulls) else []}


def _abs_r(a: np.ndarray, b: np.ndarray) -> float:
    if a.std() == 0 or b.std() == 0:
        return float("nan")
    return float(abs(np.corrcoef(a, b)[0, 1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config", nargs="?", help="YAML config (default: the built-in defaults)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--ticks", type=int, default=3000)
    parser.add_argument("--min-life", type=int, default=300, help="recorded ticks an agent needs")
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    parser.add_argument("--json", default="bench-results/affect_dynamics.json")
    args = parser.parse_args()
    results = []
    for seed in args.seeds:
        config = load_config(args.config, ["food.season_amplitude=0.8", f"seed={seed}",
                                           *args.overrides])
        rows, half_lives = traces(config, args.ticks)
        result = analyse(rows, config, args.min_life, np.random.default_rng(seed))
        result.update(seed=seed, half_lives=half_lives.tolist())
        results.append(result)
        print(f"seed {seed}: {result['agents']} agents that lived >= {args.min_life} ticks")
        print("  dim  half-life  within-life SD  season |r|  null |r|")
        for k in range(len(result["within_life_sd"])):
            print(f"  {k:3d}  {half_lives[k]:9.0f}  {result['within_life_sd'][k]:14.3f}  "
                  f"{result['season_abs_r'][k]:10.3f}  {result['null_abs_r'][k]:8.3f}")
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
