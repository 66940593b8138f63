"""think (blocks of 8 agents in vector lanes) equals the one-agent-at-a-time reference bit for
bit, on the states of real runs: every per-agent array, including dead slots'."""

import numpy as np
import pytest
from reference.think import think as reference_think  # tests/kernels/reference/think.py

from alife import Simulation
from alife.kernels.mind import think
from alife.world.state import LANE_FIELDS, AgentState, agent_rows, from_lanes, to_lanes

CASES = {
    "default": [],
    "window features": ["learner.features=window", "learner.init_model=persistence"],
    "raw surprise, fast replay": ["learner.curiosity=surprise", "affect.memory_size=3",
                                  "affect.replay_every=3"],
    "walls, radius 3": ["world.edges=walls", "agents.sense_radius=3"],
    "affect off": ["affect.enabled=false"],
    "learning off, no memory": ["learner.learning=false", "affect.memory_size=0"],
    "greedy policy": ["learner.policy=greedy"],
    "random policy, shifted model": ["learner.policy=random", "learner.init_model=shift"],
    "noise channel, walls": ["world.noise_cover=0.2", "world.edges=walls"],
    "hazards, noise": ["world.hazard_cover=0.2", "world.hazard_drift_every=3",
                       "world.noise_cover=0.1"],
    "three food kinds, volatile": ["food.kinds=3", "food.kind_values=[1.0, 0.5, -1.0]",
                                   "food.deal=volatile", "food.stable_ticks=5",
                                   "food.volatile_ticks=10", "food.flip_min=2",
                                   "food.flip_max=4"],
}


def _rows(agents: AgentState) -> AgentState:
    return AgentState(*[agent_rows(agents, name).copy() for name in agents._fields])


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES)
def test_lanes_equal_one_agent_at_a_time(case):
    # 150 founders: storage of 300 slots, rounded up to 38 blocks with a partly used last one
    sim = Simulation(overrides=CASES[case] + ["agents.initial_count=150", "world.width=32",
                                              "world.height=32"])
    assert sim.state.capacity % 8 == 0
    for tick in range(25):
        agents = sim.state.agents
        one_by_one = _rows(agents)
        in_lanes = AgentState(*[a.copy() for a in agents])
        living = np.flatnonzero(agents.alive)
        reference_think(living, one_by_one, sim.state.grid, sim.params, sim.feature_map)
        think(np.unique(living >> 3), in_lanes, sim.state.grid, sim.params, sim.feature_map)
        for name in AgentState._fields:
            assert (agent_rows(in_lanes, name).tobytes()
                    == getattr(one_by_one, name).tobytes()), (case, tick, name)
        sim.step(1)


def test_lane_layout_round_trip():
    rows = np.arange(16 * 3 * 2, dtype=np.float32).reshape(16, 3, 2)
    lanes = to_lanes(rows)
    assert lanes.shape == (2, 3, 2, 8)
    assert lanes[1, 2, 0, 5] == rows[13, 2, 0]
    assert from_lanes(lanes).tobytes() == rows.tobytes()


def test_every_learned_array_is_stored_in_lanes():
    agents = Simulation(overrides=["agents.initial_count=20"]).state.agents
    for name in LANE_FIELDS:
        assert getattr(agents, name).shape[0] * 8 == agents.alive.shape[0], name
        assert getattr(agents, name).shape[-1] == 8, name
