"""``alife view``: the command-line entry of the live viewer.

``register(subparsers)`` adds the subcommand to ``alife``'s parser; the parsed arguments carry
``handler=main``. pygame is imported only when the command runs, so ``alife run`` and
``alife config`` never load it.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

NO_DISPLAY_HELP = (
    "  to record without a window:  alife run --video out.mp4   "
    "(needs: pip install \"alife-sim[video]\")\n"
    "  or use a virtual display:    xvfb-run -s \"-screen 0 1280x800x24\" alife view ..."
)


def register(subparsers) -> argparse.ArgumentParser:
    """Add ``view`` to an argparse subparsers object; returns the new parser."""
    p = subparsers.add_parser("view", help="watch a simulation live in a window (pygame)",
                              description="Run a simulation live in a window. "
                              "Press h in the window for the keys.")
    p.add_argument("config", nargs="?", metavar="CONFIG",
                   help="YAML config file (default: built-in defaults = configs/default.yaml)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a field, e.g. --set world.width=64 (repeatable)")
    p.add_argument("--seed", type=int, metavar="S", help="master seed (seed)")
    p.add_argument("--resume", metavar="RUN_DIR",
                   help="open a run's checkpoint (RUN_DIR/checkpoint.npz) and go on from there")
    save = p.add_mutually_exclusive_group()
    save.add_argument("--save", metavar="DIR",
                      help="on closing, save the world as a run folder here (default: "
                      "runs/<name>-view-<timestamp>); `alife resume DIR` or "
                      "`alife view --resume DIR` goes on from it")
    save.add_argument("--no-save", action="store_true", help="do not save the world on closing")
    p.add_argument("--record", metavar="PATH",
                   help="record the world while watching (.mp4 or .gif); r toggles")
    p.add_argument("--shots", metavar="DIR", default=".",
                   help="folder for the screenshots and recordings s and r write (default: here)")
    p.add_argument("--mode", default="energy", metavar="MODE",
                   help="initial agent colour mode: energy, lineage, age, generation "
                        "(+ surprise, affect when the model has them)")
    p.add_argument("--speed", type=float, default=1, metavar="K",
                   help="initial ticks per frame (default 1)")
    p.add_argument("--paused", action="store_true", help="start paused")
    p.add_argument("--size", default="1280x800", metavar="WxH",
                   help="window size in pixels (default 1280x800)")
    p.add_argument("--fps", type=int, default=60, metavar="N",
                   help="frame rate cap (0 = none; default 60)")
    auto = p.add_argument_group("scripting (screenshots, demos, tests)")
    auto.add_argument("--frames", type=int, metavar="N", help="quit after N frames")
    auto.add_argument("--screenshot", metavar="PATH",
                      help="save the window as PNG when the viewer ends")
    auto.add_argument("--select", type=int, metavar="ID",
                      help="open the inspector on this agent id")
    p.add_argument("--follow", type=int, metavar="ID",
                   help="open the inspector on this agent and keep the view on it (l toggles)")
    auto.add_argument("--help-overlay", action="store_true",
                      help="start with the help overlay shown")
    p.set_defaults(handler=main)
    return p


def display_problem() -> str | None:
    """Why no window can open here, or None if it may (checked before pygame tries)."""
    if not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return None
    if any(os.environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER")):
        return None
    return "no display: neither DISPLAY nor WAYLAND_DISPLAY is set"


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise ValueError(f"--size: expected WxH, e.g. 1280x800, got {text!r}") from None
    if w < 200 or h < 150:
        raise ValueError(f"--size: at least 200x150, got {text!r}")
    return w, h


def main(args: argparse.Namespace) -> int:
    """Run the viewer. Exit codes: 0 closed, 1 no display, 2 bad input, 130 interrupted."""
    from alife.config import ConfigError, load_config
    from alife.render.colors import MODES
    from alife.render.video import VideoUnavailable, check_video_support, refuse_existing

    def fail(message: str, code: int = 2) -> int:
        print(f"error: {message}", file=sys.stderr)
        return code

    try:
        if args.resume and (args.config or args.overrides or args.seed is not None):
            raise ValueError("--resume: the run's checkpoint holds its config; "
                             "drop CONFIG, --set and --seed")
        overrides = list(args.overrides) + ([f"seed={args.seed}"] if args.seed is not None else [])
        config = None if args.resume else load_config(args.config, overrides)
        size = _size(args.size)
        if args.save and Path(args.save).exists() and (
                not Path(args.save).is_dir() or any(Path(args.save).iterdir())):
            raise ValueError(f"--save {args.save}: already exists and is not an empty folder")
        if args.mode not in MODES:
            raise ValueError(f"--mode: unknown colour mode {args.mode!r}; "
                             f"choose from {', '.join(MODES)}")
        if args.record:
            check_video_support(args.record)
            refuse_existing(args.record, "--record")
    except (ConfigError, ValueError, VideoUnavailable) as err:
        return fail(str(err))
    problem = display_problem()
    if problem:
        return fail(f"alife view needs a window, but there is {problem}.\n{NO_DISPLAY_HELP}", 1)

    from alife.io.checkpoint import CheckpointError
    from alife.runners.compiling import compile_kernels, start_compiling
    from alife.sim import Simulation

    if args.resume:
        from alife.runners.headless import CHECKPOINT

        try:
            sim, _ = Simulation.load(Path(args.resume) / CHECKPOINT)
        except CheckpointError as err:
            return fail(str(err))
        print(f"alife view: resumed {args.resume} at tick {sim.tick}", file=sys.stderr)
    else:
        start_compiling(config)  # on a cold cache, beside building the world
        sim = Simulation(config)

    # before the window opens, with a message: a minute's compile should not look like a hang
    compile_kernels(sim, lambda message: print(message, file=sys.stderr))

    from alife.viewer.app import App, NoDisplayError

    try:
        Path(args.shots).mkdir(parents=True, exist_ok=True)
        app = App(sim, size=size, speed=args.speed, paused=args.paused, mode=args.mode,
                  fps_limit=args.fps, record=args.record, show_help=args.help_overlay,
                  screenshot_dir=args.shots)
    except NoDisplayError as err:
        return fail(f"alife view could not open a window ({err}).\n{NO_DISPLAY_HELP}", 1)
    if args.select is not None and not app.select_id(args.select):
        print(f"alife view: no living agent with id {args.select}", file=sys.stderr)
    if args.follow is not None:
        if app.select_id(args.follow):
            app.toggle_follow()
        else:
            print(f"alife view: no living agent with id {args.follow} to follow", file=sys.stderr)
    code = 0
    try:
        app.run(max_frames=args.frames)
    except KeyboardInterrupt:
        code = 130
    finally:
        if args.screenshot:
            print(f"alife view: saved {app.save_screenshot(args.screenshot)}", file=sys.stderr)
        app.close()
        if not args.no_save:  # the world evolved while watched: keep it
            from alife.runners.headless import save_as_run

            folder = save_as_run(sim, args.save)
            print(f"alife view: saved the world at tick {sim.tick} in {folder}; go on with "
                  f"`alife view --resume {folder}` or `alife resume {folder} --steps N`",
                  file=sys.stderr)
    return code
