"""``alife evolve``: one population (:mod:`alife.runners.population`) or, with
``evolution.islands`` > 1, several that exchange migrants (:mod:`alife.runners.islands`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from alife.config import Config, load_config
from alife.io.run_folder import DEFAULT_ROOT
from alife.runners.islands import evolve_islands
from alife.runners.loop import RunResult
from alife.runners.population import evolve_population, resume_evolution

__all__ = ["evolve", "resume_evolution"]


def evolve(
    config: Config | str | Path | Mapping[str, Any] | None = None,
    out: str | Path | None = None,
    *,
    overrides: Iterable[str] | Mapping[str, Any] | None = None,
    root: str | Path = DEFAULT_ROOT,
    progress: bool | None = None,
    log: Callable[[str], None] | None = None,
) -> RunResult:
    """Evolve for ``evolution.generations`` generations and write the run folder.

    Args: as for :func:`alife.runners.headless.run`. Status: "completed", "extinct" (open-ended
    only: the world died out) or "interrupted" (Ctrl-C/SIGTERM; ``alife resume`` continues).
    With ``evolution.islands`` > 1 this is an island run (:mod:`alife.runners.islands`) on the
    default executor.
    """
    config = load_config(config, overrides)
    if config.evolution.islands > 1:
        return evolve_islands(config, out, root=root, progress=progress, log=log)
    return evolve_population(config, out, root=root, progress=progress, log=log)
