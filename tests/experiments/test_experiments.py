"""Built-in experiments: their sweep files validate, and a tiny copy of each runs end to end
into a table, findings and plots with numbers that follow from the runs."""


import numpy as np
import pytest
import yaml
from conftest import read_csv

from alife.batch.spec import load_sweep
from alife.cli import main
from alife.config import load_config
from alife.experiments import EXPERIMENTS, runner
from alife.experiments.common import runs_of
from alife.experiments.stages import read_trial_stage
from alife.genetics.genome import GenomeLayout
from alife.metrics.lineage import read_lineage

TINY = {"world.width": 16, "world.height": 16, "agents.initial_count": 24, "run.record_every": 10}


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_experiment_files_are_valid_sweeps_on_matched_seeds(name, tmp_path):
    spec = yaml.safe_load(runner.experiment_file(name).read_text())
    if "test" in spec:  # a two-stage experiment: stage 1 is a sweep, its test section valid
        read_trial_stage(spec.pop("test"), name)
    spec["base"] = str((runner.CONFIG_DIR / spec["base"]).resolve())
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(spec))
    sweep = load_sweep(path)
    assert len(sweep.runs) > 2
    seeds_per_condition = {}
    for run in sweep.runs:
        condition = tuple(sorted(map(str, run.params.items())))
        seeds_per_condition.setdefault(condition, []).append(run.seed)
    assert len({tuple(s) for s in seeds_per_condition.values()}) == 1  # every condition, same seeds


@pytest.fixture()
def tiny_experiments(tmp_path, monkeypatch):
    """Copies of the experiment files with a tiny world, in a folder the runner reads."""
    folder = tmp_path / "configs"
    folder.mkdir()
    for name in EXPERIMENTS:
        spec = yaml.safe_load(runner.experiment_file(name).read_text())
        spec["base"] = str((runner.CONFIG_DIR / spec["base"]).resolve())
        spec["set"] = {**spec["set"], **TINY}
        if spec["command"] == "run":
            spec["options"] = {"steps": 60}
        else:
            spec["options"] = {"generations": 6}
            spec["set"]["evolution.generation_ticks"] = 30
        if "test" in spec:
            spec["test"]["options"] = {"generations": 2}
        if name == "individuality":  # every clone traced, for a few windows
            spec["set"]["run.trace"] = TINY["agents.initial_count"]
            spec["options"] = {"steps": 300}
        (folder / f"{name}.yaml").write_text(yaml.safe_dump(spec))
    monkeypatch.setattr(runner, "CONFIG_DIR", folder)
    return tmp_path


def test_ablations_table_follows_from_the_runs(tiny_experiments):
    out = tiny_experiments / "abl"
    result = runner.run_experiment("ablations", out, seeds=2, workers=2, progress=False,
                                   log=lambda m: None)
    assert result.status == "completed"
    rows = read_csv(out / "experiment.csv")
    assert {(r["world"], r["condition"]) for r in rows} == {
        (w, c) for w in ("stationary", "seasonal (amplitude 0.8)")
        for c in ("full", "learning off", "curiosity off", "affect off")}
    # recompute one cell by hand: final population of 'learning off' in the stationary world
    sweep = load_sweep(out / "sweep.yaml")
    finals = [r.summary["final_population"] for r in runs_of(sweep, out)
              if r.params["learner.learning"] is False and r.params["food.season_amplitude"] == 0.0]
    row = next(r for r in rows if r["world"] == "stationary" and r["condition"] == "learning off")
    assert float(row["final_population"]) == pytest.approx(np.mean(finals))
    assert (float(row["final_population_lo"]) <= float(row["final_population"])
            <= float(row["final_population_hi"]))
    assert "delta_lifespan" in row and row.get("delta_lifespan") not in ("", None)
    assert "| learning off | 2 |" in (out / "findings.md").read_text()
    png = out / "plots" / "ablations.png"
    assert png.exists() and png.stat().st_size > 10_000


def test_baldwin_compares_learning_with_no_learning(tiny_experiments):
    out = tiny_experiments / "bald"
    result = runner.run_experiment("baldwin", out, seeds=2, workers=2, progress=False,
                                   log=lambda m: None)
    assert result.status == "completed"
    rows = {r["condition"]: r for r in read_csv(out / "experiment.csv")}
    assert set(rows) == {"learning", "no learning"}
    for row in rows.values():
        assert 0 < float(row["lifespan_first"]) <= 30 and 0 < float(row["lifespan_last"]) <= 30
        assert float(row["innate_error_first"]) > 0
        rise = float(row["lifespan_last"]) - float(row["lifespan_first"])
        assert float(row["lifespan_change"]) == pytest.approx(rise)
    text = (out / "findings.md").read_text()
    assert "Paired differences" in text and "rise of lifespan" in text
    assert (out / "plots" / "baldwin.png").exists()


