"""alife report on a tiny run, a tiny evolution and a hand-made sweep folder: expected files,
plots that are not blank, the page, the Newick export, and clear errors."""

import csv
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from alife.cli import main  # noqa: E402
from alife.report import plotting  # noqa: E402
from alife.report.data import load_run, load_sweep  # noqa: E402
from alife.report.run_report import survival_table  # noqa: E402
from alife.report.sweep_report import sweep_figures  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
TINY = ["--set", "world.width=24", "--set", "world.height=20", "--set", "agents.initial_count=40",
        "--no-progress"]
RUN_PLOTS = {"population.png", "surprise.png", "surprise_age.png", "affect.png",
             "affect_drives.png"}
EVOLVE_PLOTS = RUN_PLOTS | {"fitness.png", "traits.png", "survival.png", "lineage_tree.png"}


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report") / "run"
    assert main(["run", *TINY, "--steps", "200", "--out", str(folder)]) == 0
    return folder


@pytest.fixture(scope="module")
def evolve_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report") / "evolve"
    assert main(["evolve", *TINY, "--mode", "open_ended", "--set", "life.reproduce_threshold=45",
                 "--set", "agents.initial_energy=30", "--set", "evolution.generation_ticks=60",
                 "--generations", "4", "--out", str(folder)]) == 0
    return folder


def assert_real_plot(path: Path) -> None:
    """A PNG that decodes, is not tiny, and is not one flat colour."""
    import matplotlib.image as mpimg

    assert path.is_file(), path
    assert path.stat().st_size > 5_000, path
    img = mpimg.imread(path)
    assert img.ndim == 3 and img.shape[0] > 200 and img.shape[1] > 300
    rgb = img[::3, ::3, :3]
    assert rgb.std() > 0.02, f"{path} looks blank"
    # more than a frame: many distinct colours (lines, bands, text)
    codes = (rgb * 15).round().astype(np.int64) @ np.array([256, 16, 1])
    assert np.unique(codes).size > 20, path


def test_run_report_writes_every_plot_and_the_page(run_dir, tmp_path, capsys):
    out = tmp_path / "rep"
    assert main(["report", str(run_dir), "--out", str(out)]) == 0
    assert str(out / "report.html") in capsys.readouterr().out
    pngs = {p.name for p in out.glob("*.png")}
    assert pngs == RUN_PLOTS
    for name in pngs:
        assert_real_plot(out / name)
    page = (out / "report.html").read_text(encoding="utf-8")
    md = (out / "report.md").read_text(encoding="utf-8")
    for name in pngs:
        assert f"src='{name}'" in page and f"({name})" in md
    assert "final_population" in page


def test_report_defaults_to_a_report_folder_inside_the_run(run_dir):
    assert main(["report", str(run_dir)]) == 0
    assert (run_dir / "report" / "report.html").is_file()


def test_evolution_report_adds_fitness_traits_survival_and_family_tree(evolve_dir, tmp_path):
    out = tmp_path / "rep"
    assert main(["report", str(evolve_dir), "--out", str(out), "--top", "3"]) == 0
    pngs = {p.name for p in out.glob("*.png")}
    assert pngs == EVOLVE_PLOTS
    for name in pngs:
        assert_real_plot(out / name)
    # Newick: one tree per family, every agent of the lineage exactly once
    data = load_run(evolve_dir)
    trees = (out / "lineage.nwk").read_text().splitlines()
    assert all(t.endswith(";") for t in trees)
    founders = np.sum(~np.isin(data.lineage["parent_id"], data.lineage["id"]))
    assert len(trees) == founders
    import re
    labels = [int(x) for t in trees for x in re.findall(r"(?:^|[(,)])(\d+):", t)]
    assert sorted(labels) == sorted(data.lineage["id"].astype(int).tolist())
    assert "lineage.nwk" in (out / "report.html").read_text()


