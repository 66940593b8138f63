"""The headless renderer: frames match the state they came from; colour modes; lineage keys."""

import subprocess
import sys
from collections import namedtuple
from types import SimpleNamespace

import numpy as np
import pytest

from alife import Simulation
from alife.render.colors import (
    ENERGY_LUT,
    FOOD_LUT,
    GROUND,
    MODES,
    OBSTACLE,
    available_modes,
    key_colors,
)
from alife.render.frame import FrameRenderer, render_frame
from alife.render.lineage import LineageTracker

TINY = {"world": {"width": 24, "height": 20, "obstacle_density": 0.05},
        "agents": {"initial_count": 60}, "run": {"threads": 0}}


@pytest.fixture
def sim():
    s = Simulation(TINY, seed=3)
    s.step(3)
    return s


def _cells(sim):
    a = sim.state.agents
    slots = np.flatnonzero(a.alive)
    return slots, a.x[slots], a.y[slots]


def test_frame_shape_dtype_and_state_untouched(sim):
    before = {k: v.copy() for k, v in sim.state.grid._asdict().items()}
    before.update({f"a.{k}": v.copy() for k, v in sim.state.agents._asdict().items()})
    img = render_frame(sim.state, sim.config)
    assert img.shape == (20, 24, 3) and img.dtype == np.uint8 and img.flags.c_contiguous
    after = {k: v for k, v in sim.state.grid._asdict().items()}
    after.update({f"a.{k}": v for k, v in sim.state.agents._asdict().items()})
    for key in before:
        np.testing.assert_array_equal(before[key], after[key], err_msg=key)


@pytest.mark.parametrize("mode", ["energy", "lineage", "age", "generation"])
def test_agent_cells_have_agent_colours(sim, mode):
    r = FrameRenderer(sim.config, mode=mode)
    img = r.render(sim.state)
    slots, xs, ys = _cells(sim)
    assert slots.size > 10
    expected = r.agent_colors(sim.state.agents, slots, r.lineage.update(sim.state.agents, slots))
    np.testing.assert_array_equal(img[ys, xs], expected)


def test_obstacles_grey_and_empty_cells_food_shaded(sim):
    g = sim.state.grid
    img = render_frame(sim.state, sim.config)
    assert g.obstacle.any()
    assert (img[g.obstacle] == OBSTACLE).all()
    empty = (g.occupancy < 0) & ~g.obstacle
    idx = np.clip(g.food[empty] / sim.config.food.capacity * 255, 0, 255).astype(np.uint8)
    np.testing.assert_array_equal(img[empty], FOOD_LUT[idx])


def test_food_intensity_monotone_in_food(sim):
    """More food is never darker, and a full cell is clearly brighter than an empty one."""
    g = sim.state.grid
    empty = np.argwhere((g.occupancy < 0) & ~g.obstacle)
    assert len(empty) >= 100
    levels = np.linspace(0, sim.config.food.capacity, 100, dtype=np.float32)
    ys, xs = empty[:100, 0], empty[:100, 1]
    g.food[ys, xs] = levels  # our own sim: writing food here is the test's business
    img = render_frame(sim.state, sim.config).astype(int)
    shade = img[ys, xs]
    assert (np.diff(shade, axis=0) >= 0).all()  # every channel non-decreasing
    brightness = shade.sum(axis=1)
    assert brightness[-1] - brightness[0] > 120
    assert tuple(shade[0]) == GROUND


def test_food_overlay_off_gives_plain_ground(sim):
    g = sim.state.grid
    img = render_frame(sim.state, sim.config, show_food=False)
    empty = (g.occupancy < 0) & ~g.obstacle
    assert (img[empty] == GROUND).all()
    assert (img[g.obstacle] == OBSTACLE).all()


def test_energy_colours_follow_energy(sim):
    a = sim.state.agents
    slots, xs, ys = _cells(sim)
    low, high = slots[0], slots[1]
    a.energy[low] = 0.01
    a.energy[high] = sim.config.life.reproduce_threshold * 2
    img = render_frame(sim.state, sim.config, mode="energy")
    assert tuple(img[a.y[high], a.x[high]]) == tuple(ENERGY_LUT[255])
    assert tuple(img[a.y[low], a.x[low]]) == tuple(ENERGY_LUT[0])


