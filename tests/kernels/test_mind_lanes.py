"""think_lanes (blocks of 8 agents in vector lanes) equals think (one agent at a time) bit for
bit, on the states of real runs: every per-agent array, including dead slots'."""

import numpy as np
import pytest

from alife import Simulation
from alife.kernels.mind import think
from alife.kernels.mind_lanes import from_lanes, lane_state_of, think_lanes, to_lanes
from alife.world.state import AgentState

CASES = {
    "default": [],
    "window features": ["learner.features=window", "learner.init_model=persistence"],
    "raw surprise, fast replay": ["learner.curiosity=surprise", "affect.memory_size=3",
                                  "affect.replay_every=3"],
    "walls, radius 3": ["world.edges=walls", "agents.sense_radius=3"],
    "affect off": ["affect.enabled=false"],
    "learning off, no memory": ["learner.learning=false", "affect.memory_size=0"],
}


def _copy(agents):
    return AgentState(*[a.copy() for a in agents])


@pytest.mark.parametrize("case", CASES)
def test_lanes_equal_one_agent_at_a_time(case):
    sim = Simulation(overrides=CASES[case] + ["agents.initial_count=152", "world.width=32",
                                              "world.height=32"])
    for tick in range(25):
        agents = sim.state.agents
        assert agents.alive.shape[0] % 8 == 0  # storage of whole blocks
        one_by_one = _copy(agents)
        in_lanes = _copy(agents)
        lanes = lane_state_of(in_lanes, sim.params)
        living = np.flatnonzero(agents.alive)
        think(living, one_by_one, sim.state.grid, sim.params, sim.feature_map)
        think_lanes(np.unique(living >> 3), in_lanes, lanes, sim.state.grid, sim.params,
                    sim.feature_map)
        for name in AgentState._fields:
            if name in lanes._fields and name != "traits":  # lane traits: more rows
                got = from_lanes(getattr(lanes, name))
            else:
                got = getattr(in_lanes, name)
            assert got.tobytes() == getattr(one_by_one, name).tobytes(), (case, tick, name)
        sim.step(1)


def test_lane_layout_round_trip():
    rows = np.arange(16 * 3 * 2, dtype=np.float32).reshape(16, 3, 2)
    lanes = to_lanes(rows)
    assert lanes.shape == (2, 3, 2, 8)
    assert lanes[1, 2, 0, 5] == rows[13, 2, 0]
    assert from_lanes(lanes).tobytes() == rows.tobytes()
