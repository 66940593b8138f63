"""What one run of a sweep does: a small table, command name → :class:`Command`.

A command is what ``alife <command>`` does for one config, without the command line: it
takes a resolved :class:`~alife.config.Config`, an empty output folder and its options (a
pydantic model, validated with the sweep file) and returns the run's summary, a dict whose
``"status"`` is one of ``Command.finished`` (done: a re-run skips it) or anything else
("interrupted": a re-run resumes it when the command can, else starts it again).

Commands: ``run`` (alife run) and ``evolve`` (alife evolve, one population). Adding one is
an options model, a start function (and optionally a resume function) and an entry in
:data:`COMMANDS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from alife.config import Config, ConfigError, load_config


class RunOptions(BaseModel):
    """Options of ``command: run`` (those of ``alife run`` that make sense in a sweep)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    steps: int | None = Field(
        None, ge=0, description="ticks per run (sets run.steps); default: the config's")


def _configure_run(config: Config, options: RunOptions) -> Config:
    return config if options.steps is None else load_config(config, {"run.steps": options.steps})


def _start_run(config: Config, folder: Path, options: RunOptions) -> dict[str, Any]:
    from alife.runners.headless import run

    return run(config, out=folder, progress=False, log=_quiet).summary


def _resume_run(folder: Path, options: RunOptions) -> dict[str, Any]:
    from alife.runners.resume import resume

    return resume(folder, progress=False, log=_quiet).summary


class EvolveOptions(BaseModel):
    """Options of ``command: evolve`` (those of ``alife evolve`` that make sense in a sweep)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    generations: int | None = Field(
        None, ge=1, description="generations (sets evolution.generations)")
    mode: Literal["generational", "open_ended"] | None = Field(
        None, description="sets evolution.mode")


def _configure_evolve(config: Config, options: EvolveOptions) -> Config:
    changes = {"evolution.generations": options.generations, "evolution.mode": options.mode}
    config = load_config(config, {k: v for k, v in changes.items() if v is not None})
    if config.evolution.islands > 1:  # islands take workers of their own: not inside a sweep
        raise ConfigError("evolution.islands: island runs cannot be sweep runs (they take "
                          f"workers of their own); use islands: 1, got {config.evolution.islands}")
    return config


def _start_evolve(config: Config, folder: Path, options: EvolveOptions) -> dict[str, Any]:
    from alife.runners.evolve import evolve

    return evolve(config, folder, progress=False, log=_quiet).summary


def _resume_evolve(folder: Path, options: EvolveOptions) -> dict[str, Any]:
    from alife.runners.evolve import resume_evolution

    return resume_evolution(folder, progress=False, log=_quiet).summary


def _quiet(message: str) -> None:
    """Runs in workers say nothing; the sweep reports per run."""


@dataclass(frozen=True)
class Command:
    """One kind of run.

    options: the pydantic model of the sweep file's ``options``.
    configure: (config, options) → the config the run will use (applied before the run, so
        the run folder's config.yaml and the skip check see it).
    start: (config, empty folder, options) → summary dict with "status"; writes the folder.
    resume: (folder, options) → summary, continuing an interrupted run; None = start again.
    finished: statuses that mean done (a re-run skips these runs).
    """

    options: type[BaseModel]
    configure: Callable[[Config, Any], Config]
    start: Callable[[Config, Path, Any], dict[str, Any]]
    resume: Callable[[Path, Any], dict[str, Any]] | None = None
    finished: frozenset[str] = frozenset({"completed", "extinct"})


COMMANDS: dict[str, Command] = {
    "run": Command(options=RunOptions, configure=_configure_run, start=_start_run,
                   resume=_resume_run),
    "evolve": Command(options=EvolveOptions, configure=_configure_evolve, start=_start_evolve,
                      resume=_resume_evolve),
}
