"""Checkpoints: exact resume, atomic writes, and clear refusals of bad files."""

import json
import signal
import subprocess
import sys
import time
import zipfile

import numpy as np
import pytest
from conftest import assert_same_state, tiny_config

from alife import Simulation
from alife.cli import main
from alife.config import config_to_yaml
from alife.io.checkpoint import CheckpointError, load_checkpoint, save_checkpoint

TINY = ["--set", "world.width=24", "--set", "world.height=24", "--set", "agents.initial_count=60",
        "--set", "run.record_every=10", "--seed", "5", "--no-progress"]


def test_a_resumed_simulation_continues_bit_identically(tmp_path):
    a = Simulation(tiny_config(), seed=3)
    a.step(80)
    a.save(tmp_path / "ck.npz", {"note": 1})
    b, extra = Simulation.load(tmp_path / "ck.npz")
    assert extra == {"note": 1}
    assert_same_state(a, b)
    a.step(120)
    b.step(120)
    assert_same_state(a, b)
    assert a.take_stats() == b.take_stats()


def test_a_checkpoint_with_the_old_claim_layer_still_resumes(tmp_path):
    # versions before the parallel move resolution saved a scratch grid "grid.claim"
    a = Simulation(tiny_config(), seed=3)
    a.step(30)
    arrays = a.checkpoint_arrays()
    arrays["grid.claim"] = np.full_like(arrays["grid.occupancy"], -1)
    save_checkpoint(tmp_path / "old.npz", arrays, config_to_yaml(a.config), {})
    b, _ = Simulation.load(tmp_path / "old.npz")
    a.step(40)
    b.step(40)
    assert_same_state(a, b)


def test_a_checkpoint_of_an_older_model_is_refused_with_the_reason(tmp_path):
    a = Simulation(tiny_config(), seed=3)
    path = a.save(tmp_path / "checkpoint.npz")
    with np.load(path) as z:
        arrays = {k: z[k] for k in z.files}
    meta = json.loads(str(arrays.pop("meta")))
    meta["version"] = 1  # written before the minds of issue 17
    np.savez(path, meta=np.array(json.dumps(meta)), **arrays)
    with pytest.raises(CheckpointError,
                       match="version 1, this alife reads versions 2-3.*model changed"):
        Simulation.load(path)


def test_a_version_2_checkpoint_in_lanes_still_resumes_exactly(tmp_path):
    """Version 3 stores agents slot by slot; version 2 kept the kernels' 8-lane layout."""
    from alife.io.checkpoint import _digest
    from alife.world.state import LANE_FIELDS, to_lanes

    a = Simulation(tiny_config(), seed=3)
    a.step(30)
    path = a.save(tmp_path / "checkpoint.npz")
    with np.load(path) as z:
        arrays = {k: z[k] for k in z.files}
    meta = json.loads(str(arrays.pop("meta")))
    assert arrays["agents.affect"].ndim == 2  # (n, K): slot by slot
    for name in LANE_FIELDS:  # rewrite it as version 2 did
        arrays[f"agents.{name}"] = to_lanes(arrays[f"agents.{name}"])
    meta.update(version=2, sha256=_digest(arrays))
    np.savez(path, meta=np.array(json.dumps(meta)), **arrays)
    b, _ = Simulation.load(path)
    a.step(40)
    b.step(40)
    assert_same_state(a, b)


def _arrays(path):
    return load_checkpoint(path)[0]


def test_run_then_resume_equals_one_uninterrupted_run(tmp_path):
    whole, split = tmp_path / "whole", tmp_path / "split"
    assert main(["run", *TINY, "--steps", "200", "--out", str(whole)]) == 0
    assert main(["run", *TINY, "--steps", "120", "--out", str(split)]) == 0
    assert main(["resume", str(split), "--steps", "200", "--no-progress"]) == 0
    assert (whole / "metrics.csv").read_text() == (split / "metrics.csv").read_text()
    a, b = _arrays(whole / "checkpoint.npz"), _arrays(split / "checkpoint.npz")
    assert a.keys() == b.keys()
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)


