"""Kernel parameters: the config turned into one typed tuple of plain numbers.

Kernels take this tuple as an argument (never module globals, which numba's cache would
freeze). Every field has a fixed Python type so the compiled signature never changes.
"""

from typing import NamedTuple

from alife.config.schema import Config
from alife.genetics.genome import GenomeLayout
from alife.kernels.sense import N_ACTIONS

POLICIES = ("learned", "greedy", "random")  # learner.policy, in the order of mind.POLICY_*
DEALS = ("fixed", "per_generation", "per_region", "volatile")  # food.deal, as food.DEAL_*


class KernelParams(NamedTuple):
    width: int
    height: int
    torus: bool
    sense_radius: int
    inv_food_capacity: float      # 1 / food.capacity: senses see food in [0, 1], and the
                                  # reward counts energy in the same unit
    inv_energy_scale: float       # 1 / reproduce_threshold: the unit of the energy sense
    regrowth_rate: float
    noise_key: int                # noise patches: the seed of their values (from the seed)
    noise_level: float            # noise patches show up to this much (food.capacity)
    noise_channel: bool           # senses have a noise channel (a world with noise patches)
    hazard_channel: bool          # senses have a hazard channel (a world with hazards)
    hazard_cost: float            # energy lost per tick on a hazard (0 in a world without)
    hazard_drift_every: int       # ticks between two steps east of the hazards; 0 = still
    deal: int                     # alife.kernels.food.DEAL_*: how the food kinds' worth is dealt
    deal_key: int                 # the seed of the deals' draws (from the seed)
    deal_every: int               # per_generation: ticks between two deals
    stable_ticks: int             # volatile: stable, then volatile part of each epoch
    volatile_ticks: int
    flip_min: int                 # volatile: ticks between two shifts of the deal
    flip_max: int
    delayed_kind: int             # the food kind whose worth arrives food.delay ticks late; -1
    season_amplitude: float
    season_period: float
    season_waves: float
    basal_cost: float             # includes the cost of thinking (learner.cost_*)
    move_cost: float
    eat_rate: float
    max_energy: float
    max_age: int
    reproduce_threshold: float
    child_energy_fraction: float
    step_size_rate: float         # self-adaptation of mutation steps (alife.kernels.mutation)
    inherit_learned: bool         # Lamarckian births
    births: bool                  # in-world reproduction (off in generational evolution)
    max_population: int
    learning: bool
    policy: int                   # alife.kernels.mind.POLICY_*: learned, greedy or random
    use_progress: bool            # curiosity = learning progress (else raw surprise)
    energy_weight: float
    k_fast: float                 # 1 / progress_fast: the error models' learning rates
    k_slow: float
    k_drive_scale: float          # 1 / affect.drive_scale_ticks: running drive statistics
    g_log_temperature: int        # genome offsets (see GenomeLayout)
    g_log_model_lr: int
    g_log_value_lr: int
    g_discount: int
    g_curiosity_weight: int
    g_model_init: int
    g_value_init: int
    g_reward_init: int
    affect_on: bool
    replay_every: int
    replay_samples: int
    g_affect_log_half_life: int
    g_affect_sensitivity: int
    g_temperature_coupling: int
    g_curiosity_coupling: int
    g_learning_coupling: int
    g_value_coupling: int
    g_memory_coupling: int
    g_memory_surprise: int
    g_memory_bias: int


def noise_key(seed: int, branch: int = 8) -> int:
    """32 bits derived from the master seed for the stateless draws of the world: the noise
    patches' values (seed-sequence branch 8) and the deals of the food kinds (branch 9)."""
    import numpy as np

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
