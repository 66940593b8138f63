"""The live viewer driven by posted events under SDL's dummy drivers (no window, no sound)."""

import os

os.environ["SDL_VIDEODRIVER"] = "dummy"  # before pygame is imported anywhere
os.environ["SDL_AUDIODRIVER"] = "dummy"

import importlib.util  # noqa: E402
import threading  # noqa: E402

import numpy as np  # noqa: E402
import pygame  # noqa: E402
import pytest  # noqa: E402

from alife import Simulation  # noqa: E402
from alife.render.colors import FOOD_LUT, GROUND, lut_index  # noqa: E402
from alife.viewer.app import SPEEDS, App  # noqa: E402
from alife.viewer.camera import Camera  # noqa: E402
from alife.viewer.controls import BINDINGS, help_rows  # noqa: E402
from alife.viewer.inspector import _short  # noqa: E402
from alife.viewer.stepper import Stepper  # noqa: E402
from alife.world.state import agent_rows  # noqa: E402

TINY = {"world": {"width": 24, "height": 20, "obstacle_density": 0.05},
        "agents": {"initial_count": 60}, "run": {"threads": 0}}


@pytest.fixture
def app(tmp_path):
    # ticks step on the worker thread as in use; each frame ends with them done, so tests
    # count ticks by frames whatever the machine's load
    a = App(Simulation(TINY, seed=2), size=(1000, 700), fps_limit=0, screenshot_dir=tmp_path,
            sync_frames=True)
    yield a
    a.close()


def key(app, k, mod=0):
    app.handle_event(pygame.event.Event(pygame.KEYDOWN, key=k, mod=mod, unicode=""))


def click(app, pos, button=1):
    app.handle_event(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=pos, button=button))
    app.handle_event(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=pos, button=button))


def an_agent(app, index=0):
    a = app.sim.state.agents
    slot = int(np.flatnonzero(a.alive)[index])
    return slot, int(a.id[slot]), int(a.x[slot]), int(a.y[slot])


# --- time ------------------------------------------------------------------------------------


def test_running_frames_advance_one_tick_each(app):
    assert app.run(max_frames=3) == 3
    assert app.sim.tick == 3


def test_pause_then_step_advances_exactly_one_tick(app):
    app.frame()
    key(app, pygame.K_SPACE)
    assert app.paused
    tick = app.sim.tick
    app.run(max_frames=3)
    assert app.sim.tick == tick  # paused: frames pass, the world does not
    key(app, pygame.K_PERIOD)
    app.run(max_frames=3)
    assert app.sim.tick == tick + 1
    key(app, pygame.K_RIGHT)  # → steps while paused
    key(app, pygame.K_RIGHT)
    app.frame()
    assert app.sim.tick == tick + 3
    key(app, pygame.K_SPACE)
    app.frame()
    assert not app.paused and app.sim.tick == tick + 4


def test_shift_right_pans_instead_of_stepping_while_paused(app):
    key(app, pygame.K_SPACE)
    app.camera.zoom_at(4, *app.view_rect.center)
    left, tick = app.camera.left, app.sim.tick
    key(app, pygame.K_RIGHT, pygame.KMOD_LSHIFT)
    app.frame()
    assert app.sim.tick == tick and app.camera.left > left


def test_speed_keys_change_ticks_per_frame(app):
    assert app.ticks_per_frame == 1
    app.frame()  # times a tick: the frame budget then allows several (tiny world: far below it)
    key(app, pygame.K_PLUS)
    key(app, pygame.K_EQUALS)  # unshifted "+" key
    assert app.ticks_per_frame == SPEEDS[SPEEDS.index(1) + 2] == 3
    tick = app.sim.tick
    app.frame()
    assert app.sim.tick == tick + 3
    for _ in range(4):
        key(app, pygame.K_MINUS)
    assert app.ticks_per_frame == 0.25
    tick = app.sim.tick
    app.run(max_frames=8)
    assert app.sim.tick == tick + 2  # one tick every four frames
    for _ in range(50):
        key(app, pygame.K_KP_MINUS)
    assert app.ticks_per_frame == SPEEDS[0]
    for _ in range(50):
        key(app, pygame.K_KP_PLUS)
    assert app.ticks_per_frame == SPEEDS[-1]


