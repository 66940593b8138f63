"""Sweeps used the wrong way: each ends in a clear message and exit code, with no traceback,
and nothing of an earlier sweep is lost or silently replaced.

- another sweep run into an existing sweep folder is refused before anything is written
  (the same sweep extended, or with values taken out, goes on);
- ``alife report`` on a sweep folder that is still being written reports what is there;
- a damaged results.csv is rebuilt from the run folders; a folder where a table goes, or a
  damaged run file, is named, and the earlier tables stay.
"""

import csv

import pytest
import yaml
from conftest import read_csv

from alife.batch.results import run_folder, write_long
from alife.batch.spec import load_sweep
from alife.batch.sweep import run_sweep
from alife.cli import main

TINY = {"world.width": 16, "world.height": 16, "agents.initial_count": 20, "run.record_every": 10,
        "run.checkpoint_every": 20}
SWEEP = {"name": "first", "set": TINY, "options": {"steps": 40},
         "grid": {"learner.model_lr": [0.1, 0.6]}, "repeats": 1, "master_seed": 3}


def write(path, **changes):
    path.write_text(yaml.safe_dump({**SWEEP, **changes}, sort_keys=False), encoding="utf-8")
    return path


def snapshot(out):
    """Every file of a sweep folder and its bytes (the lock aside)."""
    return {p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.name != ".lock"}


def sweep_cli(path, out, *more):
    return main(["sweep", str(path), "--out", str(out), "--workers", "1", "--no-progress",
                 "--csv", *more])


@pytest.fixture(scope="module")
def done(tmp_path_factory):
    """A finished sweep folder (two runs) and its sweep file."""
    root = tmp_path_factory.mktemp("adversarial")
    path = write(root / "first.yaml")
    outcome = run_sweep(path, root / "out", workers=1, log=lambda m: None, parquet=False)
    assert outcome.counts == {"completed": 2}
    return path, root / "out"


@pytest.fixture
def copy(done, tmp_path):
    import shutil

    path, out = done
    shutil.copytree(out, tmp_path / "out")
    return path, tmp_path / "out"


def no_traceback(capsys):
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err


def test_another_sweep_into_a_sweep_folder_is_refused_and_changes_nothing(copy, tmp_path, capsys):
    path, out = copy
    before = snapshot(out)
    other = write(tmp_path / "other.yaml", name="other", grid={"affect.enabled": [True, False]})
    assert sweep_cli(other, out) == 2
    err = no_traceback(capsys)
    assert (f"--out {out}: another sweep's folder (its sweep.yaml names 'first', this sweep "
            "'other') that holds 2 run folders this sweep does not plan") in err
    assert "choose a new --out (nothing there was changed)" in err
    assert snapshot(out) == before  # results.csv, sweep.yaml, metrics.csv, runs: all as they were


def test_a_sweep_of_other_parameters_is_refused_without_names(tmp_path, capsys):
    out = tmp_path / "out"
    first = {k: v for k, v in SWEEP.items() if k != "name"}
    (tmp_path / "a.yaml").write_text(yaml.safe_dump(first))
    assert sweep_cli(tmp_path / "a.yaml", out) == 0
    before = snapshot(out)
    (tmp_path / "a.yaml").write_text(yaml.safe_dump({**first, "grid": {"affect.enabled": [False]}}))
    assert sweep_cli(tmp_path / "a.yaml", out) == 2
    err = no_traceback(capsys)
    assert "another sweep's folder (it sweeps learner.model_lr, this one affect.enabled)" in err
    assert snapshot(out) == before


def test_the_same_sweep_with_values_taken_out_goes_on_and_says_so(copy, tmp_path, capsys):
    """(as an experiment run again with fewer seeds does): the run folders it no longer plans
    stay; results.csv lists this sweep's runs."""
    path, out = copy
    before = snapshot(out)
    fewer = write(tmp_path / "first.yaml", grid={"learner.model_lr": [0.1]})
    assert sweep_cli(fewer, out) == 0
    err = no_traceback(capsys)
    assert ("holds 1 run folder this sweep does not plan (runs/" in err
            and "it stays in runs/ but not in results.csv" in err)
    after = snapshot(out)
    assert all(after[p] == b for p, b in before.items() if p.parts[0] == "runs")
    assert [r["learner.model_lr"] for r in read_csv(out / "results.csv")] == ["0.1"]


