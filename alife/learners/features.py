"""Features: the numbers an agent's world model predicts, as a linear map of its senses.

``feature_map(config)`` returns a float32 (P, S) matrix F with ``features = F @ senses``
(the kernels append a constant 1 as the bias input). Two layouts:

sectors (P = 10)  food underfoot; weighted mean food in the N, E, S, W sectors of the window;
                  blocked share of each sector; own energy. A window cell at offset (dx, dy)
                  belongs to the sectors it points at, in proportion (max(0, -dy) / d to N, …,
                  d = |dx| + |dy|), and counts 1/d: near cells matter more.
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


def feature_map(config: Config) -> np.ndarray:
    """float32 (P, S): features = F @ senses."""
    r = config.agents.sense_radius
    n_senses = sense_size(r)
    if config.learner.features == "window":
        return np.eye(n_senses, dtype=np.float32)
    n_window = window_size(r)
    fmap = np.zeros((len(SECTOR_FEATURES), n_senses), np.float64)
    offsets = [(dx, dy) for dy in range(-r, r + 1) for dx in range(-r, r + 1)]
    fmap[0, offsets.index((0, 0))] = 1.0
    for sector in range(4):  # actions 1..4 are the directions N, E, S, W
        ux, uy = ACTION_DX[sector + 1], ACTION_DY[sector + 1]
        for k, (dx, dy) in enumerate(offsets):
            if (dx, dy) != (0, 0):
                dist = abs(dx) + abs(dy)
                share = max(0, ux * dx + uy * dy) / dist / dist  # nearer cells count more
                fmap[1 + sector, k] = share
                fmap[5 + sector, n_window + k] = share
    for row in range(1, 9):
        fmap[row] /= fmap[row].sum()
    fmap[9, 2 * n_window] = 1.0
    return fmap.astype(np.float32)