def test_time_budget_caps_ticks_per_frame(app):
    for _ in range(50):
        key(app, pygame.K_PLUS)
    tick = app.sim.tick
    app.frame()
    assert app.sim.tick == tick + 1  # the first frame times one tick before taking many
    app._sec_per_tick = 0.01  # pretend ticks are slow: the 50 ms budget allows 5 a frame
    tick = app.sim.tick
    app.frame()
    assert app.sim.tick == tick + 5 and app.capped_at == 5


# --- inspector -------------------------------------------------------------------------------


def test_clicking_an_agent_selects_it_and_the_inspector_follows(app):
    key(app, pygame.K_SPACE)
    slot, agent_id, x, y = an_agent(app, 5)
    click(app, app.camera.cell_center(x, y))
    assert app.inspector.selected_id == agent_id
    rows = dict(app.inspector.rows(app.sim.layout))
    assert rows["id"] == f"{agent_id:,}" and rows["x"] == str(x) and rows["y"] == str(y)
    # a vector of the learned state (stored in lanes) shows the selected agent's own values
    affect = agent_rows(app.sim.state.agents, "affect")[slot]
    assert rows["affect"] == " ".join(_short(v) for v in affect)
    assert any(label.startswith("g.") for label in rows)  # genome segments by layout name
    key(app, pygame.K_SPACE)
    app.run(max_frames=5)
    a = app.sim.state.agents
    if app.inspector.alive:
        assert a.id[app.inspector.slot] == agent_id and a.alive[app.inspector.slot]
        assert len(app.inspector.trace) == 6  # at selection + 5 ticks
        s = app.inspector.slot
        assert app.inspector.trace[-1] == (app.sim.tick, float(a.energy[s]), float(a.surprise[s]),
                                           *agent_rows(a, "affect")[s].astype(float).tolist())
    else:
        assert not (a.alive & (a.id == agent_id)).any()
    app.draw()  # the card draws without error
    key(app, pygame.K_ESCAPE)
    assert app.inspector.selected_id is None


def test_following_keeps_the_view_on_the_agent(app):
    key(app, pygame.K_l)  # nothing selected: nothing to follow
    assert not app.following
    key(app, pygame.K_z)
    key(app, pygame.K_z)  # zoomed in: the view shows part of the world
    slot, agent_id, x, y = an_agent(app, 3)
    assert app.select_id(agent_id)
    key(app, pygame.K_l)
    assert app.following
    for _ in range(15):
        app.run(max_frames=1)
        if not app.inspector.alive:
            break
        a = app.sim.state.agents
        sx, sy = app.camera.cell_center(int(a.x[app.inspector.slot]), int(a.y[app.inspector.slot]))
        assert (abs(sx - app.view_rect.centerx) <= app.camera.zoom
                and abs(sy - app.view_rect.centery) <= app.camera.zoom)
    app.draw()
    key(app, pygame.K_l)
    assert not app.following


def test_click_on_empty_cell_far_from_agents_selects_nothing(app):
    key(app, pygame.K_SPACE)
    occ = app.sim.state.grid.occupancy
    app.camera.zoom_at(3, *app.view_rect.center)  # big cells: the pick radius stays in the cell
    cells = app.camera.visible_cells()
    free = [(x, y) for y in range(cells[1] + 1, cells[3] - 1)
            for x in range(cells[0] + 1, cells[2] - 1)
            if (occ[y - 1:y + 2, x - 1:x + 2] < 0).all()]
    assert free
    click(app, app.camera.cell_center(*free[0]))
    assert app.inspector.selected_id is None


def test_drag_pans_without_selecting(app):
    key(app, pygame.K_SPACE)
    _, _, x, y = an_agent(app)
    start = app.camera.cell_center(x, y)
    left, top = app.camera.left, app.camera.top
    app.handle_event(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=start, button=1))
    app.handle_event(pygame.event.Event(pygame.MOUSEMOTION, pos=(start[0] + 40, start[1] + 30),
                                        rel=(40, 30), buttons=(1, 0, 0)))
    app.handle_event(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=(start[0] + 40, start[1] + 30),
                                        button=1))
    assert app.inspector.selected_id is None
    assert app.camera.left == pytest.approx(left - 40 / app.camera.zoom)
    assert app.camera.top == pytest.approx(top - 30 / app.camera.zoom)


