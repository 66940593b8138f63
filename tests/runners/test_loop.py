"""The one run loop: a real SIGINT or SIGTERM at any moment of a run or an evolution (during
the compile, as a batch returns on or off the recording grid) stops it cleanly, and the
resumed run's files equal an uninterrupted run's, byte for byte."""

import json
import os
import signal

import pytest

from alife.cli import main
from alife.runners import headless, population
from alife.runners.loop import StopRequests
from alife.sim import Simulation

RUN = ["--set", "world.width=24", "--set", "world.height=24", "--set", "agents.initial_count=60",
       "--set", "run.record_every=10", "--set", "run.checkpoint_every=0", "--seed", "5",
       "--no-progress"]
EVOLVE = ["--set", "world.width=24", "--set", "world.height=20", "--set", "agents.initial_count=40",
          "--set", "run.record_every=10", "--set", "evolution.generation_ticks=60", "--seed", "3",
          "--no-progress"]
OPEN = ["--mode", "open_ended", "--set", "life.max_age=80", "--set", "life.reproduce_threshold=45"]
RUN_FILES = ("metrics.csv",)
EVOLVE_FILES = ("metrics.csv", "generations.csv", "lineage.csv", "lineage_genomes.f32",
                "genomes.npz")


def _files(folder, names):
    return {name: (folder / name).read_bytes() for name in names}


def _summary(folder):
    summary = json.loads((folder / "summary.json").read_text())
    return {k: v for k, v in summary.items()
            if "seconds" not in k and k != "agent_steps_per_second"}


def _signal_when(monkeypatch, signum, tick, step_sizes=None):
    """Send ``signum`` to this process as the step that reaches ``tick`` (or passes it) returns;
    ``step_sizes`` records the batch lengths asked for."""
    step = Simulation.step

    def step_then_signal(self, n=1):
        if step_sizes is not None:
            step_sizes.append(n)
        done = step(self, n)
        if self.tick >= tick:
            monkeypatch.setattr(Simulation, "step", step)
            os.kill(os.getpid(), signum)
        return done

    monkeypatch.setattr(Simulation, "step", step_then_signal)


@pytest.fixture(scope="module")
def whole_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("loop") / "whole"
    assert main(["run", *RUN, "--steps", "60", "--out", str(folder)]) == 0
    return folder


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["INT", "TERM"])
@pytest.mark.parametrize("tick", [30, 60], ids=["on-grid", "last-tick"])
def test_a_signal_as_a_batch_returns_stops_the_run_there_and_resume_is_exact(
        whole_run, tmp_path, monkeypatch, signum, tick):
    split = tmp_path / "split"
    _signal_when(monkeypatch, signum, tick)
    code = main(["run", *RUN, "--steps", "60", "--out", str(split)])
    monkeypatch.undo()
    sim, state = Simulation.load(split / "checkpoint.npz")
    assert sim.tick == tick and state["row_written"]  # the batch ended, its row written
    if tick < 60:
        assert code == 130 and _summary(split)["status"] == "interrupted"
        assert main(["resume", str(split), "--no-progress"]) == 0
    else:  # the signal came with the last batch: the run is done
        assert code == 0
    assert _files(whole_run, RUN_FILES) == _files(split, RUN_FILES)
    assert _summary(whole_run) == _summary(split)


def test_a_signal_with_a_video_frame_between_rows_stops_off_the_grid_exactly(whole_run, tmp_path,
                                                                             monkeypatch):
    """Filming every 7 ticks makes batches end between rows; a stop there loses nothing."""
    split, sizes = tmp_path / "split", []
    _signal_when(monkeypatch, signal.SIGINT, 11, sizes)
    video = ["--video", str(tmp_path / "v.gif"), "--video-stride", "7"]
    assert main(["run", *RUN, "--steps", "60", *video, "--out", str(split)]) == 130
    monkeypatch.undo()
    sim, _ = Simulation.load(split / "checkpoint.npz")
    assert sim.tick == 14 and sizes[:3] == [7, 3, 4]  # the stop fell between two rows
    assert main(["resume", str(split), "--no-progress"]) == 0
    assert _files(whole_run, RUN_FILES) == _files(split, RUN_FILES)


def test_a_signal_during_the_compile_stops_at_once_and_leaves_a_resumable_folder(
        whole_run, tmp_path, monkeypatch):
    split = tmp_path / "split"
    compile_kernels = headless.compile_kernels

    def interrupted_compile(sim, say):
        os.kill(os.getpid(), signal.SIGINT)
        raise AssertionError("the signal should have stopped the compile")  # pragma: no cover

    monkeypatch.setattr(headless, "compile_kernels", interrupted_compile)
    assert main(["run", *RUN, "--steps", "60", "--out", str(split)]) == 130
    monkeypatch.setattr(headless, "compile_kernels", compile_kernels)
    sim, _ = Simulation.load(split / "checkpoint.npz")
    assert sim.tick == 0
    assert main(["resume", str(split), "--no-progress"]) == 0
    assert _files(whole_run, RUN_FILES) == _files(split, RUN_FILES)


