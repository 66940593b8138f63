"""The learner inside the simulated world: error falls, eating and food are learnt to pay,
a blank learner closes most of the gap to a scripted forager, finite, ablations."""

from pathlib import Path

import numpy as np
import pytest
from conftest import tiny_config

from alife import Simulation
from alife.kernels.learner import TRAIT_CURIOSITY, TRAIT_NAMES, genes_of_model
from alife.learners.features import SECTOR_FEATURES
from alife.world.init import make_state
from alife.world.state import agent_rows

STATIONARY = dict(  # food refills every tick; no births (capped), no ageing: 40 learners
    world={"width": 40, "height": 40, "obstacle_density": 0.0},
    agents={"initial_count": 40, "initial_energy": 150.0, "max_population": 40},
    food={"regrowth_rate": 1.0},
    life={"max_age": 0},
)
CHEAP = {"basal_cost": 0.05, "move_cost": 0.05}  # nobody starves
HUNGRY = {"basal_cost": 1.5, "move_cost": 0.0, "max_energy": 1e4}  # rich cells feed, poor don't


def _surprise_curve(learning, ticks=300, **learner):
    sim = Simulation(tiny_config(**STATIONARY, energy=CHEAP,
                                 learner={"learning": learning, "init_model": "zero", **learner}),
                     seed=3)
    curve = []
    for _ in range(ticks):
        sim.step(1)
        a = sim.state.agents
        seen = a.alive & (a.experience > 0)
        curve.append(a.surprise[seen].mean() if seen.any() else np.nan)
    assert sim.n_alive == 40
    return np.array(curve)


def test_prediction_error_falls_by_half_with_learning_and_not_without():
    learning = _surprise_curve(True)  # blank founders (init_model: zero)
    frozen = _surprise_curve(False)
    early, late = slice(1, 4), slice(-50, None)  # tick 1: nothing learnt from yet
    assert learning[late].mean() <= 0.5 * learning[early].mean()
    assert learning[late].mean() <= 0.25 * frozen[late].mean()
    assert frozen[late].mean() >= 0.8 * frozen[early].mean()


def test_learned_value_prefers_food():
    sim = Simulation(tiny_config(**STATIONARY, energy=HUNGRY,
                                 learner={"init_value_food": 0.0, "init_noise": 0.0,
                                          "curiosity_weight": 0.0}), seed=4)
    sim.step(400)
    assert sim.n_alive == 40
    value = agent_rows(sim.state.agents, "value")[sim.state.agents.alive]
    food = [SECTOR_FEATURES.index(f) for f in SECTOR_FEATURES if f.startswith("food")]
    gain = value[:, food].sum(axis=1)  # V(all food 1) - V(all food 0), the rest unchanged
    assert gain.mean() > 0.02
    assert (gain > 0).mean() > 0.75


def test_frozen_learners_keep_their_inborn_weights():
    sim = Simulation(tiny_config(learner={"learning": False}), seed=5)
    a = sim.state.agents
    born = agent_rows(a, "model"), agent_rows(a, "value")
    sim.step(50)
    survivors = a.alive & (a.birth_tick == 0)
    np.testing.assert_array_equal(agent_rows(a, "model")[survivors], born[0][survivors])
    np.testing.assert_array_equal(agent_rows(a, "value")[survivors], born[1][survivors])


@pytest.mark.parametrize("features", ["sectors", "window"])
def test_learner_stays_finite_under_extreme_settings(features):
    extreme = tiny_config(
        agents={"initial_count": 120, "sense_radius": 1},
        food={"capacity": 1e5, "regrowth_rate": 1.0, "season_amplitude": 3.0, "season_period": 7.0},
        energy={"eat_rate": 1e5, "max_energy": 1e9, "basal_cost": 0.0},
        life={"reproduce_threshold": 5.0, "max_age": 300, "mutation_sigma": 2.0},
        learner={"features": features, "model_lr": 1.5, "value_lr": 1.5, "discount": 0.99,
                 "curiosity_weight": 5.0, "temperature": 0.001, "init_noise": 5.0,
                 "curiosity": "surprise"},
    )
    sim = Simulation(extreme, seed=6)
    sim.step(1500)
    a = sim.state.agents
    alive = a.alive
    assert alive.sum() > 0
    for name in ("model", "value", "traits", "energy", "surprise", "progress", "reward",
                 "features", "prediction", "action_prob"):
        assert np.isfinite(agent_rows(a, name)[alive]).all(), name


def _scripted(seed, **learner):
    """Every founder follows a fixed random action; no births: only the learner differs."""
    cfg = tiny_config(life={"reproduce_threshold": 1e6, "max_age": 0},
                      energy={"max_energy": 1e6}, learner={"cost_per_update": 0.0, **learner})
    sim = Simulation(cfg, seed=seed)
    n = sim.n_alive
    sim.state.agents.forced_action[:n] = np.random.default_rng(seed).integers(0, 5, n)
    return sim


@pytest.mark.parametrize("ablation", [{"learning": False}, {"curiosity_weight": 0.0},
                                      {"curiosity": "surprise"}])
