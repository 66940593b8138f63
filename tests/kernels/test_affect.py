"""Affect: slow, unnamed, and acting only through smooth couplings.

The step responses run the one-agent-at-a-time reference (tests/kernels/reference), which
test_mind pins to the lane kernel bit for bit."""

import ast
import inspect
import math

import numpy as np
import pytest
from conftest import state_arrays, tiny_config
from reference.think import feel

from alife import Simulation
from alife.kernels import mind as mind_kernels
from alife.kernels.affect import DRIVE_NAMES, N_DRIVES
from alife.kernels.learner import beta_row, decode_traits, start_learned_state
from alife.kernels.mind import think
from alife.world.state import AgentState, agent_rows

K = 4


def _fresh(**sections):
    sim = Simulation(tiny_config(**sections), seed=12)  # founders blank, learning from scratch
    sim.step(30)  # some history: learned weights, memories
    return sim


def _think_once(sim, slot, affect, age=1):
    """Run the thinking step of agent ``slot``'s block of 8 (think's unit) on a copy of the
    state, with the given affect for ``slot``; returns the state with one row per slot."""
    agents = sim.state.agents._replace(**{name: arr.copy()
                                          for name, arr in sim.state.agents._asdict().items()})
    agents.affect[slot >> 3, :, slot & 7] = affect  # stored in lanes (alife.world.state)
    agents.age[slot] = age  # not a replay tick
    think(np.array([slot >> 3], np.int64), agents, sim.state.grid, sim.params, sim.feature_map)
    return agents._replace(**{name: agent_rows(agents, name) for name in agents._fields})


def _set_genes(sim, segment, slot, values):
    """Set a gene segment of a living agent, and decode it as a birth would."""
    sim.layout.view(sim.state.agents.genome, segment)[slot] = values
    decode_traits(slot, sim.state.agents, sim.params)


def _slot(sim):
    return int(np.flatnonzero(sim.state.agents.alive & (sim.state.agents.action >= 0))[0])


def test_same_senses_different_affect_different_choice():
    sim = _fresh()
    i = _slot(sim)
    _set_genes(sim, "temperature_coupling", i, [2.0, 0.0, 0.0, 0.0])
    calm = _think_once(sim, i, [-0.9, 0, 0, 0])
    calm_again = _think_once(sim, i, [-0.9, 0, 0, 0])
    stirred = _think_once(sim, i, [0.9, 0, 0, 0])
    np.testing.assert_array_equal(calm.senses[i], stirred.senses[i])  # same senses
    np.testing.assert_array_equal(calm.action_prob[i], calm_again.action_prob[i])
    assert np.abs(calm.action_prob[i] - stirred.action_prob[i]).sum() > 0.05
    # the warmer (higher-temperature) state spreads its choices more evenly
    entropy = [-(p * np.log(p + 1e-12)).sum()
               for p in (calm.action_prob[i], stirred.action_prob[i])]
    assert entropy[1] > entropy[0]


@pytest.mark.parametrize("e", [0.5, -0.5, 0.9])
def test_learning_rate_follows_the_learning_coupling(e):
    sim = _fresh()
    i = _slot(sim)
    _set_genes(sim, "learning_coupling", i, [1.2, 0.0, 0.0, 0.0])
    before = agent_rows(sim.state.agents, "model")[i]
    at_rest = _think_once(sim, i, [0.0, 0, 0, 0]).model[i] - before
    moved = _think_once(sim, i, [e, 0, 0, 0]).model[i] - before
    expected = max(0.0, 1 + 1.2 * e)  # eta = eta0 * max(0, 1 + gamma . e)
    assert np.abs(at_rest).max() > 0
    np.testing.assert_allclose(moved, at_rest * expected, rtol=1e-3, atol=1e-7)


