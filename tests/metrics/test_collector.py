"""Metrics rows: affect statistics and drive correlations on hand-made agents."""

from types import SimpleNamespace

import numpy as np
import pytest

from alife.kernels.affect import DRIVE_NAMES
from alife.metrics.collector import affect_metrics
from alife.world.state import to_lanes


def _padded(rows, fill=0):
    """Rows padded with ``fill`` to whole blocks of 8 slots."""
    rows = np.asarray(rows)
    extra = -len(rows) % 8
    return np.concatenate([rows, np.full((extra,) + rows.shape[1:], fill, rows.dtype)])


def _agents(affect, drives):
    """Agent storage holding these rows (the learned state in lanes, as the simulator's)."""
    n = len(_padded(affect))
    return SimpleNamespace(affect=to_lanes(_padded(np.asarray(affect, np.float32))),
                           drives=to_lanes(_padded(np.asarray(drives, np.float32))),
                           mem_weight=to_lanes(np.zeros((n, 4), np.float32)),
                           write_weight=np.full(n, 0.5, np.float32))


def test_affect_correlations_with_drives_on_known_inputs():
    rng = np.random.default_rng(0)
    n = 500
    drives = rng.standard_normal((n, len(DRIVE_NAMES)))
    drives[:, DRIVE_NAMES.index("crowding")] = 2.0  # does not vary
    surprise = drives[:, DRIVE_NAMES.index("surprise")]
    energy = drives[:, DRIVE_NAMES.index("energy_gain")]
    affect = np.stack([surprise, -2 * surprise + 1, 0.6 * surprise + 0.8 * energy], axis=1)
    out = affect_metrics(_agents(affect, drives), _padded(np.ones(n, bool), False))
    assert out["affect0_corr_surprise"] == pytest.approx(1.0, abs=1e-5)
    assert out["affect1_corr_surprise"] == pytest.approx(-1.0, abs=1e-5)
    expected = np.corrcoef(affect[:, 2], energy)[0, 1]
    assert out["affect2_corr_energy_gain"] == pytest.approx(expected, abs=1e-5)
    assert np.isnan(out["affect0_corr_crowding"])
    assert out["affect1_mean"] == pytest.approx(np.mean(affect[:, 1].astype(np.float32)), abs=1e-5)
    assert out["affect1_std"] == pytest.approx(np.std(affect[:, 1].astype(np.float32)), abs=1e-5)
    assert out["mean_write_weight"] == pytest.approx(0.5)


def test_only_agents_that_have_learned_count():
    affect = np.array([[0.5], [0.5], [9.0]])
    drives = np.zeros((3, len(DRIVE_NAMES)))
    out = affect_metrics(_agents(affect, drives), _padded(np.array([True, True, False]), False))
    assert out["affect0_mean"] == pytest.approx(0.5)
    assert np.isnan(affect_metrics(_agents(affect, drives), np.zeros(8, bool))["affect0_mean"])
