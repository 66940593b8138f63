"""The report of an island run (``alife evolve --islands K``): every island's fitness and
lifespan over the generations on one page, with the migrations marked; each island's own
evolution report is made beside it (``report/island-KK/``, by :mod:`alife.report.build`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from alife.report.data import ReportError, numeric, read_json, read_table, read_yaml
from alife.report.plotting import Figure, require_matplotlib, save

ISLANDS_JSON = "islands.json"  # (written by alife.runners.islands)


def is_island_folder(folder: str | Path) -> bool:
    return (Path(folder) / ISLANDS_JSON).is_file()


def island_folders(folder: Path) -> list[Path]:
    """The islands' run folders that hold a generations table, in island order."""
    return sorted(p for p in Path(folder).glob("island-[0-9][0-9]")
                  if (p / "generations.csv").is_file())


def island_facts(folder: Path) -> list[tuple[str, Any]]:
    """The run's facts: status, islands, generations, migration settings, seed."""
    progress = read_json(folder / ISLANDS_JSON)
    summary = read_json(folder / "summary.json")
    evolution = read_yaml(folder / "config.yaml").get("evolution") or {}
    facts: list[tuple[str, Any]] = [("island run folder", str(folder))]
    facts += [("status", summary.get("status", "running or stopped (no summary.json)"))]
    facts += [("islands", progress.get("islands")), ("generations", progress.get("generations")),
              ("generations requested", evolution.get("generations")),
              ("migrants", evolution.get("migrants")),
              ("migration every", f"{evolution.get('migrate_every')} generations "
                                  f"({evolution.get('topology')})"),
              ("seed", summary.get("seed"))]
    return facts


def island_figures(folder: Path, out: Path) -> tuple[list[Figure], list[str]]:
    """Fitness and lifespan per island over the generations (islands.png)."""
    path = folder / "generations.csv"
    if not path.is_file():
        raise ReportError(f"{path}: missing; no generation of this island run has finished yet")
    table = read_table(path)
    island = numeric(table, "island")
    generation = numeric(table, "generation")
    if island is None or generation is None or island.size == 0:
        return [], [f"{path}: no generations yet"]
    evolution = read_yaml(folder / "config.yaml").get("evolution") or {}
    every = int(evolution.get("migrate_every") or 0)
    plt = require_matplotlib()
    panels = [("best_fitness", "best fitness"), ("mean_fitness", "mean fitness"),
              ("mean_lifespan", "mean lifespan (ticks)")]
    panels = [(c, label) for c, label in panels if numeric(table, c) is not None]
    fig, axes = plt.subplots(1, len(panels), figsize=(4.6 * len(panels), 3.6), squeeze=False)
    islands = np.unique(island).astype(int)
    for ax, (column, label) in zip(axes[0], panels):
        values = numeric(table, column)
        for k in islands:
            mine = island == k
            order = np.argsort(generation[mine])
            ax.plot(generation[mine][order], values[mine][order], marker=".", lw=1.2,
                    label=f"island {k}")
        if every:
            for g in range(every, int(generation.max()) + 1, every):
                ax.axvline(g - 0.5, color="0.75", lw=0.8, ls="--", zorder=0)
        ax.set_xlabel("generation")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
    axes[0][0].legend(fontsize="small", frameon=False)
    fig.tight_layout()
    caption = ("Each island's best and mean fitness and mean lifespan per generation"
               + (f"; dashed lines: migrations (every {every} generations), before the first "
                  "generation that holds the migrants" if every else "") + ".")
    return [save(fig, out / "islands.png", "Islands", caption)], []