def test_ablations_see_the_same_world(ablation):
    full, ablated = _scripted(8), _scripted(8, **ablation)
    for sim in (full, ablated):
        sim.step(120)
    np.testing.assert_array_equal(full.state.grid.food_capacity, ablated.state.grid.food_capacity)
    for name in ("food", "occupancy"):
        np.testing.assert_array_equal(getattr(full.state.grid, name),
                                      getattr(ablated.state.grid, name))
    for name in ("x", "y", "energy", "alive", "priority"):
        np.testing.assert_array_equal(getattr(full.state.agents, name),
                                      getattr(ablated.state.agents, name), err_msg=name)
    # the acting and mutation streams too; only the memory-replay stream (2) may differ
    np.testing.assert_array_equal(full.state.agents.rng[:, :2], ablated.state.agents.rng[:, :2])
    # ... while the minds differ
    assert not np.array_equal(full.state.agents.value, ablated.state.agents.value) or \
        not np.array_equal(full.state.agents.reward, ablated.state.agents.reward)


def test_curiosity_ablation_pins_the_gene_at_zero_through_mutation():
    sim = Simulation(tiny_config(learner={"curiosity_weight": 0.0},
                                 life={"reproduce_threshold": 45.0, "mutation_sigma": 0.5}), seed=2)
    sim.step(200)
    a = sim.state.agents
    assert (a.birth_tick[a.alive] > 0).any()
    assert (sim.layout.view(a.genome, "curiosity_weight")[a.alive] == 0).all()
    assert (agent_rows(a, "traits")[a.alive, TRAIT_CURIOSITY] == 0).all()


def test_thinking_costs_energy():
    base = dict(life={"reproduce_threshold": 1e6, "max_age": 0}, energy={"max_energy": 1e6})
    cheap = Simulation(tiny_config(**base, learner={"cost_per_update": 0.0}), seed=1)
    costly = Simulation(tiny_config(**base, learner={"cost_per_update": 0.3,
                                                     "cost_per_kweight": 1.0}),
                        seed=1)
    for sim in (cheap, costly):
        sim.step(10)
    a, b = cheap.take_stats(), costly.take_stats()
    weights = 5 * 10 * 11
    per_step = 0.3 + 1.0 * weights / 1000
    extra = (b["metabolism"] - b["moves"] * 0.2) - (a["metabolism"] - a["moves"] * 0.2)
    assert extra == pytest.approx(per_step * a["agent_steps"], rel=1e-3)


def test_children_start_from_their_genome_not_from_what_the_parent_learnt():
    sim = Simulation(tiny_config(life={"reproduce_threshold": 45.0}), seed=3)
    kids = np.array([], np.int64)
    while kids.size == 0 and sim.tick < 300:
        sim.step(1)
        a = sim.state.agents
        kids = np.flatnonzero(a.alive & (a.birth_tick == sim.tick))
    assert kids.size > 0
    inborn = sim.layout.view(a.genome, "model_init")[kids]
    np.testing.assert_array_equal(genes_of_model(agent_rows(a, "model")[kids]), inborn)


def test_make_state_decodes_traits_from_the_genome():
    cfg = tiny_config(learner={"temperature": 0.3, "model_lr": 0.7, "value_lr": 0.2,
                               "discount": 0.8, "curiosity_weight": 1.5})
    state = make_state(cfg)
    traits = agent_rows(state.agents, "traits")[state.agents.alive, :len(TRAIT_NAMES)]
    np.testing.assert_allclose(traits, np.tile([0.3, 0.7, 0.2, 0.8, 1.5], (len(traits), 1)),
                               rtol=1e-5)


def test_the_reward_head_learns_what_eating_brings():
    sim = Simulation(tiny_config(world={"obstacle_density": 0.0}, agents={"initial_count": 1},
                                 food={"patch_size": 0.0, "regrowth_rate": 0.2},
                                 learner={"init_noise": 0.0}), seed=0)
    sim.state.agents.forced_action[0] = 0  # stays on its cell and eats what regrows
    sim.step(12)
    x = agent_rows(sim.state.agents, "prev_features")[0]
    expected_stay = x @ agent_rows(sim.state.agents, "reward_model")[0][:, 0]
    capacity = sim.config.food.capacity
    gain = (sim.config.food.regrowth_rate * capacity - sim.params.basal_cost) / capacity
    assert expected_stay == pytest.approx(gain, rel=0.05)  # blank at birth, learnt in a few ticks


def _cohort_lifespans(seed, **learner):
    """Mean ticks lived by the founders of the cohort scenario in its 400 ticks."""
    from alife import load_config

    scenario = Path(__file__).resolve().parents[2] / "configs" / "scenarios" / "cohort.yaml"
    config = load_config(scenario, [f"learner.{k}={v}" for k, v in learner.items()])
    sim = Simulation(config, seed=seed)
    sim.step(config.run.steps)
    return sim.take_stats()["agent_steps"] / config.agents.initial_count


def test_blank_learners_close_most_of_the_gap_to_greedy_and_frozen_ones_none():
    closed = {"learning": [], "frozen": []}
    for seed in (1, 2, 3):
        greedy = _cohort_lifespans(seed, policy="greedy", learning=False)
        random = _cohort_lifespans(seed, policy="random", learning=False)
        assert greedy >= 1.4 * random  # foraging decides how long a founder lives here
        for name, learning in (("learning", True), ("frozen", False)):
            life = _cohort_lifespans(seed, learning=learning)
            closed[name].append((life - random) / (greedy - random))
    assert np.mean(closed["learning"]) >= 0.7
    assert np.mean(closed["frozen"]) <= 0.2
