"""The world picture: State -> uint8 RGB image (H, W, 3), one pixel per cell. No pygame.

Shared by the live viewer, ``alife run --video`` and the tests, so what is recorded is what is
watched. Layers, bottom to top:

    ground    food shading (FOOD_LUT: more food = brighter green; further food kinds in
              KIND_LUTS' hues), or plain when food is off;
              noise patches in violet by what their noise channel shows (NOISE_LUT);
              hazards washed dark red (HAZARD)
    obstacle  grey cells
    agents    one coloured cell per living agent; the colour mode picks the colours

Everything is vectorised numpy over whole arrays (a LUT gather for the ground, one fancy-index
scatter for the agents): never a Python loop over cells or agents. A 256x256 world with 10k
agents renders in about a millisecond.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from alife.render.colors import (
    FOOD_LUT,
    GROUND,
    HAZARD,
    KIND_LUTS,
    MODES,
    NOISE_LUT,
    OBSTACLE,
    ColorContext,
    Scales,
    available_modes,
    lut_index,
)
from alife.render.lineage import LineageTracker


def _config_value(config: Any, path: str) -> float | None:
    """``config.a.b`` as a float, or None when the config (or the field) is absent."""
    node = config
    for part in path.split("."):
        node = getattr(node, part, None)
        if node is None:
            return None
    return float(node)


class FrameRenderer:
    """Builds RGB frames of a world; keeps the lineage tracker and the output buffer.

    Args:
        config: the run's Config (or None): fixes the colour scales, so that colours mean
            the same thing in every frame: food / ``food.capacity``, energy /
            ``life.reproduce_threshold``, age / ``life.max_age``. Without it, scales come from
            the data of each frame.
        mode: initial colour mode (see :data:`alife.render.colors.MODES`).
        show_food: draw the food shading (else plain ground).
    """

    def __init__(self, config: Any = None, *, mode: str = "energy", show_food: bool = True):
        if mode not in MODES:
            raise ValueError(f"unknown colour mode {mode!r}; choose from {', '.join(MODES)}")
        self.mode = mode
        self.show_food = show_food
        self.food_capacity = _config_value(config, "food.capacity")
        max_age = _config_value(config, "life.max_age")
        self.scales = Scales(energy=_config_value(config, "life.reproduce_threshold"),
                             age=max_age if max_age else None)
        self.lineage = LineageTracker()
        self._buffer: np.ndarray | None = None

    def modes(self, state) -> list[str]:
        """Colour modes this state supports (new per-agent arrays add modes by themselves)."""
        return available_modes(state.agents)

    def render(self, state, out: np.ndarray | None = None) -> np.ndarray:
        """The picture of ``state``: uint8 (H, W, 3), row y = grid row y, column x = grid column x.

        ``out`` (uint8 (H, W, 3), C-contiguous) is filled and returned when given; otherwise an
        internal buffer is reused, so copy the result if you keep it past the next call.
        """
        grid, agents = state.grid, state.agents
        h, w = grid.food.shape
        if out is None:
            if self._buffer is None or self._buffer.shape != (h, w, 3):
                self._buffer = np.empty((h, w, 3), np.uint8)
            out = self._buffer
        if self.show_food:
            cap = self.food_capacity or float(grid.food_capacity.max(initial=0.0)) or 1.0
            index = lut_index(grid.food, 0.0, cap)
            np.take(FOOD_LUT, index, axis=0, out=out)
            kind = getattr(grid, "kind", None)  # hand-made states may have one kind
            for k, table in enumerate(KIND_LUTS[:0 if kind is None else int(kind.max())], 1):
                cells = kind == k
                out[cells] = table[index[cells]]
            cells = getattr(grid, "noise_cells", None)  # hand-made states may have no noise
            if cells is not None and cells.size:
                out.reshape(-1, 3)[cells] = NOISE_LUT[
                    lut_index(grid.signal.ravel()[cells], 0.0, cap)]
        else:
            out[...] = GROUND
        hazard = getattr(grid, "hazard", None)  # hand-made states may have none
        if hazard is not None and hazard.any():
            out[hazard] = (out[hazard] // 2 + np.array(HAZARD, np.uint8) // 2)
        out[grid.obstacle] = OBSTACLE
        slots = np.flatnonzero(agents.alive)
        # the tracker must see every frame's newborns, whatever mode is shown
        keys = self.lineage.update(agents, slots)
        if slots.size:
            out[agents.y[slots], agents.x[slots]] = self.agent_colors(agents, slots, keys)
        return out

    def agent_colors(self, agents, slots: np.ndarray,
                     lineage: np.ndarray | None = None) -> np.ndarray:
        """uint8 (len(slots), 3): the current mode's colours of the agents in ``slots``.

        Falls back to energy when the state lacks the mode's arrays.
        """
        mode = MODES[self.mode]
        if not mode.available(agents):
            mode = MODES["energy"]
        return mode.colors(agents, slots, ColorContext(self.scales, lineage))


def render_frame(state, config: Any = None, *, mode: str = "energy",
                 show_food: bool = True) -> np.ndarray:
    """One frame of ``state`` as a new uint8 (H, W, 3) array (a fresh renderer: no lineage
    history, so the lineage mode keys families by what this one state shows)."""
    return FrameRenderer(config, mode=mode, show_food=show_food).render(state).copy()


HEADING_SCALE = 4  # pixels per cell of the picture that shows headings
HEADING: tuple[int, int, int] = (12, 12, 16)  # the mark on the side an agent last moved to


class Headings(NamedTuple):
    """The agents to mark with their heading (alive, moved this tick by a move action): their
    cells and actions, int64 (m,) each. Copies: they stay valid while the world steps on."""

    x: np.ndarray
    y: np.ndarray
    action: np.ndarray


def heading_marks(agents) -> Headings:
    """The agents that moved this tick, for :func:`with_headings`."""
    a = np.flatnonzero(agents.alive & agents.moved & (agents.action > 0))
    return Headings(agents.x[a].astype(np.int64), agents.y[a].astype(np.int64),
                    agents.action[a].astype(np.int64))


def with_headings(rgb: np.ndarray, marks: Headings, window: tuple[int, int, int, int],
                  scale: int = HEADING_SCALE) -> np.ndarray:
    """The part ``window`` = (x0, y0, x1, y1) of a world picture, each cell ``scale`` x
    ``scale`` pixels, with a dark mark on the side of each agent of ``marks`` that it last
    moved to (its heading): uint8 ((y1-y0)*scale, (x1-x0)*scale, 3). Vectorised over the
    agents."""
    from alife.kernels.sense import ACTION_DX, ACTION_DY

    x0, y0, x1, y1 = window
    out = np.repeat(np.repeat(rgb[y0:y1, x0:x1], scale, axis=0), scale, axis=1)
    inside = (marks.x >= x0) & (marks.x < x1) & (marks.y >= y0) & (marks.y < y1)
    x, y, action = marks.x[inside], marks.y[inside], marks.action[inside]
    if x.size == 0:
        return out
    dx = np.asarray(ACTION_DX, np.int64)[action]
    dy = np.asarray(ACTION_DY, np.int64)[action]
    mid = scale // 2
    # the two pixels at the middle of the cell's edge in the direction of the move
    row = (y - y0) * scale + np.where(dy < 0, 0, np.where(dy > 0, scale - 1, mid))
    col = (x - x0) * scale + np.where(dx < 0, 0, np.where(dx > 0, scale - 1, mid))
    along_x = (dy != 0).astype(np.int64)  # north/south: the mark runs along x, else along y
    out[row, col] = HEADING
    out[row - (1 - along_x), col - along_x] = HEADING
    return out
