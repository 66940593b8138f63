"""Island evolution: migration along the topology, identical results whatever runs the islands."""

import json

import numpy as np
import pytest
from conftest import read_csv

from alife import load_config
from alife.cli import main
from alife.metrics.lineage import read_lineage
from alife.runners.islands import destinations, island_folder, island_seed

N = 30
SMALL = ["--set", "world.width=20", "--set", "world.height=20",
         "--set", f"agents.initial_count={N}",
         "--set", "run.record_every=10", "--set", "evolution.generation_ticks=40",
         "--set", "evolution.migrants=3", "--seed", "4", "--no-progress"]
ISLANDS = ["--islands", "3", "--migrate-every", "2"]


def _files(folder, islands=3):
    files = {name: (folder / name).read_bytes() for name in ("generations.csv", "migrations.csv")}
    for k in range(islands):
        for name in ("lineage.csv", "lineage_genomes.f32", "generations.csv", "metrics.csv"):
            files[f"{k}/{name}"] = (island_folder(folder, k) / name).read_bytes()
    return files


@pytest.fixture(scope="module")
def one_worker(tmp_path_factory):
    folder = tmp_path_factory.mktemp("islands") / "w1"
    assert main(["evolve", *SMALL, *ISLANDS, "--generations", "5", "--workers", "1",
                 "--out", str(folder)]) == 0
    return folder


def test_every_island_lives_every_generation(one_worker):
    rows = read_csv(one_worker / "generations.csv")
    assert sorted((int(r["island"]), int(r["generation"])) for r in rows) == [
        (k, g) for k in range(3) for g in range(5)]


def test_migrants_are_their_islands_fittest_and_arrive_unchanged(one_worker):
    moves = read_csv(one_worker / "migrations.csv")
    assert len(moves) == 2 * 3 * 3  # migrations after generations 2 and 4, 3 islands, 3 migrants
    lineages = [read_lineage(island_folder(one_worker, k)) for k in range(3)]
    for move in moves:
        src, dst = int(move["from_island"]), int(move["to_island"])
        assert dst == (src + 1) % 3  # ring
        (slin, sgen), (dlin, dgen) = lineages[src], lineages[dst]
        s = int(np.flatnonzero(slin["id"] == int(move["from_id"]))[0])
        d = int(np.flatnonzero(dlin["id"] == int(move["to_id"]))[0])
        generation = int(move["generation"])
        assert slin["generation"][s] == generation - 1
        mine = slin["generation"] == generation - 1
        assert slin["fitness"][s] >= np.sort(slin["fitness"][mine])[-3]  # among the 3 fittest
        assert dlin["generation"][d] == generation and dlin["parent_id"][d] == -1
        np.testing.assert_array_equal(dgen[d], sgen[s])


def test_same_results_with_two_workers(one_worker, tmp_path):
    folder = tmp_path / "w2"
    assert main(["evolve", *SMALL, *ISLANDS, "--generations", "5", "--workers", "2",
                 "--out", str(folder)]) == 0
    assert _files(folder) == _files(one_worker)


@pytest.mark.slow
def test_same_results_on_a_local_dask_cluster(one_worker, tmp_path):
    pytest.importorskip("distributed")
    folder = tmp_path / "dask"
    assert main(["evolve", *SMALL, *ISLANDS, "--generations", "5", "--scheduler", "local",
                 "--out", str(folder)]) == 0
    assert _files(folder) == _files(one_worker)


@pytest.mark.parametrize("first", [3, 4], ids=["between-migrations", "on-a-migration"])
def test_resume_and_extend_equals_one_uninterrupted_run(one_worker, tmp_path, first):
    folder = tmp_path / "short"
    assert main(["evolve", *SMALL, *ISLANDS, "--generations", str(first), "--workers", "2",
                 "--out", str(folder)]) == 0
    assert main(["resume", str(folder), "--generations", "5", "--workers", "2",
                 "--no-progress"]) == 0
    assert _files(folder) == _files(one_worker)


def test_island_seeds_differ_and_are_reproducible():
    seeds = [island_seed(4, k) for k in range(8)]
    assert len(set(seeds)) == 8 and seeds == [island_seed(4, k) for k in range(8)]
    assert island_seed(5, 0) != seeds[0]


def test_random_topology_never_sends_an_island_to_itself():
    config = load_config({"evolution": {"islands": 5, "topology": "random"}})
    seen = set()
    for epoch in range(20):
        dest = destinations(config, epoch)
        assert sorted(dest) == list(range(5)) and np.all(dest != np.arange(5))
        seen.add(tuple(dest))
    assert len(seen) > 1
    np.testing.assert_array_equal(destinations(config, 3), destinations(config, 3))


