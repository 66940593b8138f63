"""``alife experiment NAME [--seeds N] [--workers N | --scheduler ADDRESS] [--out DIR]``.

Exit codes: 0 done, 1 some runs failed (see results.csv), 2 bad input, 130 interrupted
(re-run the same command to go on: finished runs are skipped).
"""

from __future__ import annotations

import argparse
import sys

from alife.cli_options import add_executor_args, add_progress_args
from alife.experiments import EXPERIMENTS


def register(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "experiment", help="run a built-in experiment (a sweep on matched seeds) and analyse it",
        description="Run a built-in experiment through the sweep machinery and write its table "
        "(experiment.csv, findings.md) and plots. Experiments: " + ", ".join(EXPERIMENTS) + ".")
    p.add_argument("name", metavar="NAME", help="experiment: " + " | ".join(EXPERIMENTS))
    p.add_argument("--seeds", type=int, metavar="N", help="seeds 1..N for every condition "
                   "(default: the experiment's own, configs/experiments/NAME.yaml)")
    p.add_argument("--out", metavar="DIR", help="output folder (default sweeps/experiment-NAME)")
    add_executor_args(p)
    add_progress_args(p)
    p.set_defaults(handler=main)
    return p


def main(args: argparse.Namespace) -> int:
    from alife.config import ConfigError
    from alife.experiments.runner import run_experiment
    from alife.parallel import ExecutorUnavailable

    try:
        result = run_experiment(args.name, args.out, seeds=args.seeds, workers=args.workers,
                                scheduler=args.scheduler, progress=args.progress)
    except (ConfigError, ExecutorUnavailable, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    if result.status == "interrupted":
        return 130
    print(result.findings.markdown if result.findings else "", end="")
    return 1 if result.status == "failed" else 0
