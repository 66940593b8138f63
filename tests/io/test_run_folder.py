"""Run folders that cannot be made end in a clear error (exit 2) naming the setting."""

import pytest

from alife.cli import main
from alife.io.run_folder import RunFolderError, make_run_folder

TINY = ["--set", "world.width=24", "--set", "world.height=24", "--set", "agents.initial_count=60",
        "--no-progress", "--steps", "10"]


def test_out_under_a_file_is_refused_naming_out(tmp_path, capsys):
    (tmp_path / "afile").write_text("x")
    assert main(["run", *TINY, "--out", str(tmp_path / "afile" / "run")]) == 2
    err = capsys.readouterr().err
    assert "--out: cannot make the folder" in err and "Traceback" not in err


def test_a_run_name_too_long_for_the_file_system_is_refused_naming_run_name(tmp_path, capsys,
                                                                           monkeypatch):
    monkeypatch.chdir(tmp_path)  # the default root, runs/, is made here
    assert main(["run", *TINY, "--set", f"run.name={'x' * 250}"]) == 2
    assert "run.name: cannot make the folder" in capsys.readouterr().err


def test_out_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "taken").write_text("x")
    with pytest.raises(RunFolderError, match="already exists"):
        make_run_folder("r", tmp_path / "taken")
