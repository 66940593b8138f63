"""The agent inspector: follows one agent by id, keeps its trace (energy, surprise, every
affect dimension over its life so far, as watched), draws a card.

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

HIDDEN = {"alive", "rng", "priority", "death_cause"}
MAX_VECTOR = 8
LABELS = {"parent_id": "parent", "birth_tick": "born at tick", "experience": "ticks learned",
          "explored": "explored", "moved": "moved"}
DRIVE_LABELS = ("surprise", "gain", "reward Δ", "crowding", "food", "progress")
KEY_GENES = ("log_temperature", "log_model_lr", "discount", "curiosity_weight",
             "affect_log_half_life")
TRACE_LEN = 4000  # ticks of the life kept for the card's plots
AFFECT_COLORS = ((120, 180, 255), (255, 150, 90), (150, 230, 120), (230, 120, 220),
                 (240, 230, 120), (120, 230, 230), (200, 200, 200), (255, 110, 110))


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
        # (tick, energy, surprise, e_0, ..., e_K-1) per watched tick
        self.trace: deque[tuple[float, ...]] = deque(maxlen=TRACE_LEN)
        self._last: dict[str, object] = {}
        self.show_all = False  # every field and gene, not only the grouped ones

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
        if (s is not None and s < agents.alive.shape[0] and agents.alive[s]
                and agents.id[s] == self.selected_id):
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
            affect = np.asarray(self._last.get("affect", ()), np.float64).ravel()
            self.trace.append((tick, float(agents.energy[self.slot]),
                               float(agents.surprise[self.slot]), *affect.tolist()))

    def rows(self, layout=None, action_names=None) -> list[tuple[str, str]]:
        """(label, value) lines in groups, each opened by a ("§ group", "") header: body,
        acting, mind, affect, then genes (a few by name; all of them, and every other field,
        when ``show_all``). Fields a later model adds appear under "more" by themselves."""
        last = self._last
        if not last:
            return []
        shown: set[str] = set()

        def value(name):
            shown.add(name)
            return np.asarray(last[name])

        def has(name):
            return name in last

        names = action_names or ()
        rows: list[tuple[str, str]] = [("§ body", "")]
        for name in ("id", "parent_id", "generation", "age", "birth_tick", "energy", "x", "y"):
            if has(name):
                text = _fmt(value(name)[()])
                if name == "parent_id" and int(value(name)) < 0:
                    text = "none (a founder)"
                rows.append((LABELS.get(name, name), text))
        if has("parent2_id") and int(value("parent2_id")) >= 0:
            rows.append(("second parent", _fmt(value("parent2_id")[()])))
        rows.append(("§ acting", ""))
        if has("action"):
            a = int(value("action"))
            rows.append(("last action", names[a] if 0 <= a < len(names)
                         else ("none yet" if a < 0 else str(a))))
        if has("action_prob"):
            probs = value("action_prob").ravel()
            short = [n if n == "stay" else n[:1].upper() for n in names]
            label = " ".join(f"{short[k] if k < len(short) else k} {f'{p:.2f}'.lstrip('0') or '0'}"
                             for k, p in enumerate(probs))
            rows.append(("probabilities", label))
        for name in ("explored", "moved"):
            if has(name):
                rows.append((LABELS.get(name, name), _fmt(value(name)[()])))
        if has("forced_action"):
            forced = int(value("forced_action"))
            if forced >= 0:
                rows.append(("scripted action",
                             names[forced] if forced < len(names) else str(forced)))
        rows.append(("§ mind", ""))
        for name in ("surprise", "progress", "reward", "experience"):
            if has(name):
                rows.append((LABELS.get(name, name), _fmt(value(name)[()])))
        if has("expected"):
            gain, fast, slow = (list(value("expected").ravel()) + [0.0, 0.0, 0.0])[:3]
            rows.append(("expected gain", _short(gain)))
            rows.append(("expected error", f"fast {_short(fast)} slow {_short(slow)}"))
        if has("mem_weight"):
            weights = value("mem_weight").ravel()
            rows.append(("memories", f"{int((weights > 0).sum())} of {weights.size}"))
        if has("write_weight"):
            rows.append(("last write weight", _fmt(value("write_weight")[()])))
        rows.append(("§ affect", ""))
        if has("affect"):
            rows.append(("affect", " ".join(_short(v) for v in value("affect").ravel())))
        if has("drives"):
            drives = value("drives").ravel()
            rows += [(f"drive {DRIVE_LABELS[k] if k < len(DRIVE_LABELS) else k}", _short(d))
                     for k, d in enumerate(drives)]
        if layout is not None and has("genome"):
            genome = value("genome")[None, :]
            rows.append(("§ genes" + ("" if self.show_all else " (i: all)"), ""))
            for seg_name, seg in layout.segments.items():
                if not self.show_all and seg_name not in KEY_GENES:
                    continue
                genes = layout.view(genome, seg_name)[0].ravel()
                if "log_" in seg_name:  # genes kept as logarithms: shown as the value
                    genes, seg_name = np.exp(genes), seg_name.replace("log_", "")
                if genes.size <= 4:
                    text = " ".join(_short(g) for g in genes)
                else:
                    text = f"mean {genes.mean():.2f} |max| {np.abs(genes).max():.2f} ({genes.size})"
                rows.append(("g." + seg_name, text))
        if self.show_all:
            rows.append(("§ more", ""))
            for name in last:
                if name in shown or name == "genome":
                    continue
                v = np.asarray(last[name])
                if v.ndim == 0:
                    rows.append((name, _fmt(v[()])))
                elif v.size <= MAX_VECTOR:
                    rows.append((name, " ".join(_short(x) for x in v.ravel())))
        return rows

    def toggle_all(self) -> None:
        self.show_all = not self.show_all

    def draw(self, target: pygame.Surface, text: Text, topleft: tuple[int, int], max_h: int,
             layout=None, action_names=None, width: int = 330) -> pygame.Rect:
        """The inspector card at ``topleft``; returns its rect."""
        rows = self.rows(layout, action_names)
        step = text.line_height("small")
        spark_h = 3 * 44 + 8
        h = min(max_h, 30 + step * len(rows) + spark_h + 24)
        rect = pygame.Rect(topleft, (width, h))
        card(target, rect)
        x, y = rect.left + 12, rect.top + 8
        status, color = (("alive", ACCENT) if self.alive
                         else (f"died at tick ~{self.died_tick:,}", WARN))
        text.draw(target, f"agent {self.selected_id:,}", (x, y), TEXT, "title")
        text.draw(target, status, (rect.right - 12, y + 3), color, "small", anchor="topright")
        y += text.line_height("title") + 4
        char_w = max(1, text.width("0", "small"))  # monospaced: truncate by characters
        for label, value in rows:
            if y + step > rect.bottom - spark_h - 16:
                break
            if label.startswith("§ "):  # a group's header
                text.draw(target, label[2:], (x, y), ACCENT, "small")
                y += step
                continue
            text.draw(target, label, (x, y), DIM, "small")
            room = (width - 24 - text.width(label, "small") - 10) // char_w
            if len(value) > room:
                value = value[: max(1, room - 1)] + "…"
            text.draw(target, value, (rect.right - 12, y), TEXT, "small", anchor="topright")
            y += step
        self._draw_traces(target, text,
                          pygame.Rect(x, rect.bottom - spark_h - 10, width - 24, spark_h))
        return rect

    def _draw_traces(self, target: pygame.Surface, text: Text, rect: pygame.Rect) -> None:
        """Its life so far, as watched: energy (0 to its maximum), surprise (0 to its maximum)
        and every affect dimension (−1 to 1), one small plot each."""
        if len(self.trace) < 2:
            text.draw(target, "its life so far: waiting for ticks", rect.topleft, DIM, "small")
            return
        width = max(len(row) for row in self.trace)
        data = np.array([row + (np.nan,) * (width - len(row)) for row in self.trace], np.float64)
        t = data[:, 0]
        span = f"ticks {int(t[0]):,}–{int(t[-1]):,}"
        panels = (("energy", [(data[:, 1], (246, 206, 64))], None),
                  ("surprise", [(data[:, 2], (110, 220, 240))], None),
                  ("affect e_k (−1 to 1)", [(data[:, 3 + k], AFFECT_COLORS[k % len(AFFECT_COLORS)])
                                            for k in range(width - 3)], (-1.0, 1.0)))
        height = rect.h // 3
        for i, (label, lines, bounds) in enumerate(panels):
            box = pygame.Rect(rect.left, rect.top + i * height, rect.w, height - 4)
            self._plot(target, text, box, t, lines, bounds, f"{label}, {span}" if i == 0 else label)

    @staticmethod
    def _plot(target, text: Text, rect: pygame.Rect, t, lines, bounds, label: str) -> None:
        label_h = text.line_height("small")
        box = pygame.Rect(rect.left, rect.top + label_h, rect.w, rect.h - label_h)
        pygame.draw.rect(target, (14, 15, 20), box)
        values = np.concatenate([v for v, _ in lines]) if lines else np.zeros(1)
        finite = values[np.isfinite(values)]
        lo, hi = bounds if bounds else (0.0, max(float(finite.max()) if finite.size else 1.0, 1e-6))
        x = box.left + (t - t[0]) / max(t[-1] - t[0], 1e-9) * (box.w - 1)
        for v, color in lines:
            ok = np.isfinite(v)
            if ok.sum() >= 2:
                y = box.bottom - 1 - (np.clip(v[ok], lo, hi) - lo) / (hi - lo) * (box.h - 2)
                pygame.draw.aalines(target, color, False, np.stack([x[ok], y], axis=1).tolist())
        if bounds:
            zero = box.bottom - 1 - (0 - lo) / (hi - lo) * (box.h - 2)
            pygame.draw.line(target, (60, 62, 70), (box.left, zero), (box.right - 1, zero))
        text.draw(target, label if bounds else f"{label} (0 to {hi:.3g})", rect.topleft, DIM,
                  "small")
