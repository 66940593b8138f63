"""Making a report: detect the kind of folder, draw its plots, write the pages."""

from __future__ import annotations

from pathlib import Path

from alife.io.lock import live_holder
from alife.report.data import ReportError, is_sweep_folder, load_run, load_sweep
from alife.report.island_report import (
    is_island_folder,
    island_facts,
    island_figures,
    island_folders,
)
from alife.report.page import write_pages
from alife.report.plotting import require_matplotlib

RUN_FACTS = ("status", "mode", "ticks", "generations", "seed", "final_population",
             "peak_population", "births", "deaths", "lineage_rows", "agent_steps_per_second")


def make_report(folder: str | Path, out: str | Path | None = None, top: int = 5,
                metrics: list[str] | None = None) -> Path:
    """Write the report of a run folder or sweep folder (it has results.csv) into ``out``
    (default ``folder/report``; created). Returns the path of report.html. Raises
    ReportError for bad input and PlotUnavailable without matplotlib (checked first)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ReportError(f"{folder}: no such folder" if not folder.exists()
                          else f"{folder}: not a folder")
    require_matplotlib()
    out = Path(out) if out is not None else folder / "report"
    if is_sweep_folder(folder):
        from alife.report.sweep_report import sweep_figures

        sweep = load_sweep(folder)
        _mkdir(out)
        figures, notes, table = sweep_figures(sweep, out, metrics)
        running = live_holder(folder)
        if running is not None:
            notes.insert(0, f"the sweep is still running ({running.get('what', 'a writer')}, "
                            f"pid {running.get('pid')} on {running.get('host')}): this report "
                            "shows the runs finished so far")
        res = sweep.results
        facts = [("sweep folder", str(folder)), ("runs", int(res["run_id"].size)),
                 ("swept parameters", ", ".join(sweep.params) or "none")]
        facts += [(f"status {s}", int((res["status"] == s).sum()))
                  for s in sorted(set(res["status"].tolist()))]
        return write_pages(out, f"Sweep report: {folder.resolve().name}", facts, figures, notes,
                           [], table)[0]
    if is_island_folder(folder):
        return _island_report(folder, out, top)
    from alife.report.run_report import run_figures

    data = load_run(folder)
    _mkdir(out)
    figures, notes, files = run_figures(data, out, top_lineages=top)
    facts = [("run folder", str(folder))]
    facts += [(k, data.summary[k]) for k in RUN_FACTS if k in data.summary]
    name = (data.config.get("run") or {}).get("name")
    title = f"{'Evolution' if data.is_evolution else 'Run'} report: {folder.resolve().name}"
    if name:
        facts.insert(1, ("config name", name))
    return write_pages(out, title, facts, figures, notes, files)[0]


def _island_report(folder: Path, out: Path, top: int) -> Path:
    """An island run: the islands side by side, and each island's own report below it."""
    _mkdir(out)
    figures, notes = island_figures(folder, out)
    reports = []
    for island in island_folders(folder):
        try:
            reports.append(make_report(island, out / island.name, top))
        except ReportError as err:  # e.g. an island that has not written a row yet
            notes.append(f"{island.name}: no report ({err})")
    title = f"Island evolution report: {folder.resolve().name}"
    return write_pages(out, title, island_facts(folder), figures, notes, reports)[0]


def _mkdir(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ReportError(f"{out}: cannot create the report folder ({err})") from None
