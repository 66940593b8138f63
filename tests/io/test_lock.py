"""One writer per folder: runs, resumes and sweeps hold FOLDER/.lock; a second writer exits 2."""

import json
import os
import socket
import subprocess
import sys

import pytest
import yaml

from alife.cli import main
from alife.io.lock import LOCK, FolderInUse, acquire, holding, release

TINY = ["--set", "world.width=16", "--set", "world.height=16", "--set", "agents.initial_count=20",
        "--seed", "1", "--no-progress", "--steps", "40"]


def _fake_lock(folder, pid, host=None):
    (folder / LOCK).write_text(json.dumps({"pid": pid, "host": host or socket.gethostname(),
                                           "what": "alife run", "since": "2026-12-07T10:00:00"}))


@pytest.fixture
def sleeper():
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield proc.pid
    proc.kill()
    proc.wait()


def _dead_pid():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_run_holds_the_lock_only_while_it_writes(tmp_path, monkeypatch):
    from alife.runners import headless

    seen = []
    drive = headless.drive

    def watching(job, *args, **kwargs):
        seen.append(json.loads((job.folder / LOCK).read_text()))
        return drive(job, *args, **kwargs)

    monkeypatch.setattr(headless, "drive", watching)
    assert main(["run", *TINY, "--out", str(tmp_path / "run")]) == 0
    assert seen[0]["pid"] == os.getpid() and seen[0]["what"] == "alife run"
    assert not (tmp_path / "run" / LOCK).exists()


def test_a_second_writer_is_refused_with_the_holder_named(tmp_path, capsys, sleeper):
    folder = tmp_path / "run"
    assert main(["run", *TINY, "--out", str(folder)]) == 0
    _fake_lock(folder, sleeper)
    before = (folder / "metrics.csv").read_bytes()
    assert main(["resume", str(folder), "--steps", "60", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert f"in use by alife run (pid {sleeper} on this host" in err and "delete" in err
    assert (folder / "metrics.csv").read_bytes() == before  # nothing touched


def test_a_stale_lock_of_a_dead_process_is_taken_over(tmp_path):
    folder = tmp_path / "run"
    assert main(["run", *TINY, "--out", str(folder)]) == 0
    _fake_lock(folder, _dead_pid())
    assert main(["resume", str(folder), "--steps", "60", "--no-progress"]) == 0
    assert not (folder / LOCK).exists()


def test_a_lock_from_another_host_is_refused_and_says_how_to_remove_it(tmp_path):
    _fake_lock(tmp_path, 12345, host="elsewhere")
    with pytest.raises(FolderInUse, match=f"pid 12345 on host elsewhere.*delete {tmp_path / LOCK}"):
        acquire(tmp_path, "alife resume")


def test_a_sweep_into_a_folder_in_use_is_refused(tmp_path, capsys, sleeper):
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump({"base": {"world": {"width": 16, "height": 16},
                                             "agents": {"initial_count": 20}},
                                    "options": {"steps": 20}, "seeds": [1]}))
    out = tmp_path / "out"
    out.mkdir()
    _fake_lock(out, sleeper)
    assert main(["sweep", str(path), "--out", str(out), "--workers", "1", "--no-progress"]) == 2
    assert "in use by" in capsys.readouterr().err
    assert not (out / "sweep.yaml").exists()


def test_the_lock_is_reentrant_within_one_process(tmp_path):
    with holding(tmp_path, "outer"):
        with holding(tmp_path, "inner"):
            assert (tmp_path / LOCK).exists()
        assert (tmp_path / LOCK).exists()  # the outer holder still has it
    assert not (tmp_path / LOCK).exists()
    path = acquire(tmp_path, "once")
    release(path)
    assert not path.exists()


def test_a_lock_whose_pid_now_belongs_to_another_process_is_stale(tmp_path, sleeper):
    """The holder died and its pid went to a new process: the start time tells them apart."""
    from alife.io.lock import _start_time, live_holder

    folder = tmp_path / "run"
    folder.mkdir()
    started = _start_time(sleeper)
    if started is None:
        pytest.skip("no /proc here: pids cannot be told apart")
    (folder / LOCK).write_text(json.dumps({"pid": sleeper, "started": started - 1,
                                           "host": socket.gethostname(), "what": "alife run"}))
    assert live_holder(folder) is None
    release(acquire(folder, "alife resume"))  # taken over, no FolderInUse
    (folder / LOCK).write_text(json.dumps({"pid": sleeper, "started": started,
                                           "host": socket.gethostname(), "what": "alife run"}))
    assert live_holder(folder)["pid"] == sleeper
    with pytest.raises(FolderInUse):
        acquire(folder, "alife resume")
