"""``alife view`` on the command line: arguments, no-display message, a scripted run."""

import os
import subprocess
import sys

import pytest

from alife.cli import build_parser, main

TINY_SETS = ["--set", "world.width=24", "--set", "world.height=20",
             "--set", "agents.initial_count=60"]


def _env(**changes):
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER")}
    env.update(changes)
    return env


def test_view_is_a_subcommand_with_its_options():
    args = build_parser().parse_args(["view", "my.yaml", "--seed", "3", "--set", "world.width=9",
                                      "--record", "x.gif", "--speed", "5", "--frames", "2"])
    assert (args.command, args.config, args.seed, args.overrides, args.record, args.speed,
            args.frames) == ("view", "my.yaml", 3, ["world.width=9"], "x.gif", 5.0, 2)
    assert build_parser().parse_args(["view", "--resume", "runs/x"]).resume == "runs/x"


def test_resume_refuses_a_config_and_a_missing_checkpoint(tmp_path, capsys):
    assert main(["view", "--resume", str(tmp_path), "my.yaml"]) == 2
    assert "--resume" in capsys.readouterr().err
    env_display = os.environ.get("SDL_VIDEODRIVER")
    os.environ["SDL_VIDEODRIVER"] = "dummy"
    try:
        assert main(["view", "--resume", str(tmp_path)]) == 2
    finally:
        if env_display is None:
            os.environ.pop("SDL_VIDEODRIVER")
        else:
            os.environ["SDL_VIDEODRIVER"] = env_display
    assert "checkpoint not found" in capsys.readouterr().err


@pytest.mark.slow
def test_view_resumes_a_run_from_its_checkpoint(tmp_path):
    run_dir = tmp_path / "run"
    assert main(["run", *TINY_SETS, "--steps", "60", "--out", str(run_dir), "--no-progress"]) == 0
    shot = tmp_path / "shot.png"
    proc = subprocess.run(
        [sys.executable, "-m", "alife", "view", "--resume", str(run_dir), "--frames", "3",
         "--screenshot", str(shot), "--fps", "0"],
        env=_env(SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy"), cwd=tmp_path,
        capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "at tick 60" in proc.stderr and shot.exists()
    proc = subprocess.run(  # and follows an agent of it
        [sys.executable, "-m", "alife", "view", "--resume", str(run_dir), "--frames", "3",
         "--no-save", "--fps", "0", "--follow", "999999"],
        env=_env(SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy"), cwd=tmp_path,
        capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and "no living agent with id 999999 to follow" in proc.stderr


def test_bad_input_exits_2(capsys):
    assert main(["view", "--set", "world.widht=3"]) == 2
    assert "world.widht" in capsys.readouterr().err
    assert main(["view", "--mode", "mood"]) == 2
    assert "colour mode" in capsys.readouterr().err
    assert main(["view", "--size", "big"]) == 2


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"),
                    reason="display detection by env vars is for X11/Wayland")
def test_no_display_is_explained_and_points_to_video():
    proc = subprocess.run([sys.executable, "-m", "alife", "view", *TINY_SETS], env=_env(),
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "no display" in proc.stderr and "alife run --video" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.slow
def test_scripted_view_saves_a_screenshot(tmp_path):
    shot = tmp_path / "shot.png"
    proc = subprocess.run(
        [sys.executable, "-m", "alife", "view", *TINY_SETS, "--frames", "5",
         "--screenshot", str(shot), "--fps", "0", "--mode", "lineage", "--select", "3"],
        env=_env(SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy"), cwd=tmp_path,
        capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert shot.exists() and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "pygame-ce" not in proc.stdout  # no import banner


@pytest.mark.slow
def test_closing_the_viewer_saves_the_world_and_a_headless_resume_goes_on(tmp_path):
    saved = tmp_path / "saved"
    proc = subprocess.run(
        [sys.executable, "-m", "alife", "view", *TINY_SETS, "--frames", "4", "--speed", "5",
         "--fps", "0", "--save", str(saved)],
        env=_env(SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy"), cwd=tmp_path,
        capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "saved the world at tick" in proc.stderr
    from alife import Simulation

    sim, _ = Simulation.load(saved / "checkpoint.npz")
    assert sim.tick > 0
    assert main(["resume", str(saved), "--steps", str(sim.tick + 30), "--no-progress"]) == 0
    again, _ = Simulation.load(saved / "checkpoint.npz")
    assert again.tick == sim.tick + 30
    # and again
    assert main(["resume", str(saved), "--steps", str(sim.tick + 50), "--no-progress"]) == 0


def test_no_save_leaves_no_run_folder(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "alife", "view", *TINY_SETS, "--frames", "2", "--fps", "0",
         "--no-save"],
        env=_env(SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy"), cwd=tmp_path,
        capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert not (tmp_path / "runs").exists()


def test_save_into_a_used_folder_is_refused_before_the_window_opens(tmp_path, capsys):
    used = tmp_path / "used"
    used.mkdir()
    (used / "keep.txt").write_text("mine")
    assert main(["view", *TINY_SETS, "--save", str(used)]) == 2
    assert "--save" in capsys.readouterr().err
    assert (used / "keep.txt").read_text() == "mine"
