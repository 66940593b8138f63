"""alife evolve: run folder, lineage consistency, Lamarckian switch, exact resume, signals."""

import csv
import json
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from alife import load_config
from alife.cli import main
from alife.genetics.genome import GenomeLayout
from alife.metrics.lineage import gene_columns, read_lineage
from alife.runners.evolve import evolve

N = 40
SMALL = ["--set", "world.width=24", "--set", "world.height=20",
         "--set", f"agents.initial_count={N}",
         "--set", "run.record_every=10", "--set", "evolution.generation_ticks=60",
         "--set", "evolution.crossover_rate=0.3", "--seed", "3", "--no-progress"]
OPEN = ["--mode", "open_ended", "--set", "life.max_age=80", "--set", "life.reproduce_threshold=45"]


def _generations(folder):
    with open(folder / "generations.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _files(folder):
    return {name: (folder / name).read_bytes()
            for name in ("generations.csv", "lineage.csv", "lineage_genomes.f32", "metrics.csv")}


@pytest.fixture(scope="module")
def generational(tmp_path_factory):
    folder = tmp_path_factory.mktemp("evolve") / "gen"
    assert main(["evolve", *SMALL, "--generations", "4", "--out", str(folder)]) == 0
    return folder


@pytest.fixture(scope="module")
def open_ended(tmp_path_factory):
    folder = tmp_path_factory.mktemp("evolve") / "open"
    assert main(["evolve", *SMALL, *OPEN, "--generations", "4", "--out", str(folder)]) == 0
    return folder


def test_generational_run_writes_one_row_per_generation(generational):
    rows = _generations(generational)
    assert [int(r["generation"]) for r in rows] == [0, 1, 2, 3]
    assert [int(r["tick"]) for r in rows] == [60, 120, 180, 240]
    assert all(int(r["agents"]) == N for r in rows)
    summary = json.loads((generational / "summary.json").read_text())
    assert summary["status"] == "completed" and summary["generations"] == 4
    for r in rows:
        assert 0 < float(r["mean_lifespan"]) <= 60
        assert float(r["best_fitness"]) >= float(r["median_fitness"])
        assert float(r["diversity"]) > 0


def test_generational_lineage_is_a_consistent_family_tree(generational):
    lin, genomes = read_lineage(generational)
    ids = lin["id"]
    assert len(ids) == 4 * N and len(set(ids)) == len(ids)
    assert genomes.shape == (len(ids), GenomeLayout.from_config(
        load_config(generational / "config.yaml")).size)
    by_id = {int(i): k for k, i in enumerate(ids)}
    for k in range(len(ids)):
        g = lin["generation"][k]
        assert lin["birth_tick"][k] == 60 * g
        if g == 0:
            assert lin["parent_id"][k] == -1
        else:
            for parent in (lin["parent_id"][k], lin["parent2_id"][k]):
                if parent >= 0:
                    assert lin["generation"][by_id[int(parent)]] == g - 1
        if lin["cause"][k] == "alive":
            assert lin["death_tick"][k] == -1 and lin["lifespan"][k] == 60
        else:
            assert lin["death_tick"][k] - lin["birth_tick"][k] == lin["lifespan"][k]
    assert np.any(lin["parent2_id"] >= 0)  # crossover_rate 0.3


def test_lineage_gene_columns_match_the_genome_file(generational):
    lin, genomes = read_lineage(generational)
    layout = GenomeLayout.from_config(load_config(generational / "config.yaml"))
    names, index = gene_columns(layout)
    for name, gene in zip(names[:12], index[:12]):
        np.testing.assert_allclose(lin[name], genomes[:, gene], rtol=1e-6, atol=1e-7)


def test_generation_fitness_summarises_the_lineage(generational):
    lin, _ = read_lineage(generational)
    for r in _generations(generational):
        mine = lin["generation"] == int(r["generation"])
        assert float(r["mean_lifespan"]) == pytest.approx(lin["lifespan"][mine].mean(), rel=1e-5)
        assert float(r["best_fitness"]) == pytest.approx(lin["fitness"][mine].max(), rel=1e-5)
        assert int(r["population"]) == np.sum(lin["cause"][mine] == "alive")


def test_open_ended_lineage_parents_lived_before_their_children(open_ended):
    lin, _ = read_lineage(open_ended)
    ids = lin["id"]
    assert len(set(ids)) == len(ids)
    by_id = {int(i): k for k, i in enumerate(ids)}
    born_in_world = np.flatnonzero(lin["parent_id"] >= 0)
    assert len(born_in_world) > 0
    for k in born_in_world:
        p = by_id[int(lin["parent_id"][k])]  # every parent has its own row
        assert lin["generation"][k] == lin["generation"][p] + 1
        assert lin["birth_tick"][p] < lin["birth_tick"][k]
        assert lin["death_tick"][p] == -1 or lin["death_tick"][p] >= lin["birth_tick"][k]
    summary = json.loads((open_ended / "summary.json").read_text())
    assert np.sum(lin["cause"] == "alive") == summary["final_population"]


def test_open_ended_generation_rows_count_the_deaths_in_them(open_ended):
    lin, _ = read_lineage(open_ended)
    for r in _generations(open_ended):
        end = int(r["tick"])
        died = (lin["death_tick"] > end - 60) & (lin["death_tick"] <= end)
        assert int(r["agents"]) == died.sum()


@pytest.mark.parametrize("mode", [[], OPEN], ids=["generational", "open_ended"])
def test_resume_and_extend_equals_one_uninterrupted_run(tmp_path, mode):
    whole, split = tmp_path / "whole", tmp_path / "split"
    assert main(["evolve", *SMALL, *mode, "--generations", "5", "--out", str(whole)]) == 0
    assert main(["evolve", *SMALL, *mode, "--generations", "3", "--out", str(split)]) == 0
    assert main(["resume", str(split), "--generations", "5", "--no-progress"]) == 0
    assert _files(whole) == _files(split)


def test_lamarckian_children_start_from_what_their_parents_learned(tmp_path):
    sets = ["--set", "life.mutation_sigma=0", "--set", "evolution.crossover_rate=0",
            "--generations", "2"]
    runs = {}
    for inherit in ("false", "true"):
        folder = tmp_path / inherit
        assert main(["evolve", *SMALL, *sets, "--set", f"evolution.inherit_learned={inherit}",
                     "--out", str(folder)]) == 0
        lin, genomes = read_lineage(folder)
        layout = GenomeLayout.from_config(load_config(folder / "config.yaml"))
        model = layout.view(genomes, "model_init")
        by_id = {int(i): k for k, i in enumerate(lin["id"])}
        children = np.flatnonzero(lin["generation"] == 1)
        parents = [by_id[int(p)] for p in lin["parent_id"][children]]
        runs[inherit] = np.abs(model[children] - model[parents]).max()
    assert runs["false"] == 0.0  # no mutation: the innate model is passed on as it was
    assert runs["true"] > 0.01   # what the parents learned in their lives is passed on


def test_evolve_refuses_a_generation_length_off_the_record_grid(tmp_path, capsys):
    code = main(["evolve", *SMALL, "--set", "evolution.generation_ticks=55",
                 "--out", str(tmp_path / "x")])
    assert code == 2
    assert "evolution.generation_ticks" in capsys.readouterr().err


def test_resume_of_an_evolution_run_refuses_steps(generational, capsys):
    assert main(["resume", str(generational), "--steps", "500"]) == 2
    assert "--generations" in capsys.readouterr().err


def _spawn(folder, generations):
    cmd = [sys.executable, "-m", "alife", "evolve", *SMALL, "--generations", str(generations),
           "--set", "evolution.checkpoint_every=1", "--out", str(folder)]
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
    generations = 40
    whole, killed = tmp_path / "whole", tmp_path / "killed"
    assert main(["evolve", *SMALL, "--generations", str(generations), "--set",
                 "evolution.checkpoint_every=1", "--out", str(whole)]) == 0
    proc = _spawn(killed, generations)
    _wait_for(killed / "checkpoint.npz", proc)
    time.sleep(np.random.default_rng(seed).uniform(0.0, 1.0))
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert main(["resume", str(killed), "--no-progress"]) == 0
    assert _files(whole) == _files(killed)


@pytest.mark.slow
def test_sigterm_ends_an_evolution_cleanly_and_resume_finishes_it_exactly(tmp_path):
    generations = 400
    folder = tmp_path / "term"
    proc = _spawn(folder, generations)
    _wait_for(folder / "generations.csv", proc)
    time.sleep(1.5)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "alife resume" in err
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["status"] == "interrupted" and summary["generations"] < generations
    done = summary["generations"]
    assert len(_generations(folder)) == done
    # finish it, shorter, and compare with an uninterrupted run of that length
    assert main(["resume", str(folder), "--generations", str(done + 2), "--no-progress"]) == 0
    whole = tmp_path / "whole"
    assert main(["evolve", *SMALL, "--generations", str(done + 2), "--set",
                 "evolution.checkpoint_every=1", "--out", str(whole)]) == 0
    assert _files(whole) == _files(folder)


def test_python_api_evolve_returns_the_summary(tmp_path):
    result = evolve({"world": {"width": 20, "height": 20}, "agents": {"initial_count": 20},
                     "evolution": {"generations": 2, "generation_ticks": 20}},
                    tmp_path / "api", progress=False, log=lambda msg: None)
    assert result.status == "completed"
    assert result.summary["generations"] == 2
    assert result.summary["lineage_rows"] == 40


def test_a_generation_that_dies_out_early_still_breeds_the_next(tmp_path):
    harsh = ["--set", "energy.basal_cost=5", "--set", "agents.initial_energy=40"]
    folder = tmp_path / "harsh"
    assert main(["evolve", *SMALL, *harsh, "--generations", "3", "--out", str(folder)]) == 0
    rows = _generations(folder)
    assert [int(r["population"]) for r in rows] == [0, 0, 0]
    lin, _ = read_lineage(folder)
    assert len(lin["id"]) == 3 * N and np.all(lin["cause"] == "starved")
    for g, r in enumerate(rows):  # each ends when its last agent dies, the next starts on time
        last_death = lin["death_tick"][lin["generation"] == g].max()
        assert 60 * g < int(r["tick"]) == last_death < 60 * (g + 1)
        assert np.all(lin["birth_tick"][lin["generation"] == g] == 60 * g)


def test_open_ended_extinction_ends_the_run_with_complete_files(tmp_path):
    harsh = ["--set", "energy.basal_cost=5", "--set", "agents.initial_energy=40"]
    folder = tmp_path / "gone"
    assert main(["evolve", *SMALL, *OPEN, *harsh, "--generations", "3", "--out", str(folder)]) == 0
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["status"] == "extinct" and summary["final_population"] == 0
    assert len(_generations(folder)) == 1
    lin, _ = read_lineage(folder)
    assert len(lin["id"]) == summary["lineage_rows"] and np.all(lin["cause"] != "alive")


def test_lineage_parquet_equals_the_csv_and_genome_file(generational):
    pq = pytest.importorskip("pyarrow.parquet")
    table = pq.read_table(generational / "lineage.parquet").to_pydict()
    lin, genomes = read_lineage(generational)
    assert table["id"] == lin["id"].tolist()
    assert table["cause"] == lin["cause"].tolist()
    np.testing.assert_array_equal(np.array(table["genome"], np.float32), genomes)


def test_a_generational_checkpoint_loads_without_births(generational):
    from alife import Simulation

    sim, extra = Simulation.load(generational / "checkpoint.npz")
    assert extra["evolution"] == "generational" and not sim.params.births
    n = sim.n_alive
    sim.step(20)
    assert sim.n_alive <= n  # a generation's world: nobody is born in it
    plain, _ = Simulation.load(generational / "checkpoint.npz", births=True)
    assert plain.params.births


def test_an_evolved_population_founds_another_run(tmp_path):
    from alife import Simulation, load_config

    cfg = {"world": {"width": 24, "height": 20}, "agents": {"initial_count": 30},
           "evolution": {"generations": 2, "generation_ticks": 30}}
    result = evolve(cfg, tmp_path / "evo", progress=False, log=lambda msg: None)
    path = result.folder / "genomes.npz"
    with np.load(path) as data:
        evolved = data["genomes"]
    assert evolved.shape[0] == 30
    sim = Simulation(load_config(cfg, [f"agents.founders={path}", "agents.initial_count=40"]))
    founders = sim.state.agents.genome[sim.state.agents.alive]
    rows = {row.tobytes() for row in evolved}
    assert all(g.tobytes() in rows for g in founders)  # every founder is an evolved genome
    assert len({g.tobytes() for g in founders[:30]}) == len(rows)  # each once while they last
    with pytest.raises(ValueError, match="agents.founders: .*genes, this config's genome has"):
        Simulation(load_config(cfg, [f"agents.founders={path}", "affect.dims=2",
                                     "affect.half_lives=[100, 300]"]))


def test_fixed_genes_keep_the_founders_values_while_the_rest_evolves(tmp_path):
    folder = tmp_path / "fixed"
    assert main(["evolve", *SMALL, "--generations", "3", "--set",
                 "evolution.fixed_genes=[log_model_lr, discount]", "--out", str(folder)]) == 0
    lin, genomes = read_lineage(folder)
    layout = GenomeLayout.from_config(load_config(folder / "config.yaml"))
    last = lin["generation"] == 2
    founders = lin["generation"] == 0
    for name in ("log_model_lr", "discount"):
        assert np.array_equal(layout.view(genomes, name)[last],
                              layout.view(genomes, name)[founders][:last.sum()])
    assert np.ptp(layout.view(genomes, "log_value_lr")[last]) > 0  # the others mutate


def test_the_config_names_every_gene_segment_fixed_genes_may_hold():
    from typing import get_args

    from alife.config.schema import GeneSegment

    layout = GenomeLayout(5)
    assert list(get_args(GeneSegment)) == [s for s in layout.segments if s != "mutation_step"]


def test_the_phylogeny_in_the_alife_data_standard_is_the_family_tree(tmp_path):
    """phylogeny.csv, converted to Newick by the standard's own converter, has the same
    parent-child edges as lineage.nwk (open-ended: births inside the world, deep families)."""
    pd = pytest.importorskip("pandas")
    convert = pytest.importorskip("alifedata_phyloinformatics_convert")
    dendropy = pytest.importorskip("dendropy")
    from alife.report import family

    folder = tmp_path / "open"
    assert main(["evolve", *SMALL, *OPEN, "--generations", "3",
                 "--set", "evolution.crossover_rate=0", "--out", str(folder)]) == 0
    frame = pd.read_csv(folder / "phylogeny.csv")
    assert list(frame.columns[:4]) == ["id", "ancestor_list", "origin_time", "destruction_time"]
    lineage, _ = read_lineage(folder)
    ours = family.newick(lineage["id"], lineage["parent_id"], lineage["birth_tick"])

    def edges(newick_text):
        found = set()
        for line in filter(None, (t.strip() for t in newick_text.splitlines())):
            tree = dendropy.Tree.get(data=line, schema="newick", suppress_internal_node_taxa=False)
            for node in tree.preorder_node_iter():
                label = node.taxon.label if node.taxon else node.label
                parent = node.parent_node
                if parent is not None:
                    found.add((label, parent.taxon.label if parent.taxon else parent.label))
                else:
                    found.add((label, None))
        return found

    trees = convert.alife_dataframe_to_dendropy_trees(frame, setup_edge_lengths=True)
    for tree in trees:  # the converter keeps each row's id on its node; Newick labels them
        for node in tree.preorder_node_iter():
            node.taxon = dendropy.Taxon(label=str(node.id))
    theirs = "\n".join(t.as_string(schema="newick", suppress_rooting=True) for t in trees)
    assert edges(theirs) == edges(ours)
    assert len(edges(ours)) == len(lineage["id"])  # every agent, once
