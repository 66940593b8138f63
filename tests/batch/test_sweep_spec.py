"""The sweep file: planning (grid, cases, seeds, ids) and errors that name the file and field."""

import pytest
import yaml

from alife.batch.spec import SweepError, load_sweep

BASE = {"world": {"width": 16, "height": 16}, "agents": {"initial_count": 20}}


def write(tmp_path, name="s.yaml", **fields):
    data = {"base": BASE, "options": {"steps": 30}, **fields}
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_grid_is_the_cartesian_product_with_repetitions_innermost(tmp_path):
    sweep = load_sweep(write(tmp_path, grid={"learner.model_lr": [0.1, 0.6],
                                             "food.regrowth_rate": [0.01, 0.02, 0.05]},
                             repeats=2))
    assert len(sweep.runs) == 2 * 3 * 2
    assert sweep.param_names == ["learner.model_lr", "food.regrowth_rate"]
    combos = [(r.params["learner.model_lr"], r.params["food.regrowth_rate"], r.repetition)
              for r in sweep.runs]
    assert combos[:3] == [(0.1, 0.01, 0), (0.1, 0.01, 1), (0.1, 0.02, 0)]
    assert len(set(combos)) == len(combos)
    for run in sweep.runs:  # the config carries the parameters, the seed and the command's options
        assert run.config.learner.model_lr == run.params["learner.model_lr"]
        assert run.config.food.regrowth_rate == run.params["food.regrowth_rate"]
        assert run.config.seed == run.seed
        assert run.config.run.steps == 30
        assert run.config.world.width == 16


def test_cases_are_crossed_with_the_grid(tmp_path):
    sweep = load_sweep(write(tmp_path, cases=[{"world.width": 16, "world.height": 16},
                                              {"world.width": 20, "world.height": 18}],
                             grid={"learner.model_lr": [0.1, 0.6]}))
    assert sweep.param_names == ["world.width", "world.height", "learner.model_lr"]
    assert [(r.config.world.width, r.config.world.height, r.config.learner.model_lr)
            for r in sweep.runs] == [(16, 16, 0.1), (16, 16, 0.6), (20, 18, 0.1), (20, 18, 0.6)]


def test_derived_seeds_differ_between_runs_and_are_reproducible(tmp_path):
    path = write(tmp_path, grid={"learner.model_lr": [0.1, 0.3, 0.6]}, repeats=4, master_seed=11)
    first, again = load_sweep(path), load_sweep(path)
    seeds = [r.seed for r in first.runs]
    assert len(set(seeds)) == len(seeds) == 12
    assert seeds == [r.seed for r in again.runs]
    assert [r.run_id for r in first.runs] == [r.run_id for r in again.runs]
    assert len({r.run_id for r in first.runs}) == 12
    other = load_sweep(write(tmp_path, "o.yaml", grid={"learner.model_lr": [0.1, 0.3, 0.6]},
                             repeats=4, master_seed=12))
    assert not set(seeds) & {r.seed for r in other.runs}


def test_adding_a_value_keeps_the_seeds_and_ids_of_the_runs_already_there(tmp_path):
    small = load_sweep(write(tmp_path, grid={"learner.model_lr": [0.1, 0.6]}, repeats=2))
    large = load_sweep(write(tmp_path, "l.yaml", grid={"learner.model_lr": [0.05, 0.1, 0.6]},
                             repeats=3))
    large_ids = {(r.run_id, r.seed) for r in large.runs}
    assert {(r.run_id, r.seed) for r in small.runs} <= large_ids


def test_explicit_seeds_are_used_for_every_combination(tmp_path):
    sweep = load_sweep(write(tmp_path, grid={"learner.model_lr": [0.1, 0.6]}, seeds=[5, 9]))
    assert [r.seed for r in sweep.runs] == [5, 9, 5, 9]
    assert len({r.run_id for r in sweep.runs}) == 4


def test_a_case_with_its_own_seed_runs_once_with_it(tmp_path):
    sweep = load_sweep(write(tmp_path, cases=[{"world.width": 16, "seed": 3},
                                              {"world.width": 16, "seed": 4},
                                              {"world.width": 20}],
                             grid={"learner.model_lr": [0.1, 0.6]}, seeds=[5, 9]))
    planned = [(r.config.world.width, r.config.learner.model_lr, r.seed) for r in sweep.runs]
    assert planned == [(16, 0.1, 3), (16, 0.6, 3), (16, 0.1, 4), (16, 0.6, 4),
                       (20, 0.1, 5), (20, 0.1, 9), (20, 0.6, 5), (20, 0.6, 9)]
    assert all("seed" not in r.params for r in sweep.runs)
    assert sweep.param_names == ["world.width", "learner.model_lr"]
    assert len({r.run_id for r in sweep.runs}) == len(sweep.runs)


def test_base_file_is_relative_to_the_sweep_file(tmp_path):
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / "base.yaml").write_text(yaml.safe_dump({**BASE, "food": {"capacity": 7.0}}))
    (tmp_path / "sweeps").mkdir()
    path = tmp_path / "sweeps" / "s.yaml"
    path.write_text(yaml.safe_dump({"base": "../cfg/base.yaml", "set": {"world.width": 18}}))
    sweep = load_sweep(path)
    assert sweep.name == "s" and len(sweep.runs) == 1
    assert sweep.runs[0].config.food.capacity == 7.0 and sweep.runs[0].config.world.width == 18