def test_another_command_into_a_sweep_folder_is_refused(copy, tmp_path, capsys):
    path, out = copy
    before = snapshot(out)
    evolve = write(tmp_path / "evo.yaml", command="evolve", options={"generations": 1},
                   set={**TINY, "evolution.generation_ticks": 20})
    assert sweep_cli(evolve, out) == 2
    err = no_traceback(capsys)
    assert "holds the runs of a sweep with command: run" in err and "command: evolve" in err
    assert snapshot(out) == before


def test_a_changed_base_is_refused_without_touching_sweep_yaml(copy, tmp_path, capsys):
    path, out = copy
    before = snapshot(out)
    changed = write(tmp_path / "first.yaml", set={**TINY, "food.capacity": 7.0})
    assert sweep_cli(changed, out) == 2
    assert "food.capacity is 10.0 there but 7.0 in this sweep" in no_traceback(capsys)
    assert snapshot(out) == before


def test_an_extended_sweep_keeps_its_runs_and_adds_the_new_ones(copy, tmp_path):
    path, out = copy
    runs_before = {p: b for p, b in snapshot(out).items() if p.parts[0] == "runs"}
    more = write(tmp_path / "first.yaml", grid={"learner.model_lr": [0.1, 0.6, 1.0]}, repeats=2)
    outcome = run_sweep(more, out, workers=1, log=lambda m: None, parquet=False)
    assert outcome.counts == {"completed": 6} and outcome.skipped == 2 and outcome.ran == 4
    after = snapshot(out)
    assert all(after[p] == b for p, b in runs_before.items())
    assert (out / "sweep.yaml").read_text() == more.read_text()  # the latest invocation's
    assert len(read_csv(out / "results.csv")) == 6


def test_report_on_a_sweep_folder_still_being_written(tmp_path, capsys):
    """alife report while the sweep runs (called from the sweep's own log, so at a known
    moment): the first invocation has written results.csv with every run pending from the
    start, and the report says what is there; the sweep then finishes undisturbed."""
    pytest.importorskip("matplotlib")
    path = write(tmp_path / "first.yaml", repeats=2)
    out = tmp_path / "out"
    codes, statuses = [], []

    def log(message):
        if message.startswith(("alife sweep:", "[1/")):
            statuses.append([r["status"] for r in read_csv(out / "results.csv")])
            codes.append(main(["report", str(out), "--out", str(tmp_path / f"report{len(codes)}")]))

    outcome = run_sweep(path, out, workers=1, log=log, parquet=False)
    assert outcome.counts == {"completed": 4}
    assert codes == [0, 0] and statuses == [["pending"] * 4, ["pending"] * 4]
    assert "Traceback" not in capsys.readouterr().err
    page = (tmp_path / "report0" / "report.md").read_text()
    assert "| status pending | 4 |" in page and "no completed runs" in page
    assert "the sweep is still running" in page  # its lock names a living writer
    assert [r["status"] for r in read_csv(out / "results.csv")] == ["completed"] * 4


def test_a_damaged_results_csv_is_rebuilt_from_the_run_folders(copy, capsys):
    path, out = copy
    good = read_csv(out / "results.csv")
    (out / "results.csv").write_bytes(b"\xff\xfe garbage\x00,,,\n\n")
    assert sweep_cli(path, out) == 0
    no_traceback(capsys)
    assert read_csv(out / "results.csv") == good


def test_a_folder_where_results_csv_goes_is_refused_before_anything_runs(copy, tmp_path, capsys):
    path, out = copy
    (out / "results.csv").unlink()
    (out / "results.csv").mkdir()
    more = write(tmp_path / "first.yaml", grid={"learner.model_lr": [0.1, 0.6, 1.0]})
    before = snapshot(out)
    assert sweep_cli(more, out) == 2
    err = no_traceback(capsys)
    assert f"{out / 'results.csv'}: not a file, but the sweep writes its results.csv there" in err
    assert snapshot(out) == before and len(list((out / "runs").iterdir())) == 2  # nothing ran


