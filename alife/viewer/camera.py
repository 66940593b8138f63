"""Camera: which part of the world is shown where, and how large (pure arithmetic, no pygame).

World coordinates are cells (x right, y down). ``zoom`` is screen pixels per cell;
``(left, top)`` is the world point at the view's top-left corner. The view is a rectangle of
the window (x, y, w, h) in pixels.
"""

from __future__ import annotations

import math

MIN_ZOOM = 0.25
MAX_ZOOM = 64.0


class Camera:
    def __init__(self, world_w: int, world_h: int, view: tuple[int, int, int, int]):
        self.world_w, self.world_h = world_w, world_h
        self.view = view
        self.zoom = 1.0
        self.left = 0.0
        self.top = 0.0
        self.fit()

    def fit(self) -> None:
        """Zoom so the whole world fits the view, centred."""
        _, _, w, h = self.view
        self.zoom = max(MIN_ZOOM, min(w / self.world_w, h / self.world_h))
        self.center_on(self.world_w / 2, self.world_h / 2)

    def set_view(self, view: tuple[int, int, int, int]) -> None:
        """The view rectangle changed (window resized): keep the same world point centred."""
        cx, cy = self.center()
        self.view = view
        self.center_on(cx, cy)

    def center(self) -> tuple[float, float]:
        _, _, w, h = self.view
        return self.left + w / (2 * self.zoom), self.top + h / (2 * self.zoom)

    def center_on(self, cx: float, cy: float) -> None:
        _, _, w, h = self.view
        self.left = cx - w / (2 * self.zoom)
        self.top = cy - h / (2 * self.zoom)
        self._clamp()

    def _clamp(self) -> None:
        """Keep at least part of the world on screen (no panning off into the void)."""
        _, _, w, h = self.view
        vw, vh = w / self.zoom, h / self.zoom
        margin_x, margin_y = min(vw, self.world_w) / 2, min(vh, self.world_h) / 2
        self.left = min(max(self.left, -vw + margin_x), self.world_w - margin_x)
        self.top = min(max(self.top, -vh + margin_y), self.world_h - margin_y)

    def zoom_at(self, factor: float, px: float, py: float) -> None:
        """Multiply the zoom by ``factor`` keeping the world point under pixel (px, py) fixed."""
        wx, wy = self.screen_to_world(px, py)
        self.zoom = min(MAX_ZOOM, max(MIN_ZOOM, self.zoom * factor))
        vx, vy, _, _ = self.view
        self.left = wx - (px - vx) / self.zoom
        self.top = wy - (py - vy) / self.zoom
        self._clamp()

    def pan_pixels(self, dx: float, dy: float) -> None:
        """Move the picture by (dx, dy) screen pixels (a drag to the right shows more of the
        left)."""
        self.left -= dx / self.zoom
        self.top -= dy / self.zoom
        self._clamp()

    def screen_to_world(self, px: float, py: float) -> tuple[float, float]:
        vx, vy, _, _ = self.view
        return self.left + (px - vx) / self.zoom, self.top + (py - vy) / self.zoom

    def screen_to_cell(self, px: float, py: float) -> tuple[int, int] | None:
        """The cell (x, y) under pixel (px, py), or None outside the view or the world."""
        vx, vy, w, h = self.view
        if not (vx <= px < vx + w and vy <= py < vy + h):
            return None
        wx, wy = self.screen_to_world(px, py)
        cx, cy = math.floor(wx), math.floor(wy)
        if 0 <= cx < self.world_w and 0 <= cy < self.world_h:
            return cx, cy
        return None

    def world_to_screen(self, wx: float, wy: float) -> tuple[int, int]:
        """Pixel of world point (wx, wy); cell (x, y) covers [world_to_screen(x, y),
        world_to_screen(x + 1, y + 1))."""
        vx, vy, _, _ = self.view
        return vx + round((wx - self.left) * self.zoom), vy + round((wy - self.top) * self.zoom)

    def cell_center(self, cx: int, cy: int) -> tuple[int, int]:
        """Pixel at the middle of cell (cx, cy)."""
        vx, vy, _, _ = self.view
        return (vx + math.floor((cx + 0.5 - self.left) * self.zoom),
                vy + math.floor((cy + 0.5 - self.top) * self.zoom))

    def visible_cells(self) -> tuple[int, int, int, int] | None:
        """(x0, y0, x1, y1): the cells at least partly in view, clipped to the world; None if
        none."""
        _, _, w, h = self.view
        x0 = max(0, math.floor(self.left))
        y0 = max(0, math.floor(self.top))
        x1 = min(self.world_w, math.ceil(self.left + w / self.zoom))
        y1 = min(self.world_h, math.ceil(self.top + h / self.zoom))
        if x0 >= x1 or y0 >= y1:
            return None
        return x0, y0, x1, y1
