"""The command line: run folders, determinism, exit codes, config validate/show, headless purity."""

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from alife.cli import main
from alife.config import Config, config_to_yaml, load_config
from alife.metrics.collector import metric_columns

DEFAULT_YAML = Path(__file__).resolve().parents[1] / "configs" / "default.yaml"
TINY_SETS = ["world.width=24", "world.height=24", "agents.initial_count=40", "run.record_every=10"]
TINY = [arg for s in TINY_SETS for arg in ("--set", s)] + ["--steps", "60"]
STARVE = ["--set", "energy.basal_cost=50", "--set", "agents.initial_energy=10"]
SEED = 7


def _rows(folder):
    with open(folder / "metrics.csv", newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        return reader.fieldnames, list(reader)


def _summary(folder):
    return json.loads((folder / "summary.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def e2e(tmp_path_factory):
    """One end-to-end `python -m alife run` in a subprocess; returns (folder, CompletedProcess)."""
    cwd = tmp_path_factory.mktemp("e2e")
    folder = cwd / "run"
    proc = subprocess.run(
        [sys.executable, "-m", "alife", "run", *TINY, "--seed", str(SEED), "--set", "run.name=tiny",
         "--out", str(folder)],
        cwd=cwd, capture_output=True, text=True, timeout=600,
    )
    return folder, proc


# --- alife run (end to end, subprocess) ---------------------------------------------------


def test_run_exits_0_and_writes_the_run_files(e2e):
    folder, proc = e2e
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["checkpoint.npz", "config.yaml",
                                                        "metrics.csv", "summary.json"]


def test_run_config_yaml_equals_config_used_with_overrides_and_seed(e2e):
    folder, _ = e2e
    expected = load_config(None, [*TINY_SETS, "run.steps=60", f"seed={SEED}", "run.name=tiny"])
    assert load_config(folder / "config.yaml") == expected


def test_metrics_header_is_collector_columns(e2e):
    header, _ = _rows(e2e[0])
    assert tuple(header) == metric_columns(load_config())


def test_metrics_rows_at_every_record_tick(e2e):
    _, rows = _rows(e2e[0])
    assert [int(r["tick"]) for r in rows] == [0, 10, 20, 30, 40, 50, 60]


def test_metrics_last_population_equals_summary_final_population(e2e):
    folder, _ = e2e
    _, rows = _rows(folder)
    assert int(rows[-1]["population"]) == _summary(folder)["final_population"]


def test_metrics_births_and_deaths_are_nonnegative_integers(e2e):
    _, rows = _rows(e2e[0])
    for row in rows:
        for col in ("births", "deaths", "deaths_starved", "deaths_old_age"):
            assert re.fullmatch(r"\d+", row[col]), (col, row[col])


def test_metrics_population_changes_by_births_minus_deaths(e2e):
    folder, _ = e2e
    _, rows = _rows(folder)
    for before, after in zip(rows, rows[1:]):
        delta = int(after["births"]) - int(after["deaths"])
        assert int(after["population"]) == int(before["population"]) + delta
    summary = _summary(folder)
    assert sum(int(r["births"]) for r in rows) == summary["births"]
    assert sum(int(r["deaths"]) for r in rows) == summary["deaths"]


def test_summary_completed_with_requested_ticks_and_seed(e2e):
    summary = _summary(e2e[0])
    assert summary["status"] == "completed"
    assert summary["ticks"] == 60
    assert summary["ticks_requested"] == 60
    assert summary["seed"] == SEED


def test_no_progress_bar_when_stderr_is_not_a_terminal(e2e):
    _, proc = e2e
    assert "it/s]" not in proc.stderr
    assert "tick/s]" not in proc.stderr
    assert "60/60" not in proc.stderr
    assert "done: 60 ticks" in proc.stderr  # the log line itself still goes to stderr


# --- alife run (in process) ---------------------------------------------------------------


def test_progress_flag_forces_the_bar(tmp_path, capsys):
    assert main(["run", *TINY, "--progress", "--out", str(tmp_path / "r")]) == 0
    assert "60/60" in capsys.readouterr().err


def test_same_seed_gives_identical_metrics(tmp_path):
    assert main(["run", *TINY, "--seed", "3", "--out", str(tmp_path / "a")]) == 0
    assert main(["run", *TINY, "--seed", "3", "--out", str(tmp_path / "b")]) == 0
    assert ((tmp_path / "a" / "metrics.csv").read_text()
            == (tmp_path / "b" / "metrics.csv").read_text())


def test_different_seed_gives_different_metrics(tmp_path):
    assert main(["run", *TINY, "--seed", "3", "--out", str(tmp_path / "a")]) == 0
    assert main(["run", *TINY, "--seed", "4", "--out", str(tmp_path / "b")]) == 0
    assert ((tmp_path / "a" / "metrics.csv").read_text()
            != (tmp_path / "b" / "metrics.csv").read_text())


def test_out_into_non_empty_folder_is_refused_and_untouched(tmp_path, capsys):
    folder = tmp_path / "taken"
    folder.mkdir()
    (folder / "keep.txt").write_text("precious", encoding="utf-8")
    assert main(["run", *TINY, "--out", str(folder)]) == 2
    assert str(folder) in capsys.readouterr().err
    assert [p.name for p in folder.iterdir()] == ["keep.txt"]
    assert (folder / "keep.txt").read_text(encoding="utf-8") == "precious"


def test_bad_set_exits_2_naming_the_field(tmp_path, capsys):
    assert main(["run", *TINY, "--set", "world.width=-5", "--out", str(tmp_path / "r")]) == 2
    assert "world.width" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


def test_extinction_exits_0_with_status_extinct_and_complete_metrics(tmp_path, capsys):
    folder = tmp_path / "r"
    assert main(["run", *TINY, *STARVE, "--out", str(folder)]) == 0
    assert "extinct" in capsys.readouterr().err
    summary = _summary(folder)
    assert summary["status"] == "extinct"
    assert summary["ticks"] < 60
    assert summary["final_population"] == 0
    header, rows = _rows(folder)
    assert tuple(header) == metric_columns(load_config())
    assert int(rows[0]["tick"]) == 0 and int(rows[0]["population"]) == 40
    assert int(rows[-1]["tick"]) == summary["ticks"]
    assert int(rows[-1]["population"]) == 0
    assert all(v != "" for row in rows for v in row.values())


def test_run_without_out_goes_to_runs_name_timestamp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["run", *TINY, "--set", "run.name=tiny"]) == 0
    folders = list((tmp_path / "runs").iterdir())
    assert len(folders) == 1
    assert re.fullmatch(r"tiny-\d{8}-\d{6}", folders[0].name)
    assert (folders[0] / "summary.json").is_file()


def test_repeated_runs_without_out_never_share_a_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["run", *TINY, "--steps", "0", "--set", "run.name=tiny"]) == 0
    assert main(["run", *TINY, "--steps", "0", "--set", "run.name=tiny"]) == 0
    folders = sorted(p.name for p in (tmp_path / "runs").iterdir())
    assert len(folders) == 2
    assert all(name.startswith("tiny-") for name in folders)


# --- alife config -------------------------------------------------------------------------


def test_config_validate_good_file_prints_valid(tmp_path, capsys):
    path = tmp_path / "good.yaml"
    path.write_text("world:\n  width: 64\n", encoding="utf-8")
    assert main(["config", "validate", str(path)]) == 0
    out = capsys.readouterr().out
    assert "valid" in out and str(path) in out


def test_config_validate_bad_file_exits_2_naming_the_field(tmp_path, capsys):
    path = tmp_path / "bad.yaml"
    path.write_text("world:\n  width: -5\n", encoding="utf-8")
    assert main(["config", "validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "world.width" in err and str(path) in err


def test_config_show_prints_yaml_of_the_defaults(capsys):
    assert main(["config", "show"]) == 0
    assert load_config(yaml.safe_load(capsys.readouterr().out)) == Config()


def test_config_show_applies_set(capsys):
    assert main(["config", "show", "--set", "world.width=64"]) == 0
    assert yaml.safe_load(capsys.readouterr().out)["world"]["width"] == 64


def test_config_show_comments_equals_default_yaml(capsys):
    assert main(["config", "show", "--comments"]) == 0
    out = capsys.readouterr().out
    assert out == DEFAULT_YAML.read_text(encoding="utf-8")
    assert out == config_to_yaml(Config(), comments=True)


# --- headless purity ----------------------------------------------------------------------


def test_headless_run_never_imports_pygame(tmp_path):
    script = (
        "import sys, alife\n"
        "r = alife.run({'world': {'width': 24, 'height': 24}, 'agents': {'initial_count': 40},"
        " 'run': {'steps': 20}}, out='r', progress=False)\n"
        "print('STATUS', r.status)\n"
        "print('PYGAME_LOADED', 'pygame' in sys.modules)\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert "STATUS completed" in proc.stdout
    assert "PYGAME_LOADED False" in proc.stdout


def test_run_records_a_video_without_changing_the_results(tmp_path):
    pytest.importorskip("imageio")
    import imageio.v3 as iio

    plain, filmed = tmp_path / "plain", tmp_path / "filmed"
    common = TINY + ["--seed", "4", "--no-progress"]
    assert main(["run", *common, "--out", str(plain)]) == 0
    assert main(["run", *common, "--out", str(filmed), "--video", str(tmp_path / "v.gif"),
                 "--video-stride", "7"]) == 0
    frames = iio.imread(tmp_path / "v.gif")
    assert frames.shape[0] == 60 // 7 + 1  # ticks 0, 7, ..., 56
    assert (plain / "metrics.csv").read_text() == (filmed / "metrics.csv").read_text()
    summary = json.loads((filmed / "summary.json").read_text())  # the rate leaves filming out
    assert 0 < summary["video_seconds"] < summary["wall_seconds"]
    running = summary["wall_seconds"] - summary["video_seconds"]  # each rounded to 0.5 ms
    steps = summary["agent_steps"]
    assert (steps / (running + 0.0011) - 1 <= summary["agent_steps_per_second"]
            <= steps / max(running - 0.0011, 1e-9) + 1)


def test_run_refuses_an_unknown_video_format_before_writing(tmp_path, capsys):
    out = tmp_path / "never"
    assert main(["run", *TINY, "--out", str(out), "--video", str(tmp_path / "v.xyz")]) == 2
    assert ".mp4" in capsys.readouterr().err and not out.exists()


def test_version_names_the_distribution(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.startswith("alife ")


def test_a_config_given_to_sweep_is_told_apart(capsys):
    from pathlib import Path

    default = Path(__file__).resolve().parents[1] / "configs" / "default.yaml"
    assert main(["sweep", str(default)]) == 2
    err = capsys.readouterr().err
    assert "a config file (it has" in err and f"alife run {default}" in err
