"""Does evolution beat a no-selection control? Paired runs of ``alife evolve`` over seeds.

Usage (from the repository root)::

    python scripts/evolve_vs_control.py  # default config, seeds 1-3, 20 generations
    python scripts/evolve_vs_control.py --seeds 1 2 3 4 5 --generations 30 --set world.width=64

For each seed it runs the config with its own selection (``evolution.selection``, default
tournament) and a control with ``evolution.selection=random`` (parents drawn uniformly, no
elites); both see the same sequence of worlds. It prints, per seed, the mean lifespan of the
first 3 generations, of the last 5 with selection and of the last 5 of the control, and saves
all per-generation numbers as JSON (``--json``, default bench-results/evolve_vs_control.json).
"""

from __future__ import annotations

import argparse
import csv
import json
import tempfile
import time
from pathlib import Path

import numpy as np

from alife import load_config
from alife.runners.evolve import evolve


def mean_lifespans(config, folder: Path) -> list[float]:
    evolve(config, folder, progress=False, log=lambda msg: None)
    with open(folder / "generations.csv", newline="", encoding="utf-8") as f:
        return [float(row["mean_lifespan"]) for row in csv.DictReader(f)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config", nargs="?", help="YAML config (default: the built-in defaults)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--generations", type=int, default=20)
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--json", default="bench-results/evolve_vs_control.json")
    args = parser.parse_args()
    base = load_config(args.config, [*args.overrides, f"evolution.generations={args.generations}"])
    results = []
    print(f"{'seed':>4} {'first 3':>8} {'last 5':>8} {'control':>8} {'gain':>6} {'vs ctrl':>7}"
          "  minutes")
    with tempfile.TemporaryDirectory() as tmp:
        for seed in args.seeds:
            started = time.perf_counter()
            selected = mean_lifespans(load_config(base, {"seed": seed}), Path(tmp) / f"sel-{seed}")
            control = mean_lifespans(load_config(base, {"seed": seed,
                                                        "evolution.selection": "random"}),
                                     Path(tmp) / f"ctl-{seed}")
            first, last, ctl = np.mean(selected[:3]), np.mean(selected[-5:]), np.mean(control[-5:])
            minutes = (time.perf_counter() - started) / 60
            print(f"{seed:>4} {first:8.1f} {last:8.1f} {ctl:8.1f} {last - first:+6.1f} "
                  f"{last - ctl:+7.1f}  {minutes:.1f}", flush=True)
            results.append({"seed": seed, "selection": selected, "control": control})
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"config_overrides": args.overrides, "generations": args.generations,
                               "selection": base.evolution.selection, "runs": results}, indent=1))
    print(f"saved {out}")


if __name__ == "__main__":
    main()
