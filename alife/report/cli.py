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
        "report", help="plots and a one-page report (report.html, report.md) of a run or sweep folder",
        description="Write PNG plots and report.html / report.md for a run folder (alife run, "
                    "alife evolve) or a sweep folder (holds results.csv). Needs the plot extra "
                    '(pip install -e ".[plot]").')
    p.add_argument("folder", metavar="RUN_DIR|SWEEP_DIR", help="a run folder or a sweep folder")
    p.add_argument("--out", metavar="DIR", help="where to write the report (default: FOLDER/report)")
    p.add_argument("--top", type=int, default=5, metavar="K",
                   help="evolution runs: families drawn in the family tree (default 5)")
    p.add_argument("--metric", dest="metrics", action="append", metavar="COLUMN",
                   help="sweeps: a results.csv column to plot (repeatable; default: population, "
                        "births, deaths, food, final energy, surprise, progress, reward, exploration)")
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
