"""``alife sweep SWEEP.yaml [--workers N] [--scheduler ADDRESS|local] [--out DIR]``.

``register(subparsers)`` adds the subcommand to ``alife``'s parser; the parsed arguments carry
``handler=main``. Exit codes: 0 every run finished, 1 some runs failed (see results.csv) or
the sweep folder could not be written, 2 bad input (incl. a folder of another sweep, a damaged
run file), 130 interrupted (re-run the same command to go on).
"""

from __future__ import annotations

import argparse
import sys

from alife.cli_options import add_executor_args, add_progress_args


def register(subparsers) -> argparse.ArgumentParser:
    """Add ``sweep`` to an argparse subparsers object; returns the new parser."""
    p = subparsers.add_parser(
        "sweep", help="run a parameter sweep (process pool or Dask) into one results table",
        description="Run every run of a sweep file and write results.csv and the long metrics "
        "table. Re-running the same command skips finished runs, resumes interrupted ones "
        "and retries failed ones.")
    p.add_argument("sweep", metavar="SWEEP",
                   help="sweep file (YAML), e.g. configs/sweeps/example.yaml")
    p.add_argument("--out", metavar="DIR", help="output folder (default sweeps/<name>)")
    p.add_argument("--yes", action="store_true",
                   help="run a sweep of more than 10,000 runs (refused without it)")
    add_executor_args(p)
    p.add_argument("--retries", type=int, metavar="N", default=None,
                   help="run a run whose worker process died (killed, out of memory) again up "
                   "to N times, from its last checkpoint, before it counts as failed (default 2)")
    p.add_argument("--csv", dest="parquet", action="store_false", default=None,
                   help="write the long metrics table as CSV even when pyarrow is installed")
    add_progress_args(p)
    p.set_defaults(handler=main)
    return p


def main(args: argparse.Namespace) -> int:
    from alife.batch.spec import MAX_RUNS, SweepError
    from alife.batch.sweep import WORKER_RETRIES, run_sweep
    from alife.config import ConfigError
    from alife.parallel import ExecutorUnavailable

    try:
        outcome = run_sweep(args.sweep, args.out, workers=args.workers, scheduler=args.scheduler,
                            max_runs=None if args.yes else MAX_RUNS,
                            progress=args.progress, parquet=args.parquet,
                            retries=WORKER_RETRIES if args.retries is None else args.retries)
    except (SweepError, ConfigError, ExecutorUnavailable, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except OSError as err:  # the sweep folder cannot be written (full disk, read-only, ...)
        where = f"{err.filename}: " if err.filename else ""
        print(f"error: {where}{err.strerror or err}; the runs finished so far are kept in their "
              "folders: run the same command again once that is fixed", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    if outcome.interrupted:
        return 130
    return 1 if outcome.counts.get("failed") else 0
