"""The live viewer: a pygame window that steps a Simulation and draws it.

The app only reads the simulation's state (and calls ``sim.step`` / ``sim.take_stats``, like
the headless runner); rules stay in the kernels. One frame::

    collect                       ticks that ended since the last frame: stats, plots, inspector
    events -> handle_event()      keys, mouse, window (tests call handle_event directly)
    prepare                       (no step in flight) the world picture and a snapshot of what
                                  the frame shows; then the next ticks start on the stepper
    draw(), show                  world view + side panel (HUD, plots) + overlays, then flip,
                                  while those ticks compute (alife.viewer.stepper)
    collect                       if they ended within the frame's time

The ticks run on a worker thread (the kernel releases the GIL), so a frame costs about the
slower of drawing and stepping, not their sum. While they run the simulation is the stepper's:
drawing reads only the snapshot (:class:`WorldView`), and the few actions that need the world
itself (a click picks an agent) wait for the ticks first (:meth:`App.settle`). A tick slower
than a frame does not hold the window: frames go on showing the last picture until it ends.

``App.run(max_frames=N)`` runs N frames (or until the window closes), so tests and scripts
never enter an endless loop. The world picture comes from the headless
:class:`~alife.render.frame.FrameRenderer` (one uint8 (H, W, 3) array per frame, vectorised);
pygame only wraps it in a surface and scales the visible part.
"""

from __future__ import annotations

import math
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pygame

from alife.render.colors import AGE_LUT, ENERGY_LUT, GENERATION_LUT, MODES, SURPRISE_LUT
from alife.render.frame import FrameRenderer, Headings, heading_marks, with_headings
from alife.render.video import FrameLabels, VideoRecorder, VideoUnavailable, check_video_support
from alife.viewer import hud
from alife.viewer.camera import Camera
from alife.viewer.controls import binding_for, help_rows
from alife.viewer.history import History, RateMeter
from alife.viewer.inspector import Inspector
from alife.viewer.plots import Line, Plot, draw_plots
from alife.viewer.stepper import Stepper

SPEEDS = (0.125, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000)
"""Ticks per frame, slowest to fastest; below 1 a tick happens every 1/speed frames."""
# most time one frame spends stepping: the window stays responsive at any speed
STEP_BUDGET_S = 0.05
PAN_STEP_PX = 60
ZOOM_STEP = 1.25
DRAG_THRESHOLD_PX = 4
INSPECTOR_W = 360
PANEL_HZ = 20         # text and plots refresh rate; the world view redraws every frame
HEADING_ZOOM = 8  # pixels per cell from which agents show their heading
# a click picks the nearest agent within this many pixels (at least its own cell)
PICK_RADIUS_PX = 10

PLOTS = (
    Plot("population", (Line("population", (120, 200, 255), "pop"),)),
    Plot("mean energy", (Line("mean_energy", (246, 206, 64), "energy"),), "{:,.1f}"),
    Plot("per tick", (Line("births", (130, 220, 140), "births"),
                      Line("deaths", (255, 120, 100), "deaths")),
         "{:,.1f}"),
    Plot("mean surprise", (Line("mean_surprise", (206, 120, 250), "surprise"),), "{:,.3f}"),
)
LEGENDS = {"energy": ENERGY_LUT, "age": AGE_LUT, "generation": GENERATION_LUT,
           "surprise": SURPRISE_LUT}


class NoDisplayError(RuntimeError):
    """pygame could not open a window."""


@dataclass(frozen=True)
class WorldView:
    """What a frame shows of the world, taken while no step is in flight (the picture itself
    is the renderer's buffer, rendered at the same moment).

    tick, n_alive: the world's; legend: the colour bar's end labels by colour mode;
    selected: the inspected agent's cell (x, y), or None; headings: agents to mark with their
    heading when zoomed in.
    """

    tick: int
    n_alive: int
    legend: dict[str, tuple[str, str]]
    selected: tuple[int, int] | None
    headings: Headings

    @property
    def extinct(self) -> bool:
        return self.n_alive == 0