def _spawn_run(folder, steps, every):
    cmd = [sys.executable, "-m", "alife", "run", *TINY, "--steps", str(steps), "--out", str(folder),
           "--set", f"run.checkpoint_every={every}"]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _wait_for(path, proc):
    """Until ``path`` exists; no time limit (a cold compile on a loaded machine takes minutes),
    but the process must still be running: a run that ended without it fails the test."""
    while not path.exists():
        assert proc.poll() is None, proc.stderr.read()
        time.sleep(0.02)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2])
def test_resume_after_sigkill_at_a_random_moment_is_exact(tmp_path, seed):
    steps = 3000
    whole = tmp_path / "whole"
    assert main(["run", *TINY, "--steps", str(steps), "--out", str(whole),
                 "--set", "run.checkpoint_every=20"]) == 0
    killed = tmp_path / "killed"
    proc = _spawn_run(killed, steps, 20)
    _wait_for(killed / "checkpoint.npz", proc)
    time.sleep(np.random.default_rng(seed).uniform(0.0, 0.5))
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert main(["resume", str(killed), "--no-progress"]) == 0
    assert (whole / "metrics.csv").read_text() == (killed / "metrics.csv").read_text()
    a, b = _arrays(whole / "checkpoint.npz"), _arrays(killed / "checkpoint.npz")
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)


def test_ctrl_c_after_a_row_was_written_loses_no_row(tmp_path, monkeypatch):
    """Ctrl-C between a tick's metrics row and the next step (e.g. while a checkpoint is being
    written): the resumed run still equals the uninterrupted one."""
    whole, split = tmp_path / "whole", tmp_path / "split"
    assert main(["run", *TINY, "--steps", "60", "--out", str(whole)]) == 0
    step = Simulation.step

    def interrupted_step(self, n=1):
        if self.tick >= 30:  # the row of tick 30 is already written
            raise KeyboardInterrupt
        return step(self, n)

    monkeypatch.setattr(Simulation, "step", interrupted_step)
    assert main(["run", *TINY, "--steps", "60", "--out", str(split)]) == 130
    monkeypatch.setattr(Simulation, "step", step)
    assert main(["resume", str(split), "--no-progress"]) == 0
    assert (whole / "metrics.csv").read_text() == (split / "metrics.csv").read_text()


@pytest.mark.parametrize("at_tick, steps", [(30, 60), (37, 60), (60, 60)])
def test_ctrl_c_as_a_step_returns_loses_no_row(tmp_path, monkeypatch, at_tick, steps):
    """Ctrl-C lands just as the step to a tick returns, before that tick's metrics row is
    written (on the recording grid, off it, at the last tick): the resumed run still equals
    the uninterrupted one, row for row."""
    whole, split = tmp_path / "whole", tmp_path / "split"
    args = [*TINY, "--steps", str(steps), "--set", "run.checkpoint_every=0"]
    assert main(["run", *args, "--out", str(whole)]) == 0
    step = Simulation.step

    def interrupted_after(self, n=1):
        done = step(self, min(n, at_tick - self.tick) if self.tick < at_tick else n)
        if self.tick == at_tick:
            monkeypatch.setattr(Simulation, "step", step)
            raise KeyboardInterrupt
        return done

    monkeypatch.setattr(Simulation, "step", interrupted_after)
    assert main(["run", *args, "--out", str(split)]) == 130
    monkeypatch.setattr(Simulation, "step", step)
    assert main(["resume", str(split), "--no-progress"]) == 0
    assert (whole / "metrics.csv").read_text() == (split / "metrics.csv").read_text()


@pytest.mark.slow
def test_sigterm_writes_a_checkpoint_and_ends_cleanly(tmp_path):
    folder = tmp_path / "term"
    proc = _spawn_run(folder, 100000, 0)
    _wait_for(folder / "metrics.csv", proc)
    time.sleep(1.0)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "alife resume" in err
    assert (folder / "checkpoint.npz").exists()
    sim, _ = Simulation.load(folder / "checkpoint.npz")
    assert 0 < sim.tick < 100000


def test_a_crash_while_writing_keeps_the_previous_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "ck.npz"
    sim = Simulation(tiny_config(), seed=1)
    sim.save(path)
    good = path.read_bytes()

    def dies_midway(member, array, **kwargs):
        member.write(b"\x93NUMPY half an array")
        raise OSError("disk full")

    monkeypatch.setattr(np.lib.format, "write_array", dies_midway)
    with pytest.raises(OSError):
        sim.save(path)
    monkeypatch.undo()
    assert path.read_bytes() == good
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ck.npz"]  # no temporary file left
    Simulation.load(path)  # still loads


