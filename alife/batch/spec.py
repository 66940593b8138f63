"""The sweep file: what to vary, how often, with which command; validated before anything runs.

Example (``configs/sweeps/example.yaml``)::

    name: model-lr                 # default out folder: sweeps/<name> (default: the file's stem)
    base: ../default.yaml          # a config file (relative to this file), an inline mapping,
                                   # or nothing for the built-in defaults
    set:                           # fixed overrides for every run, as with --set
      world.width: 32
    command: run                   # what each run does (the commands in alife.batch.commands)
    options: {steps: 300}          # the command's options
    grid:                          # every combination of these lists (Cartesian product)
      learner.model_lr: [0.1, 0.5]
    cases:                         # and/or explicit combinations, each crossed with the grid
      - {world.width: 32, world.height: 32}
      - {world.width: 16, seed: 5} # a case may pin its seed: it runs once, with that seed
    repeats: 2                     # runs per combination, seeds derived from master_seed ...
    master_seed: 7
    # seeds: [1, 2, 3]             # ... or explicit seeds (the same ones for every combination)

:func:`load_sweep` returns a :class:`Sweep`: the planned runs in order (combination by
combination, repetitions innermost), each with its id, parameters, seed and resolved config.
Every failure raises :class:`SweepError` naming the file and the field, e.g.
``lr.yaml: grid: learner.model_lr[1]: must be <= 1.5, got 3``.
"""

from __future__ import annotations

import difflib
import itertools
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from alife.batch.commands import COMMANDS
from alife.batch.seeds import canonical, derive_seed, run_id
from alife.config import Config, ConfigError, load_config
from alife.config.loading import StrictYamlError, strict_yaml


class SweepError(ConfigError):
    """A sweep file that cannot be used; the message names the file and the field."""


