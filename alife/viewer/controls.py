"""Key bindings: one table drives both the key handling and the help overlay.

Each binding names an action (a method of :class:`alife.viewer.app.App`) and when it applies;
the first binding that matches a key press wins, so "→ steps while paused, pans otherwise"
is two rows in order. Mouse controls are handled by the app and listed in ``MOUSE_HELP``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pygame

ALWAYS, PAUSED = "always", "paused"


@dataclass(frozen=True)
class Binding:
    keys: tuple[int, ...]  # pygame key codes
    action: str            # App method to call (no arguments)
    label: str             # the keys as written in the help overlay
    help: str
    when: str = ALWAYS     # PAUSED: only while paused and without Shift
    arg: int | None = None  # passed to the action when set


BINDINGS: tuple[Binding, ...] = (
    Binding((pygame.K_SPACE,), "toggle_pause", "space", "pause / resume"),
    Binding((pygame.K_PERIOD, pygame.K_KP_PERIOD), "step_once", ".", "one tick (while paused)"),
    Binding((pygame.K_RIGHT,), "step_once", "→", "one tick while paused (Shift+→ pans)", PAUSED),
    Binding((pygame.K_PLUS, pygame.K_EQUALS, pygame.K_KP_PLUS), "faster", "+",
            "faster: more ticks per frame"),
    Binding((pygame.K_MINUS, pygame.K_KP_MINUS), "slower", "-", "slower: fewer ticks per frame"),
    Binding((pygame.K_c,), "next_mode", "c", "next agent colour mode"),
    *(Binding((key,), "pick_mode", "1-9" if i == 0 else "", "colour mode by number (see the HUD)",
              arg=i)
      for i, key in enumerate((pygame.K_1, pygame.K_2, pygame.K_3, pygame.K_4, pygame.K_5,
                               pygame.K_6, pygame.K_7, pygame.K_8, pygame.K_9))),
    Binding((pygame.K_f,), "toggle_food", "f", "food shading on / off"),
    Binding((pygame.K_LEFT,), "pan_left", "← → ↑ ↓", "pan"),
    Binding((pygame.K_RIGHT,), "pan_right", "", ""),
    Binding((pygame.K_UP,), "pan_up", "", ""),
    Binding((pygame.K_DOWN,), "pan_down", "", ""),
    Binding((pygame.K_PAGEUP, pygame.K_z), "zoom_in", "z / PgUp", "zoom in"),
    Binding((pygame.K_PAGEDOWN, pygame.K_x), "zoom_out", "x / PgDn", "zoom out"),
    Binding((pygame.K_0, pygame.K_HOME), "fit_view", "0 / Home", "fit the world in the window"),
    Binding((pygame.K_g,), "go_to_selected", "g", "centre the view on the inspected agent"),
    Binding((pygame.K_l,), "toggle_follow", "l",
            "follow the inspected agent: the view stays on it"),
    Binding((pygame.K_i,), "toggle_inspector_detail", "i",
            "inspector: every field and gene / the grouped few"),
    Binding((pygame.K_s,), "screenshot", "s", "screenshot to PNG"),
    Binding((pygame.K_r,), "toggle_record", "r", "start / stop recording a video"),
    Binding((pygame.K_h, pygame.K_F1), "toggle_help", "h / F1", "this help"),
    Binding((pygame.K_ESCAPE,), "dismiss", "Esc", "close help, then the inspector"),
    Binding((pygame.K_q,), "quit", "q", "quit (or close the window)"),
)

MOUSE_HELP: tuple[tuple[str, str], ...] = (
    ("wheel", "zoom at the pointer"),
    ("drag", "pan"),
    ("click", "inspect the agent in that cell (follows it)"),
    ("right click", "close the inspector"),
)


def binding_for(event: pygame.event.Event, paused: bool) -> Binding | None:
    """The binding a KEYDOWN event triggers now, or None."""
    shift = bool(getattr(event, "mod", 0) & pygame.KMOD_SHIFT)
    for binding in BINDINGS:
        if event.key in binding.keys and (binding.when == ALWAYS or (paused and not shift)):
            return binding
    return None


def help_rows() -> list[tuple[str, str]]:
    """(keys, what they do) for the help overlay: every key binding, then the mouse."""
    return [(b.label, b.help) for b in BINDINGS if b.label] + list(MOUSE_HELP)