def test_survival_table_counts_the_living_as_censored_and_old_founders_as_late_entries(evolve_dir):
    data = load_run(evolve_dir)
    gen, life, died, entry = survival_table(data)
    L = data.lineage
    assert np.array_equal(died, L["cause"] != "alive")
    assert np.all((entry >= 0) & (entry <= life))
    children = L["parent_id"] >= 0
    assert np.all(entry[children] == 0)  # born in the run: watched from birth
    founders_dead = ~children & died
    # a founder that died was watched from tick 0 to its death: entry = its age at tick 0
    expect = life[founders_dead] - (L["death_tick"][founders_dead] - L["birth_tick"][founders_dead])
    assert np.allclose(entry[founders_dead], np.maximum(expect, 0))


# ------------------------------------------------------------------ sweeps

PARAMS = {"learner.model_lr": [0.1, 0.6], "affect.enabled": [True, False]}
SEEDS = 3


def make_sweep(folder: Path, failed: bool = True) -> dict:
    """A hand-made sweep folder in the format of alife sweep (results.csv, metrics.csv);
    final_population = 10 + 100·lr + (affect? 5 : 0) + seed. Returns the expected means."""
    folder.mkdir(parents=True)
    rows, long, expected = [], [], {}
    k = 0
    for lr in PARAMS["learner.model_lr"]:
        for aff in PARAMS["affect.enabled"]:
            for rep in range(SEEDS):
                k += 1
                pop = 10 + 100 * lr + (5 if aff else 0) + rep
                rows.append({"run_id": f"r{k:03d}", "seed": 100 + k, "repetition": rep,
                             "learner.model_lr": lr, "affect.enabled": aff, "status": "completed",
                             "error": "", "attempt": 1, "wall_seconds": 1.5, "ticks": 50,
                             "final_population": pop, "peak_population": pop + 3, "births": rep,
                             "deaths": 2 * rep, "food_eaten": 7.0 * pop, "sim_seconds": 0.2,
                             "final_mean_energy": 30 + lr, "final_mean_surprise": 0.2 - 0.1 * lr})
                expected.setdefault((lr, aff), []).append(pop)
                for tick in range(0, 60, 10):
                    long.append({"run_id": f"r{k:03d}", "seed": 100 + k, "repetition": rep,
                                 "learner.model_lr": lr, "affect.enabled": aff, "tick": tick,
                                 "population": 40 + tick * lr + rep,
                                 "mean_surprise": 0.3 - tick / 1000})
    if failed:
        rows.append({"run_id": "r999", "seed": 1, "repetition": 0, "learner.model_lr": 0.1,
                     "affect.enabled": True, "status": "failed", "error": "boom", "attempt": 1})
    for name, table in (("results.csv", rows), ("metrics.csv", long)):
        cols = list(dict.fromkeys(c for r in table for c in r))
        with (folder / name).open("w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=cols, restval="")
            w.writeheader()
            w.writerows(table)
    return expected


def test_sweep_report_plots_each_parameter_with_intervals_over_seeds(tmp_path):
    folder = tmp_path / "sweep"
    expected = make_sweep(folder)
    sweep = load_sweep(folder)
    assert sweep.params == ["learner.model_lr", "affect.enabled"]
    out = tmp_path / "rep"
    assert main(["report", str(folder), "--out", str(out)]) == 0
    pngs = {p.name for p in out.glob("*.png")}
    assert pngs == {"sweep_learner.model_lr.png", "sweep_learner.model_lr_time.png",
                    "sweep_affect.enabled.png", "sweep_affect.enabled_time.png"}
    for name in pngs:
        assert_real_plot(out / name)
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "1 failed" in page
    # the per-setting table: mean ± CI half-width of final_population over the 3 seeds
    from alife.report.stats import mean_ci
    ci = mean_ci(expected[(0.6, False)])
    assert ci.mean == pytest.approx(10 + 60 + 1)
    assert f"{ci.mean:.4g} ± {ci.half_width:.2g}" in page


def test_sweep_table_rows_match_the_hand_computed_means(tmp_path):
    folder = tmp_path / "sweep"
    expected = make_sweep(folder, failed=False)
    out = tmp_path / "rep"
    out.mkdir()
    figures, notes, table = sweep_figures(load_sweep(folder), out, ["final_population"])
    assert len(table) == 4 and all(row["runs"] == SEEDS for row in table)
    for row in table:
        key = (float(row["learner.model_lr"]), row["affect.enabled"] == "True")
        assert row["final_population"].startswith(f"{np.mean(expected[key]):.4g} ± ")


def test_sweep_report_refuses_an_unknown_metric(tmp_path, capsys):
    folder = tmp_path / "sweep"
    make_sweep(folder)
    assert main(["report", str(folder), "--out", str(tmp_path / "r"), "--metric", "nope"]) == 2
    err = capsys.readouterr().err
    assert "results.csv" in err and "nope" in err


# ------------------------------------------------------------------ errors and imports

def test_missing_folder_and_non_run_folder_exit_2_naming_the_path(tmp_path, capsys):
    missing = tmp_path / "nowhere"
    assert main(["report", str(missing)]) == 2
    assert str(missing) in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(["report", str(tmp_path / "empty")]) == 2
    err = capsys.readouterr().err
    assert str(tmp_path / "empty") in err and "not a run folder" in err


def test_without_matplotlib_the_command_says_how_to_install_it(run_dir, tmp_path, monkeypatch,
                                                                capsys):
    real = plotting.importlib.util.find_spec
    monkeypatch.setattr(plotting.importlib.util, "find_spec",
                        lambda name, *a: None if name == "matplotlib" else real(name, *a))
    assert main(["report", str(run_dir), "--out", str(tmp_path / "r")]) == 2
    assert 'pip install -e ".[plot]"' in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


def test_the_headless_path_never_imports_matplotlib_or_pygame():
    code = ("import sys, alife.cli, alife.runners.headless, alife.runners.evolve, "
            "alife.report.cli, alife.report.stats, alife.report.family; "
            "assert 'matplotlib' not in sys.modules and 'pygame' not in sys.modules, "
            "sorted(sys.modules)")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True)


