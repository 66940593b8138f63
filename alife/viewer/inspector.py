"""The agent inspector: follows one agent by id, keeps its recent energy trace, draws a card.

What it shows is read generically from the state, so fields a later model adds (surprise,
affect, ...) appear without changes here: every 1-D per-agent array as a number, small
vectors (up to 8 values) in full, and every genome segment by its ``GenomeLayout`` name.
"""

from __future__ import annotations

from collections import deque

import numpy as np
import pygame

from alife.viewer.hud import ACCENT, DIM, TEXT, WARN, Text, card
from alife.world.state import slot_row

# shown first, in this order; the rest of the 1-D fields follow in AgentState order
FIRST = ("id", "parent_id", "generation", "age", "energy", "x", "y", "birth_tick", "action")
HIDDEN = {"alive", "rng", "priority", "death_cause"}
MAX_VECTOR = 8
TRACE_LEN = 400


def _short(v) -> str:
    """A vector entry in few characters: whole numbers bare, else two decimals, no "-0.00"."""
    v = float(v)
    if v.is_integer() and abs(v) < 1e6:
        return str(int(v))
    text = f"{v:.2f}"
    return "0" if text in ("0.00", "-0.00") else text


def _fmt(value) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    v = float(value)
    return f"{v:.3g}" if abs(v) < 1e-2 and v != 0 else f"{v:,.2f}"


class Inspector:
    """The selected agent. ``selected_id`` is None when nothing is selected."""

    def __init__(self) -> None:
        self.selected_id: int | None = None
        self.slot: int | None = None
        self.alive = False
        self.died_tick: int | None = None
        self.trace: deque[tuple[int, float]] = deque(maxlen=TRACE_LEN)
        self._last: dict[str, object] = {}

    def select(self, agents, slot: int, tick: int) -> None:
        self.selected_id = int(agents.id[slot])
        self.slot = int(slot)
        self.alive = True
        self.died_tick = None
        self.trace.clear()
        self.update(agents, tick)

    def clear(self) -> None:
        self.selected_id = None
        self.slot = None
        self.alive = False
        self._last = {}
        self.trace.clear()

    def find_slot(self, agents) -> int | None:
        """The slot that now holds the selected id (storage slots are reused after deaths)."""
        if self.selected_id is None:
            return None
        s = self.slot
        if s is not None and s < agents.alive.shape[0] and agents.alive[s] and agents.id[s] == self.selected_id:
            return s
        hits = np.flatnonzero(agents.alive & (agents.id == self.selected_id))
        return int(hits[0]) if hits.size else None

    def update(self, agents, tick: int) -> None:
        """Follow the agent after ticks: snapshot its fields, extend the energy trace."""
        if self.selected_id is None or not self.alive:
            return
        self.slot = self.find_slot(agents)
        if self.slot is None:
            self.alive = False
            self.died_tick = tick
            return
        # copies: a view would show the next occupant's data once this agent has died and a
        # birth reuses its slot
        self._last = {name: np.array(slot_row(agents, name, self.slot)) for name in agents._fields
                      if name not in HIDDEN}
        if not self.trace or self.trace[-1][0] != tick:
            self.trace.append((tick, float(agents.energy[self.slot])))

    def rows(self, layout=None, action_names=None) -> list[tuple[str, str]]:
        """(label, value) lines: scalar fields, small vectors, then genome segments."""
        last = self._last
        if not last:
            return []
        rows: list[tuple[str, str]] = []
        names = [n for n in FIRST if n in last] + [n for n in last if n not in FIRST]
        for name in names:
            value = np.asarray(last[name])
            if name == "genome":
                continue
            if value.ndim == 0:
                text = _fmt(value[()])
                if name == "action" and action_names is not None and 0 <= int(value) < len(action_names):
                    text = action_names[int(value)]
                rows.append((name, text))
            elif value.size <= MAX_VECTOR:
                rows.append((name, " ".join(_short(v) for v in value.ravel())))
        if layout is not None and "genome" in last:
            genome = np.asarray(last["genome"])[None, :]
            for seg_name, seg in layout.segments.items():
                genes = layout.view(genome, seg_name)[0].ravel()
                if genes.size <= 4:
                    text = " ".join(_short(g) for g in genes)
                else:
                    text = f"mean {genes.mean():.2f} |max| {np.abs(genes).max():.2f} ({genes.size})"
                rows.append(("g." + seg_name, text))
        return rows

    def draw(self, target: pygame.Surface, text: Text, topleft: tuple[int, int], max_h: int,
             layout=None, action_names=None, width: int = 330) -> pygame.Rect:
        """The inspector card at ``topleft``; returns its rect."""
        rows = self.rows(layout, action_names)
        step = text.line_height("small")
        spark_h = 64
        h = min(max_h, 30 + step * len(rows) + spark_h + 24)
        rect = pygame.Rect(topleft, (width, h))
        card(target, rect)
        x, y = rect.left + 12, rect.top + 8
        status, color = ("alive", ACCENT) if self.alive else (f"died at tick ~{self.died_tick:,}", WARN)
        text.draw(target, f"agent {self.selected_id:,}", (x, y), TEXT, "title")
        text.draw(target, status, (rect.right - 12, y + 3), color, "small", anchor="topright")
        y += text.line_height("title") + 4
        char_w = max(1, text.width("0", "small"))  # monospaced: truncate by characters
        for label, value in rows:
            if y + step > rect.bottom - spark_h - 16:
                break
            text.draw(target, label, (x, y), DIM, "small")
            room = (width - 24 - text.width(label, "small") - 10) // char_w
            if len(value) > room:
                value = value[: max(1, room - 1)] + "…"
            text.draw(target, value, (rect.right - 12, y), TEXT, "small", anchor="topright")
            y += step
        self._draw_trace(target, text, pygame.Rect(x, rect.bottom - spark_h - 10, width - 24, spark_h))
        return rect

    def _draw_trace(self, target: pygame.Surface, text: Text, rect: pygame.Rect) -> None:
        """Energy over the last TRACE_LEN recorded ticks, from 0 to its maximum."""
        label_h = text.line_height("small")
        box = pygame.Rect(rect.left, rect.top + label_h, rect.w, rect.h - label_h)
        pygame.draw.rect(target, (14, 15, 20), box)
        if len(self.trace) < 2:
            text.draw(target, "energy trace: waiting for ticks", rect.topleft, DIM, "small")
            return
        data = np.asarray(self.trace, np.float64)
        t, e = data[:, 0], data[:, 1]
        hi = max(float(e.max()), 1e-6)
        x = box.left + (t - t[0]) / max(t[-1] - t[0], 1e-9) * (box.w - 1)
        y = box.bottom - 1 - e / hi * (box.h - 2)
        pygame.draw.aalines(target, (246, 206, 64), False, np.stack([x, y], axis=1).tolist())
        text.draw(target, f"energy, last {int(t[-1] - t[0]):,} ticks (0 to {hi:.0f})", rect.topleft, DIM, "small")