@pytest.mark.parametrize("fields, expected", [
    ({"grid": {"learner.model_lrr": [0.1]}},
     "grid: learner.model_lrr: unknown key 'learner.model_lrr' (did you mean 'model_lr'?)"),
    ({"grid": {"learner.model_lr": [0.1, 3]}}, "grid: learner.model_lr[1]: must be <= 1.5, got 3"),
    ({"grid": {"learner.model_lr": []}}, "grid: learner.model_lr: needs at least one value"),
    ({"grid": {"learner": [0.1]}}, "grid: learner: is a section"),
    ({"grid": {"world.width.x": [1]}},
     "grid: world.width.x: world.width is a value, not a section"),
    ({"grid": {"seed": [1, 2]}}, "grid: seed: set by the sweep's seeds"),
    ({"grid": {"learner.model_lr": 0.1}}, "grid.learner.model_lr: Input should be a valid list"),
    ({"set": {"world.width": -4}}, "set: world.width: must be > 0, got -4"),
    ({"cases": [{"world.width": 0}]}, "cases[0]: world.width: must be > 0, got 0"),
    ({"cases": [{"world.width": 20}, {"world.width": 20}]},
     "cases[1]: the same combination as cases[0]"),
    ({"cases": [{"world.width": 20, "seed": -1}]},
     "cases[0]: seed: must be an integer >= 0, got -1"),
    ({"cases": [{"world.width": 20, "seed": 2}, {"world.width": 20, "seed": 2}]},
     "cases[1]: the same combination as cases[0]"),
    ({"cases": [{"world.width": 20, "seed": 2}, {"world.width": 20}], "seeds": [2]},
     'cases: the run {"world.width":20} with seed 2 is planned twice'),
    ({"cases": [{"learner.model_lr": 0.2}], "grid": {"learner.model_lr": [0.1]}},
     "cases[0]: learner.model_lr is also in grid"),
    ({"grid": {"learner.progress_fast": [25], "learner.progress_slow": [60, 20]}},
     'combination {"learner.progress_fast":25,"learner.progress_slow":20}: '
     "learner: progress_fast must be < progress_slow"),
    ({"seeds": [1, 2], "repeats": 2},
     "seeds, repeats: give explicit seeds or a repeat count, not both"),
    ({"seeds": [1, 1]}, "seeds: must be distinct integers >= 0"),
    ({"repeats": 0}, "repeats: Input should be greater than or equal to 1"),
    ({"command": "report"}, "command: Input should be 'run' or 'evolve'"),
    ({"options": {"stepz": 3}}, "options.stepz: unknown key (did you mean 'steps'?)"),
    ({"gird": {}}, "gird: unknown key (did you mean 'grid'?)"),
    ({"base": {"world": {"widht": 3}}}, "base: world.widht: unknown key (did you mean 'width'?)"),
    ({"base": "missing.yaml"}, "base: config file not found"),
])
def test_bad_sweep_files_name_the_file_and_the_field(tmp_path, fields, expected):
    path = write(tmp_path, **fields)
    with pytest.raises(SweepError) as err:
        load_sweep(path)
    message = str(err.value)
    assert message.startswith(f"{path}: ")
    assert expected in message


def test_unreadable_sweep_files(tmp_path):
    with pytest.raises(SweepError, match="sweep file not found"):
        load_sweep(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("grid: [1, 2\n")
    with pytest.raises(SweepError, match=r"bad.yaml: malformed YAML \(line"):
        load_sweep(bad)
    bad.write_text("- 1\n- 2\n")
    with pytest.raises(SweepError, match="expected a mapping"):
        load_sweep(bad)


def test_the_example_sweep_is_valid():
    from pathlib import Path

    sweep = load_sweep(Path(__file__).resolve().parents[2] / "configs" / "sweeps" / "example.yaml")
    assert len(sweep.runs) == 4 and sweep.param_names == ["learner.model_lr"]


def test_a_sweep_of_too_many_runs_is_refused_before_it_is_planned(tmp_path, capsys):
    from alife.cli import main

    huge = {f"food.{k}": [0.1 * i for i in range(1, 11)]
            for k in ("regrowth_rate", "background", "patch_cover")}
    huge["learner.model_lr"] = [0.1 * i for i in range(1, 11)]  # 10^4 combinations x 2 seeds
    path = write(tmp_path, grid=huge, seeds=[1, 2])
    with pytest.raises(SweepError, match=r"20,000 runs planned, more than 10,000; pass --yes"):
        load_sweep(path)  # counted from the file, before any run is planned
    assert main(["sweep", str(path), "--out", str(tmp_path / "o"), "--no-progress"]) == 2
    assert "pass --yes" in capsys.readouterr().err
    assert len(load_sweep(write(tmp_path, "small.yaml", grid={"learner.model_lr": [0.1, 0.2]}),
                          max_runs=2).runs) == 2


def test_the_documented_sweep_file_is_valid(tmp_path):
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    section = (root / "docs" / "sweeps.md").read_text(encoding="utf-8")
    block = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    assert "base: ../default.yaml" in block
    path = tmp_path / "readme.yaml"
    path.write_text(block.replace("../default.yaml", str(root / "configs" / "default.yaml")))
    sweep = load_sweep(path)
    assert len(sweep.runs) == 2 * 2 * 2 * 3  # cases x grid x repeats
    assert sweep.param_names == ["food.patch_size", "food.patch_cover", "learner.model_lr",
                                 "affect.enabled"]
