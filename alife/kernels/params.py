"""Kernel parameters: the config turned into one typed tuple of plain numbers.

Kernels take this tuple as an argument (never module globals, which numba's cache would
freeze). Every field has a fixed Python type so the compiled signature never changes. It is
made from a config by :func:`alife.world.params.kernel_params` (kernels import nothing but
kernels, numpy and numba).
"""

from typing import NamedTuple

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
