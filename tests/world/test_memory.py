"""Worlds and checkpoints that would not fit in memory are refused before allocation."""

import zipfile

import numpy as np
import pytest

from alife.cli import main
from alife.config import ConfigError, load_config
from alife.io import checkpoint
from alife.io.checkpoint import CheckpointError, load_checkpoint
from alife.world.memory import check_fits, state_bytes


def test_the_estimate_grows_with_cells_and_agents():
    small = load_config(None, {"world.width": 64, "world.height": 64, "agents.initial_count": 100})
    wide = load_config(small, {"world.width": 640, "world.height": 640})
    crowded = load_config(small, {"agents.initial_count": 1000})
    assert state_bytes(wide) > state_bytes(small) + 400_000 * 20
    assert state_bytes(crowded) > state_bytes(small) + 900 * 4000  # several KB per agent


def test_a_world_too_large_for_the_memory_is_refused_naming_the_fields(tmp_path, capsys):
    config = load_config(None, {"world.width": 64, "world.height": 64})
    with pytest.raises(ConfigError,
                       match=r"world.width, world.height, agents.initial_count: this world "
                             r"needs about .* GiB .*but 0.0 GiB are available"):
        check_fits(config, available=1_000_000)
    check_fits(config, available=10**12)  # fits
    out = tmp_path / "huge"
    assert main(["run", "--set", "world.width=100000", "--set", "world.height=100000",
                 "--out", str(out), "--no-progress"]) == 2
    assert "this world needs about" in capsys.readouterr().err
    assert not out.exists()  # nothing written


def test_a_checkpoint_that_unpacks_beyond_the_memory_is_refused_before_reading(tmp_path,
                                                                                monkeypatch):
    bomb = tmp_path / "bomb.npz"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("meta.npy", np.zeros(20_000_000, np.uint8).tobytes())  # 20 MB of zeros
    assert bomb.stat().st_size < 100_000
    monkeypatch.setattr(checkpoint, "available_bytes", lambda: 5_000_000)
    with pytest.raises(CheckpointError, match="unpack to .* GiB, more than the .* available"):
        load_checkpoint(bomb)
