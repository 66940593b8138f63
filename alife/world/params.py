"""The config turned into the kernels' parameters (``alife.kernels.params.KernelParams``)."""

from __future__ import annotations

import numpy as np

from alife.config.schema import Config
from alife.genetics.genome import GenomeLayout
from alife.kernels.params import DEALS, POLICIES, KernelParams
from alife.kernels.sense import N_ACTIONS


def noise_key(seed: int, branch: int = 8) -> int:
    """32 bits derived from the master seed for the stateless draws of the world: the noise
    patches' values (seed-sequence branch 8) and the deals of the food kinds (branch 9)."""
    return int(np.random.SeedSequence(seed, spawn_key=(branch,)).generate_state(1, np.uint32)[0])


def thinking_cost(config: Config, layout: GenomeLayout) -> float:
    """Energy per tick for learning and for the size of the world model."""
    lc = config.learner
    n_weights = N_ACTIONS * layout.n_features * (layout.n_features + 1)
    return (lc.cost_per_update if lc.learning else 0.0) + lc.cost_per_kweight * n_weights / 1000.0


def kernel_params(config: Config, layout: GenomeLayout, births: bool = True) -> KernelParams:
    """The kernels' view of ``config``; ``births=False`` switches in-world reproduction off."""
    w, f, e, life, lc = config.world, config.food, config.energy, config.life, config.learner
    return KernelParams(
        width=int(w.width),
        height=int(w.height),
        torus=w.edges == "torus",
        sense_radius=int(config.agents.sense_radius),
        inv_food_capacity=float(1.0 / f.capacity),
        inv_energy_scale=float(1.0 / life.reproduce_threshold),
        regrowth_rate=float(f.regrowth_rate),
        noise_key=noise_key(config.seed),
        noise_level=float(f.capacity),
        noise_channel=w.noise_cover > 0,
        hazard_channel=w.hazard_cover > 0,
        hazard_cost=float(w.hazard_cost if w.hazard_cover > 0 else 0.0),
        hazard_drift_every=int(w.hazard_drift_every),
        deal=DEALS.index(f.deal),
        deal_key=noise_key(config.seed, branch=9),
        deal_every=int(f.deal_every),
        stable_ticks=int(f.stable_ticks),
        volatile_ticks=int(f.volatile_ticks),
        flip_min=int(f.flip_min),
        flip_max=int(f.flip_max),
        delayed_kind=int(f.delayed_kind),
        season_amplitude=float(f.season_amplitude),
        season_period=float(f.season_period),
        season_waves=float(f.season_waves),
        basal_cost=float(e.basal_cost + thinking_cost(config, layout)),
        move_cost=float(e.move_cost),
        eat_rate=float(e.eat_rate),
        max_energy=float(e.max_energy),
        max_age=int(life.max_age),
        reproduce_threshold=float(life.reproduce_threshold),
        child_energy_fraction=float(life.child_energy_fraction),
        step_size_rate=float(config.evolution.step_size_rate),
        inherit_learned=bool(config.evolution.inherit_learned),
        births=bool(births),
        max_population=int(config.agents.max_population),
        learning=bool(lc.learning),
        policy=POLICIES.index(lc.policy),
        use_progress=lc.curiosity == "progress",
        energy_weight=float(lc.energy_weight),
        k_fast=float(1.0 / lc.progress_fast),
        k_slow=float(1.0 / lc.progress_slow),
        k_drive_scale=float(1.0 / config.affect.drive_scale_ticks),
        g_log_temperature=int(layout.offset("log_temperature")),
        g_log_model_lr=int(layout.offset("log_model_lr")),
        g_log_value_lr=int(layout.offset("log_value_lr")),
        g_discount=int(layout.offset("discount")),
        g_curiosity_weight=int(layout.offset("curiosity_weight")),
        g_model_init=int(layout.offset("model_init")),
        g_value_init=int(layout.offset("value_init")),
        g_reward_init=int(layout.offset("reward_init")),
        affect_on=bool(config.affect.enabled),
        replay_every=int(config.affect.replay_every),
        replay_samples=int(config.affect.replay_samples),
        **{f"g_{name}": int(layout.offset(name)) for name in (
            "affect_log_half_life", "affect_sensitivity", "temperature_coupling",
            "curiosity_coupling", "learning_coupling", "value_coupling",
            "memory_coupling", "memory_surprise", "memory_bias")},
    )
