"""A resume first checks that the folder's files belong to its checkpoint, and touches nothing
if they do not."""

import shutil

import pytest

from alife.cli import main

TINY = ["--set", "world.width=16", "--set", "world.height=16", "--set", "agents.initial_count=20",
        "--set", "run.record_every=10", "--set", "run.checkpoint_every=50", "--no-progress"]


@pytest.fixture
def runs(tmp_path):
    for name, seed in (("a", 1), ("b", 7)):
        assert main(["run", *TINY, "--seed", str(seed), "--steps", "100",
                     "--out", str(tmp_path / name)]) == 0
    return tmp_path


def _resume_refused(folder, capsys, expected):
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    assert main(["resume", str(folder), "--steps", "150", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert expected in err, err
    after = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    assert after == before  # nothing deleted or rewritten


def test_another_runs_checkpoint_is_refused(runs, capsys):
    shutil.copyfile(runs / "b" / "checkpoint.npz", runs / "a" / "checkpoint.npz")
    _resume_refused(runs / "a", capsys,
                    "config.yaml: seed is 1, but the checkpoint was written with 7")


def test_an_edited_config_is_refused_naming_the_field(runs, capsys):
    path = runs / "a" / "config.yaml"
    path.write_text(path.read_text().replace("regrowth_rate: 0.01", "regrowth_rate: 0.05"))
    _resume_refused(runs / "a", capsys, "config.yaml: food.regrowth_rate is 0.05, "
                                        "but the checkpoint was written with 0.01")


def test_metrics_with_rows_cut_are_refused(runs, capsys):
    path = runs / "a" / "metrics.csv"
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:1] + lines[1:4] + lines[6:]))  # ticks 30 and 40 gone
    _resume_refused(runs / "a", capsys,
                    "2 rows before the checkpoint's tick 100 are missing (ticks 30, 40)")
    path.write_text(lines[0])
    _resume_refused(runs / "a", capsys, "11 rows before the checkpoint's tick 100 are missing")


def test_a_summary_of_another_seed_is_refused(runs, capsys):
    shutil.copyfile(runs / "b" / "summary.json", runs / "a" / "summary.json")
    _resume_refused(runs / "a", capsys, "written by a run with seed 1, but")


def test_an_extension_of_a_whole_folder_goes_on(runs):
    assert main(["resume", str(runs / "a"), "--steps", "150", "--no-progress"]) == 0


def test_a_cut_lineage_genome_file_is_refused(tmp_path, capsys):
    folder = tmp_path / "evo"
    assert main(["evolve", *TINY, "--generations", "2", "--set", "evolution.generation_ticks=50",
                 "--out", str(folder)]) == 0
    genomes = folder / "lineage_genomes.f32"
    genomes.write_bytes(genomes.read_bytes()[:1000])
    before = genomes.read_bytes()
    assert main(["resume", str(folder), "--generations", "3", "--no-progress"]) == 2
    assert "lineage_genomes.f32: 1000 bytes, the checkpoint's" in capsys.readouterr().err
    assert genomes.read_bytes() == before  # not padded with zeros