@pytest.mark.parametrize("mode", [[], OPEN], ids=["generational", "open_ended"])
@pytest.mark.parametrize("tick", [0, 130], ids=["compile", "mid-generation"])
def test_an_evolution_stopped_by_a_signal_resumes_exactly(tmp_path, monkeypatch, mode, tick):
    whole, split = tmp_path / "whole", tmp_path / "split"
    args = [*EVOLVE, *mode, "--generations", "4"]
    assert main(["evolve", *args, "--out", str(whole)]) == 0
    if tick == 0:
        def interrupted_compile(sim, say):
            os.kill(os.getpid(), signal.SIGTERM)

        monkeypatch.setattr(population, "compile_kernels", interrupted_compile)
    else:
        _signal_when(monkeypatch, signal.SIGTERM, tick)
    assert main(["evolve", *args, "--out", str(split)]) == 130
    monkeypatch.undo()
    assert _summary(split)["status"] == "interrupted"
    sim, state = Simulation.load(split / "checkpoint.npz")
    assert sim.tick == tick
    assert main(["resume", str(split), "--no-progress"]) == 0
    assert _files(whole, EVOLVE_FILES) == _files(split, EVOLVE_FILES)
    assert _summary(whole) == _summary(split)


def test_stop_requests_ask_first_and_cut_only_where_allowed():
    forwarded = []
    with StopRequests(lambda: forwarded.append(1)) as stop:
        os.kill(os.getpid(), signal.SIGINT)
        assert stop.signal == signal.SIGINT and forwarded == [1]
        os.kill(os.getpid(), signal.SIGTERM)  # a second request changes nothing here
        assert stop.signal == signal.SIGINT and forwarded == [1]
        with pytest.raises(KeyboardInterrupt), stop.at_once():
            pass  # a request made before an at-once block stops it as it starts
    with StopRequests(cut_batches=True) as stop:
        os.kill(os.getpid(), signal.SIGTERM)
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGTERM)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # handlers restored


def test_a_full_disk_stops_the_run_with_a_message_and_resume_goes_on_exactly(
        whole_run, tmp_path, monkeypatch, capsys):
    import errno

    split = tmp_path / "split"
    save, calls = Simulation.save, []

    def second_save_fails(self, path, extra=None):
        calls.append(self.tick)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device", str(path) + ".tmp")
        return save(self, path, extra)

    monkeypatch.setattr(Simulation, "save", second_save_fails)
    args = [*RUN, "--steps", "60", "--set", "run.checkpoint_every=20"]
    assert main(["run", *args, "--out", str(split)]) == 1
    err = capsys.readouterr().err
    assert "No space left on device" in err and f"alife resume {split}" in err
    assert "Traceback" not in err
    monkeypatch.undo()
    sim, _ = Simulation.load(split / "checkpoint.npz")
    assert sim.tick == calls[0] == 20  # the last good checkpoint stands
    assert main(["resume", str(split), "--no-progress"]) == 0
    assert _files(whole_run, RUN_FILES) == _files(split, RUN_FILES)


def test_an_extension_stopped_before_its_first_checkpoint_is_carried_out_on_resume(
        whole_run, tmp_path):
    """`alife resume --steps N` writes config.yaml first; killed before its next checkpoint,
    the checkpoint still has the old length: a plain resume goes on to N all the same."""
    from alife.config import config_to_yaml, load_config

    split = tmp_path / "split"
    assert main(["run", *RUN, "--steps", "40", "--out", str(split)]) == 0
    extended = load_config(split / "config.yaml", {"run.steps": 60})
    (split / "config.yaml").write_text(config_to_yaml(extended), encoding="utf-8")
    assert main(["resume", str(split), "--no-progress"]) == 0
    assert _files(whole_run, RUN_FILES) == _files(split, RUN_FILES)
    assert _summary(whole_run) == _summary(split)


def test_an_evolution_extension_stopped_before_it_checkpointed_is_carried_out(tmp_path):
    from alife.config import config_to_yaml, load_config

    whole, split = tmp_path / "whole", tmp_path / "split"
    assert main(["evolve", *EVOLVE, "--generations", "4", "--out", str(whole)]) == 0
    assert main(["evolve", *EVOLVE, "--generations", "2", "--out", str(split)]) == 0
    extended = load_config(split / "config.yaml", {"evolution.generations": 4})
    (split / "config.yaml").write_text(config_to_yaml(extended), encoding="utf-8")
    assert main(["resume", str(split), "--no-progress"]) == 0
    assert _files(whole, EVOLVE_FILES) == _files(split, EVOLVE_FILES)
