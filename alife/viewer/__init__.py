"""The live pygame viewer (``alife view``).

app.py (App: events, stepping, drawing), stepper.py (ticks on a worker thread while a frame
draws), camera.py (zoom/pan arithmetic), controls.py (key table), hud.py (text, panels,
overlays), plots.py (live line plots), inspector.py (the selected agent), history.py (plot
data, rate meters), cli.py (the subcommand). The world picture itself
comes from :mod:`alife.render.frame`, which is headless.

Importing this package does not import pygame (``alife.viewer.cli`` is loaded by ``alife``'s
command line); ``alife.viewer.app`` and the drawing modules do.
"""

import os

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")  # no banner on stdout when pygame loads
