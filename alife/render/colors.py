"""Colours: lookup tables for the ground and the agent colour modes. Pure numpy, no pygame.

Every colour mode turns the per-agent arrays of the alive agents into uint8 RGB rows. A mode
names the ``AgentState`` fields it reads; it is offered only when the state has them, so modes
for arrays that a later model adds (``surprise``, ``affect``) light up by themselves.

Agent colours are kept bright (value >= ~0.55) so that agents stand out against the dark,
green food shading underneath them at any zoom.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

RGB = tuple[int, int, int]

GROUND: RGB = (16, 18, 24)        # a cell with no food (or the food overlay off)
OBSTACLE: RGB = (82, 84, 98)      # impassable cells: dull slate, unlike any (bright) agent colour


def lut(stops: Sequence[RGB], n: int = 256) -> np.ndarray:
    """A colour lookup table: uint8 (n, 3), linear between equally spaced ``stops``."""
    stops_arr = np.asarray(stops, np.float64)
    where = np.linspace(0.0, 1.0, len(stops))
    t = np.linspace(0.0, 1.0, n)
    table = np.stack([np.interp(t, where, stops_arr[:, c]) for c in range(3)], axis=1)
    return np.round(table).astype(np.uint8)


# Food: from bare ground to a rich green; every channel non-decreasing, so more food is
# always at least as bright (tests rely on this monotonicity).
# The index is linear in food; the curve (t ** 0.6) lifts small amounts so thin food is visible.
FOOD_LUT = lut([GROUND, (24, 50, 36), (36, 92, 50), (54, 136, 64)])[
    np.round(255 * np.linspace(0.0, 1.0, 256) ** 0.6).astype(np.int64)]
HAZARD: RGB = (150, 40, 24)       # hazard cells: a dark red wash over the ground
# Food kinds beyond the first (food.kinds): teal-blue, rose, amber, shaded like FOOD_LUT (the
# first two far from the energy colours of agents, red to yellow).
KIND_LUTS = [lut([GROUND, (20, 50, 72), (30, 96, 136), (44, 140, 196)]),
             lut([GROUND, (66, 28, 50), (124, 48, 92), (180, 70, 132)]),
             lut([GROUND, (70, 52, 20), (140, 104, 30), (210, 156, 40)])]
# The noise channel of noise patches: dim to bright violet (never green: it is not food).
NOISE_LUT = lut([(34, 24, 52), (70, 44, 110), (112, 70, 170)])
# Energy: starving red -> orange -> yellow -> near white (ready to reproduce).
ENERGY_LUT = lut([(200, 40, 48), (240, 120, 40), (246, 206, 64), (236, 250, 200)])
# Age: newborn cyan -> blue -> violet -> old magenta.
AGE_LUT = lut([(110, 236, 255), (96, 150, 255), (168, 110, 250), (240, 96, 200)])
# Generation (relative to the living range): teal -> gold.
GENERATION_LUT = lut([(80, 220, 200), (170, 230, 120), (250, 200, 70), (255, 140, 90)])
# Surprise: calm blue-violet -> pink -> orange -> pale yellow (a bright "inferno").
SURPRISE_LUT = lut([(96, 90, 230), (206, 80, 170), (250, 150, 60), (255, 246, 170)])


def lut_index(values: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Indices into a 256-entry LUT: uint8, ``values`` mapped linearly from [lo, hi], clipped."""
    values = np.asarray(values, np.float32)
    scale = 255.0 / (hi - lo) if hi > lo else 0.0
    idx = np.subtract(values.reshape(-1), np.float32(lo))  # 1-D: in-place ops work for scalars too
    idx *= np.float32(scale)
    np.clip(idx, 0.0, 255.0, out=idx)
    return idx.astype(np.uint8).reshape(values.shape)


