"""Video files from RGB frames: .gif (pillow) or .mp4/.mkv/.webm/... (imageio + imageio-ffmpeg).

Both come with the ``video`` extra: ``pip install "alife-sim[video]"`` (imageio depends on pillow).
Without them, :class:`VideoUnavailable` says what to install before any simulation runs.

:class:`VideoRecorder` writes frames you give it; :class:`SimVideo` records a simulation every
``stride`` ticks with the shared :class:`~alife.render.frame.FrameRenderer` (used by the viewer's
recording and by ``alife run --video``). No pygame here.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import numpy as np

from alife.render.frame import FrameRenderer

INSTALL_HINT = 'pip install "alife-sim[video]"'
TARGET_SIZE = 512  # frames are enlarged (whole cells, nearest) until the longer side reaches this


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
    elif importlib.util.find_spec("imageio") is None or importlib.util.find_spec("imageio_ffmpeg") is None:
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
        scale: enlargement per cell (nearest); None = :func:`auto_scale` from the first frame.

    GIF frames are palettised as they arrive (one byte per pixel; exact colours when a frame
    has at most 256) but stay in memory until close(); prefer .mp4 for long recordings. mp4
    frames stream to ffmpeg as they come.
    """

    def __init__(self, path: str | Path, fps: float = 30.0, scale: int | None = None):
        check_video_support(path)
        self.path = Path(path)
        self.fps = float(fps)
        self.scale = scale
        self.frames = 0
        self._kind = video_kind(self.path)
        self._gif_frames: list[Any] = []
        self._writer: Any = None
        self._size: tuple[int, int] | None = None

    def add(self, rgb: np.ndarray) -> None:
        """Append one frame: uint8 (H, W, 3). Every frame must have the first frame's size."""
        if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
            raise ValueError(f"expected uint8 (H, W, 3), got {rgb.dtype} {rgb.shape}")
        if self._size is None:  # first frame: only now touch the file system
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._size = rgb.shape[:2]
            if self.scale is None:
                self.scale = auto_scale(*self._size)
        elif rgb.shape[:2] != self._size:
            raise ValueError(f"frame size changed from {self._size} to {rgb.shape[:2]}")
        if self._kind == "gif":
            self._gif_frames.append(_palette_image(rgb, self.scale))
        else:
            big = upscale(rgb, self.scale, even=True)
            if self._writer is None:
                import imageio.v2 as imageio

                self._writer = imageio.get_writer(
                    self.path, format="FFMPEG", mode="I", fps=self.fps, codec="libx264",
                    pixelformat="yuv420p", quality=8, macro_block_size=1, ffmpeg_log_level="error")
            self._writer.append_data(big)
        self.frames += 1

    def close(self) -> None:
        """Finish the file (GIF: write it now). Safe to call twice; no file without frames."""
        if self._kind == "gif" and self._gif_frames:
            first, *rest = self._gif_frames
            first.save(self.path, save_all=True, append_images=rest, loop=0,
                       duration=max(20, round(1000.0 / self.fps)), optimize=False)
            self._gif_frames = []
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def __enter__(self) -> VideoRecorder:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _palette_image(rgb: np.ndarray, scale: int):
    """A pillow "P" image of ``rgb`` enlarged ``scale`` times: exact when the frame has at most
    256 colours, else a fast octree palette. Palettising the small frame and enlarging the
    indices is much cheaper than quantising the enlarged frame, and uses a byte per pixel."""
    from PIL import Image

    packed = (rgb[..., 0].astype(np.uint32) << 16) | (rgb[..., 1].astype(np.uint32) << 8) | rgb[..., 2]
    colours, index = np.unique(packed.ravel(), return_inverse=True)
    if colours.size <= 256:
        palette = np.stack([(colours >> 16) & 255, (colours >> 8) & 255, colours & 255], axis=1)
        index = index.reshape(rgb.shape[:2]).astype(np.uint8)
    else:  # flat colours need no dithering
        small = Image.fromarray(np.ascontiguousarray(rgb)).quantize(
            256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
        palette = np.asarray(small.getpalette()[: 3 * 256], np.uint32).reshape(-1, 3)
        index = np.asarray(small, np.uint8)
    image = Image.fromarray(upscale(index[..., None], scale)[..., 0], mode="P")
    image.putpalette(palette.astype(np.uint8).ravel().tolist())
    return image


class SimVideo:
    """Records a :class:`~alife.sim.Simulation` every ``stride`` ticks (headless or live).

    Use from a run loop::

        video = SimVideo("out.mp4", sim.config, stride=10)
        video.observe(sim)                                  # frame of tick 0
        while ...:
            sim.step(min(n, video.ticks_until_due(sim.tick)))
            video.observe(sim)                              # records when tick % stride == 0
        video.close()
    """

    def __init__(self, path: str | Path, config: Any = None, *, stride: int = 1, fps: float = 30.0,
                 mode: str = "energy", show_food: bool = True, scale: int | None = None):
        if stride < 1:
            raise ValueError(f"video stride must be >= 1, got {stride}")
        self.stride = int(stride)
        self.renderer = FrameRenderer(config, mode=mode, show_food=show_food)
        self.recorder = VideoRecorder(path, fps=fps, scale=scale)
        self._last_tick: int | None = None

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
        self.recorder.add(self.renderer.render(sim.state))
        return True

    def close(self) -> None:
        self.recorder.close()

    def __enter__(self) -> SimVideo:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class NoVideo:
    """Stands in for :class:`SimVideo` when no video is asked for: records nothing."""

    path = None

    def ticks_until_due(self, tick: int) -> int:
        return 1 << 62

    def observe(self, sim) -> bool:
        return False

    def close(self) -> None:
        pass


def open_video(path: str | Path | None, config: Any = None, *, stride: int = 1, **options) -> SimVideo | NoVideo:
    """A :class:`SimVideo` for ``path``, or a :class:`NoVideo` when ``path`` is None/empty.

    Raises :class:`VideoUnavailable` (missing libraries, bad extension) or ValueError (stride)
    before anything is written, so a run can call it first and fail cleanly.
    """
    if not path:
        return NoVideo()
    return SimVideo(path, config, stride=stride, **options)


def add_video_args(parser) -> None:
    """``--video PATH`` and ``--video-stride K`` for ``alife run`` (an argparse parser)."""
    parser.add_argument("--video", metavar="PATH",
                        help=f"also record the world to a video (.mp4 or .gif; needs {INSTALL_HINT})")
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
