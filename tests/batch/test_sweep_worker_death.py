"""A pool worker process that dies (SIGKILL, the out-of-memory killer) breaks the process pool:
the runs it had not finished are sorted out once its processes are gone and go on in a fresh
pool; the run whose worker died is retried from its checkpoint (at most WORKER_RETRIES times,
then recorded as failed with the cause), and the log, results.csv and each run's
sweep_run.json agree. Deaths are made deterministic by the worker's test-only kill hook (a
file in the sweep folder: the worker SIGKILLs itself as the run reaches a given tick)."""

import json
import subprocess
import sys
from concurrent.futures import Future

import pytest
import yaml
from conftest import read_csv

from alife.batch import worker
from alife.batch.results import TIMING_COLUMNS, run_folder
from alife.batch.spec import load_sweep
from alife.batch.sweep import WORKER_RETRIES, _death_cause, _outcome, run_sweep
from alife.batch.worker import KILL_HOOK, NOT_STARTED, RUNNING_DIR, RunTask, execute
from alife.cli import main

TINY = {"world.width": 16, "world.height": 16, "agents.initial_count": 20, "run.record_every": 10,
        "run.checkpoint_every": 20}
SWEEP = {"set": TINY, "options": {"steps": 60}, "grid": {"learner.model_lr": [0.1, 0.6]},
         "repeats": 2, "master_seed": 3}
KILL_AT = 30  # a tick past the first checkpoint (20): a retry resumes from there


def write(path, **changes):
    path.write_text(yaml.safe_dump({**SWEEP, **changes}, sort_keys=False), encoding="utf-8")
    return path


def untimed(rows, drop=()):
    return [{k: v for k, v in row.items() if k not in TIMING_COLUMNS and k not in drop}
            for row in rows]


def summary(folder):
    data = json.loads((folder / "summary.json").read_text())
    return {k: v for k, v in data.items() if "seconds" not in k and k != "agent_steps_per_second"}


def record(folder):
    return json.loads((folder / "sweep_run.json").read_text())


def new_sweep_folder(out):
    """A new sweep folder, with a place for the worker kill hook's requests."""
    (out / KILL_HOOK).mkdir(parents=True)
    (out / ".sweep-token").write_text("fresh\n")
    return out