class SweepFile(BaseModel):
    """The sweep file as written (before the runs are planned)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str | None = Field(None, min_length=1, pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
    base: str | dict[str, Any] | None = None
    set: dict[str, Any] = {}
    command: Literal[tuple(COMMANDS)] = "run"  # type: ignore[valid-type]
    options: dict[str, Any] = {}
    grid: dict[str, list[Any]] = {}
    cases: list[dict[str, Any]] = []
    seeds: list[int] | None = Field(None, min_length=1)
    repeats: int | None = Field(None, ge=1)
    master_seed: int = Field(0, ge=0)


@dataclass(frozen=True)
class PlannedRun:
    """One run of a sweep: ``run_id`` (folder name), the swept ``params`` (dotted key → value),
    its ``seed``, ``repetition`` (0-based) and the resolved ``config`` (seed included)."""

    run_id: str
    params: dict[str, Any]
    seed: int
    repetition: int
    config: Config


@dataclass(frozen=True)
class Sweep:
    """A validated sweep: ``runs`` in order; ``param_names`` the swept keys (cases', then
    grid's)."""

    name: str
    source: str
    command: str
    options: BaseModel
    param_names: list[str]
    runs: list[PlannedRun]
    text: str  # the sweep file as written, kept in the output folder


MAX_RUNS = 10_000  # a sweep planning more runs is refused unless asked for (alife sweep --yes)


def load_sweep(path: str | Path, max_runs: int | None = MAX_RUNS) -> Sweep:
    """Read, validate and plan the sweep in ``path`` (see the module docstring). A sweep of
    more than ``max_runs`` runs is refused before it is planned (None: no limit)."""
    path = Path(path)
    where = str(path)
    text, data = _read(path)
    config_sections = set(data) & set(Config.model_fields)
    if config_sections and not set(data) & (set(SweepFile.model_fields) - {"name"}):
        raise SweepError(f"{where}: a config file (it has {', '.join(sorted(config_sections))}), "
                         f"not a sweep file: run it with `alife run {path}`, or name it as a sweep "
                         "file's `base:` (configs/sweeps/example.yaml is a sweep file to start "
                         "from)")
    try:
        spec = SweepFile.model_validate(data)
    except ValidationError as err:
        raise SweepError(
            "\n".join(f"{where}: {line}" for line in _describe(err, SweepFile))) from None
    if spec.seeds is not None and spec.repeats is not None:
        raise SweepError(f"{where}: seeds, repeats: give explicit seeds or a repeat count, "
                         "not both")
    if spec.seeds is not None and (min(spec.seeds) < 0 or len(set(spec.seeds)) < len(spec.seeds)):
        raise SweepError(f"{where}: seeds: must be distinct integers >= 0, got {spec.seeds}")
    command = COMMANDS[spec.command]
    try:
        options = command.options.model_validate(spec.options)
    except ValidationError as err:
        raise SweepError("\n".join(f"{where}: options.{line}"
                                   for line in _describe(err, command.options))) from None

    base = _base(spec.base, path)
    for key in spec.set:
        _check_key(key, where, "set")
    base = _load(base, spec.set, f"{where}: set")

    for key in spec.grid:
        _check_key(key, where, "grid")
        if not spec.grid[key]:
            raise SweepError(f"{where}: grid: {key}: needs at least one value")
        for i, value in enumerate(spec.grid[key]):
            _load(base, {key: value}, f"{where}: grid: {key}[{i}]", key)
    case_keys: list[str] = []
    seen: dict[str, int] = {}
    pinned: list[int | None] = []  # each case's own seed, if it names one
    for i, case in enumerate(spec.cases):
        case = dict(case)
        pinned.append(_pinned_seed(case.pop("seed", None), f"{where}: cases[{i}]"))
        for key, value in case.items():
            _check_key(key, where, f"cases[{i}]")
            if key in spec.grid:
                raise SweepError(f"{where}: cases[{i}]: {key} is also in grid; "
                                 "vary it in one place")
            _load(base, {key: value}, f"{where}: cases[{i}]: {key}", key)
            if key not in case_keys:
                case_keys.append(key)
        ident = canonical({**case, "seed": pinned[-1]})
        if ident in seen:
            raise SweepError(f"{where}: cases[{i}]: the same combination as cases[{seen[ident]}]")
        seen[ident] = i

    per_combination = len(spec.seeds) if spec.seeds is not None else (spec.repeats or 1)
    n_grid = math.prod(len(values) for values in spec.grid.values())
    planned = n_grid * sum(1 if seed is not None else per_combination for seed in pinned or [None])
    if max_runs is not None and planned > max_runs:
        raise SweepError(f"{where}: {planned:,} runs planned, more than {max_runs:,}; pass --yes "
                         "to run them all (alife sweep), or split the sweep")
    grid_combos = [dict(zip(spec.grid, values))
                   for values in itertools.product(*spec.grid.values())]
    cases = [({k: v for k, v in case.items() if k != "seed"}, seed)
             for case, seed in zip(spec.cases, pinned)] or [({}, None)]
    combos = [({**case, **g}, seed) for case, seed in cases for g in grid_combos]
    runs = []
    for params, seed in combos:
        config = command.configure(
            _load(base, params, f"{where}: combination {canonical(params)}"), options)
        if seed is not None:
            seeds = [seed]
        elif spec.seeds is not None:
            seeds = list(spec.seeds)
        else:
            seeds = [derive_seed(spec.master_seed, k, params) for k in range(spec.repeats or 1)]
        for k, seed in enumerate(seeds):
            runs.append(PlannedRun(run_id(params, seed), params, seed, k,
                                   load_config(config, {"seed": seed})))
    ids = [r.run_id for r in runs]
    if len(set(ids)) < len(ids):
        twice = next(r for r in runs if ids.count(r.run_id) > 1)
        raise SweepError(f"{where}: cases: the run {canonical(twice.params)} with seed "
                         f"{twice.seed} is planned twice (a case's own seed repeats one of seeds)")
    return Sweep(name=spec.name or _stem_name(path), source=where, command=spec.command,
                 options=options, param_names=case_keys + list(spec.grid), runs=runs, text=text)


def _pinned_seed(seed: Any, where: str) -> int | None:
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise SweepError(f"{where}: seed: must be an integer >= 0, got {seed!r}")
    return seed


def _read(path: Path) -> tuple[str, Any]:
    if not path.is_file():
        raise SweepError(f"{path}: sweep file not found")
    try:
        text = path.read_text(encoding="utf-8")
        data = strict_yaml(text)
    except StrictYamlError as err:
        raise SweepError(f"{path}: {err}") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        at = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise SweepError(
            f"{path}: malformed YAML{at}: {getattr(err, 'problem', None) or err}") from None
    except UnicodeDecodeError:
        raise SweepError(f"{path}: not a text file (expected UTF-8 YAML)") from None
    if not isinstance(data, dict):
        raise SweepError(f"{path}: expected a mapping (base, grid, seeds, ...), "
                         f"got {type(data).__name__}")
    return text, data


def _base(base: str | dict[str, Any] | None, path: Path) -> Config:
    """The base config: built-in defaults, an inline mapping, or a file relative to the sweep
    file."""
    if isinstance(base, str):
        base_path = Path(base) if Path(base).is_absolute() else path.parent / base
        if not base_path.is_file():
            raise SweepError(f"{path}: base: config file not found: {base_path}")
        return load_config(base_path)  # its errors name the base file
    return _load(base, None, f"{path}: base")


def _load(source: Config | Mapping[str, Any] | None, overrides: Mapping[str, Any] | None,
          where: str, key: str | None = None) -> Config:
    """load_config, with errors said at ``where`` (the sweep file's field) instead of <dict>."""
    try:
        return load_config(source, overrides)
    except ConfigError as err:
        lines = []
        for line in str(err).splitlines():
            line = re.sub(r"^<(dict|config|defaults)>( \(with overrides\))?: ", "", line)
            if key is not None and line.startswith(f"{key}: "):
                line = line[len(key) + 2:]  # the field is already named in `where`
            lines.append(f"{where}: {line}")
        raise SweepError("\n".join(lines)) from None


def _check_key(key: str, where: str, field: str) -> None:
    """A swept or set key must name a config field (a value, not a section); not the seed."""
    if key == "seed":
        raise SweepError(f"{where}: {field}: seed: set by the sweep's seeds / repeats / "
                         "master_seed")
    model: type[BaseModel] = Config
    parts = key.split(".")
    for depth, part in enumerate(parts):
        fields = model.model_fields
        if part not in fields:
            close = difflib.get_close_matches(part, list(fields), n=1, cutoff=0.5)
            hint = (f" (did you mean {close[0]!r}?)" if close
                    else f" (valid keys: {', '.join(fields)})")
            raise SweepError(f"{where}: {field}: {key}: unknown key "
                             f"{'.'.join(parts[:depth + 1])!r}{hint}")
        annotation = fields[part].annotation
        is_section = isinstance(annotation, type) and issubclass(annotation, BaseModel)
        if depth < len(parts) - 1:
            if not is_section:
                raise SweepError(f"{where}: {field}: {key}: {'.'.join(parts[:depth + 1])} "
                                 "is a value, not a section")
            model = annotation
        elif is_section:
            raise SweepError(f"{where}: {field}: {key}: is a section; name one of its fields, "
                             f"e.g. {key}.{next(iter(annotation.model_fields))}")


def _describe(err: ValidationError, model: type[BaseModel]) -> list[str]:
    lines = []
    for item in err.errors():
        path = ".".join(str(p) for p in item["loc"])
        if item["type"] == "extra_forbidden":
            close = difflib.get_close_matches(str(item["loc"][-1]), list(model.model_fields),
                                              n=1, cutoff=0.5)
            hint = f" (did you mean {close[0]!r}?)" if close and len(item["loc"]) == 1 else ""
            lines.append(f"{path}: unknown key{hint}")
        else:
            message = item["msg"].removeprefix("Value error, ")
            lines.append(f"{path}: {message}, got {item['input']!r}")
    return lines


def _stem_name(path: Path) -> str:
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", path.stem) or "sweep"
    return name if re.match(r"[A-Za-z0-9_]", name) else "_" + name