class App:
    """The viewer window around one Simulation.

    Args:
        sim: the Simulation to watch (the app steps it).
        size: initial window size in pixels (resizable).
        speed: initial ticks per frame (nearest of :data:`SPEEDS`).
        paused: start paused.
        mode: initial colour mode.
        fps_limit: frames per second cap (0 = as fast as possible, for benchmarks).
        record: start recording to this video file (.mp4 or .gif).
        screenshot_dir: where ``s`` saves PNGs.
        overlap: step on a worker thread while the frame draws (False: in the main thread,
            between drawing; the same ticks either way).
        sync_frames: every frame ends with its ticks done, however long they take (tests and
            scripts that count ticks by frames); by default a frame waits for them only
            within its share of ``fps_limit``.
    """

    def __init__(self, sim, *, size=(1280, 800), speed: float = 1, paused: bool = False,
                 mode: str = "energy", fps_limit: int = 60, record: str | Path | None = None,
                 screenshot_dir: str | Path = ".", show_help: bool = False,
                 overlap: bool = True, sync_frames: bool = False):
        self.sim = sim
        self.stepper = Stepper(sim.step, background=overlap)
        self.sync_frames = sync_frames
        try:
            pygame.display.init()
            _prefer_native_framebuffer()
            self.screen = pygame.display.set_mode(size, pygame.RESIZABLE)
        except pygame.error as err:
            raise NoDisplayError(str(err)) from err
        pygame.display.set_caption(f"alife — {sim.config.run.name}, seed {sim.config.seed}")
        pygame.key.set_repeat(300, 40)
        self.text = hud.Text(14)
        self.clock = pygame.time.Clock()
        self.fps_limit = fps_limit
        self.renderer = FrameRenderer(sim.config, mode=mode)
        self._modes = self.renderer.modes(sim.state)  # the agents' fields: fixed for a run
        self.camera: Camera | None = None  # made by relayout(), which knows the view's size
        self.inspector = Inspector()
        self.following = False  # the view stays on the inspected agent
        self.history = History(("population", "mean_energy", "births", "deaths", "mean_surprise"))
        self.fps_meter, self.tps_meter = RateMeter(), RateMeter()
        self.speed_index = min(range(len(SPEEDS)), key=lambda i: abs(SPEEDS[i] - speed))
        self.paused = paused
        self.running = True
        self.show_help = show_help
        self.frames = 0
        self.totals = {"births": 0, "deaths": 0}
        self.peak = sim.n_alive
        # ticks actually stepped when the time budget capped a frame
        self.capped_at: int | None = None
        self.screenshot_dir = Path(screenshot_dir)
        self._record_path = Path(record) if record else None
        self.video: VideoRecorder | None = None
        self._tick_credit = 0.0
        self._steps_pending = 0
        self._sec_per_tick = 0.0
        self._drag: dict | None = None
        self._toast: tuple[str, tuple, float] | None = None
        self._dirty = True             # the world picture must be re-rendered
        self._rgb: np.ndarray | None = None
        self._pending_shot: Path | None = None
        self._panel_time = 0.0
        self._panel_fresh = True
        self._picture_rect = pygame.Rect(0, 0, 0, 0)  # where the world picture is on screen
        self._last_view_state: tuple = ()
        self._frame_started = 0.0
        self.view: WorldView | None = None
        self.relayout()
        self._record_state(first=True)
        if record:
            self.start_recording(record)
        self._prepare()

    # --- layout -----------------------------------------------------------------------

    def relayout(self) -> None:
        """Split the window into the world view (left) and the side panel (right)."""
        self.screen = pygame.display.get_surface()
        w, h = self.screen.get_size()
        panel_w = max(280, min(380, int(w * 0.28)))
        self.view_rect = pygame.Rect(0, 0, max(1, w - panel_w), h)
        self.panel_rect = pygame.Rect(self.view_rect.right, 0, panel_w, h)
        self._panel = pygame.Surface(self.panel_rect.size).convert()
        self._panel_dirty = True
        if self.camera is None:
            h, w = self.sim.state.grid.food.shape
            self.camera = Camera(w, h, tuple(self.view_rect))  # starts fitted
        else:
            self.camera.set_view(tuple(self.view_rect))

    # --- speed -------------------------------------------------------------------------

    @property
    def ticks_per_frame(self) -> float:
        return SPEEDS[self.speed_index]

    def _ticks_due(self) -> int:
        """Ticks to simulate this frame: single steps while paused, else the speed's share."""
        if self.paused:
            n, self._steps_pending = self._steps_pending, 0
            return n
        self._tick_credit += self.ticks_per_frame
        n = int(self._tick_credit)
        self._tick_credit -= n
        self.capped_at = None
        if n > 1:
            # until a tick has been timed, take one: a first frame of 1000 slow ticks would freeze
            allowed = max(1, int(STEP_BUDGET_S / self._sec_per_tick)) if self._sec_per_tick else 1
            if allowed < n:
                self.capped_at, n = allowed, allowed
        return n

    # --- actions (named in alife.viewer.controls.BINDINGS) ------------------------------

    def toggle_pause(self) -> None:
        self.paused = not self.paused
        self._tick_credit = 0.0

    def step_once(self) -> None:
        """One tick on the next frame; pauses first if running."""
        if not self.paused:
            self.paused = True
            return
        self._steps_pending += 1

    def faster(self) -> None:
        self.speed_index = min(len(SPEEDS) - 1, self.speed_index + 1)

    def slower(self) -> None:
        self.speed_index = max(0, self.speed_index - 1)

    def modes(self) -> list[str]:
        return list(self._modes)

    def next_mode(self) -> None:
        modes = self.modes()
        i = modes.index(self.renderer.mode) if self.renderer.mode in modes else -1
        self.set_mode(modes[(i + 1) % len(modes)])

    def pick_mode(self, index: int) -> None:
        modes = self.modes()
        if index < len(modes):
            self.set_mode(modes[index])

    def set_mode(self, mode: str) -> None:
        self.renderer.mode = mode
        self._dirty = True
        self.toast(MODES[mode].legend)

    def toggle_food(self) -> None:
        self.renderer.show_food = not self.renderer.show_food
        self._dirty = True

    def pan_left(self) -> None:
        self.camera.pan_pixels(PAN_STEP_PX, 0)

    def pan_right(self) -> None:
        self.camera.pan_pixels(-PAN_STEP_PX, 0)

    def pan_up(self) -> None:
        self.camera.pan_pixels(0, PAN_STEP_PX)

    def pan_down(self) -> None:
        self.camera.pan_pixels(0, -PAN_STEP_PX)

    def zoom_in(self) -> None:
        self.camera.zoom_at(ZOOM_STEP, *self.view_rect.center)

    def zoom_out(self) -> None:
        self.camera.zoom_at(1 / ZOOM_STEP, *self.view_rect.center)

    def fit_view(self) -> None:
        self.camera.fit()

    def toggle_help(self) -> None:
        self.show_help = not self.show_help

    def dismiss(self) -> None:
        if self.show_help:
            self.show_help = False
        else:
            self.inspector.clear()

    def quit(self) -> None:
        self.running = False

    def screenshot(self, path: str | Path | None = None) -> Path:
        """Save the window as PNG at the end of the next draw (default: a new file in
        ``screenshot_dir``, named by the tick it shows). Returns the path."""
        self._pending_shot = (Path(path) if path
                              else _unique(self.screenshot_dir / f"alife-t{self.view.tick}.png"))
        return self._pending_shot

    def save_screenshot(self, path: str | Path) -> Path:
        """Save what the window shows now, as PNG."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        pygame.image.save(self.screen, str(path))
        return path

    def toggle_record(self) -> None:
        self.settle()
        if self.video is not None:
            self.stop_recording()
        else:
            self.start_recording(self._record_path
                                 or _unique(self.screenshot_dir / f"alife-t{self.sim.tick}.mp4"))

    def start_recording(self, path: str | Path) -> None:
        """Record the world picture (as rendered: colour mode, food overlay) whenever it
        changes: every new tick, and mode switches while paused."""
        self.settle()
        path = Path(path)
        try:
            check_video_support(path)
        except VideoUnavailable as err:
            if path.suffix.lower() != ".gif" and self._record_path is None:
                path = path.with_suffix(".gif")  # no ffmpeg: a GIF still works with pillow
                try:
                    check_video_support(path)
                except VideoUnavailable:
                    return self.toast(str(err), hud.WARN)
            else:
                return self.toast(str(err), hud.WARN)
        if path.exists():
            path = _unique(path)
        self._record_path = None  # the next `r` starts a new file
        self.video = VideoRecorder(path, fps=30)
        self.video_labels = FrameLabels(self.video)  # the tick and legend above each frame
        self._dirty = True
        self.world_rgb()  # the first frame is the world as it is now
        self.toast(f"recording to {path}")

    def stop_recording(self) -> None:
        if self.video is None:
            return
        self.settle()
        self.world_rgb()  # the last ticks, if no frame has shown them yet
        video, self.video = self.video, None
        video.close()
        self.toast(f"saved {video.path} ({video.frames} frames)", hud.GOOD)
        print(f"alife view: saved {video.path} ({video.frames} frames)", file=sys.stderr)

    def select_id(self, agent_id: int) -> bool:
        """Open the inspector on the living agent with this id; False if there is none."""
        self.settle()
        a = self.sim.state.agents
        hits = np.flatnonzero(a.alive & (a.id == agent_id))
        if hits.size:
            self.inspector.select(a, int(hits[0]), self.sim.tick)
        return bool(hits.size)

    def toggle_follow(self) -> None:
        """Follow the inspected agent (the camera stays on it), or stop following."""
        if self.inspector.selected_id is None:
            self.following = False
            self.toast("click an agent first, then l follows it", hud.DIM)
            return
        self.following = not self.following
        if self.following:
            self.go_to_selected()
        self.toast(f"following agent {self.inspector.selected_id:,}" if self.following
                   else "not following")

    def toggle_inspector_detail(self) -> None:
        self.inspector.toggle_all()

    def go_to_selected(self) -> None:
        self.settle()
        slot = self.inspector.find_slot(self.sim.state.agents)
        if slot is not None:
            a = self.sim.state.agents
            self.camera.center_on(float(a.x[slot]) + 0.5, float(a.y[slot]) + 0.5)

    def toast(self, message: str, color=hud.TEXT, seconds: float = 2.5) -> None:
        self._toast = (message, color, time.perf_counter() + seconds)

    # --- events ------------------------------------------------------------------------

    def handle_event(self, event: pygame.event.Event) -> None:
        """React to one pygame event (keys, mouse, window)."""
        if event.type in (pygame.KEYDOWN, pygame.MOUSEBUTTONUP):
            self._panel_dirty = True  # show the effect of a key or click at once
        if event.type == pygame.QUIT:
            self.running = False
        elif event.type in (pygame.VIDEORESIZE, pygame.WINDOWSIZECHANGED):
            self.relayout()
        elif event.type == pygame.KEYDOWN:
            binding = binding_for(event, self.paused)
            if binding is not None:
                action = getattr(self, binding.action)
                action() if binding.arg is None else action(binding.arg)
        elif event.type == pygame.MOUSEWHEEL:
            pos = getattr(event, "pos", None) or pygame.mouse.get_pos()
            if self.view_rect.collidepoint(pos) and event.y:
                self.camera.zoom_at(ZOOM_STEP ** (1 if event.y > 0 else -1), *pos)
        elif event.type == pygame.MOUSEBUTTONDOWN:
            if event.button == 1 and self.view_rect.collidepoint(event.pos):
                self._drag = {"start": event.pos, "last": event.pos, "moved": False}
            elif event.button == 3:
                self.inspector.clear()
        elif event.type == pygame.MOUSEMOTION and self._drag is not None:
            sx, sy = self._drag["start"]
            if abs(event.pos[0] - sx) + abs(event.pos[1] - sy) > DRAG_THRESHOLD_PX:
                self._drag["moved"] = True
            if self._drag["moved"]:
                lx, ly = self._drag["last"]
                self.camera.pan_pixels(event.pos[0] - lx, event.pos[1] - ly)
                self._drag["last"] = event.pos
        elif event.type == pygame.MOUSEBUTTONUP and event.button == 1 and self._drag is not None:
            if not self._drag["moved"]:
                self.click(event.pos)
            self._drag = None

    def click(self, pos: tuple[int, int]) -> None:
        """Select the agent nearest the pixel (its own cell first, then within a few pixels)."""
        wx, wy = self.camera.screen_to_world(*pos)
        if self.camera.screen_to_cell(*pos) is None:
            return
        self.settle()  # the agents where they are now, not where the picture shows them
        occ = self.sim.state.grid.occupancy
        r = max(0, math.ceil(PICK_RADIUS_PX / self.camera.zoom - 0.5))
        cx, cy = math.floor(wx), math.floor(wy)
        y0, y1 = max(0, cy - r), min(occ.shape[0], cy + r + 1)
        x0, x1 = max(0, cx - r), min(occ.shape[1], cx + r + 1)
        window = occ[y0:y1, x0:x1]
        ys, xs = np.nonzero(window >= 0)
        if ys.size == 0:
            self.toast("no agent there", hud.DIM)
            return
        d2 = (xs + x0 + 0.5 - wx) ** 2 + (ys + y0 + 0.5 - wy) ** 2
        k = int(np.argmin(d2))
        self.inspector.select(self.sim.state.agents, int(window[ys[k], xs[k]]), self.sim.tick)

    # --- simulation --------------------------------------------------------------------

    def settle(self) -> None:
        """Wait for the ticks in flight and take them in: the simulation is then the caller's
        to read (and the next frame's picture is of it)."""
        if self.stepper.busy:
            self._collect()

    def _collect(self) -> None:
        """Take in the ended step: its timing, stats, plots and the inspector."""
        done, seconds = self.stepper.wait()
        if done:
            per_tick = seconds / done
            self._sec_per_tick = (per_tick if not self._sec_per_tick
                                  else 0.7 * self._sec_per_tick + 0.3 * per_tick)
            self.tps_meter.add(done)
            self._record_state()

    def _start_ticks(self) -> None:
        """Start the ticks due this frame on the stepper (none in flight)."""
        n = 0 if self.view.extinct else self._ticks_due()
        if n > 0:
            self.stepper.start(n)

    def _prepare(self) -> None:
        """The picture and the snapshot the frame draws, from the world at rest."""
        if self._dirty or self.view is None:
            self.world_rgb()
            headings, legend = heading_marks(self.sim.state.agents), self._legend_ranges()
        else:
            headings, legend = self.view.headings, self.view.legend
        selected = None
        slot = self.inspector.slot if self.inspector.alive else None
        if slot is not None:
            a = self.sim.state.agents
            selected = (int(a.x[slot]), int(a.y[slot]))
        self.view = WorldView(tick=self.sim.tick, n_alive=self.sim.n_alive, legend=legend,
                              selected=selected, headings=headings)

    def _record_state(self, first: bool = False) -> None:
        """After ticks: totals, plot history, inspector trace; the picture is now stale."""
        sim, agents = self.sim, self.sim.state.agents
        events = sim.take_stats()
        ticks = max(1, sim.tick - (self._last_tick if not first else sim.tick))
        self._last_tick = sim.tick
        births = int(events.get("births", 0))
        deaths = int(events.get("deaths_starved", 0) + events.get("deaths_old_age", 0))
        self.totals["births"] += births
        self.totals["deaths"] += deaths
        self.peak = max(self.peak, sim.n_alive)
        alive = agents.alive
        n = int(alive.sum())
        row = {"population": n, "mean_energy": float(agents.energy[alive].mean()) if n else 0.0}
        if not first:
            row.update(births=births / ticks, deaths=deaths / ticks)
        if hasattr(agents, "surprise") and n:
            row["mean_surprise"] = float(np.nanmean(agents.surprise[alive]))
        self.history.add(sim.tick, **row)
        self.inspector.update(agents, sim.tick)
        if self.following and self.inspector.alive:
            self.go_to_selected()
        self._dirty = True

    # --- drawing -----------------------------------------------------------------------

    def world_rgb(self) -> np.ndarray:
        """The world picture of the current state, uint8 (H, W, 3) (re-rendered when stale)."""
        if self._dirty or self._rgb is None:
            self._rgb = self.renderer.render(self.sim.state)
            self._dirty = False
            if self.video is not None:
                mode = MODES[self.renderer.mode]
                legend = (mode if mode.available(self.sim.state.agents) else MODES["energy"]).legend
                h, w = self._rgb.shape[:2]
                self.video.add(self._rgb, self.video_labels.band(self.sim.tick, h, w, legend))
        return self._rgb

    def draw(self) -> None:
        """Draw the whole window into the display surface (shown by frame())."""
        self._draw_world()
        now = time.perf_counter()
        # the panel (text, plots) is redrawn at most PANEL_HZ times a second, or at once after input
        self._panel_fresh = self._panel_dirty or now - self._panel_time >= 1.0 / PANEL_HZ
        if self._panel_fresh:
            self._draw_panel()
            self._panel_time, self._panel_dirty = now, False
        self.screen.blit(self._panel, self.panel_rect)
        if self.inspector.selected_id is not None:
            self.inspector.draw(self.screen, self.text, self._inspector_corner(),
                                self.view_rect.h - 20, self.sim.layout, _action_names(),
                                INSPECTOR_W)
        if self.view.extinct:
            hud.draw_toast(self.screen, self.text, f"population extinct at tick {self.view.tick:,}",
                           self.view_rect.move(0, -self.view_rect.h // 2), hud.WARN)
        if self.show_help:
            hud.draw_help(self.screen, self.text, help_rows(),
                          self.modes())
        if self._pending_shot is not None:
            shot, self._pending_shot = self.save_screenshot(self._pending_shot), None
            self.toast(f"saved {shot}", hud.GOOD)
            print(f"alife view: saved {shot}", file=sys.stderr)
        if self._toast is not None:
            message, color, until = self._toast
            if time.perf_counter() < until:
                hud.draw_toast(self.screen, self.text, message, self.view_rect, color)
            else:
                self._toast = None

    def _inspector_corner(self) -> tuple[int, int]:
        """Top-left of the inspector card: the top corner away from the agent, to keep it
        visible."""
        left = (self.view_rect.left + 10, self.view_rect.top + 10)
        right = (self.view_rect.right - INSPECTOR_W - 10, self.view_rect.top + 10)
        if self.view.selected is None or self.view_rect.w < 2 * INSPECTOR_W:
            return left
        sx, _ = self.camera.cell_center(*self.view.selected)
        return right if sx < self.view_rect.centerx else left

    def _draw_world(self) -> None:
        rgb = self._rgb  # rendered by _prepare, with the snapshot
        cells = self.camera.visible_cells()
        if cells is None:
            self.screen.fill(hud.BG, self.view_rect)
            self._picture_rect = self.view_rect
            return
        h, w = rgb.shape[:2]
        # zero-copy: the surface reads the renderer's (H, W, 3) buffer row by row
        # converted to the display's pixel format before scaling: the big blit then copies as is
        world = pygame.image.frombuffer(rgb, (w, h), "RGB").convert()
        x0, y0, x1, y1 = cells
        left, top = self.camera.world_to_screen(x0, y0)
        right, bottom = self.camera.world_to_screen(x1, y1)
        if self.camera.zoom >= HEADING_ZOOM:  # cells big enough to show where agents head
            big = with_headings(rgb, self.view.headings, cells)
            part = pygame.image.frombuffer(big, (big.shape[1], big.shape[0]), "RGB")
        else:
            part = world.subsurface((x0, y0, x1 - x0, y1 - y0))
        self.screen.set_clip(self.view_rect)
        picture = pygame.Rect(left, top, max(1, right - left), max(1, bottom - top))
        for bar in _outside(self.view_rect, picture):  # background only where the world is not
            self.screen.fill(hud.BG, bar)
        self.screen.blit(pygame.transform.scale(part, picture.size), picture.topleft)
        self._picture_rect = picture.clip(self.view_rect)
        wl, wt = self.camera.world_to_screen(0, 0)
        wr, wb = self.camera.world_to_screen(w, h)
        pygame.draw.rect(self.screen, hud.BORDER, (wl - 1, wt - 1, wr - wl + 2, wb - wt + 2),
                         width=1)
        if self.view.selected is not None and self.inspector.selected_id is not None:
            cx, cy = self.view.selected
            sx, sy = self.camera.world_to_screen(cx, cy)
            size = max(1, self.camera.world_to_screen(cx + 1, cy)[0] - sx)
            mark = pygame.Rect(sx, sy, size, size).inflate(max(6, size // 2), max(6, size // 2))
            pygame.draw.rect(self.screen, (0, 0, 0), mark.inflate(2, 2), width=1)
            pygame.draw.rect(self.screen, (255, 255, 255), mark, width=2)
        self.screen.set_clip(None)

    def _draw_panel(self) -> None:
        """HUD, colour modes and plots, onto the panel surface (panel coordinates)."""
        target = self._panel
        p = target.get_rect()
        target.fill(hud.PANEL)
        pygame.draw.line(target, hud.BORDER, p.topleft, p.bottomleft)
        text, x, width = self.text, p.left + 14, p.w - 28
        y = p.top + 10
        text.draw(target, "alife", (x, y), hud.ACCENT, "title")
        cfg = self.sim.config
        text.draw(target, f"{cfg.run.name} · seed {cfg.seed} · "
                          f"{self.camera.world_w}×{self.camera.world_h}",
                  (x + width, y + 4), hud.DIM, "small", anchor="topright")
        y += text.line_height("title") + 6
        speed = self.ticks_per_frame
        speed_text = (f"{speed:g} ticks/frame" if speed >= 1
                      else f"1 tick / {round(1 / speed)} frames")
        if self.paused:
            state, color = "PAUSED  (space resumes, . steps)", hud.WARN
        elif self.view.extinct:
            state, color = "EXTINCT", hud.WARN
        else:
            capped = f" (capped {self.capped_at})" if self.capped_at else ""
            state = "running  " + speed_text + capped
            color = hud.GOOD
        text.draw(target, state, (x, y), color)
        y += text.line_height() + 4
        last = self.history.size - 1
        _, births = self.history.series("births")
        _, deaths = self.history.series("deaths")
        _, energy = self.history.series("mean_energy")
        rows = [
            ("tick", f"{self.view.tick:,}"),
            ("population", f"{self.view.n_alive:,}  (peak {self.peak:,})"),
            ("births /tick", f"{_last(births):,.2f}  Σ {self.totals['births']:,}", (130, 220, 140)),
            ("deaths /tick", f"{_last(deaths):,.2f}  Σ {self.totals['deaths']:,}", (255, 120, 100)),
            ("mean energy", f"{energy[last]:,.1f}" if last >= 0 else "-"),
            ("FPS", f"{self.fps_meter.rate():.0f}"),
            ("sim speed", f"{self.tps_meter.rate():,.0f} ticks/s"),
        ]
        y = hud.draw_rows(target, text, x, y, rows, width) + 6
        y = self._draw_mode_list(x, y, width) + 8
        status = [f"food {'on' if self.renderer.show_food else 'off'} (f)",
                  f"zoom {self.camera.zoom:.2g}×"]
        if self.video is not None:
            status.append(f"● REC {self.video.frames}")
        text.draw(target, "   ".join(status), (x, y), hud.WARN if self.video else hud.DIM, "small")
        y += text.line_height("small") + 12
        plots_rect = pygame.Rect(x, y, width, p.bottom - y - 26)
        draw_plots(target, text, plots_rect, PLOTS, self.history)
        text.draw(target, "h: help", (x, p.bottom - 8), hud.DIM, "small", anchor="bottomleft")

    def _draw_mode_list(self, x: int, y: int, width: int) -> int:
        """The colour modes with their number keys (current one highlighted) and its legend."""
        text, target = self.text, self._panel
        text.draw(target, "colour", (x, y), hud.DIM)
        cx = x + text.width("colour  ")
        for i, mode in enumerate(self.modes()):
            label = f"{i + 1} {mode}"
            if cx + text.width(label, "small") > x + width:
                cx, y = x + text.width("colour  "), y + text.line_height("small")
            color = hud.ACCENT if mode == self.renderer.mode else hud.DIM
            cx = text.draw(target, label, (cx, y + 2), color, "small").right + 9
        y += text.line_height() + 4
        mode = self.renderer.mode
        bar = pygame.Rect(x, y, width, 8)
        if mode in LEGENDS:
            lo, hi = self.view.legend.get(mode, ("", ""))
            hud.draw_legend(target, text, bar, LEGENDS[mode], lo, hi)
            return bar.bottom + text.line_height("small")
        if mode == "lineage":
            text.draw(target,
                      f"{self.renderer.lineage.families():,} families alive (colour = founder)",
                      (x, y - 2), hud.DIM, "small")
            return y + text.line_height("small")
        text.draw(target, MODES[mode].legend, (x, y - 2), hud.DIM, "small")
        return y + text.line_height("small")

    def _legend_ranges(self) -> dict[str, tuple[str, str]]:
        """End labels of each colour bar: the value range its mode maps onto it."""
        scales, agents = self.renderer.scales, self.sim.state.agents
        alive = agents.alive
        energy = scales.energy or float(agents.energy[alive].max(initial=1.0))
        age = scales.age or float(agents.age[alive].max(initial=1))
        g = agents.generation[alive]
        legend = {mode: ("low", "high") for mode in LEGENDS}
        legend.update(energy=("0", f"{energy:g} energy"), age=("0", f"{age:g} ticks"),
                      generation=(f"gen {g.min()}", f"{g.max()}") if g.size else ("", ""))
        return legend

    # --- loop --------------------------------------------------------------------------

    def frame(self) -> None:
        """One frame: ended ticks, window events, picture, next ticks, draw and show."""
        self._frame_started = time.perf_counter()
        if self.stepper.busy and self.stepper.finished():
            self._collect()
        for event in pygame.event.get():
            self.handle_event(event)
        if not self.running:
            return
        if not self.stepper.busy:  # else the last picture stays until those ticks end
            self._prepare()
            self._start_ticks()
        self.draw()
        self._show()
        if self.stepper.busy and self.stepper.finished(self._wait_s()):
            self._collect()
        self.fps_meter.add()
        self.frames += 1
        self.clock.tick(self.fps_limit)

    def _wait_s(self) -> float | None:
        """How long the frame may wait for its ticks: what is left of its share of the frame
        rate (none when uncapped), or as long as they take with ``sync_frames``."""
        if self.sync_frames:
            return None
        if not self.fps_limit:
            return 0.0
        return max(0.0, 1.0 / self.fps_limit - (time.perf_counter() - self._frame_started))

    def _show(self) -> None:
        """Send the frame to the display: only what changed (the display server's copy of a
        full window is the biggest cost of a frame under X11). The panel changes at PANEL_HZ;
        overlays, zoom and pan change the whole view; otherwise only the world picture."""
        overlays = (self.show_help or self._toast is not None or self.view.extinct
                    or self.inspector.selected_id is not None)
        view_state = (self.camera.zoom, self.camera.left, self.camera.top, overlays,
                      self.view_rect.size)
        if self._panel_fresh or self.show_help:
            pygame.display.flip()
        elif overlays or view_state != self._last_view_state:
            pygame.display.update(self.view_rect)
        else:
            pygame.display.update(self._picture_rect)
        self._last_view_state = view_state

    def run(self, max_frames: int | None = None) -> int:
        """Frames until the window closes (or ``max_frames``); returns the frames drawn."""
        start = self.frames
        try:
            while self.running and (max_frames is None or self.frames - start < max_frames):
                self.frame()
        finally:
            self.settle()  # the world at rest: a caller may read or save it
        return self.frames - start

    def close(self) -> None:
        """Let the ticks in flight end, finish any recording and close the window."""
        try:
            self.settle()
            self.stop_recording()
        finally:
            self.stepper.close()
            pygame.display.quit()


def _prefer_native_framebuffer() -> None:
    """On X11, show frames through the X server's shared memory, not through OpenGL.

    The window is drawn in software; SDL by default uploads it as an OpenGL texture, and
    where there is no GPU (VMs, remote desktops, Xvfb) OpenGL is Mesa's software
    rasteriser: a 1280x800 flip took 5 ms of wall time and 6 ms of CPU, against 0.4 ms
    through shared memory (SDL itself does this on WSL). A user's own
    SDL_FRAMEBUFFER_ACCELERATION wins; call after ``pygame.display.init()``, before the
    window is made."""
    if pygame.display.get_driver() == "x11":
        os.environ.setdefault("SDL_FRAMEBUFFER_ACCELERATION", "0")


def _outside(outer: pygame.Rect, inner: pygame.Rect) -> list[pygame.Rect]:
    """Up to four rectangles covering ``outer`` minus ``inner`` (letterbox bars)."""
    inner = inner.clip(outer)
    if not inner.w or not inner.h:
        return [outer]
    return [r for r in (
        pygame.Rect(outer.left, outer.top, outer.w, inner.top - outer.top),
        pygame.Rect(outer.left, inner.bottom, outer.w, outer.bottom - inner.bottom),
        pygame.Rect(outer.left, inner.top, inner.left - outer.left, inner.h),
        pygame.Rect(inner.right, inner.top, outer.right - inner.right, inner.h),
    ) if r.w > 0 and r.h > 0]


def _last(values: np.ndarray) -> float:
    finite = values[np.isfinite(values)]
    return float(finite[-1]) if finite.size else 0.0


def _unique(path: Path) -> Path:
    """``path``, or ``stem-1.ext``, ``stem-2.ext``, ... if it exists."""
    n = 1
    candidate = path
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
        n += 1
    return candidate


def _action_names():
    try:
        from alife.kernels.sense import ACTION_NAMES
    except ImportError:
        return None
    return ACTION_NAMES