def _one_agent(half_life, beta):
    """A fresh world's first agent, slot by slot, with one affect dimension of ``half_life``
    whose sensitivities are ``beta`` (D,), and drive statistics mean 0, variance 1."""
    sim = Simulation(tiny_config(affect={"dims": 1, "half_lives": [half_life]}), seed=1)
    rows = AgentState(*[agent_rows(sim.state.agents, name).copy()
                        for name in AgentState._fields])
    rows.traits[0, beta_row(1):beta_row(1) + N_DRIVES] = beta
    rows.drive_var[0] = 1.0
    return sim, rows


def _step_response(half_life, beta, drive, ticks):
    """u and e of the agent over ``ticks`` ticks of a constant surprise drive ``drive``, the
    other drives 0; the running statistics held (rate 0), so the standardised drive is
    drive / √(1 + ε) throughout."""
    sim, rows = _one_agent(half_life, beta)
    us, es = [], []
    for _ in range(ticks):
        feel(0, rows, sim.params, np.float32(0.0), np.float32(drive), np.float32(0.0),
             np.float32(0.0), np.float32(0.0), np.float32(0.0))
        us.append(float(rows.affect_u[0, 0]))
        es.append(float(rows.affect[0, 0]))
    return np.array(us), np.array(es)


@pytest.mark.parametrize("half_life", [50.0, 300.0, 1000.0])
def test_a_step_response_reaches_half_way_in_its_half_life(half_life):
    beta = np.zeros(N_DRIVES, np.float32)
    beta[DRIVE_NAMES.index("surprise")] = 0.3
    u, e = _step_response(half_life, beta, 1.0, int(12 * half_life))
    final = math.tanh(0.3)  # tanh(β · Δ̃): squashed once, no leak
    assert e[-1] == pytest.approx(final, rel=0.05)
    half_way = int(np.argmax(e >= final / 2)) + 1  # ticks until e passed half its final value
    assert half_way == pytest.approx(half_life, rel=0.10)
    assert np.argmax(u >= u[-1] / 2) + 1 == pytest.approx(half_life, rel=0.01)  # u exactly


def test_a_strong_drive_saturates_at_tanh_of_beta_drive():
    beta = np.zeros(N_DRIVES, np.float32)
    beta[DRIVE_NAMES.index("surprise")] = 2.0
    _, e = _step_response(100.0, beta, 1.0, 2000)
    assert e[-1] == pytest.approx(math.tanh(2.0), rel=0.01)  # 0.96, not a cubic leak's ~0.3


def test_drives_are_standardised_by_the_agents_own_statistics():
    sim, rows = _one_agent(100.0, np.zeros(N_DRIVES, np.float32))
    rows.drive_var[0] = 0.0
    rng = np.random.default_rng(0)
    values = rng.normal(3.0, 0.5, 4000).astype(np.float32)  # a drive far from 0, spread 0.5
    for n, value in enumerate(values, start=1):
        rate = np.float32(max(1.0 / n, 1.0 / 1000.0))
        feel(0, rows, sim.params, rate, value, np.float32(0.0), np.float32(0.0),
             np.float32(0.0), np.float32(0.0))
    assert rows.drive_mean[0, 0] == pytest.approx(3.0, abs=0.1)
    assert math.sqrt(rows.drive_var[0, 0]) == pytest.approx(0.5, rel=0.15)


def test_same_event_different_affect_different_memory():
    sim = _fresh(affect={"memory_size": 3})
    i = _slot(sim)
    _set_genes(sim, "memory_coupling", i, [3.0, 0.0, 0.0, 0.0])
    _set_genes(sim, "memory_surprise", i, [0.0])
    _set_genes(sim, "memory_bias", i, [0.0])
    b, lane = i >> 3, i & 7
    sim.state.agents.mem_weight[b, :, lane] = 0.5  # every slot taken, all of weight 1/2
    before = agent_rows(sim.state.agents, "mem_weight")[i].copy()
    high = _think_once(sim, i, [0.5, 0, 0, 0])
    low = _think_once(sim, i, [-0.5, 0, 0, 0])
    assert high.write_weight[i] > 0.5 > low.write_weight[i]
    assert (high.mem_weight[i] == high.write_weight[i]).sum() == 1  # kept, in one slot
    np.testing.assert_array_equal(low.mem_weight[i], before)  # not written