def test_unknown_experiment_and_too_few_seeds_exit_2(tmp_path, capsys):
    assert main(["experiment", "telepathy", "--out", str(tmp_path / "x")]) == 2
    assert "unknown" in capsys.readouterr().err
    assert main(["experiment", "ablations", "--seeds", "1", "--out", str(tmp_path / "y")]) == 2
    assert "at least 2 seeds" in capsys.readouterr().err


def test_curiosity_noise_measures_where_each_curiosity_sends_agents(tiny_experiments):
    out = tiny_experiments / "noise"
    result = runner.run_experiment("curiosity_noise", out, seeds=2, workers=2, progress=False,
                                   log=lambda m: None)
    assert result.status == "completed"
    rows = {r["condition"]: r for r in read_csv(out / "experiment.csv")}
    assert set(rows) == {"surprise", "progress", "no curiosity"}
    sweep = load_sweep(out / "sweep.yaml")
    shares = []
    for run in runs_of(sweep, out):
        if (run.params["learner.curiosity"] == "surprise"
                and run.params["learner.curiosity_weight"] > 0):
            occupancy = run.table("metrics.csv")["noise_occupancy"]
            shares.append(np.mean(occupancy[len(occupancy) // 2:]))
    assert float(rows["surprise"]["noise_occupancy"]) == pytest.approx(np.mean(shares))
    assert 0 <= float(rows["progress"]["noise_occupancy"]) <= 1
    assert "surprise − progress" in (out / "findings.md").read_text()
    assert (out / "plots" / "curiosity_noise.png").exists()


def test_learning_pays_tests_each_evolved_population_in_fresh_worlds(tiny_experiments):
    out = tiny_experiments / "lp"
    result = runner.run_experiment("learning_pays", out, seeds=2, workers=2, progress=False,
                                   log=lambda m: None)
    assert result.status == "completed"
    populations = runs_of(load_sweep(out / "sweep.yaml"), out)
    trials = runs_of(load_sweep(out / "test" / "sweep.yaml"), out / "test")
    assert len(populations) == len(trials) == 4
    lifespans = {}
    for trial in trials:
        founders = trial.params["agents.founders"]
        population = next(p for p in populations if founders == str(p.folder / "genomes.npz"))
        assert trial.seed == population.seed + 1000  # a fresh world, the same for each condition
        assert trial.params["learner.learning"] == population.params["learner.learning"]
        layout = GenomeLayout.from_config(load_config(trial.folder / "config.yaml"))
        steps = layout.offset("mutation_step")  # (held at 0 there)
        with np.load(founders) as data:
            evolved = {g[:steps].tobytes() for g in data["genomes"]}
        _, genomes = read_lineage(trial.folder)
        assert all(g[:steps].tobytes() in evolved for g in genomes)  # no mutation: evolved genes
        condition = "learning" if population.params["learner.learning"] else "no learning"
        lifespans.setdefault(condition, []).append(
            trial.table("generations.csv")["mean_lifespan"].mean())
    rows = {r["condition"]: r for r in read_csv(out / "experiment.csv")}
    for condition, values in lifespans.items():
        assert float(rows[condition]["lifespan"]) == pytest.approx(np.mean(values))
    assert "Learners' lifespan relative" in (out / "findings.md").read_text()


def test_assimilation_pools_the_first_and_last_generations_and_tests_each_with_learning_on_and_off(
        tiny_experiments):
    out = tiny_experiments / "assim"
    result = runner.run_experiment("assimilation", out, seeds=2, workers=2, progress=False,
                                   log=lambda m: None)
    assert result.status == "completed"
    populations = runs_of(load_sweep(out / "sweep.yaml"), out)
    trials = runs_of(load_sweep(out / "test" / "sweep.yaml"), out / "test")
    assert len(trials) == len(populations) * 2 * 2  # pools first and last × learning on and off
    population = populations[0]
    lineage, genomes = read_lineage(population.folder)
    # 6 generations: both all
    for pool, generations in (("first", range(0, 6)), ("last", range(0, 6))):
        with np.load(population.folder / f"pool-{pool}.npz") as data:
            pooled = data["genomes"]
        assert np.array_equal(pooled, genomes[np.isin(lineage["generation"], list(generations))])
    rows = {r["label"]: r for r in read_csv(out / "experiment.csv")}
    assert {"learning: probe_error", "learning: worth_good", "learning: gap"} <= set(rows)
    assert float(rows["learning: probe_error"]["first"]) > 0
    assert "probe-battery error" in (out / "findings.md").read_text()


def test_assimilation_probe_error_is_the_innate_models_error():
    from alife.config import load_config as load
    from alife.experiments.assimilation import probe_battery, probe_error

    config = load({"world": {"width": 16, "height": 16}, "agents": {"initial_count": 24},
                   "food": {"kinds": 2, "kind_values": [1.0, -1.0]}})
    x, actions, after = battery = probe_battery(config)
    assert len(x) > 100 and x.shape[1] == after.shape[1] + 1 and np.all(x[:, -1] == 1.0)
    P = after.shape[1]
    persistence = np.zeros((1, 5, P, P + 1), np.float32)
    persistence[0, :, :, :P] = np.eye(P)
    zero = np.zeros_like(persistence)
    assert probe_error(zero, battery)[0] == pytest.approx(np.mean(after ** 2))
    # real transitions
    assert probe_error(persistence, battery)[0] < 0.5 * probe_error(zero, battery)[0]


@pytest.mark.parametrize("name, labels", [
    ("delayed_harm", {"delay 20, learning", "no delay, learning", "delay 20, no learning",
                      "no delay, no learning"}),
    ("noisy_tv", {"surprise", "progress", "no curiosity"}),
    ("volatility", {"volatile: affect", "volatile: η0/τ evolve", "volatile: affect off",
                    "stable: affect", "stable: η0/τ evolve", "stable: affect off"}),
])
def test_two_stage_experiments_compare_their_evolved_conditions(tiny_experiments, name, labels):
    out = tiny_experiments / name
    result = runner.run_experiment(name, out, seeds=2, workers=2, progress=False,
                                   log=lambda m: None)
    assert result.status == "completed"
    rows = read_csv(out / "experiment.csv")
    assert {r.get("label") or r["condition"] for r in rows} == labels
    assert all(r["seeds"] == "2" for r in rows)
    assert (out / "plots" / f"{name}.png").exists()


def test_an_interrupted_two_stage_experiment_goes_on_where_it_stopped(tiny_experiments,
                                                                       monkeypatch):
    from types import SimpleNamespace

    out = tiny_experiments / "lp-interrupted"
    run_stage = runner._run_stage

    def interrupted_before_the_trials(spec, name, *args):
        if name.endswith("-test"):  # Ctrl-C as the trials begin
            return None, SimpleNamespace(interrupted=True, counts={}, out=out / "test")
        return run_stage(spec, name, *args)

    monkeypatch.setattr(runner, "_run_stage", interrupted_before_the_trials)
    first = runner.run_experiment("learning_pays", out, seeds=2, workers=2, progress=False,
                                  log=lambda m: None)
    assert first.status == "interrupted" and not (out / "findings.md").exists()
    monkeypatch.setattr(runner, "_run_stage", run_stage)
    messages = []
    again = runner.run_experiment("learning_pays", out, seeds=2, workers=2, progress=False,
                                  log=messages.append)
    assert again.status == "completed"
    assert any("all 4 runs already finished" in m for m in messages)  # stage 1 is not run again
    assert any("4 runs, 0 already finished" in m for m in messages)  # the trials run now
    assert len(read_csv(out / "experiment.csv")) == 2


def test_individuality_measures_how_clones_drift_apart(tiny_experiments):
    from alife.metrics.traces import read_traces
    from alife.report.personality import icc, trait_windows

    out = tiny_experiments / "ind"
    result = runner.run_experiment("individuality", out, seeds=2, workers=2, progress=False,
                                   log=lambda m: None)
    assert result.status == "completed"
    rows = {r["condition"]: r for r in read_csv(out / "experiment.csv")}
    assert set(rows) == {"affect + memory", "memory off", "affect off"}
    runs = [r for r in runs_of(load_sweep(out / "sweep.yaml"), out)
            if r.params["affect.enabled"] and r.params["affect.memory_size"] == 8]
    genomes = [read_lineage_free_genomes(r.folder) for r in runs]
    assert all(len(g) == 1 for g in genomes)  # clones: one genome per run
    iccs = []
    for run in runs:
        tw = trait_windows(read_traces(run.folder), 100)
        assert set(tw.window.tolist()) == {0, 1, 2}
        iccs.append(icc(tw.values[:, 0], tw.ids))
    assert float(rows["affect + memory"]["icc_activity"]) == pytest.approx(np.mean(iccs))
    assert (out / "plots" / "individuality.png").exists()


def read_lineage_free_genomes(folder):
    """The distinct genomes of a run's living founders, from its checkpoint (no births here)."""
    with np.load(folder / "checkpoint.npz") as data:
        genomes = data["agents.genome"][data["agents.alive"]]
    return {g.tobytes() for g in genomes}