def test_truncated_checkpoint_is_refused(tmp_path):
    path = tmp_path / "ck.npz"
    Simulation(tiny_config(), seed=1).save(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="corrupt or truncated"):
        Simulation.load(path)


def test_tampered_array_is_refused(tmp_path):
    path = tmp_path / "ck.npz"
    sim = Simulation(tiny_config(), seed=1)
    arrays = sim.checkpoint_arrays()
    save_checkpoint(path, arrays, "seed: 1\n")
    # rewrite one array behind the checksum's back (a valid zip, wrong content)
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    energy = bytearray(members["agents.energy.npy"])
    energy[-1] ^= 0xFF
    members["agents.energy.npy"] = bytes(energy)
    with zipfile.ZipFile(path, "w") as z:
        for name, blob in members.items():
            z.writestr(name, blob)
    with pytest.raises(CheckpointError, match="checksum"):
        load_checkpoint(path)


def test_foreign_and_missing_files_are_refused(tmp_path):
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, x=np.arange(3))
    with pytest.raises(CheckpointError, match="not an alife checkpoint"):
        load_checkpoint(foreign)
    text = tmp_path / "notes.npz"
    text.write_text("hello")
    with pytest.raises(CheckpointError, match="corrupt or truncated"):
        load_checkpoint(text)
    with pytest.raises(CheckpointError, match="not found"):
        load_checkpoint(tmp_path / "nothing.npz")


def test_resume_without_a_checkpoint_is_a_clear_cli_error(tmp_path, capsys):
    assert main(["resume", str(tmp_path)]) == 2
    assert "checkpoint not found" in capsys.readouterr().err


def test_checkpoints_only_on_metrics_rows():
    from alife import ConfigError, load_config

    with pytest.raises(ConfigError, match="checkpoint_every must be a multiple of record_every"):
        load_config(None, ["run.record_every=10", "run.checkpoint_every=25"])


def test_resume_drops_a_metrics_row_cut_short_by_a_kill(tmp_path):
    whole, cut = tmp_path / "whole", tmp_path / "cut"
    for folder, steps in ((whole, "100"), (cut, "60")):
        assert main(["run", *TINY, "--steps", steps, "--out", str(folder)]) == 0
    with open(cut / "metrics.csv", "a") as f:
        f.write("10")  # a kill while writing the next row (tick 100): looks like tick 10
    assert main(["resume", str(cut), "--steps", "100", "--no-progress"]) == 0
    assert (whole / "metrics.csv").read_text() == (cut / "metrics.csv").read_text()


@pytest.mark.parametrize("extra", [["--steps", "65"],  # the last row is off the 10-tick grid
                                   ["--steps", "400", "--set", "energy.basal_cost=6"]])  # extinct
def test_resuming_a_finished_run_keeps_its_last_row(tmp_path, extra):
    folder = tmp_path / "done"
    assert main(["run", *TINY, *extra, "--out", str(folder)]) == 0
    before = (folder / "metrics.csv").read_text()
    assert main(["resume", str(folder), "--no-progress"]) == 0
    assert (folder / "metrics.csv").read_text() == before


def test_a_meta_record_without_its_config_is_refused(tmp_path, capsys):
    folder = tmp_path / "run"
    assert main(["run", *TINY, "--steps", "20", "--out", str(folder)]) == 0
    path = folder / "checkpoint.npz"
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    with zipfile.ZipFile(path) as z, z.open("meta.npy") as f:
        meta = json.loads(str(np.lib.format.read_array(f)))
    del meta["config"]
    import io

    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, np.array(json.dumps(meta)), allow_pickle=False)
    members["meta.npy"] = buffer.getvalue()
    with zipfile.ZipFile(path, "w") as z:
        for name, blob in members.items():
            z.writestr(name, blob)
    with pytest.raises(CheckpointError, match="lacks its config"):
        load_checkpoint(path)
    assert main(["resume", str(folder), "--steps", "40", "--no-progress"]) == 2
    assert "lacks its config" in capsys.readouterr().err