def test_a_run_folder_without_rows_or_checkpoint_still_reports_and_says_what_is_missing(
        run_dir, tmp_path):
    folder = tmp_path / "bare"
    folder.mkdir()
    header = (run_dir / "metrics.csv").read_text().splitlines()[0]
    (folder / "metrics.csv").write_text(header + "\n")
    assert main(["report", str(folder)]) == 0
    md = (folder / "report" / "report.md").read_text()
    assert "no rows yet" in md and "no checkpoint.npz" in md


def test_generational_report_follows_each_generation_from_birth(tmp_path):
    folder = tmp_path / "gen"
    assert main(["evolve", *TINY, "--set", "evolution.generation_ticks=60", "--generations", "4",
                 "--set", "run.record_every=10", "--out", str(folder)]) == 0
    out = tmp_path / "rep"
    assert main(["report", str(folder), "--out", str(out)]) == 0
    assert_real_plot(out / "surprise_life.png")
    assert "Surprise within lives" in (out / "report.md").read_text(encoding="utf-8")


def test_surprise_within_life_groups_rows_by_cohort_age():
    """Rows at ticks 10..60 belong to generation 0 at ages 10..60; tick 70 is generation 1,
    age 10."""
    from alife.report import run_report
    from alife.report.data import RunData

    ticks = np.arange(0, 130, 10, dtype=float)
    # generation g: surprise g + 1
    surprise = np.where(ticks == 0, np.nan, 1.0 + ((ticks - 1) // 60))
    data = RunData(folder=Path("."), summary={"mode": "generational"},
                   config={"evolution": {"generation_ticks": 60}},
                   metrics={"tick": ticks, "mean_surprise": surprise})
    captured = {}

    def fake_band(ax, x, mean, lo, hi, label=None, **kw):
        captured[label] = (x, mean)
        ax.plot(x, mean, label=label)

    import matplotlib
    matplotlib.use("Agg")
    original = run_report.band
    run_report.band = fake_band
    try:
        run_report.surprise_within_life(data, Path(tempfile.mkdtemp()), [])
    finally:
        run_report.band = original
    np.testing.assert_array_equal(captured["generation 0"][0], [10, 20, 30, 40, 50, 60])
    np.testing.assert_array_equal(captured["generation 0"][1], 1.0)
    np.testing.assert_array_equal(captured["generation 1"][1], 2.0)