def hash_u64(keys: np.ndarray) -> np.ndarray:
    """A well-mixed 64-bit hash of integer keys (SplitMix64 finaliser), uint64, same shape."""
    z = np.asarray(keys).astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
    with np.errstate(over="ignore"):
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def hsv_to_rgb(h: np.ndarray, s: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Vectorised HSV -> RGB. h, s, v float arrays in [0, 1] of shape (n,); returns uint8 (n, 3)."""
    i = np.floor(h * 6.0).astype(np.int64) % 6
    f = h * 6.0 - np.floor(h * 6.0)
    p, q, t = v * (1.0 - s), v * (1.0 - f * s), v * (1.0 - (1.0 - f) * s)
    # rows of (r, g, b) for each of the six hue sectors
    r = np.choose(i, [v, q, p, p, t, v])
    g = np.choose(i, [t, v, v, q, p, p])
    b = np.choose(i, [p, p, t, v, v, q])
    return np.round(np.stack([r, g, b], axis=1) * 255.0).astype(np.uint8)


def key_colors(keys: np.ndarray) -> np.ndarray:
    """A stable, distinct, bright colour per integer key (lineage id): uint8 (n, 3).

    The same key gives the same colour in every frame, run and process.
    """
    z = hash_u64(keys)
    hue = (z & np.uint64(0xFFFF)).astype(np.float64) / 65536.0
    sat = 0.55 + 0.40 * ((z >> np.uint64(16)) & np.uint64(0xFF)).astype(np.float64) / 255.0
    val = 0.80 + 0.20 * ((z >> np.uint64(24)) & np.uint64(0xFF)).astype(np.float64) / 255.0
    return hsv_to_rgb(hue, sat, val)


@dataclass(frozen=True)
class Scales:
    """Fixed value ranges from the config; None means "from the living agents, per frame"."""

    energy: float | None = None  # energy shown at the top of the energy LUT
    age: float | None = None     # age shown at the top of the age LUT


@dataclass(frozen=True)
class ColorContext:
    """What a colour mode may read besides the agent arrays."""

    scales: Scales
    lineage: np.ndarray | None  # int64 (n,) lineage key per listed agent, or None


ColorFn = Callable[[object, np.ndarray, ColorContext], np.ndarray]


@dataclass(frozen=True)
class ColorMode:
    """An agent colouring.

    name:     short name (CLI ``--mode``, HUD)
    needs:    AgentState fields it reads; the mode is offered only where all exist
    colors:   fn(agents, slots int64 (n,), ctx) -> uint8 (n, 3) for the agents in ``slots``
    legend:   what the colours mean, one line for the HUD
    """

    name: str
    needs: tuple[str, ...]
    colors: ColorFn
    legend: str

    def available(self, agents) -> bool:
        return all(hasattr(agents, field) for field in self.needs)


def _top(values: np.ndarray, fixed: float | None) -> float:
    if fixed:
        return float(fixed)
    return float(values.max()) if values.size else 1.0


def _energy(agents, slots, ctx):
    e = agents.energy[slots]
    return ENERGY_LUT[lut_index(e, 0.0, _top(e, ctx.scales.energy))]


def _age(agents, slots, ctx):
    a = agents.age[slots]
    return AGE_LUT[lut_index(a, 0.0, _top(a, ctx.scales.age))]


def _generation(agents, slots, ctx):
    g = agents.generation[slots]
    lo, hi = (float(g.min()), float(g.max())) if g.size else (0.0, 1.0)
    return GENERATION_LUT[lut_index(g, lo, max(hi, lo + 1.0))]


def _lineage(agents, slots, ctx):
    keys = ctx.lineage if ctx.lineage is not None else agents.parent_id[slots]
    return key_colors(keys)


def _robust_range(values: np.ndarray) -> tuple[float, float]:
    """2nd..98th percentile: one outlier should not wash out everyone else's colour."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return 0.0, 1.0
    lo, hi = np.percentile(finite, [2.0, 98.0])
    return float(lo), float(max(hi, lo + 1e-6))


def _surprise(agents, slots, ctx):
    s = agents.surprise[slots].astype(np.float32)
    lo, hi = _robust_range(s)
    return SURPRISE_LUT[lut_index(np.nan_to_num(s), lo, hi)]


def _affect(agents, slots, ctx):
    """Affect e (n, K) as a colour: dimensions 0 and 1 give the hue (the direction of
    (e0, e1): e0 > 0 red, e0 < 0 cyan, e1 > 0 chartreuse, e1 < 0 violet) and the saturation
    (its length), dimension 2 the brightness. Zero affect is a light grey; every agent is
    bright (value >= 0.6), unlike the dark obstacles. tanh squashes each dimension around its
    population RMS, so colours stay readable whatever the units."""
    slots = np.asarray(slots, np.int64)
    e = agents.affect  # the simulator stores it in lanes (n/8, K, 8), see alife.world.state
    e = e[slots >> 3, :, slots & 7] if e.ndim == 3 else e[slots]
    e = np.nan_to_num(np.asarray(e, np.float64).reshape(len(slots), -1)[:, :3])
    e = np.pad(e, ((0, 0), (0, 3 - e.shape[1])))
    rms = np.sqrt((e * e).mean(axis=0)) + 1e-6 if len(slots) else np.ones(3)
    squashed = np.tanh(e / (2.0 * rms))
    hue = (np.arctan2(squashed[:, 1], squashed[:, 0]) / (2.0 * np.pi)) % 1.0
    saturation = np.clip(np.hypot(squashed[:, 0], squashed[:, 1]), 0.0, 1.0)
    value = 0.8 + 0.2 * squashed[:, 2]
    return hsv_to_rgb(hue, saturation, value)


MODES: dict[str, ColorMode] = {m.name: m for m in (
    ColorMode("energy", ("energy",), _energy, "energy: red starving -> white ready to reproduce"),
    ColorMode("lineage", ("parent_id", "id"), _lineage, "lineage: one colour per founder's family"),
    ColorMode("age", ("age",), _age, "age: cyan newborn -> magenta old"),
    ColorMode("generation", ("generation",), _generation,
              "generation: teal oldest -> orange newest"),
    ColorMode("surprise", ("surprise",), _surprise, "surprise: blue calm -> yellow surprised"),
    ColorMode("affect", ("affect",), _affect,
              "affect: hue, saturation e0,e1; brightness e2"),
)}


def available_modes(agents) -> list[str]:
    """Names of the colour modes this AgentState supports, in display order."""
    return [name for name, mode in MODES.items() if mode.available(agents)]
