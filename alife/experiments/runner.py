"""Run a built-in experiment: its sweep (matched seeds), then its analysis.

Output folder (default ``sweeps/experiment-<name>``): everything a sweep writes (runs/,
results.csv, the long metrics table, sweep.yaml) plus
    experiment.csv   the analysis table: one row per condition (and world), means with 95 % CIs
    findings.md      the same as Markdown, with paired comparisons on matched seeds
    plots/*.png      figures, when matplotlib is installed (the ``plot`` extra)
    test/            two-stage experiments (alife.experiments.stages): the evolved populations'
                     trials on fresh worlds, a sweep folder of its own
Re-running the same command skips finished runs and only redoes the analysis.
"""

from __future__ import annotations

import csv
import importlib
import importlib.util
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from alife.config import ConfigError
from alife.experiments import EXPERIMENTS
from alife.experiments.common import runs_of
from alife.experiments.stages import read_trial_stage, trial_sweep_spec

CONFIG_DIR = Path(__file__).resolve().parents[2] / "configs" / "experiments"


@dataclass
class Findings:
    """What an analysis found: table rows (dicts, one per condition), Markdown text, and
    figures (name → function drawing on a matplotlib Figure)."""

    rows: list[dict[str, Any]]
    markdown: str
    figures: dict[str, Callable[[Any], None]] = field(default_factory=dict)


@dataclass
class ExperimentResult:
    out: Path
    status: str          # "completed", "interrupted", or "failed" (some runs failed)
    findings: Findings | None
    files: list[Path]


def experiment_file(name: str) -> Path:
    if name not in EXPERIMENTS:
        raise ConfigError(f"experiment {name!r}: unknown; choose from {', '.join(EXPERIMENTS)}")
    return CONFIG_DIR / f"{name}.yaml"


def run_experiment(name: str, out: str | Path | None = None, *, seeds: int | None = None,
                   workers: int | None = None, scheduler: str | None = None,
                   progress: bool | None = None,
                   log: Callable[[str], None] | None = None) -> ExperimentResult:
    """Run experiment ``name`` (its sweep, then its analysis). ``seeds``: use seeds 1..N for
    every condition (default: the experiment file's)."""
    log = log or (lambda msg: print(msg, file=sys.stderr))
    path = experiment_file(name)
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    stage = read_trial_stage(spec.pop("test"), str(path)) if "test" in spec else None
    if seeds is not None:
        if seeds < 2:
            raise ConfigError(f"--seeds: confidence intervals need at least 2 seeds, got {seeds}")
        spec["seeds"] = list(range(1, seeds + 1))
        spec.pop("repeats", None)
    if isinstance(spec.get("base"), str):  # the effective file is written elsewhere
        spec["base"] = str((path.parent / spec["base"]).resolve())
    out = (Path(out) if out is not None else Path("sweeps") / f"experiment-{name}").resolve()
    sweep, outcome = _run_stage(spec, name, out, workers, scheduler, progress, log)
    if outcome.interrupted:
        return ExperimentResult(outcome.out, "interrupted", None, [])
    failed = outcome.counts.get("failed", 0)
    module = importlib.import_module(f"alife.experiments.{name}")
    if stage is None:
        findings = module.analyse(sweep, outcome.out)
        runs = len(sweep.runs)
    else:  # stage 2: the evolved populations on fresh worlds
        populations = runs_of(sweep, outcome.out)
        if not populations:
            log(f"experiment {name}: no evolved population to test ({failed} runs failed)")
            return ExperimentResult(outcome.out, "failed", None, [])
        trial_spec = trial_sweep_spec(name, spec, stage, populations)
        trials, trial_outcome = _run_stage(trial_spec, f"{name}-test", out / "test", workers,
                                           scheduler, progress, log)
        if trial_outcome.interrupted:
            return ExperimentResult(outcome.out, "interrupted", None, [])
        failed += trial_outcome.counts.get("failed", 0)
        findings = module.analyse(sweep, outcome.out, trials, trial_outcome.out)
        runs = len(sweep.runs) + len(trials.runs)
    files = write_findings(findings, outcome.out, log)
    log(f"experiment {name}: {runs} runs ({failed} failed); findings in "
        f"{outcome.out / 'findings.md'}")
    return ExperimentResult(outcome.out, "failed" if failed else "completed", findings, files)


def _run_stage(spec: dict[str, Any], name: str, out: Path, workers, scheduler, progress, log):
    """Plan the sweep ``spec`` (a mapping, as a sweep file holds) and run it into ``out``."""
    from alife.batch.spec import load_sweep
    from alife.batch.sweep import run_sweep

    with tempfile.TemporaryDirectory() as tmp:
        effective = Path(tmp) / f"{name}.yaml"
        effective.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
        sweep = load_sweep(effective)
        outcome = run_sweep(sweep, out, workers=workers, scheduler=scheduler, progress=progress,
                            log=log)
    return sweep, outcome


def write_findings(findings: Findings, out: Path, log: Callable[[str], None]) -> list[Path]:
    """experiment.csv, findings.md and, with matplotlib, plots/<name>.png."""
    files = [out / "experiment.csv", out / "findings.md"]
    columns: list[str] = []
    for row in findings.rows:
        columns += [k for k in row if k not in columns]
    with files[0].open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        writer.writerows(findings.rows)
    files[1].write_text(findings.markdown, encoding="utf-8")
    if not findings.figures:
        return files
    if importlib.util.find_spec("matplotlib") is None:
        log('no plots: matplotlib is not installed (pip install -e ".[plot]")')
        return files
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    (out / "plots").mkdir(exist_ok=True)
    for fig_name, draw in findings.figures.items():
        figure = Figure(figsize=(9, 4.5), layout="constrained")
        draw(figure)
        target = out / "plots" / f"{fig_name}.png"
        figure.savefig(target, dpi=110)
        files.append(target)
    return files


def fmt_ci(ci) -> str:
    """'12.3 [10.1, 14.5]' (or '12.3' when the interval is undefined)."""
    if ci.n == 0:
        return "–"
    if ci.n < 2:
        return f"{ci.mean:.3g}"
    return f"{ci.mean:.3g} [{ci.lo:.3g}, {ci.hi:.3g}]"
