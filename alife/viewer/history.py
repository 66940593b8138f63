"""Time series for the live plots, and rate meters for FPS and ticks/s (no pygame).

:class:`History` keeps one row per recorded frame in preallocated float64 columns. When full
it drops every other row, so it always spans the whole run in bounded memory (older parts at
coarser resolution), like a zoomed-out chart.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Sequence

import numpy as np


class History:
    """Columns of float64 samples; ``series(name)`` -> (ticks, values) views of the filled part."""

    def __init__(self, names: Sequence[str], capacity: int = 4096):
        self.names = ("tick", *names)
        self._data = np.full((capacity, len(self.names)), np.nan)
        self._col = {name: i for i, name in enumerate(self.names)}
        self.size = 0

    def add(self, tick: int, **values: float) -> None:
        """Append a row; unnamed columns stay NaN (e.g. surprise before the model has it)."""
        if self.size == self._data.shape[0]:
            half = self._data[1::2].copy()  # keep the newest of each pair
            self._data[:] = np.nan
            self._data[: half.shape[0]] = half
            self.size = half.shape[0]
        row = self._data[self.size]
        row[0] = tick
        for name, value in values.items():
            row[self._col[name]] = value
        self.size += 1

    def series(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(ticks, values), float64 (size,) each."""
        return self._data[: self.size, 0], self._data[: self.size, self._col[name]]

    def has_data(self, name: str) -> bool:
        return bool(np.isfinite(self.series(name)[1]).any())


class RateMeter:
    """Events per second over a sliding window (default the last second)."""

    def __init__(self, window: float = 1.0, clock=time.perf_counter):
        self.window = window
        self._clock = clock
        self._events: deque[tuple[float, float]] = deque()
        self._total = 0.0

    def add(self, count: float = 1.0) -> None:
        now = self._clock()
        self._events.append((now, count))
        self._total += count
        self._expire(now)

    def _expire(self, now: float) -> None:
        while self._events and now - self._events[0][0] > self.window:
            self._total -= self._events.popleft()[1]

    def rate(self) -> float:
        now = self._clock()
        self._expire(now)
        if len(self._events) < 2:
            return 0.0
        span = now - self._events[0][0]
        # the oldest event opens the window: count what came after it
        return (self._total - self._events[0][1]) / span if span > 0 else 0.0
