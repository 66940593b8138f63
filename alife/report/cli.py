"""``alife report RUN_DIR|SWEEP_DIR [--out DIR]``: PNG plots and a one-page report.

``register(subparsers)`` adds the subcommand to ``alife``'s parser (arguments carry
``handler=main``). matplotlib is imported only when a report is drawn; without it the
command exits with code 2 and the install hint.

Exit codes: 0 written, 2 bad input (missing folder, not a run or sweep folder, unreadable
file, unknown metric) or matplotlib missing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from alife.report.data import ReportError
from alife.report.plotting import PlotUnavailable


def register(subparsers) -> argparse.ArgumentParser:
    """Add ``report`` to an argparse subparsers object; returns the new parser."""
    p = subparsers.add_parser(
        "report",
        help="plots and a one-page report (report.html, report.md) of a run or sweep folder",
        description="Write PNG plots and report.html / report.md for a run folder (alife run, "
                    "alife evolve) or a sweep folder (holds results.csv). Needs the plot extra "
                    '(pip install -e ".[plot]").')
    p.add_argument("folder", metavar="RUN_DIR|SWEEP_DIR", help="a run folder or a sweep folder")
    p.add_argument("--out", metavar="DIR",
                   help="where to write the report (default: FOLDER/report)")
    p.add_argument("--top", type=int, default=5, metavar="K",
                   help="evolution runs: families drawn in the family tree (default 5)")
    p.add_argument("--metric", dest="metrics", action="append", metavar="COLUMN",
                   help="sweeps: a results.csv column to plot (repeatable; default: population, "
                        "births, deaths, food, final energy, surprise, progress, reward, "
                        "exploration)")
    p.set_defaults(handler=main)
    return p


def main(args: argparse.Namespace) -> int:
    from alife.report.build import make_report

    try:
        page = make_report(args.folder, args.out, top=args.top, metrics=args.metrics)
    except (ReportError, PlotUnavailable) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"report: {page}  (and report.md, PNGs beside it in {Path(page).parent})")
    return 0


def register_agent(subparsers) -> argparse.ArgumentParser:
    """Add ``agent`` (an agent's biography) to an argparse subparsers object."""
    p = subparsers.add_parser(
        "agent", help="an agent's biography: its life from the traces, or replayed exactly",
        description="Write the biography of agent ID of an `alife run` folder (report.html, PNGs "
                    "and life.csv in RUN_DIR/agents/ID): birth, parent, children, death, energy, "
                    "affect and what moved it, surprise, memory, its path on the map. An agent "
                    "that was not traced is replayed from the last kept checkpoint before its "
                    "birth (run.keep_checkpoints) or from the run's start. Needs the plot extra.")
    p.add_argument("folder", metavar="RUN_DIR", help="an alife run folder")
    p.add_argument("id", type=int, metavar="ID", help="the agent's id (founders are 0..N-1)")
    p.add_argument("--out", metavar="DIR",
                   help="where to write the page (default RUN_DIR/agents/ID)")
    p.add_argument("--replay", action="store_true",
                   help="replay the life even where it was traced (and check that both agree)")
    p.set_defaults(handler=agent_main)
    return p


def agent_main(args: argparse.Namespace) -> int:
    from alife.report.biography import write_biography

    try:
        page = write_biography(args.folder, args.id, args.out, replay=args.replay,
                               log=lambda m: print(m, file=sys.stderr))
    except (ReportError, PlotUnavailable) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"biography: {page}  (PNGs and life.csv beside it)")
    return 0
