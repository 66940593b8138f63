"""A tiny bitmap font for pictures made without a display (video frames): numpy only, no pygame.

Glyphs are 3 x 5 pixels, capitals, digits and common punctuation; lower-case letters are drawn
as capitals and any other character as ``?``. Every glyph is drawn ``scale`` times enlarged
with one (enlarged) pixel between glyphs, so a line is ``4 * scale * len(text) - scale`` pixels
wide and ``5 * scale`` high. Drawing is a boolean mask per glyph and one assignment: exact
colours, no anti-aliasing (what a GIF's palette wants).
"""

from __future__ import annotations

import numpy as np

GLYPH_W, GLYPH_H = 3, 5
ADVANCE = GLYPH_W + 1  # pixels from one glyph's left edge to the next, at scale 1

_ROWS = {  # five rows of three pixels each: "#" ink, "." background
    "A": ".#. #.# ### #.# #.#", "B": "##. #.# ##. #.# ##.", "C": ".## #.. #.. #.. .##",
    "D": "##. #.# #.# #.# ##.", "E": "### #.. ##. #.. ###", "F": "### #.. ##. #.. #..",
    "G": ".## #.. #.# #.# .##", "H": "#.# #.# ### #.# #.#", "I": "### .#. .#. .#. ###",
    "J": "..# ..# ..# #.# .#.", "K": "#.# #.# ##. #.# #.#", "L": "#.. #.. #.. #.. ###",
    "M": "#.# ### #.# #.# #.#", "N": "##. #.# #.# #.# #.#", "O": ".#. #.# #.# #.# .#.",
    "P": "##. #.# ##. #.. #..", "Q": ".#. #.# #.# ##. .##", "R": "##. #.# ##. #.# #.#",
    "S": ".## #.. .#. ..# ##.", "T": "### .#. .#. .#. .#.", "U": "#.# #.# #.# #.# ###",
    "V": "#.# #.# #.# #.# .#.", "W": "#.# #.# #.# ### #.#", "X": "#.# #.# .#. #.# #.#",
    "Y": "#.# #.# .#. .#. .#.", "Z": "### ..# .#. #.. ###",
    "0": "### #.# #.# #.# ###", "1": ".#. ##. .#. .#. ###", "2": "##. ..# .#. #.. ###",
    "3": "##. ..# .#. ..# ##.", "4": "#.# #.# ### ..# ..#", "5": "### #.. ##. ..# ##.",
    "6": ".## #.. ### #.# ###", "7": "### ..# .#. .#. .#.", "8": "### #.# ### #.# ###",
    "9": "### #.# ### ..# ##.",
    " ": "... ... ... ... ...", ":": "... .#. ... .#. ...", ";": "... .#. ... .#. #..",
    ".": "... ... ... ... .#.", ",": "... ... ... .#. #..", "-": "... ... ### ... ...",
    "+": "... .#. ### .#. ...", "=": "... ### ... ### ...", ">": "#.. .#. ..# .#. #..",
    "<": "..# .#. #.. .#. ..#", "(": ".#. #.. #.. #.. .#.", ")": ".#. ..# ..# ..# .#.",
    "/": "..# ..# .#. #.. #..", "%": "#.# ..# .#. #.. #.#", "'": ".#. .#. ... ... ...",
    "_": "... ... ... ... ###", "!": ".#. .#. .#. ... .#.", "?": "##. ..# .#. ... .#.",
    "*": "... #.# .#. #.# ...", "#": "#.# ### #.# ### #.#",
}
GLYPHS: dict[str, np.ndarray] = {
    ch: np.array([[c == "#" for c in row] for row in rows.split()], bool)
    for ch, rows in _ROWS.items()}


def text_width(text: str, scale: int = 1) -> int:
    """Pixels that ``text`` takes across at ``scale`` (no spacing after the last glyph)."""
    return max(0, ADVANCE * len(text) - 1) * scale


def text_mask(text: str, scale: int = 1) -> np.ndarray:
    """bool (5 * scale, text_width(text, scale)): where ``text`` has ink."""
    if not text:
        return np.zeros((GLYPH_H * scale, 0), bool)
    mask = np.zeros((GLYPH_H, ADVANCE * len(text)), bool)
    for i, ch in enumerate(text.upper()):
        mask[:, ADVANCE * i: ADVANCE * i + GLYPH_W] = GLYPHS.get(ch, GLYPHS["?"])
    mask = mask[:, :-1]
    if scale > 1:
        mask = np.repeat(np.repeat(mask, scale, axis=0), scale, axis=1)
    return mask


def draw_text(image: np.ndarray, text: str, x: int, y: int, color, scale: int = 1) -> int:
    """Draw ``text`` into uint8 (H, W, 3) ``image`` with its top-left corner at (x, y), in place,
    clipped to the image. Returns the x just right of the text."""
    mask = text_mask(text, scale)
    h, w = image.shape[:2]
    x0, y0 = max(x, 0), max(y, 0)
    x1, y1 = min(x + mask.shape[1], w), min(y + mask.shape[0], h)
    if x1 > x0 and y1 > y0:
        image[y0:y1, x0:x1][mask[y0 - y: y1 - y, x0 - x: x1 - x]] = color
    return x + mask.shape[1]
