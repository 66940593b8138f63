"""Running sweeps: the process pool and a Dask LocalCluster give the same table; finished runs
are skipped, failed ones retried, interrupted ones resumed; a failing run does not stop the rest."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import read_csv

from alife.batch.results import TIMING_COLUMNS, run_folder, write_long
from alife.batch.spec import SweepError, load_sweep
from alife.batch.sweep import run_sweep
from alife.batch.worker import OutputNotVisible, RunTask, execute
from alife.cli import main
from alife.parallel import ExecutorUnavailable, open_executor

TINY = {"world.width": 16, "world.height": 16, "agents.initial_count": 20, "run.record_every": 10,
        "run.checkpoint_every": 20}
SWEEP = {"set": TINY, "options": {"steps": 60}, "grid": {"learner.model_lr": [0.1, 0.6]},
         "repeats": 2, "master_seed": 3}


def write(path, **changes):
    path.write_text(yaml.safe_dump({**SWEEP, **changes}, sort_keys=False), encoding="utf-8")
    return path


def untimed(rows):
    return [{k: v for k, v in row.items() if k not in TIMING_COLUMNS} for row in rows]


def quiet(message):
    pass


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The tiny sweep run once on a 2-process pool: (sweep file, out folder, outcome)."""
    root = tmp_path_factory.mktemp("sweep")
    path = write(root / "tiny.yaml")
    outcome = run_sweep(path, root / "out", workers=2, log=quiet, parquet=False)
    return path, root / "out", outcome


@pytest.mark.slow
def test_pool_sweep_writes_run_folders_results_and_long_table(reference):
    path, out, outcome = reference
    sweep = load_sweep(path)
    assert outcome.counts == {"completed": 4} and outcome.ran == 4 and not outcome.interrupted
    rows = read_csv(out / "results.csv")
    assert [r["run_id"] for r in rows] == [p.run_id for p in sweep.runs]
    long = read_csv(out / "metrics.csv")
    for row, planned in zip(rows, sweep.runs):
        folder = run_folder(out, planned.run_id)
        assert {"config.yaml", "metrics.csv", "summary.json", "checkpoint.npz",
                "sweep_run.json"} <= {p.name for p in folder.iterdir()}
        config = yaml.safe_load((folder / "config.yaml").read_text())
        assert config["seed"] == planned.seed == int(row["seed"])
        assert (config["learner"]["model_lr"] == float(row["learner.model_lr"])
                == planned.params["learner.model_lr"])
        summary = json.loads((folder / "summary.json").read_text())
        metrics = read_csv(folder / "metrics.csv")
        assert row["status"] == summary["status"] == "completed" and row["error"] == ""
        assert (int(row["final_population"]) == summary["final_population"]
                == int(metrics[-1]["population"]))
        assert float(row["wall_seconds"]) > 0 and int(row["attempt"]) == 1
        mine = [r for r in long if r["run_id"] == planned.run_id]
        assert [r["population"] for r in mine] == [r["population"] for r in metrics]
        assert {(r["seed"], r["learner.model_lr"]) for r in mine} == {
            (row["seed"], row["learner.model_lr"])}
    assert len(long) == sum(len(read_csv(run_folder(out, p.run_id) / "metrics.csv"))
                            for p in sweep.runs)
    assert len({r["seed"] for r in rows}) == 4


