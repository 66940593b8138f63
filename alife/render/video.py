"""Video files from RGB frames: .gif (pillow) or .mp4/.mkv/.webm/... (imageio + imageio-ffmpeg).

Both come with the ``video`` extra: ``pip install "alife-sim[video]"`` (imageio depends on pillow).
Without them, :class:`VideoUnavailable` says what to install before any simulation runs.

:class:`VideoRecorder` writes frames you give it; :class:`SimVideo` records a simulation every
``stride`` ticks with the shared :class:`~alife.render.frame.FrameRenderer` (used by the viewer's
recording and by ``alife run --video``), with a band above the world that shows the tick and what
the colours mean. No pygame here.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import numpy as np

from alife.render.colors import MODES
from alife.render.frame import FrameRenderer
from alife.render.text import GLYPH_H, draw_text, text_width

INSTALL_HINT = 'pip install "alife-sim[video]"'
TARGET_SIZE = 512  # frames are enlarged (whole cells, nearest) until the longer side reaches this
# A GIF pays for every enlarged pixel (its LZW cannot reuse the repeated rows of an enlarged
# cell: the file grows in proportion to the enlargement), so GIFs aim at half the size of mp4s.
GIF_TARGET_SIZE = 256
# What ``alife run --video x.gif`` lets a cell's colour drift before it is stored again: at most
# this much per channel (of 255), invisible, but the food shading's slow creep is no longer
# re-stored every frame (a third smaller again). mp4 (H.264, 4:2:0) loses far more.
SIM_GIF_TOLERANCE = 2


class VideoUnavailable(RuntimeError):
    """The libraries needed for this video format are not installed."""


FFMPEG_SUFFIXES = (".mp4", ".m4v", ".mkv", ".mov", ".avi", ".webm")


def video_kind(path: str | Path) -> str:
    """"gif" or "ffmpeg" (mp4, mkv, mov, avi, webm)."""
    return "gif" if Path(path).suffix.lower() == ".gif" else "ffmpeg"


def check_video_support(path: str | Path) -> None:
    """Raise :class:`VideoUnavailable` (with the install command) if ``path`` cannot be written."""
    suffix = Path(path).suffix.lower()
    if suffix != ".gif" and suffix not in FFMPEG_SUFFIXES:
        raise VideoUnavailable(f"{path}: a video file needs the extension .mp4 or .gif "
                               f"(or {', '.join(FFMPEG_SUFFIXES[1:])})")
    if video_kind(path) == "gif":
        if importlib.util.find_spec("PIL") is None:
            raise VideoUnavailable(f"writing {suffix} needs pillow: {INSTALL_HINT}")
    elif (importlib.util.find_spec("imageio") is None
          or importlib.util.find_spec("imageio_ffmpeg") is None):
        raise VideoUnavailable(f"writing {suffix} needs imageio and imageio-ffmpeg: {INSTALL_HINT} "
                               "(or write a .gif, which needs only pillow)")


def upscale(rgb: np.ndarray, scale: int, even: bool = False) -> np.ndarray:
    """Each pixel as a ``scale`` x ``scale`` block: uint8 (H*s, W*s, 3). ``even`` pads the last
    row/column so both sides are even (what H.264's 4:2:0 video needs)."""
    if scale > 1:
        rgb = np.repeat(np.repeat(rgb, scale, axis=0), scale, axis=1)
    if even and (rgb.shape[0] % 2 or rgb.shape[1] % 2):
        rgb = np.pad(rgb, ((0, rgb.shape[0] % 2), (0, rgb.shape[1] % 2), (0, 0)), mode="edge")
    return np.ascontiguousarray(rgb)


def auto_scale(height: int, width: int, target: int = TARGET_SIZE) -> int:
    """Whole-number enlargement that brings the longer side close to ``target`` (at least 1)."""
    return max(1, target // max(height, width, 1))


class VideoRecorder:
    """Appends uint8 (H, W, 3) frames to a video file; use as a context manager or call close().

    Args:
        path: .gif or a format ffmpeg writes (.mp4 recommended).
        fps: playback frames per second.
        scale: enlargement per cell (nearest); None = :func:`auto_scale` from the first frame
            (towards :data:`GIF_TARGET_SIZE` pixels for a GIF, :data:`TARGET_SIZE` otherwise).
        tolerance: GIF only: a cell is stored again only when one of its channels differs by
            more than this from what the GIF shows there (0, the default: every change, exact
            colours; the shown colour never strays further than this from the given one).

    GIF frames are palettised as they arrive and store only the cells that changed since the
    frame before (the others are transparent, drawn over the last frame): exact colours when
    the changed cells have at most 255, else the whole frame with a fast octree palette. They
    stay in memory (a byte per pixel) until close(); prefer .mp4 for long recordings. mp4
    frames stream to ffmpeg as they come.
    """

    def __init__(self, path: str | Path, fps: float = 30.0, scale: int | None = None,
                 tolerance: int = 0):
        check_video_support(path)
        if not 0 <= tolerance <= 255:
            raise ValueError(f"GIF colour tolerance must be 0..255, got {tolerance}")
        self.tolerance = int(tolerance)
        self.path = Path(path)
        self.fps = float(fps)
        self.scale = scale
        self.frames = 0
        self._kind = video_kind(self.path)
        self._gif: _GifFrames | None = None
        self._writer: Any = None
        self._size: tuple[int, int] | None = None
        self._band: tuple[int, int] | None = None

    def frame_scale(self, height: int, width: int) -> int:
        """The enlargement of frames of this size: ``scale``, or (fixed on first use) the
        automatic one for this format."""
        if self.scale is None:
            self.scale = auto_scale(height, width,
                                    GIF_TARGET_SIZE if self._kind == "gif" else TARGET_SIZE)
        return self.scale

    def add(self, rgb: np.ndarray, band: np.ndarray | None = None) -> None:
        """Append one frame: uint8 (H, W, 3); every frame must have the first frame's size.

        ``band``: uint8 (h, W * scale, 3), a picture already at the enlarged size (e.g. a text
        line) put above the enlarged frame; give one with every frame or with none.
        """
        if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
            raise ValueError(f"expected uint8 (H, W, 3), got {rgb.dtype} {rgb.shape}")
        if self._size is None:  # first frame: only now touch the file system
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._size = rgb.shape[:2]
            self.frame_scale(*self._size)
            self._band = None if band is None else band.shape[:2]
        elif rgb.shape[:2] != self._size:
            raise ValueError(f"frame size changed from {self._size} to {rgb.shape[:2]}")
        band_shape = None if band is None else band.shape[:2]
        if band_shape != self._band:
            raise ValueError(f"band size changed from {self._band} to {band_shape}")
        if band is not None and (band.ndim != 3 or band.shape[1:] != (rgb.shape[1] * self.scale, 3)
                                 or band.dtype != np.uint8):
            raise ValueError(f"expected a uint8 band (h, {rgb.shape[1] * self.scale}, 3), "
                             f"got {band.dtype} {band.shape}")
        if self._kind == "gif":
            if self._gif is None:
                self._gif = _GifFrames(self.scale, self.tolerance)
            self._gif.add(rgb, band)
        else:
            big = upscale(rgb, self.scale)
            if band is not None:
                big = np.concatenate([band, big])
            big = upscale(big, 1, even=True)
            if self._writer is None:
                import imageio.v2 as imageio

                self._writer = imageio.get_writer(
                    self.path, format="FFMPEG", mode="I", fps=self.fps, codec="libx264",
                    pixelformat="yuv420p", quality=8, macro_block_size=1, ffmpeg_log_level="error")
            self._writer.append_data(big)
        self.frames += 1

    def close(self) -> None:
        """Finish the file (GIF: write it now). Safe to call twice; no file without frames."""
        if self._gif is not None and self._gif.images:
            first, *rest = self._gif.images
            # disposal 1: each frame is drawn over the last one, whose pixels show through the
            # transparent (unchanged) ones; optimize=False: the palettes are already minimal
            first.save(self.path, save_all=True, append_images=rest, loop=0, disposal=1,
                       duration=max(20, round(1000.0 / self.fps)), optimize=False)
            self._gif = None
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def __enter__(self) -> VideoRecorder:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _pack(rgb: np.ndarray) -> np.ndarray:
    """uint32 0xRRGGBB per pixel of uint8 (..., 3)."""
    return ((rgb[..., 0].astype(np.uint32) << 16) | (rgb[..., 1].astype(np.uint32) << 8)
            | rgb[..., 2])


def _unpack(packed: np.ndarray) -> np.ndarray:
    """uint8 (..., 3) from uint32 0xRRGGBB."""
    return np.stack([(packed >> 16) & 255, (packed >> 8) & 255, packed & 255],
                    axis=-1).astype(np.uint8)


class _GifFrames:
    """GIF frames as pillow "P" images that store only what changed since the frame before.

    Keeps what a decoder shows (per cell of the frame, per pixel of the band) and gives every
    cell whose colour differs from it its exact colour, every other one the transparent index,
    which draws nothing (disposal 1 keeps the frame before). Palettising the small frame and
    enlarging the indices is much cheaper than quantising the enlarged frame; the palette holds
    only the colours that changed, and long runs of the transparent index cost LZW almost
    nothing.
    """

    def __init__(self, scale: int, tolerance: int = 0):
        self.scale = scale
        self.tolerance = tolerance
        self.images: list[Any] = []
        self._shown: np.ndarray | None = None       # uint32 (H, W): the frame's cells as shown
        self._shown_band: np.ndarray | None = None  # uint32 (h, W*scale): the band as shown

    def add(self, rgb: np.ndarray, band: np.ndarray | None) -> None:
        from PIL import Image

        cells = _pack(rgb)
        lines = (_pack(band) if band is not None
                 else np.zeros((0, cells.shape[1] * self.scale), np.uint32))
        first = self._shown is None
        if first:
            changed, changed_band = np.ones(cells.shape, bool), np.ones(lines.shape, bool)
        else:
            changed, changed_band = cells != self._shown, lines != self._shown_band
            if self.tolerance:
                shown = _unpack(self._shown).astype(np.int16)
                changed &= np.abs(rgb.astype(np.int16) - shown).max(axis=-1) > self.tolerance
        colours = np.unique(np.concatenate([cells[changed], lines[changed_band]]))
        if colours.size > (256 if first else 255):  # too many for one palette: quantise it all
            self.images.append(self._quantised(rgb, band))
            return
        transparent = colours.size  # an index past the colours: unused in the first frame
        index = np.full(cells.shape, transparent, np.uint8)
        index[changed] = np.searchsorted(colours, cells[changed])
        index_band = np.full(lines.shape, transparent, np.uint8)
        index_band[changed_band] = np.searchsorted(colours, lines[changed_band])
        image = Image.fromarray(np.concatenate([index_band,
                                                upscale(index[..., None], self.scale)[..., 0]]),
                                mode="P")
        palette = _unpack(np.append(colours, np.uint32(0)))
        if len(palette) < 2:
            palette = np.pad(palette, ((0, 1), (0, 0)))
        image.putpalette(palette.ravel().tolist())
        if not first:
            image.info["transparency"] = transparent
        self.images.append(image)
        if first:
            self._shown, self._shown_band = cells, lines
        else:
            self._shown[changed] = cells[changed]
            self._shown_band[changed_band] = lines[changed_band]

    def _quantised(self, rgb: np.ndarray, band: np.ndarray | None):
        """The whole frame, octree palette (flat colours need no dithering); no transparency.
        What it shows (the palette's colours) is what the next frame is compared with."""
        from PIL import Image

        big = upscale(rgb, self.scale)
        if band is not None:
            big = np.concatenate([band, big])
        image = Image.fromarray(big).quantize(256, method=Image.Quantize.FASTOCTREE,
                                              dither=Image.Dither.NONE)
        shown = _pack(np.asarray(image.convert("RGB")))
        height = 0 if band is None else band.shape[0]
        self._shown = np.ascontiguousarray(shown[height::self.scale, ::self.scale])
        self._shown_band = shown[:height]
        return image


LABEL_BACKGROUND = (6, 7, 10)   # the band above the world: darker than the bare ground
LABEL_TICK = (236, 238, 244)     # the tick counter
LABEL_LEGEND = (150, 156, 172)   # what the colours mean


class SimVideo:
    """Records a :class:`~alife.sim.Simulation` every ``stride`` ticks (headless or live).

    Use from a run loop::

        video = SimVideo("out.mp4", sim.config, stride=10)
        video.observe(sim)                                  # frame of tick 0
        while ...:
            sim.step(min(n, video.ticks_until_due(sim.tick)))
            video.observe(sim)                              # records when tick % stride == 0
        video.close()

    ``labels`` (default on): a band above the world with the tick ("TICK 1234") and a one-line
    legend of the colour mode (``ColorMode.legend`` in :mod:`alife.render.colors`, the
    viewer's words); the world's pixels below it are the same with or without it.
    ``tolerance``: see :class:`VideoRecorder` (GIF only); 0 records the renderer's exact colours.
    """

    def __init__(self, path: str | Path, config: Any = None, *, stride: int = 1, fps: float = 30.0,
                 mode: str = "energy", show_food: bool = True, scale: int | None = None,
                 labels: bool = True, tolerance: int = SIM_GIF_TOLERANCE):
        if stride < 1:
            raise ValueError(f"video stride must be >= 1, got {stride}")
        self.stride = int(stride)
        self.labels = bool(labels)
        self.renderer = FrameRenderer(config, mode=mode, show_food=show_food)
        self.recorder = VideoRecorder(path, fps=fps, scale=scale, tolerance=tolerance)
        self._last_tick: int | None = None
        self.labels_for = FrameLabels(self.recorder)

    @property
    def path(self) -> Path:
        return self.recorder.path

    def ticks_until_due(self, tick: int) -> int:
        """Ticks to simulate before the next frame is due (1..stride)."""
        return self.stride - tick % self.stride

    def observe(self, sim) -> bool:
        """Record a frame if ``sim.tick`` is a multiple of the stride (once per tick)."""
        tick = sim.tick
        if tick % self.stride or tick == self._last_tick:
            return False
        self._last_tick = tick
        frame = self.renderer.render(sim.state)
        band = (self.label_band(tick, frame.shape[0], frame.shape[1], sim.state.agents)
                if self.labels else None)
        self.recorder.add(frame, band)
        return True

    def legend(self, agents) -> str:
        """What the colours mean: the legend of the mode the renderer draws for these agents."""
        mode = MODES[self.renderer.mode]
        return (mode if mode.available(agents) else MODES["energy"]).legend

    def label_band(self, tick: int, height: int, width: int, agents=None) -> np.ndarray:
        """uint8 (h, width * scale, 3): "TICK <tick>" on the left, the legend on the right
        (see :class:`FrameLabels`)."""
        return self.labels_for.band(tick, height, width,
                                    self.legend(agents) if agents is not None else "")

    def close(self) -> None:
        self.recorder.close()

    def __enter__(self) -> SimVideo:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


TICK_ROOM = "TICK 000000 "  # the room kept for the tick counter, left of the legend


class FrameLabels:
    """The band a :class:`VideoRecorder`'s frames get above the world: the tick on the left,
    what the colours mean on the right (used by :class:`SimVideo` and the viewer's recording).

    Sizes are fixed by the first frame (a video's frames keep one size): the tick is drawn 2 or
    3 times enlarged on wide frames, the legend as large as fits beside room for a six-digit
    tick (else cut short with ".."). A new legend (the viewer's colour mode changed) is drawn
    at the same size.
    """

    def __init__(self, recorder: VideoRecorder):
        self.recorder = recorder
        self._legend: str | None = None
        self._band: np.ndarray | None = None  # the band with its legend, the tick not yet drawn
        self._width = 0

    def band(self, tick: int, height: int, width: int, legend: str) -> np.ndarray:
        """uint8 (h, width * scale, 3) for a frame of ``height`` x ``width`` cells."""
        if self._band is None:
            self._width = width * self.recorder.frame_scale(height, width)
        if legend != self._legend:
            self._band, self._legend = _make_band(self._width, legend), legend
        band = self._band.copy()
        big = _tick_scale(self._width)
        draw_text(band, f"TICK {tick}", big, (band.shape[0] - GLYPH_H * big) // 2, LABEL_TICK, big)
        return band


def _tick_scale(width: int) -> int:
    """How much the tick counter is enlarged on a band ``width`` pixels wide (1..3)."""
    return max(1, min(3, width // 200))


def _make_band(width: int, legend: str) -> np.ndarray:
    """The label band without its tick: background and the right-aligned legend."""
    big = _tick_scale(width)
    height = (GLYPH_H + 2) * big
    band = np.empty((height, width, 3), np.uint8)
    band[...] = LABEL_BACKGROUND
    room = width - text_width(TICK_ROOM, big) - 2 * big
    scale = next((s for s in range(big, 0, -1) if text_width(legend, s) <= room), 1)
    cut = legend
    while legend and text_width(legend, scale) > room:  # too long even at scale 1: cut it short
        cut = cut[:-1].rstrip()
        legend = cut + ".." if cut else ""
    if legend:
        draw_text(band, legend, width - big - text_width(legend, scale),
                  (height - GLYPH_H * scale) // 2, LABEL_LEGEND, scale)
    return band


class NoVideo:
    """Stands in for :class:`SimVideo` when no video is asked for: records nothing."""

    path = None

    def ticks_until_due(self, tick: int) -> int:
        return 1 << 62

    def observe(self, sim) -> bool:
        return False

    def close(self) -> None:
        pass


def open_video(path: str | Path | None, config: Any = None, *, stride: int = 1,
               **options) -> SimVideo | NoVideo:
    """A :class:`SimVideo` for ``path``, or a :class:`NoVideo` when ``path`` is None/empty.

    Raises :class:`VideoUnavailable` (missing libraries, bad extension) or ValueError (stride,
    a file already there) before anything is written, so a run can call it first and fail
    cleanly.
    """
    if not path:
        return NoVideo()
    refuse_existing(path)
    return SimVideo(path, config, stride=stride, **options)


def refuse_existing(path: str | Path, option: str = "--video") -> None:
    """ValueError (naming ``option``) if ``path`` exists: a recording never overwrites an
    earlier file."""
    if Path(path).exists():
        raise ValueError(f"{option} {path}: already exists; choose a new name (an earlier video "
                         "is never overwritten) or delete it first")


def add_video_args(parser) -> None:
    """``--video PATH`` and ``--video-stride K`` for ``alife run`` (an argparse parser)."""
    parser.add_argument("--video", metavar="PATH",
                        help="also record the world to a video (.mp4 or .gif; "
                             f"needs {INSTALL_HINT})")
    parser.add_argument("--video-stride", type=_positive_int, default=1, metavar="K",
                        help="record one frame every K ticks (default 1)")


def _positive_int(text: str) -> int:
    import argparse

    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return value
