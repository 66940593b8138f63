"""Command line: ``alife run``, ``alife evolve``, ``alife resume``, ``alife view``, ``alife report``
and ``alife config``.

Exit codes: 0 success (also a run that ended in extinction: see summary.json), 1 an island
of an island evolution failed, or a run could not write its files (a full disk: the folder
keeps its last checkpoint), 2 bad input (config, overrides, run folder), 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from alife.batch.cli import register as register_sweep
from alife.cli_options import add_executor_args, add_progress_args
from alife.config import ConfigError, config_to_yaml, load_config
from alife.experiments.cli import register as register_experiment
from alife.io.run_folder import RunFolderError
from alife.render.video import VideoUnavailable, add_video_args
from alife.report.cli import register as register_report
from alife.report.cli import register_agent
from alife.runners.loop import RunWriteError
from alife.viewer.cli import register as register_view


def _add_config_args(parser: argparse.ArgumentParser, required: bool = False) -> None:
    parser.add_argument("config", nargs=None if required else "?", metavar="CONFIG",
                        help="YAML config file"
                        + ("" if required
                           else " (default: built-in defaults = configs/default.yaml)"))
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="override a field, e.g. --set world.width=64 (repeatable)")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("alife-sim")
    except PackageNotFoundError:
        return "(not installed: run from a checkout)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="alife", description="Artificial-life simulator.")
    parser.add_argument("--version", action="version", version=f"alife {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="run a simulation headless and write a run folder")
    _add_config_args(run)
    run.add_argument("--steps", type=int, metavar="N", help="ticks to simulate (run.steps)")
    run.add_argument("--seed", type=int, metavar="S", help="master seed (seed)")
    run.add_argument("--out", metavar="DIR",
                     help="run folder (new or empty); default runs/<name>-<timestamp>")
    run.add_argument("--trace", type=int, metavar="N",
                     help="trace every tick of N founders drawn from the seed (run.trace)")
    run.add_argument("--trace-ids", type=_id_list, metavar="ID,ID,...",
                     help="trace these agents by id, e.g. 12,40 (run.trace_ids)")
    add_video_args(run)  # --video PATH, --video-stride K
    add_progress_args(run)

    evolve = sub.add_parser("evolve",
                            help="evolve headless over generations and write a run folder")
    _add_config_args(evolve)
    evolve.add_argument("--generations", type=int, metavar="G",
                        help="generations (evolution.generations)")
    evolve.add_argument("--mode", choices=("generational", "open_ended"),
                        help="evolution.mode (default: the config's)")
    evolve.add_argument("--seed", type=int, metavar="S", help="master seed (seed)")
    evolve.add_argument("--out", metavar="DIR",
                        help="run folder (new or empty); default runs/<name>-<timestamp>")
    evolve.add_argument("--islands", type=int, metavar="K",
                        help="island model: K populations (evolution.islands)")
    evolve.add_argument("--migrate-every", type=int, metavar="M",
                        help="generations between migrations (evolution.migrate_every)")
    add_executor_args(evolve, "island runs: ")
    add_progress_args(evolve)

    resume = sub.add_parser(
        "resume", help="continue an interrupted run or evolution from its checkpoint, exactly")
    resume.add_argument("run_dir", metavar="RUN_DIR", help="the run folder (holds checkpoint.npz)")
    resume.add_argument("--steps", type=int, metavar="N",
                        help="new total length in ticks (default: the run's own)")
    resume.add_argument("--generations", type=int, metavar="G",
                        help="evolution runs: new total number of generations "
                             "(default: the run's own)")
    add_executor_args(resume, "island runs: ")
    add_progress_args(resume)

    register_view(sub)  # alife view (the live window); pygame loads only when it runs
    register_sweep(sub)  # alife sweep (parameter sweeps; alife.batch)
    register_report(sub)  # alife report (plots); matplotlib loads only when it runs
    register_agent(sub)  # alife agent (one agent's biography)
    register_experiment(sub)  # alife experiment (built-in experiments through sweeps)

    sub.add_parser("warmup", help="compile every kernel ahead (e.g. in CI or a Docker build), "
                   "so the first real run starts at once")

    config = sub.add_parser("config", help="check or show a config")
    config_sub = config.add_subparsers(dest="config_command", required=True, metavar="ACTION")
    validate = config_sub.add_parser("validate", help="check a config file; errors name the field")
    _add_config_args(validate, required=True)
    show = config_sub.add_parser("show", help="print the resolved config (every field)")
    _add_config_args(show)
    show.add_argument("--comments", action="store_true",
                      help="describe every field (meaning, unit, valid range) in comments")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "run":
            return _run(args)
        if args.command == "evolve":
            return _evolve(args)
        if args.command == "resume":
            from alife.runners.resume import resume

            result = resume(args.run_dir, steps=args.steps, generations=args.generations,
                            progress=args.progress, workers=args.workers, scheduler=args.scheduler)
            return {"interrupted": 130, "failed": 1}.get(result.status, 0)
        if args.command == "warmup":
            return _warmup()
        if args.command in ("view", "sweep", "report", "agent", "experiment"):
            return args.handler(args)
        if args.command == "config":
            config = load_config(args.config, args.overrides)
            if args.config_command == "validate":
                print(f"{args.config}: valid")
            else:
                print(config_to_yaml(config, comments=args.comments), end="")
            return 0
    except (ConfigError, RunFolderError, VideoUnavailable,
            ValueError) as err:  # incl. CheckpointError
        print(f"error: {err}", file=sys.stderr)
        return 2
    except RunWriteError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except OSError as err:  # writing before a run began (its config.yaml)
        print(f"error: {err.filename or ''}: {err.strerror or err}", file=sys.stderr)
        return 1
    return 2


def _overrides(args: argparse.Namespace, **fields: str) -> list[str]:
    """The --set overrides plus one ``key=value`` per given option (option name → config
    key)."""
    return list(args.overrides) + [f"{key}={getattr(args, option)}"
                                   for option, key in fields.items()
                                   if getattr(args, option) is not None]


def _warmup() -> int:
    """Compile what runs use: a tiny traced run with every world option, and a tiny evolution."""
    import tempfile
    import time

    from alife.runners.evolve import evolve
    from alife.runners.headless import run

    started = time.perf_counter()
    tiny = {"world": {"width": 16, "height": 16, "noise_cover": 0.1, "hazard_cover": 0.1},
            "food": {"kinds": 2, "kind_values": [1.0, -1.0], "delayed_kind": 1, "delay": 2},
            "agents": {"initial_count": 16}, "run": {"steps": 3, "trace": 1}}
    def say(message: str) -> None:  # the compile's messages, not the tiny runs' own
        if "compil" in message:
            print(message, file=sys.stderr)

    with tempfile.TemporaryDirectory() as tmp:
        run(tiny, f"{tmp}/run", progress=False, log=say)
        evolve({**tiny, "run": {"steps": 3},
                "evolution": {"generations": 2, "generation_ticks": 10}},
               f"{tmp}/evolve", progress=False, log=say)
    print(f"kernels ready ({time.perf_counter() - started:.0f} s); "
          "numba's cache holds them for every run")
    return 0


def _id_list(text: str) -> list[int]:
    """'12,40' → [12, 40] (agent ids for --trace-ids)."""
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected agent ids separated by commas, e.g. 12,40; "
                                         f"got {text!r}") from None


def _run(args: argparse.Namespace) -> int:
    from alife.runners.headless import run

    overrides = _overrides(args, steps="run.steps", seed="seed", trace="run.trace")
    if args.trace_ids is not None:
        overrides.append(f"run.trace_ids=[{', '.join(map(str, args.trace_ids))}]")
    result = run(args.config, args.out, overrides=overrides, progress=args.progress,
                 video=args.video, video_stride=args.video_stride)
    return 130 if result.status == "interrupted" else 0


def _evolve(args: argparse.Namespace) -> int:
    from alife.runners.evolve import evolve

    overrides = _overrides(args, generations="evolution.generations", mode="evolution.mode",
                           seed="seed", islands="evolution.islands",
                           migrate_every="evolution.migrate_every")
    config = load_config(args.config, overrides)
    if config.evolution.islands > 1:
        from alife.runners.islands import evolve_islands

        result = evolve_islands(config, args.out, workers=args.workers, scheduler=args.scheduler,
                                progress=args.progress)
    else:
        if args.workers is not None or args.scheduler is not None:
            raise ValueError("--workers/--scheduler: for island runs (--islands K with K > 1)")
        result = evolve(config, args.out, progress=args.progress)
    return {"interrupted": 130, "failed": 1}.get(result.status, 0)


if __name__ == "__main__":
    sys.exit(main())
