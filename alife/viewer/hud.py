"""Text and panels: fonts, cached text rendering, the HUD block, colour legend, help overlay,
toasts."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pygame

# theme
BG = (10, 11, 15)
PANEL = (24, 26, 34)
CARD = (20, 22, 30, 228)       # translucent overlays (inspector, help)
BORDER = (60, 64, 80)
TEXT = (222, 224, 232)
DIM = (140, 145, 162)
ACCENT = (120, 200, 255)
GOOD = (130, 220, 140)
WARN = (255, 120, 100)

_MONO = "dejavusansmono,liberationmono,menlo,consolas,couriernew,monospace"


class Text:
    """Fonts and a small cache of rendered strings (the HUD redraws the same labels every frame)."""

    def __init__(self, size: int = 14):
        pygame.font.init()
        self.fonts = {
            "body": self._font(size),
            "small": self._font(size - 2),
            "title": self._font(size + 3, bold=True),
        }
        self._cache: dict[tuple, pygame.Surface] = {}

    @staticmethod
    def _font(size: int, bold: bool = False) -> pygame.font.Font:
        try:
            return pygame.font.SysFont(_MONO, size, bold=bold)
        except Exception:  # no font config: pygame's bundled font always works
            return pygame.font.Font(None, size + 4)

    def line_height(self, font: str = "body") -> int:
        return self.fonts[font].get_linesize()

    def width(self, text: str, font: str = "body") -> int:
        return self.fonts[font].size(text)[0]

    def render(self, text: str, color=TEXT, font: str = "body") -> pygame.Surface:
        key = (text, color, font)
        surf = self._cache.get(key)
        if surf is None:
            if len(self._cache) > 2000:
                self._cache.clear()
            surf = self.fonts[font].render(text, True, color)
            self._cache[key] = surf
        return surf

    def draw(self, target: pygame.Surface, text: str, pos, color=TEXT, font: str = "body",
             anchor: str = "topleft") -> pygame.Rect:
        surf = self.render(text, color, font)
        rect = surf.get_rect(**{anchor: pos})
        target.blit(surf, rect)
        return rect


def card(target: pygame.Surface, rect: pygame.Rect, color=CARD) -> None:
    """A translucent rounded box with a thin border."""
    box = pygame.Surface(rect.size, pygame.SRCALPHA)
    pygame.draw.rect(box, color, box.get_rect(), border_radius=6)
    pygame.draw.rect(box, (*BORDER, 255), box.get_rect(), width=1, border_radius=6)
    target.blit(box, rect.topleft)


def draw_rows(target: pygame.Surface, text: Text, x: int, y: int, rows: Sequence[tuple], width: int,
              font: str = "body") -> int:
    """Label/value rows: label left in DIM, value right-aligned. A row is (label, value) or
    (label, value, value_color). Returns the y below the last row."""
    step = text.line_height(font)
    for row in rows:
        label, value = row[0], row[1]
        color = row[2] if len(row) > 2 else TEXT
        text.draw(target, label, (x, y), DIM, font)
        text.draw(target, value, (x + width, y), color, font, anchor="topright")
        y += step
    return y


def draw_legend(target: pygame.Surface, text: Text, rect: pygame.Rect, lut: np.ndarray | None,
                lo: str, hi: str) -> None:
    """A horizontal colour bar (a 256-entry uint8 LUT (256, 3)) with end labels."""
    if lut is None:
        return
    bar = pygame.surfarray.make_surface(np.repeat(lut[:, None, :], 2, axis=1))
    target.blit(pygame.transform.scale(bar, (rect.w, rect.h)), rect.topleft)
    pygame.draw.rect(target, BORDER, rect, width=1)
    text.draw(target, lo, (rect.left, rect.bottom + 2), DIM, "small")
    text.draw(target, hi, (rect.right, rect.bottom + 2), DIM, "small", anchor="topright")


def draw_help(target: pygame.Surface, text: Text, rows: Sequence[tuple[str, str]],
              modes: Sequence[str]) -> None:
    """The help overlay, centred: every key and mouse control, then the colour modes."""
    step = text.line_height()
    key_w = max(text.width(k) for k, _ in rows) + 24
    desc_w = max(text.width(d) for _, d in rows)
    extra = ["colour modes: " + "  ".join(f"{i + 1} {m}" for i, m in enumerate(modes))]
    w = max(key_w + desc_w, text.width(extra[0])) + 40
    h = step * (len(rows) + len(extra) + 3) + 20
    screen_rect = target.get_rect()
    rect = pygame.Rect(0, 0, min(w, screen_rect.w - 20), min(h, screen_rect.h - 20))
    rect.center = screen_rect.center
    card(target, rect, (16, 18, 26, 240))
    x, y = rect.left + 20, rect.top + 14
    text.draw(target, "Keys", (x, y), ACCENT, "title")
    y += step + 8
    for keys, desc in rows:
        text.draw(target, keys, (x, y), ACCENT)
        text.draw(target, desc, (x + key_w, y), TEXT)
        y += step
    y += step // 2
    for line in extra:
        text.draw(target, line, (x, y), DIM)
        y += step
    text.draw(target, "h / F1 / Esc to close", (rect.right - 20, rect.bottom - 10), DIM, "small",
              anchor="bottomright")


def draw_toast(target: pygame.Surface, text: Text, message: str, view: pygame.Rect,
               color=TEXT) -> None:
    """A one-line message at the bottom of the world view."""
    surf = text.render(message, color)
    rect = surf.get_rect(midbottom=(view.centerx, view.bottom - 14)).inflate(20, 10)
    card(target, rect)
    target.blit(surf, surf.get_rect(center=rect.center))