def test_each_run_gets_its_share_of_the_cores(reference):
    _, out, _ = reference
    cores = len(os.sched_getaffinity(0))
    for folder in (out / "runs").iterdir():
        record = json.loads((folder / "sweep_run.json").read_text())
        assert record["threads"] == max(1, cores // 2)
        assert (yaml.safe_load((folder / "config.yaml").read_text())["run"]["threads"]
                == record["threads"])


@pytest.mark.slow
def test_dask_local_cluster_gives_the_same_results(reference, tmp_path):
    pytest.importorskip("distributed")
    path, out, _ = reference
    outcome = run_sweep(path, tmp_path / "dask", scheduler="local", workers=2, log=quiet,
                        parquet=False)
    assert outcome.counts == {"completed": 4}
    assert (untimed(read_csv(tmp_path / "dask" / "results.csv"))
            == untimed(read_csv(out / "results.csv")))
    assert read_csv(tmp_path / "dask" / "metrics.csv") == read_csv(out / "metrics.csv")


def test_parquet_long_table_holds_the_same_rows(reference, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    path, out, _ = reference
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    written = write_long(load_sweep(path), copy, parquet=True)
    assert written.name == "metrics.parquet" and not (copy / "metrics.csv").exists()
    table = pq.read_table(written).to_pylist()
    rows = read_csv(out / "metrics.csv")
    assert len(table) == len(rows)
    assert [r["run_id"] for r in table] == [r["run_id"] for r in rows]
    assert [float(r["mean_energy"]) for r in rows] == pytest.approx(
        [r["mean_energy"] for r in table])
    assert [r["learner.model_lr"] for r in table] == [float(r["learner.model_lr"]) for r in rows]


def test_rerun_skips_finished_runs(reference, tmp_path):
    path, out, _ = reference
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    stamps = {p: p.stat().st_mtime_ns for p in copy.glob("runs/*/*")}
    outcome = run_sweep(path, copy, workers=2, log=quiet, parquet=False)
    assert outcome.ran == 0 and outcome.skipped == 4
    assert stamps == {p: p.stat().st_mtime_ns for p in copy.glob("runs/*/*")}
    assert read_csv(copy / "results.csv") == read_csv(out / "results.csv")


def test_failed_run_is_retried_from_scratch(reference, tmp_path):
    path, out, _ = reference
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    target = sorted((copy / "runs").iterdir())[0]
    record = json.loads((target / "sweep_run.json").read_text())
    (target / "sweep_run.json").write_text(
        json.dumps({**record, "status": "failed", "error": "boom"}))
    (target / "summary.json").unlink()
    outcome = run_sweep(path, copy, workers=2, log=quiet, parquet=False)
    assert outcome.ran == 1 and outcome.counts == {"completed": 4}
    record = json.loads((target / "sweep_run.json").read_text())
    assert record["attempt"] == 2 and record["resumed"] is False and record["status"] == "completed"
    original = out / "runs" / target.name
    assert (target / "metrics.csv").read_text() == (original / "metrics.csv").read_text()
    assert untimed(read_csv(copy / "results.csv")) == [
        {**row, "attempt": "2"} if row["run_id"] == target.name else row
        for row in untimed(read_csv(out / "results.csv"))]


def test_interrupted_run_is_resumed_to_the_same_result(reference, tmp_path, monkeypatch):
    from alife.sim import Simulation

    path, out, _ = reference
    sweep = load_sweep(path)
    new = tmp_path / "new"
    (new / "runs").mkdir(parents=True)
    (new / ".sweep-token").write_text("t\n")
    planned = sweep.runs[1]
    step = Simulation.step

    def interrupted_step(self, n=1):
        if self.tick >= 30:
            raise KeyboardInterrupt
        return step(self, n)

    monkeypatch.setattr(Simulation, "step", interrupted_step)
    task = RunTask(planned.run_id, str(run_folder(new, planned.run_id)), "t", "run", {"steps": 60},
                   planned.config.model_dump(mode="json"), {"*": 2})
    assert execute(task)["status"] == "interrupted"
    monkeypatch.setattr(Simulation, "step", step)
    folder = run_folder(new, planned.run_id)
    assert json.loads((folder / "summary.json").read_text())["ticks"] == 30

    outcome = run_sweep(path, new, workers=2, log=quiet, parquet=False)
    assert outcome.counts == {"completed": 4} and outcome.ran == 4
    record = json.loads((folder / "sweep_run.json").read_text())
    assert record["resumed"] is True and record["attempt"] == 2
    original = run_folder(out, planned.run_id)
    assert (folder / "metrics.csv").read_text() == (original / "metrics.csv").read_text()
    mine = [{k: v for k, v in r.items() if k != "attempt"}
            for r in untimed(read_csv(new / "results.csv"))]
    theirs = [{k: v for k, v in r.items() if k != "attempt"}
              for r in untimed(read_csv(out / "results.csv"))]
    assert mine == theirs


def test_a_run_that_raises_is_recorded_and_the_rest_complete(tmp_path, capsys):
    huge = 10 ** 7  # a world too large for the memory: refused when the run starts
    path = write(tmp_path / "fail.yaml", grid={}, repeats=1,
                 cases=[{"world.width": 16, "world.height": 16},
                        {"world.width": huge, "world.height": huge},
                        {"world.width": 18, "world.height": 16}])
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out), "--workers", "2", "--no-progress",
                 "--csv"]) == 1
    rows = read_csv(out / "results.csv")
    assert [r["status"] for r in rows] == ["completed", "failed", "completed"]
    assert "this world needs about" in rows[1]["error"] and rows[1]["final_population"] == ""
    assert "this world needs about" in (
        run_folder(out, rows[1]["run_id"]) / "error.txt").read_text()
    assert rows[1]["run_id"] in capsys.readouterr().err
    assert {r["run_id"] for r in read_csv(out / "metrics.csv")} == {
        rows[0]["run_id"], rows[2]["run_id"]}

    assert main(["sweep", str(path), "--out", str(out), "--workers", "2", "--no-progress",
                 "--csv"]) == 1
    again = read_csv(out / "results.csv")
    assert [r["attempt"] for r in again] == ["1", "2", "1"]  # only the failed run ran again