def test_a_table_that_cannot_be_written_is_named_and_leaves_no_temporary_file(copy, capsys,
                                                                           monkeypatch):
    import alife.batch.results as results

    path, out = copy
    good = (out / "results.csv").read_bytes()

    def full_disk(self, target):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(results.Path, "replace", full_disk)
    assert sweep_cli(path, out) == 1
    err = no_traceback(capsys)
    assert f"error: {out / 'results.csv'}: No space left on device; the runs finished so far " \
           "are kept" in err
    assert (out / "results.csv").read_bytes() == good
    assert not (out / "results.csv.tmp").exists()


def test_a_damaged_run_file_is_named_and_the_earlier_tables_stay(copy, capsys):
    path, out = copy
    tables = {name: (out / name).read_bytes() for name in ("results.csv", "metrics.csv")}
    damaged = run_folder(out, load_sweep(path).runs[1].run_id) / "metrics.csv"
    damaged.write_bytes(b"tick,population\n\xff\xfe\x00\x01 not text\n")
    assert sweep_cli(path, out) == 2
    err = no_traceback(capsys)
    assert (f"error: {damaged}: cannot be read" in err
            and f"Delete its folder {damaged.parent}" in err)
    assert {name: (out / name).read_bytes() for name in tables} == tables

    # as the message says: delete the folder, run again: the run is run again, identically
    import shutil

    good = read_csv(out / "results.csv")
    shutil.rmtree(damaged.parent)
    assert sweep_cli(path, out) == 0
    assert (out / "results.csv").read_bytes() != b"" and len(read_csv(out / "results.csv")) == 2
    assert read_csv(out / "metrics.csv") == read_csv_bytes(tables["metrics.csv"])
    assert [r["status"] for r in read_csv(out / "results.csv")] == [r["status"] for r in good]


def read_csv_bytes(data):
    return list(csv.DictReader(data.decode().splitlines()))


def test_the_long_table_stays_whole_until_its_replacement_is_written(copy, monkeypatch):
    """A report made while the sweep rewrites its long table reads the earlier one whole."""
    import alife.batch.results as results

    path, out = copy
    old = (out / "metrics.csv").read_bytes()
    seen = []

    def rows(metrics):
        seen.append((out / "metrics.csv").read_bytes())  # what a reader sees meanwhile
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(results, "_rows", rows)
    with pytest.raises(OSError):
        write_long(load_sweep(path), out, parquet=False)
    assert seen == [old] and (out / "metrics.csv").read_bytes() == old
    assert not (out / "metrics.csv.tmp").exists()


def test_a_run_folder_another_process_writes_into_is_never_wiped(copy, tmp_path):
    """A run to resume whose folder is locked by a living process (e.g. an `alife resume` by
    hand): the worker records the run as failed, naming the holder, and touches nothing."""
    import json
    import socket
    import subprocess
    import sys

    from alife.batch.worker import RECORD, RunTask, execute
    from alife.io.lock import LOCK

    path, out = copy
    sweep = load_sweep(path)
    planned = sweep.runs[0]
    folder = run_folder(out, planned.run_id)
    record = json.loads((folder / RECORD).read_text())
    (folder / RECORD).write_text(json.dumps({**record, "status": "interrupted"}))
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (folder / LOCK).write_text(json.dumps({"pid": sleeper.pid, "host": socket.gethostname(),
                                               "what": "alife resume"}))
        before = snapshot(folder)
        token = (out / ".sweep-token").read_text().strip()
        task = RunTask(planned.run_id, str(folder), token, "run", {"steps": 40},
                       planned.config.model_dump(mode="json"), {"*": 1})
        result = execute(task)
        assert result["status"] == "failed" and "in use by alife resume" in result["error"]

        def kept(files):  # the run's own files (the worker writes only its record)
            return {k: v for k, v in files.items() if k.name not in (RECORD, "error.txt")}

        assert kept(snapshot(folder)) == kept(before) and kept(before)
    finally:
        sleeper.kill()
        sleeper.wait()
