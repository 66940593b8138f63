"""alife agent: an agent's biography from its trace, or replayed exactly."""

import csv

import numpy as np
import pytest

from alife.cli import main
from alife.metrics.traces import read_traces
from alife.report.biography import read_life

pytest.importorskip("matplotlib")

TINY = ["--set", "world.width=24", "--set", "world.height=24", "--set", "agents.initial_count=60",
        "--set", "run.record_every=10", "--set", "run.checkpoint_every=50", "--seed", "5",
        "--no-progress", "--steps", "150"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("bio")
    assert main(["run", *TINY, "--set", "run.trace=4", "--set", "run.trace_ids=[64, 2]",
                 "--out", str(root / "traced")]) == 0
    assert main(["run", *TINY, "--set", "run.keep_checkpoints=true",
                 "--out", str(root / "plain")]) == 0
    return root


def _same(a, b,
          keys=("tick", "x", "y", "energy", "action", "surprise", "affect_0", "write_weight")):
    for key in keys:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)


def test_a_traced_agent_s_page_is_its_trace(runs, capsys):
    folder = runs / "traced"
    assert main(["agent", str(folder), "2"]) == 0
    page = folder / "agents" / "2" / "report.html"
    assert page.exists() and "traced during the run" in page.read_text()
    for png in ("energy", "affect", "surprise", "memory", "couplings", "path"):
        assert (page.parent / f"{png}.png").stat().st_size > 1000
    with open(page.parent / "life.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    trace = read_traces(folder, ids=[2])
    assert [int(r["tick"]) for r in rows] == trace["tick"].tolist()


@pytest.mark.parametrize("agent", [2, 64])  # a founder (from tick 0), a later birth
def test_an_untraced_agent_is_replayed_exactly_as_it_lived(runs, agent):
    traced = read_traces(runs / "traced", ids=[agent])
    life = read_life(runs / "plain", agent)  # this run traced nobody
    assert life.source.startswith("from ")  # replayed: from the start or a kept checkpoint
    _same(life.trace, traced)
    # forced replay, checked against its trace
    again = read_life(runs / "traced", agent, replay=True)
    _same(again.trace, traced)


def test_a_replay_starts_from_the_last_kept_checkpoint_before_the_birth(runs):
    plain = runs / "plain"
    with np.load(plain / "checkpoint.npz") as data:
        ids, births = data["agents.id"], data["agents.birth_tick"]
        alive, parents = data["agents.alive"], data["agents.parent_id"]
    late = int(ids[alive & (births > 50)].min())  # born after the checkpoint at tick 50
    born = int(births[ids == late][0])
    life = read_life(plain, late)
    assert life.source == f"from the checkpoint at tick {100 if born > 100 else 50}"
    assert life.trace["age"][0] == 0
    parent = int(parents[ids == late][0])
    parent_life = read_life(plain, parent)
    assert late in parent_life.children
    assert set(ids[alive & (parents == parent)].tolist()) <= set(parent_life.children)


def test_bad_requests_exit_2_with_a_clear_message(runs, tmp_path, capsys):
    assert main(["agent", str(runs / "traced"), "100000"]) == 2
    assert "agent 100000: not in this run (its agents have ids 0.." in capsys.readouterr().err
    assert main(["agent", str(tmp_path), "3"]) == 2
    assert "not a run folder (no config.yaml)" in capsys.readouterr().err
    evolved = tmp_path / "evo"
    assert main(["evolve", "--set", "world.width=16", "--set", "world.height=16", "--set",
                 "agents.initial_count=20", "--generations", "1",
                 "--set", "evolution.generation_ticks=20",
                 "--no-progress", "--out", str(evolved)]) == 0
    assert main(["agent", str(evolved), "3"]) == 2
    assert "an evolution run (alife evolve)" in capsys.readouterr().err
    no_checkpoint = tmp_path / "young"
    no_checkpoint.mkdir()
    (no_checkpoint / "config.yaml").write_text((runs / "plain" / "config.yaml").read_text())
    assert main(["agent", str(no_checkpoint), "3"]) == 2
    assert "no checkpoint.npz" in capsys.readouterr().err


def test_the_report_of_a_traced_run_measures_personality(runs, tmp_path):
    from alife.report.personality import personality

    assert main(["report", str(runs / "traced"), "--out", str(tmp_path / "report")]) == 0
    with open(tmp_path / "report" / "personality.csv", newline="") as f:
        rows = {r["trait"]: r for r in csv.DictReader(f)}
    expected = personality(read_traces(runs / "traced"), 30)  # a 150-tick run: windows of 30
    for trait, r in expected.items():
        assert float(rows[trait]["icc"]) == pytest.approx(r.icc, nan_ok=True, rel=1e-5)
        assert int(rows[trait]["windows"]) == r.windows
    assert (tmp_path / "report" / "personality.png").exists()
    assert main(["report", str(runs / "plain"), "--out", str(tmp_path / "plain")]) == 0
    assert not (tmp_path / "plain" / "personality.csv").exists()  # nobody traced
