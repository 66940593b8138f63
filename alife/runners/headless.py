"""A headless run: simulate, record metrics, write a run folder. Never imports pygame.

Run folder contents:
    config.yaml   the resolved config (every field), enough to repeat the run
    metrics.csv   one row per recorded tick (see alife.metrics.collector.metric_columns)
    summary.json  status (completed / extinct / interrupted), totals, speed
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alife.config import Config, config_to_yaml, load_config
from alife.io.run_folder import DEFAULT_ROOT, make_run_folder, write_json
from alife.kernels.tick import STAT_NAMES, kernels_cached
from alife.metrics.collector import collect, metric_columns
from alife.metrics.writers import CsvWriter
from alife.render.video import open_video
from alife.sim import Simulation


@dataclass
class RunResult:
    folder: Path
    status: str  # "completed", "extinct" or "interrupted"
    summary: dict[str, Any]


def run(
    config: Config | str | Path | Mapping[str, Any] | None = None,
    out: str | Path | None = None,
    *,
    overrides: Iterable[str] | Mapping[str, Any] | None = None,
    root: str | Path = DEFAULT_ROOT,
    progress: bool | None = None,
    log: Callable[[str], None] | None = None,
    video: str | Path | None = None,
    video_stride: int = 1,
) -> RunResult:
    """Run ``config.run.steps`` ticks headless and write the run folder.

    Args:
        config, overrides: as for :func:`alife.load_config`.
        out: the run folder (must be new or empty); default ``root/<run.name>-<timestamp>``.
        progress: show a progress bar; None = only when stderr is a terminal.
        log: where to send one-line messages (default: stderr).
        video, video_stride: also record the world to this .mp4/.gif, one frame every
            ``video_stride`` ticks (needs the ``video`` extra; checked before anything runs).
    Extinction ends the run early with status "extinct"; Ctrl-C ends it with status
    "interrupted". Either way the files are complete.
    """
    log = log or (lambda msg: print(msg, file=sys.stderr))
    config = load_config(config, overrides)
    recorder = open_video(video, config, stride=video_stride)
    folder = make_run_folder(config.run.name, out, root)
    (folder / "config.yaml").write_text(config_to_yaml(config), encoding="utf-8")

    sim = Simulation(config)
    steps, every = config.run.steps, config.run.record_every
    totals = dict.fromkeys(STAT_NAMES, 0.0)
    status = "completed"
    peak = sim.n_alive
    if progress is None:
        progress = sys.stderr.isatty()
    bar = _progress_bar(steps, progress)
    log(f"alife run: {folder}  ({config.world.width}x{config.world.height}, "
        f"{sim.n_alive} agents, {steps} ticks, seed {config.seed})")
    if not kernels_cached():
        log("compiling kernels (first run only, under a minute)…")
    compile_started = time.perf_counter()
    sim.compile()
    compile_seconds = time.perf_counter() - compile_started
    started = time.perf_counter()
    with CsvWriter(folder / "metrics.csv", metric_columns(config)) as metrics:
        metrics.write(collect(sim, sim.take_stats()))

        def record_row() -> None:  # events accumulate in the simulation until a row takes them
            events = sim.take_stats()
            for name in STAT_NAMES:
                totals[name] += events[name]
            metrics.write(collect(sim, events))

        try:
            recorder.observe(sim)
            while sim.tick < steps and not sim.extinct:
                done = sim.step(min(every - sim.tick % every, steps - sim.tick,
                                    recorder.ticks_until_due(sim.tick)))
                recorder.observe(sim)
                peak = max(peak, sim.n_alive)
                if sim.tick % every == 0 or sim.tick == steps or sim.extinct:
                    record_row()
                bar.update(done)
            if sim.extinct:
                status = "extinct"
        except KeyboardInterrupt:
            status = "interrupted"
            record_row()
        finally:
            bar.close()
            recorder.close()
    wall = time.perf_counter() - started

    summary = {
        "status": status,
        "ticks": sim.tick,
        "ticks_requested": steps,
        "seed": config.seed,
        "final_population": sim.n_alive,
        "peak_population": peak,
        "births": int(totals["births"]),
        "deaths": int(totals["deaths_starved"] + totals["deaths_old_age"]),
        "food_eaten": totals["food_eaten"],
        "agent_steps": int(totals["agent_steps"]),
        "wall_seconds": round(wall, 3),
        "compile_seconds": round(compile_seconds, 3),
        "agent_steps_per_second": round(totals["agent_steps"] / wall) if wall > 0 else None,
    }
    write_json(folder / "summary.json", summary)
    if status == "extinct":
        log(f"population extinct at tick {sim.tick}; run ended early, files in {folder}")
    elif status == "interrupted":
        log(f"interrupted at tick {sim.tick}; files in {folder} are complete up to there")
    else:
        log(f"done: {sim.tick} ticks, {sim.n_alive} agents alive, "
            f"{summary['agent_steps_per_second'] or 0:,} agent-steps/s; files in {folder}")
    return RunResult(folder=folder, status=status, summary=summary)


def _progress_bar(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, unit="tick", disable=not enabled, dynamic_ncols=True)
