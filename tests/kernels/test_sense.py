"""Sensing against a plain numpy reference: every radius, torus and walls, at the edges."""

import numpy as np
import pytest

from alife.kernels.sense import ENERGY_SENSE_MAX, sense_agent, sense_size


def reference_senses(x, y, energy, food, obstacle, occupancy, torus, r, inv_food, inv_energy,
                     signal=None, hazard=None, kind=None, n_kinds=1):
    height, width = food.shape
    side = 2 * r + 1
    food_seen = np.zeros((n_kinds, side, side), np.float32)
    noise_seen = np.zeros((side, side), np.float32)
    hazard_seen = np.zeros((side, side), np.float32)
    blocked = np.ones((side, side), np.float32)
    for row in range(side):
        for col in range(side):
            cx, cy = x + col - r, y + row - r
            if torus:
                cx, cy = cx % width, cy % height
            elif not (0 <= cx < width and 0 <= cy < height):
                continue  # beyond a wall: no food, blocked
            food_seen[0 if kind is None else kind[cy, cx], row, col] = food[cy, cx] * inv_food
            if signal is not None:
                noise_seen[row, col] = signal[cy, cx] * inv_food
            if hazard is not None:
                hazard_seen[row, col] = hazard[cy, cx]
            blocked[row, col] = obstacle[cy, cx] or occupancy[cy, cx] >= 0
    blocked[r, r] = 0.0  # the agent's own cell
    energy_sense = min(np.float32(energy) * inv_energy, ENERGY_SENSE_MAX)
    channels = [food_seen.ravel(), blocked.ravel()]  # each kind's window, then blocked
    if signal is not None:
        channels.append(noise_seen.ravel())
    if hazard is not None:
        channels.append(hazard_seen.ravel())
    return np.concatenate(channels + [[energy_sense]]).astype(np.float32)


@pytest.mark.parametrize("noise, hazards, kinds", [(False, False, 1), (True, False, 1),
                                                  (False, True, 1), (True, True, 3)])
@pytest.mark.parametrize("torus", [True, False])
@pytest.mark.parametrize("radius", [1, 2, 3])
def test_senses_match_the_grid_around_the_agent(torus, radius, noise, hazards, kinds):
    rng = np.random.default_rng(radius + 10 * torus)
    width, height = 11, 9
    food = rng.uniform(0, 10, (height, width)).astype(np.float32)
    obstacle = rng.random((height, width)) < 0.15
    occupancy = np.where(rng.random((height, width)) < 0.2, 7, -1).astype(np.int32)
    signal = rng.uniform(0, 10, (height, width)).astype(np.float32)
    hazard = rng.random((height, width)) < 0.3
    kind = rng.integers(0, kinds, (height, width)).astype(np.int8)
    inv_food, inv_energy = np.float32(0.1), np.float32(1 / 80)
    # corners, edges and the middle, so every wrap and wall case is met
    for x, y in [(0, 0), (width - 1, height - 1), (0, height - 1), (width - 1, 0), (5, 0),
                 (0, 4), (5, 4), (1, 1), (width - 2, height - 2)]:
        occupancy[y, x] = 0  # the agent itself
        senses = np.full((3, sense_size(radius, noise, hazards, kinds)), -9.0, np.float32)
        energy = np.float32(rng.uniform(0, 400))
        n_blocked = sense_agent(1, np.int32(x), np.int32(y), energy, food, kind, kinds, signal,
                                hazard, obstacle, occupancy, width, height, torus, radius,
                                inv_food, inv_energy, noise, hazards, senses)
        expected = reference_senses(x, y, energy, food, obstacle, occupancy, torus, radius,
                                    inv_food, inv_energy, signal if noise else None,
                                    hazard if hazards else None, kind, kinds)
        np.testing.assert_array_equal(senses[1], expected, err_msg=f"agent at {(x, y)}")
        n_window = (2 * radius + 1) ** 2
        assert n_blocked == expected[kinds * n_window:(kinds + 1) * n_window].sum()
        assert (senses[[0, 2]] == -9.0).all()  # only the agent's own row is written
