"""Features: the numbers an agent's world model predicts, as a linear map of its senses.

``feature_map(config)`` returns a float32 (P, S) matrix F with ``features = F @ senses``
(the kernels append a constant 1 as the bias input). Two layouts:

sectors (P = 10)  food underfoot; weighted mean food in the N, E, S, W sectors of the window;
                  blocked share of each sector; own energy. A window cell at offset (dx, dy)
                  belongs to the sectors it points at, in proportion (max(0, -dy) / d to N, …,
                  d = |dx| + |dy|), and counts 1/d: near cells matter more. In a world with
                  several food kinds, each further kind the same way (P += 5 per kind, after
                  the energy); then in a world with noise patches the noise channel (noise
                  here, noise in the N, E, S, W sectors: P += 5), and likewise the hazards.
window (P = S)    every sensed value (identity): the most detail, and a large model.
"""

from __future__ import annotations

import numpy as np

from alife.config.schema import Config
from alife.kernels.sense import ACTION_DX, ACTION_DY, sense_size, window_size

SECTOR_FEATURES = (
    "food_here", "food_north", "food_east", "food_south", "food_west",
    "blocked_north", "blocked_east", "blocked_south", "blocked_west", "energy",
)
NOISE_FEATURES = ("noise_here", "noise_north", "noise_east", "noise_south", "noise_west")
HAZARD_FEATURES = ("hazard_here", "hazard_north", "hazard_east", "hazard_south", "hazard_west")


def sense_length(config: Config) -> int:
    """Length of the sense vector in ``config``'s world (alife.kernels.sense): one food
    channel per kind, blocked, the noise and hazard channels where the world has them."""
    return sense_size(config.agents.sense_radius, config.world.noise_cover > 0,
                      config.world.hazard_cover > 0, config.food.kinds)


def kind_features(kind: int) -> tuple[str, ...]:
    """The five food features of food kind ``kind`` >= 1 (kind 0's are in SECTOR_FEATURES)."""
    return tuple(f"food{kind}_{where}" for where in ("here", "north", "east", "south", "west"))


def feature_names(config: Config) -> tuple[str, ...]:
    """The names of the sector features of ``config``'s world, in order: SECTOR_FEATURES, then
    five per further food kind, then the noise and hazard features where the world has them."""
    names = SECTOR_FEATURES
    for kind in range(1, config.food.kinds):
        names += kind_features(kind)
    if config.world.noise_cover > 0:
        names += NOISE_FEATURES
    if config.world.hazard_cover > 0:
        names += HAZARD_FEATURES
    return names


def feature_map(config: Config) -> np.ndarray:
    """float32 (P, S): features = F @ senses."""
    r = config.agents.sense_radius
    noise, hazard = config.world.noise_cover > 0, config.world.hazard_cover > 0
    kinds = config.food.kinds
    n_senses = sense_length(config)
    if config.learner.features == "window":
        return np.eye(n_senses, dtype=np.float32)
    n_window = window_size(r)
    names = feature_names(config)
    blocked = kinds * n_window  # the blocked channel follows the food channels
    # (first feature row, first sense of its window channel) of each channel with sectors
    channels = [(0, 0)] + [(len(SECTOR_FEATURES) + 5 * (c - 1), c * n_window)
                           for c in range(1, kinds)]
    sense = blocked + n_window
    row = len(SECTOR_FEATURES) + 5 * (kinds - 1)
    for present in (noise, hazard):
        if present:
            channels.append((row, sense))
            row, sense = row + 5, sense + n_window
    fmap = np.zeros((len(names), n_senses), np.float64)
    offsets = [(dx, dy) for dy in range(-r, r + 1) for dx in range(-r, r + 1)]
    for row, first in channels:
        fmap[row, first + offsets.index((0, 0))] = 1.0
    for sector in range(4):  # actions 1..4 are the directions N, E, S, W
        ux, uy = ACTION_DX[sector + 1], ACTION_DY[sector + 1]
        for k, (dx, dy) in enumerate(offsets):
            if (dx, dy) != (0, 0):
                dist = abs(dx) + abs(dy)
                share = max(0, ux * dx + uy * dy) / dist / dist  # nearer cells count more
                for row, first in channels:
                    fmap[row + 1 + sector, first + k] = share
                fmap[5 + sector, blocked + k] = share
    sector_rows = list(range(5, 9)) + [row + 1 + s for row, _ in channels for s in range(4)]
    for row in sector_rows:
        fmap[row] /= fmap[row].sum()
    fmap[SECTOR_FEATURES.index("energy"), n_senses - 1] = 1.0  # energy: the last sense
    return fmap.astype(np.float32)
