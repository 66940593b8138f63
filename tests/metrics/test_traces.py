"""Traces: every tick of chosen agents, read from the state without changing the run, exact
across Ctrl-C and resume."""

import numpy as np
import pytest
from conftest import assert_same_state

from alife import Simulation, load_config
from alife.cli import main
from alife.metrics import traces
from alife.metrics.traces import read_traces, traced_ids
from alife.world.state import agent_rows

TINY = ["--set", "world.width=24", "--set", "world.height=24", "--set", "agents.initial_count=60",
        "--set", "run.record_every=10", "--set", "run.checkpoint_every=50", "--seed", "5",
        "--no-progress"]


def _arrays(path):
    with np.load(path) as data:
        return {k: data[k] for k in data.files}


@pytest.fixture(scope="module")
def traced(tmp_path_factory):
    root = tmp_path_factory.mktemp("traces")
    assert main(["run", *TINY, "--steps", "150", "--out", str(root / "plain")]) == 0
    assert main(["run", *TINY, "--steps", "150", "--trace", "6", "--trace-ids", "64,2",
                 "--out", str(root / "traced")]) == 0
    return root


def test_a_traced_run_is_bit_identical_to_the_untraced_one(traced):
    plain, run = traced / "plain", traced / "traced"
    assert (plain / "metrics.csv").read_bytes() == (run / "metrics.csv").read_bytes()
    a, b = _arrays(plain / "checkpoint.npz"), _arrays(run / "checkpoint.npz")
    assert a.keys() == b.keys()
    for key in a:
        if a[key].dtype.kind != "U":  # (the record of the run, with its config, differs)
            np.testing.assert_array_equal(a[key], b[key], err_msg=key)


def test_the_trace_holds_every_tick_of_the_traced_agents(traced):
    config = load_config(traced / "traced" / "config.yaml")
    ids = traced_ids(config)
    assert len(ids) == 8 and {64, 2} <= set(ids.tolist()) and ids.max() == 64
    assert 64 in read_traces(traced / "traced")["id"]  # born during the run
    assert np.array_equal(traced_ids(config), ids)  # drawn from the seed, the same every time
    t = read_traces(traced / "traced")
    assert set(np.unique(t["id"]).tolist()) <= set(ids.tolist())
    for agent in np.unique(t["id"]):
        rows = t["id"] == agent
        ticks, alive = t["tick"][rows], t["alive"][rows]
        assert np.all(np.diff(ticks) == 1)  # every tick, none twice
        assert np.all(alive[:-1] == 1)
        if alive[-1] == 0:  # its death row, with the cause
            assert t["cause"][rows][-1] in ("starved", "old_age")
            assert np.isnan(t["energy"][rows][-1])
        else:
            assert ticks[-1] == 150
        born = t["age"][rows][0]
        assert born == 0 if agent >= 60 else ticks[0] == 0  # a later birth: traced from age 0
    sim = Simulation(config)
    sim.step(40)  # the rows are the state: compare a tick with a simulation stepped alongside
    row = (t["tick"] == 40) & (t["alive"] == 1)
    a = sim.state.agents
    for agent, x, energy, affect in zip(t["id"][row], t["x"][row], t["energy"][row],
                                        t["affect_1"][row]):
        slot = np.flatnonzero(a.alive & (a.id == agent))[0]
        assert (a.x[slot], a.energy[slot]) == (x, np.float32(energy))
        assert agent_rows(a, "affect")[slot, 1] == np.float32(affect)


@pytest.mark.parametrize("at_tick", [37, 50, 51])
def test_traces_are_exact_across_ctrl_c_and_resume(traced, tmp_path, monkeypatch, at_tick):
    split = tmp_path / "split"
    args = [*TINY, "--steps", "150", "--set", "run.trace=6", "--set", "run.trace_ids=[64, 2]"]
    step = Simulation.step

    def interrupted_after(self, n=1):
        done = step(self, n)
        if self.tick == at_tick:
            monkeypatch.setattr(Simulation, "step", step)
            raise KeyboardInterrupt  # after the step, before the tick's trace rows
        return done

    monkeypatch.setattr(Simulation, "step", interrupted_after)
    assert main(["run", *args, "--out", str(split)]) == 130
    assert main(["resume", str(split), "--no-progress"]) == 0
    whole, again = read_traces(traced / "traced"), read_traces(split)
    assert whole.keys() == again.keys()
    for key in whole:
        if key == "cause":
            assert list(whole[key]) == list(again[key])
        else:
            np.testing.assert_array_equal(whole[key], again[key], err_msg=key)


def test_without_pyarrow_the_trace_is_csv_with_the_same_rows(traced, tmp_path, monkeypatch):
    monkeypatch.setattr(traces.importlib.util, "find_spec", lambda name: None)
    folder = tmp_path / "csv"
    assert main(["run", *TINY, "--steps", "150", "--set", "run.trace=6",
                 "--set", "run.trace_ids=[64, 2]", "--out", str(folder)]) == 0
    assert all(p.suffix == ".csv" for p in (folder / "traces").iterdir())
    monkeypatch.undo()
    a, b = read_traces(traced / "traced"), read_traces(folder)
    for key in a:
        if key == "cause":
            assert list(a[key]) == list(b[key])
        else:
            np.testing.assert_allclose(a[key], b[key], equal_nan=True, err_msg=key)


def test_bad_trace_settings_are_refused(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["run", *TINY, "--trace-ids", "3,x", "--out", str(tmp_path / "x")])
    assert "expected agent ids separated by commas" in capsys.readouterr().err
    assert main(["run", *TINY, "--set", "run.trace=61", "--out", str(tmp_path / "a")]) == 2
    assert ("run.trace: traces founders, at most agents.initial_count (60), got 61"
            in capsys.readouterr().err)
    assert main(["run", *TINY, "--set", "run.trace_ids=[3, 3]", "--out", str(tmp_path / "b")]) == 2
    assert "run.trace_ids: must be distinct ids >= 0" in capsys.readouterr().err
    assert main(["evolve", *TINY, "--set", "run.trace=2", "--out", str(tmp_path / "c")]) == 2
    assert "traces are recorded by `alife run`" in capsys.readouterr().err


def test_kept_checkpoints_are_the_states_at_their_ticks(tmp_path):
    folder = tmp_path / "kept"
    assert main(["run", *TINY, "--steps", "150", "--set", "run.keep_checkpoints=true",
                 "--out", str(folder)]) == 0
    kept = sorted((folder / "checkpoints").iterdir())
    assert [p.name for p in kept] == ["tick-000000050.npz", "tick-000000100.npz",
                                      "tick-000000150.npz"]
    sim, _ = Simulation.load(kept[0])
    fresh = Simulation(load_config(folder / "config.yaml"))
    fresh.step(50)
    assert_same_state(sim, fresh)
