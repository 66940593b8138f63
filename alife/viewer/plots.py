"""Live line plots of the run's history (population, mean energy, births/deaths, surprise)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pygame

from alife.viewer.history import History
from alife.viewer.hud import BORDER, DIM, PANEL, Text


@dataclass(frozen=True)
class Line:
    column: str                      # History column
    color: tuple[int, int, int]
    label: str


@dataclass(frozen=True)
class Plot:
    title: str
    lines: tuple[Line, ...]
    fmt: str = "{:,.0f}"             # format of the axis and latest values

    def has_data(self, history: History) -> bool:
        return any(history.has_data(line.column) for line in self.lines)


def _points(ticks: np.ndarray, values: np.ndarray, rect: pygame.Rect, t0: float, t1: float,
            lo: float, hi: float) -> list[tuple[float, float]]:
    """Screen points of a series, at most one per pixel column (a plot cannot show more)."""
    keep = np.isfinite(values)
    ticks, values = ticks[keep], values[keep]
    if ticks.size > rect.w:
        idx = np.linspace(0, ticks.size - 1, rect.w).astype(np.int64)
        ticks, values = ticks[idx], values[idx]
    x = rect.left + (ticks - t0) / max(t1 - t0, 1e-9) * (rect.w - 1)
    y = rect.bottom - 1 - (values - lo) / max(hi - lo, 1e-9) * (rect.h - 1)
    return np.stack([x, y], axis=1).tolist()


def draw_plot(target: pygame.Surface, text: Text, rect: pygame.Rect, plot: Plot,
              history: History) -> None:
    """Title with the latest value of each line, a framed plot area, y range and tick range."""
    pygame.draw.rect(target, PANEL, rect)
    x = rect.left
    text.draw(target, plot.title, (x, rect.top), DIM, "small")
    x += text.width(plot.title, "small") + 10
    for line in plot.lines:
        _, values = history.series(line.column)
        finite = values[np.isfinite(values)]
        if finite.size:
            label = (f"{line.label} " if len(plot.lines) > 1 else "") + plot.fmt.format(finite[-1])
            x = text.draw(target, label, (x, rect.top), line.color, "small").right + 10
    head = text.line_height("small") + 2
    area = pygame.Rect(rect.left + 46, rect.top + head, rect.w - 46,
                       rect.h - head - text.line_height("small"))
    if area.w < 10 or area.h < 10:
        return
    pygame.draw.rect(target, (18, 20, 27), area)
    pygame.draw.rect(target, BORDER, area, width=1)
    ticks, _ = history.series("tick")
    stacks = [history.series(line.column)[1] for line in plot.lines]
    finite = np.concatenate([v[np.isfinite(v)] for v in stacks])
    if ticks.size < 2 or finite.size == 0:
        text.draw(target, "waiting for data…", area.center, DIM, "small", anchor="center")
        return
    lo, hi = float(finite.min()), float(finite.max())
    if hi - lo < 1e-9:
        lo, hi = lo - 1.0, hi + 1.0
    pad = 0.06 * (hi - lo)
    lo, hi = (lo - pad if lo < 0 else max(0.0, lo - pad)), hi + pad  # counts never dip below 0
    t0, t1 = float(ticks[0]), float(ticks[-1])
    inner = area.inflate(-4, -4)
    for line, values in zip(plot.lines, stacks):
        pts = _points(ticks, values, inner, t0, t1, lo, hi)
        if len(pts) >= 2:
            pygame.draw.aalines(target, line.color, False, pts)
    text.draw(target, plot.fmt.format(hi), (area.left - 4, area.top), DIM, "small",
              anchor="topright")
    text.draw(target, plot.fmt.format(lo), (area.left - 4, area.bottom), DIM, "small",
              anchor="bottomright")
    text.draw(target, f"t {t0:,.0f}", (area.left, area.bottom + 1), DIM, "small")
    text.draw(target, f"{t1:,.0f}", (area.right, area.bottom + 1), DIM, "small", anchor="topright")


def draw_plots(target: pygame.Surface, text: Text, rect: pygame.Rect, plots: Sequence[Plot],
               history: History, gap: int = 10) -> None:
    """Stack the plots that have data (or could get it) evenly in ``rect``."""
    shown = [p for p in plots if p.has_data(history)] or list(plots[:1])
    if not shown or rect.h < 40:
        return
    h = min(170, (rect.h - gap * (len(shown) - 1)) // len(shown))
    y = rect.top
    for plot in shown:
        if h < 40:
            break
        draw_plot(target, text, pygame.Rect(rect.left, y, rect.w, h), plot, history)
        y += h + gap
