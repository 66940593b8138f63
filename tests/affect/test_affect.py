"""Affect: slow, unnamed, and acting only through smooth couplings."""

import ast
import inspect
import math

import numpy as np
import pytest

from alife import Simulation
from alife.kernels import affect as affect_kernels
from alife.kernels import mind as mind_kernels
from alife.kernels.affect import N_DRIVES, update_affect
from alife.kernels.learner import decode_traits, start_learned_state
from alife.kernels.memory import remember, write_weight
from alife.kernels.mind import think
from alife.world.state import agent_rows
from conftest import state_arrays, tiny_config

K = 4


def _fresh(**sections):
    sim = Simulation(tiny_config(**sections), seed=12)
    sim.step(30)  # some history: learned weights, memories
    return sim


def _think_once(sim, slot, affect, age=1):
    """Run the thinking step of agent ``slot``'s block of 8 (think's unit) on a copy of the
    state, with the given affect for ``slot``; returns the state with one row per slot."""
    agents = sim.state.agents._replace(**{name: arr.copy() for name, arr in sim.state.agents._asdict().items()})
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
    entropy = [-(p * np.log(p + 1e-12)).sum() for p in (calm.action_prob[i], stirred.action_prob[i])]
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


@pytest.mark.parametrize("half_life", [10.0, 100.0, 700.0])
def test_a_step_response_fades_with_the_half_life(half_life):
    alpha = np.array([0.5 ** (1 / half_life)], np.float32)
    genome = np.zeros(N_DRIVES, np.float32)  # beta = 0: no drive after the step
    e = np.array([0.01], np.float32)  # small: tanh is close to the identity here
    for _ in range(int(half_life)):
        update_affect(0, e[None], alpha[None], genome[None], 0, np.ones((1, N_DRIVES), np.float32))
    assert e[0] == pytest.approx(0.005, rel=0.02)


def test_a_steady_drive_moves_affect_towards_tanh_of_beta_drive():
    alpha = np.array([0.5 ** (1 / 20)], np.float32)
    beta = np.zeros(N_DRIVES, np.float32)
    beta[0] = 0.8
    drives = np.zeros(N_DRIVES, np.float32)
    drives[0] = 1.0
    e = np.zeros(1, np.float32)
    for _ in range(2000):
        update_affect(0, e[None], alpha[None], beta[None], 0, drives[None])
    # fixed point of e = tanh(a e + (1 - a) 0.8)
    a = float(alpha[0])
    fixed = 0.0
    for _ in range(10000):
        fixed = math.tanh(a * fixed + (1 - a) * 0.8)
    assert e[0] == pytest.approx(fixed, rel=1e-3)
    assert 0 < e[0] < 1


def test_same_event_different_affect_different_memory():
    memory = dict(mem_x=np.zeros((3, 4), np.float32), mem_next=np.zeros((3, 3), np.float32),
                  mem_action=np.zeros(3, np.int8), mem_weight=np.full(3, 0.5, np.float32))
    event = (np.ones(4, np.float32), np.full(4, 2.0, np.float32), 3)
    w_coupling = np.array([3.0, 0.0], np.float32)

    def offer(e):
        mem = {k: v.copy() for k, v in memory.items()}
        weight = write_weight(float(w_coupling @ np.asarray(e, np.float32)), 4.0, -1.0, 0.2)
        remember(0, mem["mem_x"][None], mem["mem_next"][None], mem["mem_action"][None],
                 mem["mem_weight"][None], event[0][None], event[1][None], event[2], weight)
        return weight, mem

    w_high, kept = offer([0.5, 0.0])
    w_low, dropped = offer([-0.5, 0.0])
    assert w_high > 0.5 > w_low
    assert (kept["mem_action"] == 3).sum() == 1 and kept["mem_weight"].max() == pytest.approx(w_high)
    np.testing.assert_array_equal(dropped["mem_weight"], memory["mem_weight"])  # not written


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
    zero = Simulation(tiny_config(**base, affect={"coupling_scale": 0.0, "reward_coupling": 0.0}),
                      seed=5)
    for sim in (off, zero):
        sim.step(150)
    assert np.abs(zero.state.agents.affect).max() > 0.01  # affect moves, but bends nothing
    assert not off.state.agents.affect.any()
    for key, value in state_arrays(off).items():
        if key in ("agents.affect", "agents.genome", "agents.traits"):
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


def test_affect_dynamics_never_branch():
    assert _branches(inspect.getsource(affect_kernels)) == []


def test_no_branch_on_affect_values_in_the_thinking_step():
    affect_names = {"e", "affect", "temperature", "boldness", "learn_scale", "bonus", "weight",
                    "drives"}
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