def test_identical_genomes_diverge_through_their_histories():
    sim = Simulation(tiny_config(life={"reproduce_threshold": 1e4, "max_age": 0},
                                 energy={"basal_cost": 0.05, "move_cost": 0.0}), seed=3)
    a = sim.state.agents
    twins = np.flatnonzero(a.alive)[:2]
    a.genome[twins[1]] = a.genome[twins[0]]
    start_learned_state(int(twins[1]), a, sim.params)
    model = agent_rows(a, "model")
    np.testing.assert_array_equal(model[twins[0]], model[twins[1]])
    sim.step(200)
    assert a.alive[twins].all()
    affect, model = agent_rows(a, "affect"), agent_rows(a, "model")
    assert not np.allclose(affect[twins[0]], affect[twins[1]])
    assert not np.allclose(model[twins[0]], model[twins[1]])


def test_affect_off_matches_all_couplings_at_zero():
    base = dict(life={"reproduce_threshold": 1e4, "max_age": 0})
    off = Simulation(tiny_config(**base, affect={"enabled": False}), seed=5)
    zero = Simulation(tiny_config(**base), seed=5)
    a = zero.state.agents
    for name in ("temperature_coupling", "curiosity_coupling", "learning_coupling",
                 "value_coupling", "memory_coupling"):
        zero.layout.view(a.genome, name)[:] = 0.0
    for slot in np.flatnonzero(a.alive):
        decode_traits(int(slot), a, zero.params)
    for sim in (off, zero):
        sim.step(150)
    assert np.abs(zero.state.agents.affect).max() > 0.05  # affect moves, but bends nothing
    assert not off.state.agents.affect.any()
    for key, value in state_arrays(off).items():
        if key in ("agents.affect", "agents.affect_u", "agents.genome", "agents.traits"):
            continue  # the genomes (and their decoded traits) differ only in the inert couplings
        np.testing.assert_array_equal(value, state_arrays(zero)[key], err_msg=key)


def test_affect_ablation_leaves_the_world_and_streams_identical():
    on = Simulation(tiny_config(), seed=9)
    off = Simulation(tiny_config(affect={"enabled": False}), seed=9)
    np.testing.assert_array_equal(on.state.grid.food, off.state.grid.food)
    np.testing.assert_array_equal(on.state.agents.rng, off.state.agents.rng)
    np.testing.assert_array_equal(on.state.agents.genome, off.state.agents.genome)


def _branches(source: str):
    return [node for node in ast.walk(ast.parse(source)) if isinstance(node, (ast.If, ast.IfExp))]


def test_the_couplings_never_branch():
    for kernel in (mind_kernels.couplings8, mind_kernels.coupling8, mind_kernels.tanh8):
        assert _branches(inspect.getsource(kernel.py_func)) == [], kernel.__name__


def test_no_branch_on_affect_values_in_the_thinking_step():
    affect_names = {"e", "u", "affect", "affect_u", "temperature", "boldness", "learn_scale",
                    "energy_weight", "weight", "drives", "pull"}
    for node in _branches(inspect.getsource(mind_kernels)):
        names = {n.id for n in ast.walk(node.test) if isinstance(n, ast.Name)}
        attrs = {n.attr for n in ast.walk(node.test) if isinstance(n, ast.Attribute)}
        assert not (names | attrs) & affect_names, ast.unparse(node.test)


def test_affect_dimensions_are_unnamed():
    emotions = {"fear", "anger", "joy", "happy", "sad", "hunger", "curious", "anxiety", "mood",
                "calm", "stress", "pleasure", "pain", "boredom"}
    sim = Simulation(tiny_config(), seed=0)
    from alife.metrics.collector import metric_columns

    names = " ".join(metric_columns(sim.config)).lower() + " " + " ".join(sim.layout.segments)
    assert not any(word in names for word in emotions)