def test_agent_colours_stand_out_from_food():
    """Every agent LUT entry is brighter than the richest food shade (agents visible on food)."""
    from alife.render.colors import AGE_LUT, GENERATION_LUT, SURPRISE_LUT

    food_top = int(FOOD_LUT[-1].max())
    for table in (ENERGY_LUT, AGE_LUT, GENERATION_LUT, SURPRISE_LUT):
        assert table.max(axis=1).min() > food_top + 40
    assert key_colors(np.arange(1000)).max(axis=1).min() > food_top + 40


def test_unknown_mode_rejected(sim):
    with pytest.raises(ValueError, match="unknown colour mode"):
        FrameRenderer(sim.config, mode="mood")


# --- modes light up with their arrays ---------------------------------------------------------

Basic = namedtuple("Basic", "alive x y energy age id parent_id generation")
WithAffect = namedtuple("WithAffect", Basic._fields + ("surprise", "affect"))


def _fake_agents(cls, n=4, **extra):
    base = dict(alive=np.ones(n, bool), x=np.arange(n, dtype=np.int32), y=np.zeros(n, np.int32),
                energy=np.linspace(1, 80, n).astype(np.float32), age=np.arange(n, dtype=np.int32),
                id=np.arange(n, dtype=np.int64), parent_id=np.full(n, -1, np.int64),
                generation=np.zeros(n, np.int32))
    base.update(extra)
    return cls(**base)


def test_modes_offered_only_when_arrays_exist():
    assert available_modes(_fake_agents(Basic)) == ["energy", "lineage", "age", "generation"]
    rich = _fake_agents(WithAffect, surprise=np.array([0, 1, 2, 3], np.float32),
                        affect=np.array([[-1, 0, 1], [1, 0, -1], [0, 0, 0], [2, 2, 2]], np.float32))
    assert available_modes(rich) == ["energy", "lineage", "age", "generation", "surprise", "affect"]


def test_surprise_and_affect_modes_render():
    agents = _fake_agents(WithAffect, surprise=np.array([0, 1, 2, 3], np.float32),
                          affect=np.array([[-1, 0, 1], [1, 0, -1], [0, 0, 0], [2, 2, 2]],
                                          np.float32))
    grid = SimpleNamespace(food=np.zeros((2, 4), np.float32),
                           food_capacity=np.ones((2, 4), np.float32),
                           obstacle=np.zeros((2, 4), bool))
    state = SimpleNamespace(grid=grid, agents=agents)
    surprise = render_frame(state, mode="surprise")[0]
    assert len({tuple(c) for c in surprise}) == 4  # four surprise levels, four colours
    affect = render_frame(state, mode="affect")[0].astype(int)
    assert tuple(affect[2]) == (204, 204, 204)  # zero affect is a light grey
    assert affect[1, 0] > affect[1, 2] and affect[0, 0] < affect[0, 2]  # e0 > 0 reddish, < 0 cyan
    assert affect.max(axis=1).min() >= 150 > max(OBSTACLE)  # every agent brighter than obstacles
    # a renderer asked for a mode the state lacks falls back to energy instead of failing
    plain = SimpleNamespace(grid=grid, agents=_fake_agents(Basic))
    np.testing.assert_array_equal(render_frame(plain, mode="surprise"),
                                  render_frame(plain, mode="energy"))


# --- lineage -------------------------------------------------------------------------------


def _agents(ids, parents):
    ids = np.asarray(ids, np.int64)
    return SimpleNamespace(id=ids, parent_id=np.asarray(parents, np.int64),
                           alive=np.ones(ids.size, bool))