def test_changed_base_is_refused_before_anything_runs(reference, tmp_path):
    path, out, _ = reference
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    changed = write(tmp_path / "tiny.yaml", set={**TINY, "food.capacity": 7.0})
    with pytest.raises(SweepError,
                       match=r"config.yaml: food.capacity is 10.0 there but 7.0 in this sweep"):
        run_sweep(changed, copy, workers=2, log=quiet)


def test_out_must_be_new_empty_or_a_sweep_folder(reference, tmp_path):
    path, _, _ = reference
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(SweepError, match="is not a sweep folder"):
        run_sweep(path, tmp_path / "other", workers=1, log=quiet)


def test_a_worker_that_cannot_see_the_output_folder_refuses(reference, tmp_path):
    path, out, _ = reference
    planned = load_sweep(path).runs[0]
    task = RunTask(planned.run_id, str(tmp_path / "runs" / planned.run_id), "not-the-token",
                   "run", {}, planned.config.model_dump(mode="json"))
    with pytest.raises(OutputNotVisible, match="filesystem they all share"):
        execute(task)
    assert not (tmp_path / "runs").exists()


def test_missing_dask_is_a_clear_error(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(ExecutorUnavailable, match=r'pip install "alife-sim\[dask\]"'):
        with open_executor(2, "local"):
            pass
    path = write(tmp_path / "s.yaml")
    assert main(["sweep", str(path), "--out", str(tmp_path / "o"), "--scheduler", "local"]) == 2
    assert 'pip install "alife-sim[dask]"' in capsys.readouterr().err


def test_bad_sweep_file_exits_2_naming_the_field(tmp_path, capsys):
    path = write(tmp_path / "bad.yaml", grid={"learner.model_lr": [0.1, 9]})
    assert main(["sweep", str(path), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert f"error: {path}: grid: learner.model_lr[1]: must be <= 1.5, got 9" in err
    assert not (tmp_path / "o").exists()


def test_sweeps_import_neither_dask_nor_pygame():
    code = ("import sys, alife.cli, alife.batch.sweep, alife.parallel\n"
            "print(sorted(m for m in ('pygame', 'dask', 'distributed') if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"


def test_an_evolve_sweep_records_each_runs_generations(tmp_path):
    path = write(tmp_path / "evo.yaml", command="evolve",
                 set={**TINY, "evolution.generation_ticks": 20},
                 options={"generations": 2}, grid={"evolution.selection": ["tournament", "random"]},
                 repeats=1)
    outcome = run_sweep(path, tmp_path / "out", workers=2, log=quiet, parquet=False)
    rows = read_csv(tmp_path / "out" / "results.csv")
    assert [r["evolution.selection"] for r in rows] == ["tournament", "random"]
    for row in rows:
        assert row["status"] == "completed" and row["generations"] == "2"
        assert 0 < float(row["last_generation_mean_lifespan"]) <= 20
        folder = run_folder(tmp_path / "out", row["run_id"])
        assert len(read_csv(folder / "generations.csv")) == 2
    long = read_csv(tmp_path / "out" / "generations.csv")  # the long per-generation table
    assert len(long) == 4 and {r["evolution.selection"] for r in long} == {"tournament", "random"}
    assert [r["generation"] for r in long] == ["0", "1", "0", "1"]
    assert outcome.long is not None


def test_island_runs_are_refused_in_a_sweep(tmp_path, capsys):
    path = write(tmp_path / "isl.yaml", command="evolve", set={**TINY, "evolution.islands": 2},
                 options={})
    assert main(["sweep", str(path), "--out", str(tmp_path / "o")]) == 2
    assert "evolution.islands" in capsys.readouterr().err


def test_more_workers_than_cores_are_said_to_share_them():
    from alife.parallel import default_workers

    with open_executor(workers=default_workers() + 3) as info:
        assert f"more than the {default_workers()} cores here" in info.description
    with open_executor(workers=1) as info:
        assert "more than" not in info.description


@pytest.mark.slow
@pytest.mark.parametrize("signum", ["SIGTERM", "SIGINT"])
def test_a_signal_to_the_sweep_alone_stops_its_workers_and_the_runs_save_their_state(
        tmp_path, signum):
    """SIGTERM, or SIGINT sent to the sweep's process only (not a terminal's Ctrl-C, which
    reaches the workers too): the sweep asks its workers' runs to stop and save."""
    import signal
    import time

    path = write(tmp_path / "long.yaml", grid={"learner.model_lr": [0.1, 0.2, 0.3]}, repeats=1,
                 cases=[], options={"steps": 40000})
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "alife", "sweep", str(path), "--out", str(out),
                             "--workers", "2", "--no-progress"], stderr=subprocess.PIPE, text=True)
    try:
        # until two runs are under way: no time limit (a cold compile on a loaded machine takes
        # minutes), but the sweep must still be running
        while len(list((out / "runs").glob("*/metrics.csv"))) < 2:
            assert proc.poll() is None, proc.stderr.read()
            time.sleep(0.2)
        children = [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()
                    and _parent_of(p) == proc.pid]
        assert children, "the pool's workers"
        proc.send_signal(getattr(signal, signum))
        _, err = proc.communicate(timeout=180)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    assert "interrupted: runs in progress save their state" in err
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() for pid in children):
        time.sleep(0.2)
    assert not any(Path(f"/proc/{pid}").exists() for pid in children)  # no orphaned worker
    statuses = [json.loads((f / "sweep_run.json").read_text())["status"]
                for f in (out / "runs").iterdir() if (f / "sweep_run.json").exists()]
    assert "interrupted" in statuses


def _parent_of(proc_dir):
    try:
        return int((proc_dir / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return -1


def test_the_log_names_each_run_by_its_condition(tmp_path):
    messages = []
    path = write(tmp_path / "s.yaml", repeats=1)
    run_sweep(path, tmp_path / "out", workers=1, log=messages.append, parquet=False)
    lines = [m for m in messages if m.startswith("[")]
    assert len(lines) == 2 and all("(model_lr=" in m and ", seed " in m for m in lines)


def test_a_pool_sweep_compiles_once_before_its_workers_start(tmp_path, monkeypatch):
    """On a cold cache the sweep's own process compiles the kernels (for a stand-in world of
    the runs' kind) before the pool starts, so that its workers load them from the cache."""
    from alife.runners import compiling

    compiled, started = [], []
    monkeypatch.setattr(compiling, "kernels_cached", lambda: False)
    monkeypatch.setattr(compiling, "compile_kernels",
                        lambda sim, log: compiled.append((sim.n_alive, sim.config)) or 0.0)
    real_open = open_executor

    def watched_open(*args, **kwargs):
        started.append(len(compiled))  # how many compiles had happened when the pool opened
        return real_open(*args, **kwargs)

    monkeypatch.setattr("alife.batch.sweep.open_executor", watched_open)
    path = write(tmp_path / "tiny.yaml", repeats=1, grid={"learner.model_lr": [0.1]})
    outcome = run_sweep(path, tmp_path / "out", workers=1, log=quiet, parquet=False)
    assert outcome.counts == {"completed": 1}
    assert len(compiled) == 1 and started == [1]
    n_alive, config = compiled[0]
    assert n_alive == 0 and config.world.width == 16  # the stand-in, of the runs' kind


def test_sigterm_during_the_compile_before_the_pool_stops_the_sweep_as_ctrl_c_does(
        tmp_path, monkeypatch):
    """SIGTERM reaches only the sweep's process: while it compiles ahead of its pool, the
    signal interrupts the compile (whose cleanup stops its helper process) and ends the sweep
    as Ctrl-C does; no pool opens. Also when the interrupt is lost inside the compiler: the
    sweep then stops as the compile ends. (Outside the sweep's handling, the test's own handler
    would turn the signal into another error.)"""
    import signal
    import time

    from alife.runners import compiling

    cleaned, started = [], []

    def compile_that_gets_sigterm(sim, log, lost=False):
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(30)  # the handler raises before this ends
        except KeyboardInterrupt:
            if not lost:
                raise  # else swallowed, as numba's ctypes callbacks do: the compile goes on
        finally:
            cleaned.append(True)  # as compile_ahead stops its helper
        return 0.0

    def outside(signum, frame):
        raise RuntimeError("SIGTERM was not handled by the sweep")

    monkeypatch.setattr(compiling, "kernels_cached", lambda: False)
    monkeypatch.setattr("alife.batch.sweep.open_executor",
                        lambda *a, **k: started.append(True))
    path = write(tmp_path / "tiny.yaml", repeats=1, grid={"learner.model_lr": [0.1]})
    previous = signal.signal(signal.SIGTERM, outside)
    try:
        for lost in (False, True):
            monkeypatch.setattr(compiling, "compile_kernels",
                                lambda sim, log, lost=lost: compile_that_gets_sigterm(sim, log,
                                                                                      lost))
            with pytest.raises(KeyboardInterrupt):
                run_sweep(path, tmp_path / f"out-{lost}", workers=1, log=quiet, parquet=False)
            assert signal.getsignal(signal.SIGTERM) is outside  # the sweep's handler is gone
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert cleaned == [True, True] and started == []
