"""Command-line options that several subcommands share (argparse), in one place."""

from __future__ import annotations

import argparse


def add_progress_args(parser: argparse.ArgumentParser) -> None:
    """--progress / --no-progress → ``args.progress`` (None: only on a terminal)."""
    bar = parser.add_mutually_exclusive_group()
    bar.add_argument("--progress", dest="progress", action="store_true", default=None,
                     help="always show the progress bar")
    bar.add_argument("--no-progress", dest="progress", action="store_false",
                     help="never show the progress bar (default: only on a terminal)")


def add_executor_args(parser: argparse.ArgumentParser, what: str = "") -> None:
    """--workers N and --scheduler ADDRESS → ``args.workers``, ``args.scheduler`` (where runs
    execute: :func:`alife.parallel.open_executor`). ``what``: a prefix for the help."""
    parser.add_argument("--workers", type=int, metavar="N",
                        help=f"{what}worker processes of the pool or the local Dask cluster "
                        "(default: the cores)")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help=f'{what}run on Dask: "local" starts a local cluster, tcp://host:8786 '
                        'connects to a running scheduler (needs: pip install "alife-sim[dask]")')