def test_islands_need_generational_mode(tmp_path, capsys):
    assert main(["evolve", *SMALL, *ISLANDS, "--mode", "open_ended",
                 "--out", str(tmp_path / "x")]) == 2
    assert "evolution.mode" in capsys.readouterr().err


def test_a_failing_island_is_reported_and_the_others_keep_their_work(tmp_path, capsys):
    folder = tmp_path / "broken"
    assert main(["evolve", *SMALL, *ISLANDS, "--generations", "3", "--workers", "2",
                 "--out", str(folder)]) == 0
    (island_folder(folder, 1) / "checkpoint.npz").write_bytes(b"not a checkpoint")
    assert main(["resume", str(folder), "--generations", "5", "--workers", "2",
                 "--no-progress"]) == 1
    err = capsys.readouterr().err
    assert "island 1 failed" in err and "CheckpointError" in err and "alife resume" in err
    assert len(read_csv(island_folder(folder, 0) / "generations.csv")) == 4  # the others went on
    assert json.loads((folder / "summary.json").read_text())["status"] == "failed"


def test_sigterm_to_the_driver_stops_the_islands_and_resume_is_exact(one_worker, tmp_path):
    """SIGTERM reaches only the driver: it asks its workers to stop, they checkpoint, and the
    resumed run equals the uninterrupted one."""
    import os
    import signal
    import threading
    import time

    folder = tmp_path / "term"
    checkpoint = island_folder(folder, 0) / "checkpoint.npz"
    returned = threading.Event()

    def terminate_once_an_island_runs():  # no time limit: only the run's own end stops it
        while not checkpoint.exists() and not returned.is_set():
            time.sleep(0.01)
        if not returned.is_set():
            os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=terminate_once_an_island_runs, daemon=True).start()
    try:
        code = main(["evolve", *SMALL, *ISLANDS, "--generations", "5", "--workers", "1",
                     "--out", str(folder)])
    finally:
        returned.set()
    assert code == 130
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["status"] == "interrupted" and summary["generations"] < 5
    assert main(["resume", str(folder), "--workers", "2", "--no-progress"]) == 0
    assert _files(folder) == _files(one_worker)


@pytest.mark.parametrize("damage", ["islands.json count", "islands.json garbage", "island config",
                                    "island checkpoint", "island generations", "summary seed"])
def test_resume_refuses_an_island_folder_whose_files_do_not_belong_together(one_worker, tmp_path,
                                                                            capsys, damage):
    import shutil

    folder = tmp_path / "copy"
    shutil.copytree(one_worker, folder)
    other = island_folder(folder, 1)
    named = {
        "islands.json count": folder / "islands.json",
        "islands.json garbage": folder / "islands.json",
        "island config": other / "config.yaml",
        "island checkpoint": other / "checkpoint.npz",
        "island generations": other / "generations.csv",
        "summary seed": folder / "summary.json",
    }[damage]
    if damage == "islands.json count":
        state = json.loads(named.read_text())
        named.write_text(json.dumps({**state, "islands": 2}))
    elif damage == "islands.json garbage":
        named.write_text("{not json")
    elif damage == "island config":  # another island's folder copied over this one
        shutil.copy(island_folder(folder, 2) / "config.yaml", named)
    elif damage == "island checkpoint":
        named.unlink()
    elif damage == "island generations":
        lines = named.read_text().splitlines(keepends=True)
        named.write_text("".join(lines[:3]))
    else:
        summary = json.loads(named.read_text())
        named.write_text(json.dumps({**summary, "seed": 99}))
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file() and p.exists()}
    assert main(["resume", str(folder), "--generations", "6", "--workers", "1",
                 "--no-progress"]) == 2
    assert str(named) in capsys.readouterr().err
    after = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert after == before  # nothing rewritten


def test_islands_on_a_cold_cache_compile_once_before_the_pool(tmp_path, monkeypatch):
    from alife.runners import compiling, islands

    compiled, opened = [], []
    monkeypatch.setattr(compiling, "kernels_cached", lambda: False)
    monkeypatch.setattr(compiling, "compile_kernels",
                        lambda sim, log: compiled.append(sim.n_alive) or 0.0)
    real_open = islands.open_executor

    def watched_open(*args, **kwargs):
        opened.append(len(compiled))
        return real_open(*args, **kwargs)

    monkeypatch.setattr(islands, "open_executor", watched_open)
    assert main(["evolve", *SMALL, "--islands", "2", "--migrate-every", "1", "--generations",
                 "1", "--workers", "1", "--out", str(tmp_path / "i")]) == 0
    assert compiled == [0] and opened == [1]  # once, for a stand-in world, before the pool
