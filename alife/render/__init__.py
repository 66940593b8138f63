"""Rendering without a display: state -> RGB frames (frame.py), colours (colors.py), lineage
keys (lineage.py), video files (video.py). Never imports pygame: headless runs and tests use it.
"""

from alife.render.colors import MODES, available_modes
from alife.render.frame import FrameRenderer, render_frame

__all__ = ["MODES", "FrameRenderer", "available_modes", "render_frame"]