def ask_for_kills(out, sweep, kills):
    """kills: run index -> (times, tick): that run's worker SIGKILLs itself as the run reaches
    the tick (0: as it starts), that many times."""
    for index, (times, tick) in kills.items():
        (out / KILL_HOOK / sweep.runs[index].run_id).write_text(f"{times} {tick}\n")


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The sweep run once, undisturbed, on a 2-process pool: (sweep file, out folder)."""
    root = tmp_path_factory.mktemp("sweep")
    path = write(root / "tiny.yaml")
    outcome = run_sweep(path, root / "out", workers=2, log=lambda m: None, parquet=False)
    assert outcome.counts == {"completed": 4}
    return path, root / "out"


def same_files(out, reference_out, run_id):
    mine, theirs = run_folder(out, run_id), run_folder(reference_out, run_id)
    assert (mine / "metrics.csv").read_bytes() == (theirs / "metrics.csv").read_bytes()
    assert summary(mine) == summary(theirs)


@pytest.mark.slow
def test_a_run_whose_worker_is_killed_is_retried_from_its_checkpoint(reference, tmp_path):
    path, ref = reference
    sweep = load_sweep(path)
    out = new_sweep_folder(tmp_path / "out")
    ask_for_kills(out, sweep, {1: (1, KILL_AT)})
    messages = []
    outcome = run_sweep(path, out, workers=2, log=messages.append, parquet=False)

    assert outcome.counts == {"completed": 4} and not outcome.interrupted
    killed = sweep.runs[1].run_id
    rec = record(run_folder(out, killed))
    assert rec["status"] == "completed" and rec["attempt"] == 2 and rec["resumed"] is True
    assert rec["error"] == "" and "worker_died" not in rec
    log = "\n".join(messages)
    assert f"run {killed} (model_lr=0.1, seed {sweep.runs[1].seed}): worker process died " \
           "(signal 9); running it again (retry 1 of 2)" in log
    assert "fresh process pool" in log and "failed" not in log
    assert sum(f"] {killed} " in m and "completed" in m for m in messages) == 1  # logged once
    for planned in sweep.runs:  # every run, retried or not, ends as if nothing had happened
        same_files(out, ref, planned.run_id)
        assert record(run_folder(out, planned.run_id))["status"] == "completed"
    rows = read_csv(out / "results.csv")
    assert [r["status"] for r in rows] == ["completed"] * 4
    assert rows[1]["attempt"] == "2"
    assert untimed(rows, drop=("attempt",)) == untimed(read_csv(ref / "results.csv"),
                                                       drop=("attempt",))
    assert read_csv(out / "metrics.csv") == read_csv(ref / "metrics.csv")
    assert not (out / RUNNING_DIR).exists()  # no run left marked as going on
    assert (out / KILL_HOOK / killed).read_text().split() == ["0", str(KILL_AT)]


@pytest.mark.slow
def test_a_run_killed_on_every_attempt_ends_failed_everywhere_and_goes_on_later(
        reference, tmp_path, capsys):
    path, ref = reference
    sweep = load_sweep(path)
    out = new_sweep_folder(tmp_path / "out")
    ask_for_kills(out, sweep, {2: (99, KILL_AT)})
    argv = ["sweep", str(path), "--out", str(out), "--workers", "2", "--no-progress", "--csv"]
    assert main(argv) == 1  # some run failed

    doomed = sweep.runs[2].run_id
    folder = run_folder(out, doomed)
    rec = record(folder)
    attempts = WORKER_RETRIES + 1
    assert rec["status"] == "failed" and rec["attempt"] == attempts and rec["worker_died"] is True
    assert rec["error"].startswith(f"worker process died (signal 9) on each of its {attempts} "
                                   "attempts")
    assert (folder / "error.txt").read_text().strip() == rec["error"]
    rows = read_csv(out / "results.csv")
    assert [r["status"] for r in rows] == ["completed", "completed", "failed", "completed"]
    assert rows[2]["error"] == rec["error"] and rows[2]["attempt"] == str(attempts)
    assert rows[2]["final_population"] == ""
    err = capsys.readouterr().err
    assert f"run {doomed} (model_lr=0.6, seed {sweep.runs[2].seed}) failed: {rec['error']}" in err
    assert "retry 1 of 2" in err and "retry 2 of 2" in err and "retry 3" not in err
    assert "done: 3 completed, 1 failed" in err and "Traceback" not in err
    assert (out / KILL_HOOK / doomed).read_text().split() == [str(99 - attempts), str(KILL_AT)]
    for planned in sweep.runs:
        if planned.run_id != doomed:
            same_files(out, ref, planned.run_id)
    assert doomed not in {r["run_id"] for r in read_csv(out / "metrics.csv")}

    # the cause gone, the next invocation resumes it from its checkpoint, to the same result
    (out / KILL_HOOK / doomed).unlink()
    assert main(argv) == 0
    rec = record(folder)
    assert rec["status"] == "completed" and rec["resumed"] is True
    assert rec["attempt"] == attempts + 1
    same_files(out, ref, doomed)
    assert read_csv(out / "metrics.csv") == read_csv(ref / "metrics.csv")
    assert untimed(read_csv(out / "results.csv"), drop=("attempt",)) == untimed(
        read_csv(ref / "results.csv"), drop=("attempt",))


@pytest.mark.slow
def test_no_retries_records_the_first_death(reference, tmp_path):
    path, _ = reference
    sweep = load_sweep(path)
    out = new_sweep_folder(tmp_path / "out")
    ask_for_kills(out, sweep, {0: (1, 0)})  # dies as it starts, before any checkpoint
    outcome = run_sweep(path, out, workers=2, log=lambda m: None, parquet=False, retries=0)
    assert outcome.counts == {"completed": 3, "failed": 1}
    rec = record(run_folder(out, sweep.runs[0].run_id))
    assert rec["attempt"] == 1 and rec["error"].startswith("worker process died (signal 9) on each "
                                                            "of its 1 attempts")
    assert read_csv(out / "results.csv")[0]["status"] == "failed"


@pytest.mark.slow
def test_a_broken_pool_with_runs_queued_does_not_hang_the_command(reference, tmp_path):
    """The command line, more runs than workers (some wait in the pool's queue when it
    breaks), two runs killed once each (one as it starts, one after its checkpoint)."""
    path, ref = reference
    path = write(tmp_path / "tiny.yaml", repeats=3)  # 6 runs, the reference's 4 among them
    sweep = load_sweep(path)
    out = new_sweep_folder(tmp_path / "out")
    ask_for_kills(out, sweep, {0: (1, 0), 3: (1, KILL_AT)})
    proc = subprocess.run([sys.executable, "-m", "alife", "sweep", str(path), "--out", str(out),
                           "--workers", "2", "--no-progress", "--csv"],
                          capture_output=True, text=True, timeout=400)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "Warning" not in proc.stderr  # (no leaked semaphores)
    assert proc.stderr.count("worker process died (signal 9)") >= 2
    rows = read_csv(out / "results.csv")
    assert [r["status"] for r in rows] == ["completed"] * 6
    for index in (0, 3):
        assert int(rows[index]["attempt"]) >= 2
    reference_ids = {r["run_id"] for r in read_csv(ref / "results.csv")}
    for planned in sweep.runs:
        assert record(run_folder(out, planned.run_id))["status"] == "completed"
        if planned.run_id in reference_ids:
            same_files(out, ref, planned.run_id)


def test_death_causes_name_the_signal_or_exit_code():
    assert _death_cause(-9) == "worker process died (signal 9)"
    assert _death_cause(3) == "worker process died (exit code 3)"
    assert _death_cause(None) == "worker process died"


def test_a_dask_worker_that_died_is_recorded_as_such(tmp_path):
    class KilledWorker(Exception):  # as distributed names it
        pass

    folder = tmp_path / "runs" / "abc"
    future = Future()
    future.set_exception(KilledWorker("attempted to run task 'execute-1' on 4 different workers"))
    rec = _outcome(future, folder)
    assert rec["status"] == "failed" and rec["worker_died"] is True
    assert rec["error"].startswith("worker process died (Dask: KilledWorker: attempted")
    assert record(folder) == rec


def test_a_pool_worker_that_is_being_stopped_starts_no_run(tmp_path, monkeypatch):
    monkeypatch.setattr("alife.parallel._in_pool_worker", True)
    monkeypatch.setattr(worker, "_stopping", True)
    task = RunTask("abc", str(tmp_path / "runs" / "abc"), "t", "run", {}, {})
    assert execute(task) == {"run_id": "abc", "status": NOT_STARTED}
    assert not (tmp_path / "runs").exists()


def test_the_retries_option_is_documented_with_its_default():
    import argparse

    from alife.batch.cli import register

    parser = register(argparse.ArgumentParser().add_subparsers())
    assert f"(default {WORKER_RETRIES})" in parser.format_help()
    assert main(["sweep", "x.yaml", "--retries", "-1"]) == 2


def test_a_finished_run_handed_out_again_is_left_as_it_is(reference, tmp_path):
    """(Dask runs a task again when the worker holding its result died.)"""
    import shutil

    path, ref = reference
    planned = load_sweep(path).runs[0]
    out = new_sweep_folder(tmp_path / "out")
    shutil.copytree(run_folder(ref, planned.run_id), run_folder(out, planned.run_id))
    stamps = {p: p.stat().st_mtime_ns for p in run_folder(out, planned.run_id).iterdir()}
    task = RunTask(planned.run_id, str(run_folder(out, planned.run_id)), "fresh", "run",
                   {"steps": 60}, planned.config.model_dump(mode="json"), {"*": 2})
    assert execute(task) == record(run_folder(ref, planned.run_id))
    assert stamps == {p: p.stat().st_mtime_ns for p in run_folder(out, planned.run_id).iterdir()}