def test_wheel_zooms_at_the_pointer(app):
    z = app.camera.zoom
    pos = (200, 300)
    before = app.camera.screen_to_world(*pos)
    app.handle_event(pygame.event.Event(pygame.MOUSEWHEEL, x=0, y=1, pos=pos))
    assert app.camera.zoom > z
    assert app.camera.screen_to_world(*pos) == pytest.approx(before)
    key(app, pygame.K_0)
    assert app.camera.zoom == pytest.approx(z)


# --- picture -------------------------------------------------------------------------------


def test_screenshot_has_agent_colours_at_agents_and_food_where_food_is(app, tmp_path):
    key(app, pygame.K_SPACE)
    app.frame()
    key(app, pygame.K_s)
    app.frame()
    shots = list(tmp_path.glob("*.png"))
    assert len(shots) == 1
    img = pygame.surfarray.array3d(pygame.image.load(str(shots[0]))).transpose(1, 0, 2)  # (H, W, 3)
    state = app.sim.state
    a, g = state.agents, state.grid
    slots = np.flatnonzero(a.alive)
    colours = app.renderer.agent_colors(a, slots, app.renderer.lineage.update(a, slots))
    for slot, colour in zip(slots, colours):
        px, py = app.camera.cell_center(int(a.x[slot]), int(a.y[slot]))
        if py < app.view_rect.bottom - 60:  # clear of the toast line
            assert tuple(img[py, px]) == tuple(colour)
    empty = np.argwhere((g.occupancy < 0) & ~g.obstacle)
    shades = []
    for y, x in empty[:: max(1, len(empty) // 40)]:
        px, py = app.camera.cell_center(int(x), int(y))
        if py < app.view_rect.bottom - 60:
            expected = FOOD_LUT[lut_index(g.food[y, x], 0, app.sim.config.food.capacity)]
            assert tuple(img[py, px]) == tuple(expected)
            shades.append((g.food[y, x], int(img[py, px].sum())))
    assert len(shades) > 10
    food, brightness = np.array(shades).T
    assert brightness[np.argmax(food)] > brightness[np.argmin(food)]


def test_food_key_turns_shading_off(app):
    key(app, pygame.K_SPACE)
    key(app, pygame.K_f)
    app.frame()
    g = app.sim.state.grid
    y, x = np.argwhere((g.occupancy < 0) & ~g.obstacle & (g.food > 1))[0]
    px, py = app.camera.cell_center(int(x), int(y))
    assert tuple(app.screen.get_at((px, py)))[:3] == GROUND


def test_colour_mode_keys_cycle_and_pick(app):
    modes = app.modes()
    assert modes[:4] == ["energy", "lineage", "age", "generation"]
    key(app, pygame.K_c)
    assert app.renderer.mode == modes[1]
    key(app, pygame.K_3)
    assert app.renderer.mode == modes[2]
    key(app, pygame.K_9)  # no ninth mode: nothing changes
    assert app.renderer.mode == modes[2]
    for _ in range(len(modes) - 2):
        key(app, pygame.K_c)
    assert app.renderer.mode == "energy"
    key(app, pygame.K_SPACE)
    _, _, x, y = an_agent(app)
    app.frame()
    energy_colour = tuple(app.screen.get_at(app.camera.cell_center(x, y)))[:3]
    key(app, pygame.K_2)
    app.frame()
    assert tuple(app.screen.get_at(app.camera.cell_center(x, y)))[:3] != energy_colour


def test_help_overlay_lists_every_binding(app):
    key(app, pygame.K_h)
    assert app.show_help
    app.frame()
    key(app, pygame.K_F1)
    assert not app.show_help
    labels = {label for label, _ in help_rows()}
    for binding in BINDINGS:
        assert callable(getattr(app, binding.action)), binding.action
        assert binding.label in labels or binding.label == ""
    for needed in ("space", ".", "+", "-", "s", "r", "h / F1", "c", "f"):
        assert needed in labels


def test_quit_event_ends_the_loop(app):
    pygame.event.post(pygame.event.Event(pygame.QUIT))
    assert app.run(max_frames=100) == 0
    assert not app.running


def test_q_quits(app):
    key(app, pygame.K_q)
    assert app.run(max_frames=10) == 0


def test_resize_relayouts_the_view(app):
    pygame.display.set_mode((700, 500), pygame.RESIZABLE)
    app.handle_event(pygame.event.Event(pygame.VIDEORESIZE, size=(700, 500), w=700, h=500))
    assert app.view_rect.w + app.panel_rect.w == 700 and app.view_rect.h == 500
    app.frame()


def test_extinct_world_keeps_drawing(tmp_path):
    sim = Simulation({**TINY, "energy": {"basal_cost": 50.0}}, seed=1)
    a = App(sim, size=(800, 600), fps_limit=0, sync_frames=True)
    try:
        a.run(max_frames=4)
        assert sim.extinct
        assert a.history.series("population")[1][-1] == 0
    finally:
        a.close()


# --- recording -----------------------------------------------------------------------------


@pytest.mark.skipif(importlib.util.find_spec("imageio") is None,
                    reason="needs imageio (alife-sim[video])")
def test_recording_writes_a_readable_gif(tmp_path):
    import imageio.v3 as iio

    out = tmp_path / "live.gif"
    app = App(Simulation(TINY, seed=2), size=(800, 600), fps_limit=0, record=out,
              sync_frames=True)
    try:
        app.run(max_frames=5)
        key(app, pygame.K_r)  # stop
        assert app.video is None
    finally:
        app.close()
    frames = iio.imread(out, index=None)
    assert frames.shape[0] == 6  # tick 0 plus five ticks
    scale = 256 // 24  # a GIF is enlarged towards 256 pixels (mp4: 512)
    band = frames.shape[1] - 20 * scale  # above the world: the tick and the legend
    assert frames.shape[2] == 24 * scale and 0 < band < 40
    assert not np.array_equal(frames[0, :band], frames[-1, :band])  # the tick counts on
    assert len(np.unique(frames[-1, band:].reshape(-1, frames.shape[-1]), axis=0)) > 5


def test_record_key_starts_and_stops(app, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    if importlib.util.find_spec("PIL") is None:
        pytest.skip("needs pillow")
    app._record_path = tmp_path / "r.gif"
    key(app, pygame.K_r)
    assert app.video is not None
    app.run(max_frames=2)
    key(app, pygame.K_r)
    assert app.video is None and (tmp_path / "r.gif").stat().st_size > 0


# --- camera ------------------------------------------------------------------------------


def test_camera_cell_round_trip_under_zoom_and_pan():
    cam = Camera(50, 40, (10, 20, 600, 400))
    for zoom, dx, dy in [(1, 0, 0), (1.7, 13, -7), (9.3, -120, 44)]:
        cam.fit()
        cam.zoom_at(zoom, 300, 200)
        cam.pan_pixels(dx, dy)
        visible = cam.visible_cells()
        for x in range(visible[0], visible[2]):
            for y in (visible[1], visible[3] - 1):
                px, py = cam.cell_center(x, y)
                if cam.screen_to_cell(px, py) is not None:
                    assert cam.screen_to_cell(px, py) == (x, y)
    assert cam.screen_to_cell(5, 5) is None  # outside the view


def test_letterbox_bars_cover_the_view_outside_the_picture():
    from alife.viewer.app import _outside

    outer, inner = pygame.Rect(0, 0, 100, 80), pygame.Rect(10, 5, 60, 70)
    bars = _outside(outer, inner)
    assert sum(b.w * b.h for b in bars) == 100 * 80 - 60 * 70
    assert not any(b.colliderect(inner) for b in bars)
    assert _outside(outer, pygame.Rect(200, 200, 5, 5)) == [outer]
    assert _outside(outer, outer) == []


# --- stepping beside the frame ------------------------------------------------------------


class _Guarded:
    """A Simulation whose world the main thread must not read while the app's stepper has
    ticks in flight; every such read is recorded."""

    WORLD = {"state", "tick", "n_alive", "extinct", "take_stats", "agents", "take_deaths"}

    def __init__(self, sim):
        self._sim, self.app, self.violations = sim, None, []

    def __getattr__(self, name):
        if (name in self.WORLD and self.app is not None and self.app.stepper.busy
                and threading.current_thread() is threading.main_thread()):
            self.violations.append(name)
        return getattr(self._sim, name)


def test_frames_go_on_while_ticks_compute_and_never_read_the_world(tmp_path):
    gate = threading.Event()  # the tick in flight ends only when the test says so
    sim = Simulation(TINY, seed=2)
    guarded = _Guarded(sim)
    app = App(guarded, size=(1000, 700), fps_limit=0, screenshot_dir=tmp_path)
    guarded.app = app
    app.stepper.close()
    app.stepper = Stepper(lambda n: gate.wait() and sim.step(n))
    try:
        app.frame()
        assert app.stepper.busy and sim.tick == 0
        zoom, mode = app.camera.zoom, app.renderer.mode
        for k in (pygame.K_z, pygame.K_z, pygame.K_z, pygame.K_LEFT, pygame.K_c, pygame.K_f,
                  pygame.K_h, pygame.K_PLUS, pygame.K_s):
            key(app, k)  # zoom far enough to draw headings, pan, mode, food, help, a shot
        app.handle_event(pygame.event.Event(pygame.MOUSEWHEEL, x=0, y=1, pos=(200, 300)))
        for _ in range(5):
            app.frame()  # the window keeps drawing (from its snapshot) while the tick runs
        assert app.frames == 6 and sim.tick == 0 and app.stepper.busy
        assert app.camera.zoom > zoom and app.renderer.mode != mode and app.show_help
        assert list(tmp_path.glob("*.png"))  # the screenshot was taken meanwhile
        assert guarded.violations == []
        gate.set()
        assert app.stepper.finished(None)
        app.frame()  # takes the tick in, shows it, starts the next
        app.settle()
        assert sim.tick >= 2 and app.view.tick >= 1 and not app.stepper.busy
        assert app.history.series("population")[0][-1] == sim.tick
        key(app, pygame.K_0)  # the whole world in view
        gate.clear()
        app.frame()
        assert app.stepper.busy
        gate.set()
        assert app.stepper.finished(None)  # ended, not yet taken in
        slot = int(np.flatnonzero(sim.state.agents.alive)[0])  # the test's own read
        agent_id = int(sim.state.agents.id[slot])
        x, y = int(sim.state.agents.x[slot]), int(sim.state.agents.y[slot])
        click(app, app.camera.cell_center(x, y))  # picking takes the tick in: the world now
        assert not app.stepper.busy and app.inspector.selected_id == agent_id
    finally:
        gate.set()
        app.close()
    assert guarded.violations == []


@pytest.mark.parametrize("overlap, sync_frames", [(True, True), (True, False), (False, False)])
def test_stepping_beside_the_frame_gives_the_same_world(overlap, sync_frames):
    app = App(Simulation(TINY, seed=4), size=(800, 600), fps_limit=0, speed=3, overlap=overlap,
              sync_frames=sync_frames)
    try:
        app.run(max_frames=12)
        stepped = app.sim
        # frames that do not wait for their ticks may show fewer; the world is the same
        assert stepped.tick >= (12 if sync_frames or not overlap else 1)
        assert not app.stepper.busy
    finally:
        app.close()
    reference = Simulation(TINY, seed=4)
    reference.step(stepped.tick)
    for name in stepped.state.agents._fields:
        np.testing.assert_array_equal(getattr(stepped.state.agents, name),
                                      getattr(reference.state.agents, name), err_msg=name)
    np.testing.assert_array_equal(stepped.state.grid.food, reference.state.grid.food)
    assert app.totals["births"] + 60 - app.totals["deaths"] == reference.n_alive


def test_an_error_in_the_ticks_reaches_the_window_loop(app):
    def broken(n):
        raise MemoryError("no room for the births")

    app.stepper.close()
    app.stepper = Stepper(broken)
    with pytest.raises(MemoryError, match="births"):
        app.run(max_frames=2)
    assert not app.stepper.busy


def test_the_tick_kernel_releases_the_gil():
    from alife.kernels.tick import run_ticks

    assert run_ticks.targetoptions.get("nogil") is True
