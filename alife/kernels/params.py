"""Kernel parameters: the config turned into one typed tuple of plain numbers.

Kernels take this tuple as an argument (never module globals, which numba's cache would
freeze). Every field has a fixed Python type so the compiled signature never changes.
"""

from typing import NamedTuple

from alife.config.schema import Config
from alife.genetics.genome import GenomeLayout


class KernelParams(NamedTuple):
    width: int
    height: int
    torus: bool
    sense_radius: int
    n_senses: int
    inv_food_capacity: float      # 1 / food.capacity: senses see food in [0, 1]
    inv_energy_scale: float       # 1 / reproduce_threshold: the energy sense
    regrowth_rate: float
    season_amplitude: float
    season_period: float
    season_waves: float
    basal_cost: float
    move_cost: float
    eat_rate: float
    max_energy: float
    max_age: int
    reproduce_threshold: float
    child_energy_fraction: float
    mutation_sigma: float
    max_population: int
    g_policy_weight: int          # genome offsets (see GenomeLayout)
    g_policy_bias: int
    g_log_temperature: int


def kernel_params(config: Config, layout: GenomeLayout) -> KernelParams:
    w, f, e, life = config.world, config.food, config.energy, config.life
    return KernelParams(
        width=int(w.width),
        height=int(w.height),
        torus=w.edges == "torus",
        sense_radius=int(config.agents.sense_radius),
        n_senses=int(layout.n_senses),
        inv_food_capacity=float(1.0 / f.capacity),
        inv_energy_scale=float(1.0 / life.reproduce_threshold),
        regrowth_rate=float(f.regrowth_rate),
        season_amplitude=float(f.season_amplitude),
        season_period=float(f.season_period),
        season_waves=float(f.season_waves),
        basal_cost=float(e.basal_cost),
        move_cost=float(e.move_cost),
        eat_rate=float(e.eat_rate),
        max_energy=float(e.max_energy),
        max_age=int(life.max_age),
        reproduce_threshold=float(life.reproduce_threshold),
        child_energy_fraction=float(life.child_energy_fraction),
        mutation_sigma=float(life.mutation_sigma),
        max_population=int(config.agents.max_population),
        g_policy_weight=int(layout.offset("policy_weight")),
        g_policy_bias=int(layout.offset("policy_bias")),
        g_log_temperature=int(layout.offset("log_temperature")),
    )
