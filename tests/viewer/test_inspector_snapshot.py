"""The inspector keeps a dead agent's last data, not the next occupant's of its slot."""

import numpy as np
from conftest import tiny_config

from alife import Simulation
from alife.viewer.inspector import Inspector
from alife.world.state import slot_row


def test_a_dead_agents_card_keeps_its_own_last_values():
    sim = Simulation(tiny_config(), seed=1)
    sim.step(5)
    a = sim.state.agents
    slot = int(np.flatnonzero(a.alive)[0])
    inspector = Inspector()
    inspector.select(a, slot, sim.tick)
    last_affect = np.array(slot_row(a, "affect", slot))
    last_energy = float(a.energy[slot])
    a.alive[slot] = False  # it dies, and a newborn takes its slot with other values
    a.affect[slot >> 3, :, slot & 7] = 0.77
    a.energy[slot] = 123.0
    inspector.update(a, sim.tick + 1)
    assert not inspector.alive
    assert inspector._last["energy"] == np.float32(last_energy)
    np.testing.assert_array_equal(inspector._last["affect"], last_affect)
    assert "123" not in dict(inspector.rows())["energy"]