def test_lineage_keys_follow_founders_across_updates():
    t = LineageTracker()
    assert t.update(_agents([0, 1, 2], [-1, -1, -1]), np.arange(3)).tolist() == [0, 1, 2]
    # 3 child of 1; 4 child of 3 (born in the same update: a chain); 0 died
    keys = t.update(_agents([1, 2, 4, 3], [-1, -1, 3, 1]), np.arange(4))
    assert keys.tolist() == [1, 2, 1, 1]
    # 5 child of 4 (known from before), 9 child of 8 which was never seen
    keys = t.update(_agents([4, 5, 9], [3, 4, 8]), np.arange(3))
    assert keys.tolist() == [1, 1, 8]
    assert t.families() == 2


def test_lineage_in_a_running_world_matches_recorded_ancestry():
    sim = Simulation({**TINY, "food": {"regrowth_rate": 0.2}}, seed=5)
    tracker = LineageTracker()
    parent_of: dict[int, int] = {}
    births = 0
    for _ in range(60):
        sim.step(1)
        a = sim.state.agents
        slots = np.flatnonzero(a.alive)
        keys = tracker.update(a, slots)
        for i, p in zip(a.id[slots].tolist(), a.parent_id[slots].tolist()):
            births += i not in parent_of and p >= 0
            parent_of.setdefault(i, p)
        for i, k in zip(a.id[slots].tolist(), keys.tolist()):
            root = i
            while parent_of.get(root, -1) >= 0:
                root = parent_of[root]
            assert k == root
    assert births > 0  # the check covered newborns, not only founders


def test_key_colours_stable_and_distinct():
    keys = np.arange(500)
    np.testing.assert_array_equal(key_colors(keys), key_colors(keys.copy()))
    assert len({tuple(c) for c in key_colors(keys)}) > 490


# --- headless purity -----------------------------------------------------------------------


def test_render_frame_does_not_import_pygame():
    script = ("import sys\n"
              "import alife.render.frame, alife.render.video, alife.viewer, alife.viewer.cli\n"
              "import alife.cli\nprint('PYGAME', 'pygame' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "PYGAME False" in proc.stdout


def test_every_mode_has_a_legend():
    for mode in MODES.values():
        assert mode.legend and mode.needs


def test_noise_patches_are_drawn_apart_from_food():
    from conftest import tiny_config

    from alife.render.colors import NOISE_LUT

    sim = Simulation(tiny_config(world={"noise_cover": 0.2}), seed=1)
    frame = FrameRenderer(sim.config).render(sim.state)
    g = sim.state.grid
    cells = g.noise_cells[g.occupancy.ravel()[g.noise_cells] < 0]  # no agent drawn on top
    colours = frame.reshape(-1, 3)[cells]
    assert cells.size > 0
    assert (colours[:, 2] > colours[:, 1]).all()  # violet, not the green of food
    assert {tuple(c) for c in colours} <= {tuple(c) for c in NOISE_LUT}


def test_headings_mark_the_side_each_agent_last_moved_to():
    from types import SimpleNamespace

    from alife.render.frame import HEADING, heading_marks, with_headings

    rgb = np.full((3, 4, 3), 200, np.uint8)
    agents = SimpleNamespace(alive=np.array([True, True, True, False]),
                             moved=np.array([True, True, False, True]),
                             # action: north, east, south (stayed), west (dead)
                             action=np.array([1, 2, 3, 4]),
                             x=np.array([0, 1, 2, 3]), y=np.array([0, 1, 2, 0]))
    marks = heading_marks(agents)  # copies: the world may step on while a frame draws them
    assert marks.x.tolist() == [0, 1] and marks.action.tolist() == [1, 2]
    agents.x[:] = 9
    out = with_headings(rgb, marks, (0, 0, 4, 3))
    assert out.shape == (12, 16, 3)
    marked = np.argwhere((out == HEADING).all(axis=2))
    # N edge of (0,0); E edge of (1,1)
    assert {tuple(p) for p in marked} == {(0, 1), (0, 2), (5, 7), (6, 7)}
    window = with_headings(rgb, marks, (1, 1, 3, 3))  # a part of the world: the same mark, shifted
    assert {tuple(p) for p in np.argwhere((window == HEADING).all(axis=2))} == {(1, 3), (2, 3)}
