"""The configuration schema: every field with its meaning, unit and valid range.

The models are frozen and reject unknown keys, so a typo in a YAML file is an error instead
of a silently ignored setting. The defaults here are the defaults of the project;
``configs/default.yaml`` spells out the same values with comments (a test keeps them equal).

Time scales, fastest first: perception and action happen every tick; food regrows every tick
and seasons turn over ``food.season_period`` ticks; the genome changes only across
generations (``reproduction``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class _Section(BaseModel):
    # no inf or nan anywhere: a non-finite setting would only show up as NaN in the results
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _no_bool_as_number(cls, value, info):
        """YAML's true/false are not numbers: `width: true` is an error, not width 1."""
        annotation = cls.model_fields[info.field_name].annotation
        if isinstance(value, bool) and annotation in (int, float):
            raise ValueError(f"must be a number, got {value!r}")
        return value


class WorldConfig(_Section):
    """The grid."""

    width: int = Field(128, gt=0, description="grid width (cells)")
    height: int = Field(128, gt=0, description="grid height (cells)")
    edges: Literal["torus", "walls"] = Field(
        "torus",
        description="torus: leaving one edge enters the opposite one; walls: edges block movement",
    )
    obstacle_density: float = Field(
        0.02, ge=0.0, lt=1.0,
        description="fraction of cells that are obstacles (impassable, never hold food)",
    )
    noise_cover: float = Field(
        0.0, ge=0.0, lt=1.0,
        description="fraction of cells in noise patches: in a sense channel of their own they show "
        "a new random value every tick and carry no food (unlearnable surprise, a 'noisy TV'; "
        "agents then predict 5 more features); 0 = none",
    )
    noise_patch_size: float = Field(4.0, gt=0, description="length scale of noise patches (cells)")
    hazard_cover: float = Field(
        0.0, ge=0.0, lt=1.0,
        description="fraction of cells that are hazards: they cost energy to stand on, show in a "
        "sense channel of their own (agents then predict 5 more features) and drift; 0 = none",
    )
    hazard_patch_size: float = Field(
        3.0, gt=0, description="length scale of hazard patches (cells)"
    )
    hazard_cost: float = Field(
        2.0, ge=0, description="energy lost in every tick an agent ends on a hazard (energy/tick)"
    )
    hazard_drift_every: int = Field(
        40, ge=0, description="ticks between two steps of the hazards, one cell east; 0 = still"
    )


class FoodConfig(_Section):
    """The food field: capacity per cell, patchy layout, regrowth and seasons."""

    capacity: float = Field(10.0, gt=0, description="most food one rich cell can hold (energy)")
    patch_size: float = Field(
        6.0, ge=0,
        description="length scale of food patches (cells); 0 = no patches, every cell rich",
    )
    patch_cover: float = Field(
        0.35, gt=0, le=1.0, description="fraction of cells inside rich patches"
    )
    background: float = Field(
        0.1, ge=0, le=1.0, description="capacity outside patches, as a fraction of `capacity`"
    )
    initial_fill: float = Field(
        0.5, ge=0, le=1.0, description="food at tick 0, as a fraction of each cell's capacity"
    )
    regrowth_rate: float = Field(
        0.01, ge=0, le=1.0,
        description="food regrown per tick, as a fraction of the cell's capacity (1/ticks)",
    )
    season_amplitude: float = Field(
        0.0, ge=0,
        description="seasonal modulation of regrowth: rate * max(0, 1 + amplitude * sin(phase)); "
        "0 = stationary",
    )
    season_period: float = Field(2000.0, gt=0, description="length of one season cycle (ticks)")
    season_waves: float = Field(
        1.0, ge=0,
        description="spatial waves of the season across the world's width; "
        "0 = the whole world in phase",
    )
    kinds: int = Field(
        1, ge=1, le=4, description="kinds of food, each in patches of its own and sensed in a "
        "channel of its own (agents then predict 5 more features per kind)"
    )
    kind_values: list[float] = Field(
        [1.0], description="energy per unit of food eaten, one value per kind; negative = poison. "
        "Which kind is worth which value is dealt by `deal`"
    )
    deal: Literal["fixed", "per_generation", "per_region", "volatile"] = Field(
        "fixed",
        description="who is worth what: fixed = kind k the k-th value; per_generation = dealt "
        "anew (a random permutation) for every generation's world, and every `deal_every` ticks "
        "within one world; per_region = the deal of one half of the world (a smooth map) shifted "
        "by one in the other; volatile = dealt at random for every world, then stable epochs of "
        "`stable_ticks` alternating with volatile ones of `volatile_ticks`, in which the deal "
        "shifts by one every `flip_min`..`flip_max` ticks",
    )
    deal_every: int = Field(
        1000, ge=1, description="per_generation: ticks between two deals in one world"
    )
    stable_ticks: int = Field(500, ge=1, description="volatile: length of a stable epoch (ticks)")
    volatile_ticks: int = Field(
        500, ge=1, description="volatile: length of a volatile epoch (ticks)"
    )
    flip_min: int = Field(
        30, ge=1, description="volatile: fewest ticks between two shifts of the deal"
    )
    flip_max: int = Field(
        60, ge=1, description="volatile: most ticks between two shifts of the deal"
    )
    delayed_kind: int = Field(
        -1, ge=-1, le=3, description="the kind whose worth (its harm, if it is poison) reaches "
        "the eater `delay` ticks after eating, not at once; -1 = none"
    )
    delay: int = Field(
        0, ge=0, le=1000, description="ticks between eating the delayed kind and its effect"
    )

    @model_validator(mode="after")
    def _one_value_per_kind(self) -> "FoodConfig":
        if len(self.kind_values) != self.kinds:
            raise ValueError(f"kind_values needs one value per kind (kinds={self.kinds}), got "
                             f"{len(self.kind_values)}")
        if self.flip_min > self.flip_max:
            raise ValueError(f"flip_min must be <= flip_max ({self.flip_max}), got {self.flip_min}")
        if self.delayed_kind >= self.kinds:
            raise ValueError(f"delayed_kind must name one of the {self.kinds} kinds "
                             f"(0..{self.kinds - 1}) or be -1, got {self.delayed_kind}")
        return self


class AgentsConfig(_Section):
    """The founding population and agent storage."""

    initial_count: int = Field(
        1000, ge=0, description="agents placed at tick 0 on random free cells"
    )
    initial_energy: float = Field(40.0, gt=0, description="energy of each founding agent (energy)")
    founder_age_spread: float = Field(
        0.5, ge=0, lt=1.0,
        description="founders start with ages drawn uniformly from [0, spread * life.max_age) "
        "(ticks), so they do not all die of old age in the same tick; 0 = all newborn",
    )
    sense_radius: int = Field(
        2, ge=1, le=7, description="agents sense a (2r+1)x(2r+1) window (cells)"
    )
    max_population: int = Field(
        0, ge=0, description="births are skipped while this many agents are alive; 0 = no cap"
    )
    founders: str | None = Field(
        None,
        description="a genomes file (.npz holding 'genomes', float32 (m, G)), e.g. the genomes.npz "
        "of an `alife evolve` run folder: founders' genomes are drawn from its rows (each once "
        "while they last) instead of from the learner's and affect's settings; "
        "null = from the settings",
    )
    clones: bool = Field(
        False, description="every founder gets the same genome (the first one drawn): clones, "
        "placed at random, whose differences can only grow out of their histories"
    )


class EnergyConfig(_Section):
    """The energy budget of every agent."""

    basal_cost: float = Field(0.5, ge=0, description="metabolism paid every tick (energy/tick)")
    move_cost: float = Field(
        0.2, ge=0, description="extra cost of a tick in which the agent moved (energy)"
    )
    eat_rate: float = Field(
        4.0, gt=0, description="most food eaten from the agent's cell per tick (energy/tick)"
    )
    max_energy: float = Field(
        200.0, gt=0, description="an agent stops eating at this energy (energy)"
    )


class LifeConfig(_Section):
    """Death and reproduction inside the world (open-ended, overlapping generations)."""

    max_age: int = Field(1500, ge=0, description="agents die at this age (ticks); 0 = no age limit")
    reproduce_threshold: float = Field(
        80.0, gt=0,
        description="an agent with at least this energy places a child next to it (energy)",
    )
    child_energy_fraction: float = Field(
        0.5, gt=0, lt=1.0, description="share of the parent's energy handed to the child"
    )
    mutation_sigma: float = Field(
        0.05, ge=0, le=10.0,
        description="(gene) founders' mutation step size: standard deviation of the Gaussian noise "
        "added to a child's genes; each genome segment carries its own, self-adapted step "
        "(evolution.step_size_rate); 0 = no mutation",
    )


class LearnerConfig(_Section):
    """The predictive learner: a per-agent world model, curiosity and a learned value.

    Each tick an agent compares what it senses with what its world model predicted, learns from
    the error (surprise), and picks its next action by imagining each action's outcome with the
    model and scoring it Q(a) = expected energy gain (a learned reward head) + discounted learned
    value of the imagined state + curiosity about that situation (learned error models). Fields
    marked (gene) set the founders' heritable starting value; children inherit mutated copies.
    The equations are in alife/kernels/mind.py and docs/model.md.
    """

    features: Literal["sectors", "window"] = Field(
        "sectors",
        description="what is predicted: sectors = food and blocked in the own cell and 4 "
        "directional sectors plus own energy (10 numbers); window = every sensed value "
        "(costly: 2*(2r+1)^2+1)",
    )
    learning: bool = Field(
        True, description="learn during life; false = world model, value, reward head and error "
        "models frozen at birth (ablation)"
    )
    policy: Literal["learned", "greedy", "random"] = Field(
        "learned",
        description="how actions are chosen: learned = softmax over the agent's own scores; the "
        "scripted controls to measure a mind against: greedy = towards the richest of the own "
        "cell and the 4 sectors (ties at random; needs features: sectors), random = uniform",
    )
    curiosity: Literal["surprise", "progress"] = Field(
        "progress",
        description="intrinsic reward and the pull of a situation: surprise = size of the "
        "prediction error (expected, in choosing); progress = expected drop of the error, slow "
        "minus fast error model (learning progress, which unlearnable noise cannot give)",
    )
    curiosity_weight: float = Field(
        0.5, ge=0, le=5.0,
        description="(gene) weight of curiosity in reward and action choice; 0 switches curiosity "
        "off for good (the gene is pinned at 0: ablation)",
    )
    energy_weight: float = Field(
        1.0, ge=0, description="weight of energy gained/lost (in units of food.capacity, the unit "
        "of the food senses) in the reward"
    )
    model_lr: float = Field(
        1.0, gt=0, le=1.5,
        description="(gene) world-model learning rate (normalised LMS step; stable below 2)",
    )
    value_lr: float = Field(
        1.0, gt=0, le=1.5, description="(gene) value learning rate (normalised TD(0) step)"
    )
    discount: float = Field(
        0.5, ge=0, le=0.99, description="(gene) discount of future reward per tick"
    )
    temperature: float = Field(
        0.02, gt=0, le=20.0, description="(gene) softmax temperature of action choice"
    )
    progress_fast: float = Field(
        3.0, ge=1, description="the fast error model learns with normalised-LMS rate "
        "1/progress_fast (updates)"
    )
    progress_slow: float = Field(
        30.0, ge=1, description="the slow error model learns with rate 1/progress_slow (updates); "
        "learning progress = slow minus fast expected error"
    )
    init_model: Literal["shift", "persistence", "zero"] = Field(
        "zero",
        description="(gene) founders' world model: zero = blank; persistence = nothing changes; "
        "shift = as persistence, and a step towards a sector brings that sector's food underfoot "
        "(a hand-built prior: opt-in, as a control)",
    )
    init_value_food: float = Field(
        0.0, description="(gene) founders' value of food underfoot and of own energy (0 = blank; "
        "other values are a hand-built prior: opt-in, as a control)"
    )
    init_noise: float = Field(
        0.02, ge=0, description="standard deviation of noise on founders' model, value and reward "
        "head weights"
    )
    cost_per_update: float = Field(
        0.02, ge=0,
        description="energy paid per tick for learning (cost of thinking; 0 when learning is off)",
    )
    cost_per_kweight: float = Field(
        0.0, ge=0,
        description="energy paid per tick per 1000 world-model weights (cost of a bigger brain)",
    )

    @model_validator(mode="after")
    def _fast_before_slow(self) -> "LearnerConfig":
        if self.progress_fast >= self.progress_slow:
            raise ValueError(
                f"progress_fast must be < progress_slow ({self.progress_slow}), got "
                f"{self.progress_fast}"
            )
        if self.policy == "greedy" and self.features != "sectors":
            raise ValueError("policy: greedy reads the food sectors: it needs features: sectors, "
                             f"got features: {self.features}")
        return self


class AffectConfig(_Section):
    """Affect: slow, unnamed internal variables that bend acting, learning, memory and value.

    Each agent carries K affect dimensions (indexed, never named): a leaky integral
    u <- alpha * u + (1 - alpha) * (beta @ drives~), squashed once, e = tanh(u), with
    alpha = 0.5 ** (1 / half_life). drives~ are the drives (surprise, energy gained, reward
    change, crowding, food underfoot, learning progress) standardised by the agent's own
    running mean and variance. Half-lives, sensitivities beta and every coupling are genes.
    Affect acts only through smooth couplings: temperature and curiosity of action choice,
    learning rate, the weight of energy in reward and choice, and what is written to the
    episodic memory.
    """

    enabled: bool = Field(
        True, description="false = affect held at 0, every coupling inert (ablation; same world)"
    )
    dims: int = Field(4, ge=1, le=16, description="number of affect dimensions K")
    half_lives: list[float] = Field(
        [100.0, 300.0, 1000.0, 3000.0],
        description="(gene) founders' half-life of each dimension (ticks): how long a change "
        "takes to fade by half; one value per dimension",
    )
    sensitivity_scale: float = Field(
        1.0, ge=0, description="(gene) spread of founders' random sensitivities beta (K x drives)"
    )
    coupling_scale: float = Field(
        0.5, ge=0,
        description="(gene) spread of founders' random coupling weights (each a K-vector)",
    )
    drive_scale_ticks: float = Field(
        1000.0, ge=1, description="time constant of each agent's running mean and variance of its "
        "drives, which standardise them (ticks)"
    )
    memory_size: int = Field(
        8, ge=0, le=64, description="episodic memory slots per agent; 0 = no memory"
    )
    replay_every: int = Field(10, ge=1, description="ticks between two replays from memory")
    replay_samples: int = Field(
        2, ge=0, le=16, description="memories replayed to the world model per replay"
    )

    @model_validator(mode="after")
    def _one_half_life_per_dim(self) -> "AffectConfig":
        if len(self.half_lives) != self.dims:
            raise ValueError(
                f"half_lives needs one value per dimension (dims={self.dims}), got "
                f"{len(self.half_lives)}"
            )
        if any(h < 1 for h in self.half_lives):
            raise ValueError(f"half_lives must all be >= 1 tick, got {self.half_lives}")
        return self


# The genome's segments that evolution.fixed_genes may name (alife.genetics.genome, whose test
# checks that the two lists agree).
GeneSegment = Literal[
    "log_temperature", "log_model_lr", "log_value_lr", "discount", "curiosity_weight",
    "affect_log_half_life", "affect_sensitivity", "temperature_coupling", "curiosity_coupling",
    "learning_coupling", "value_coupling", "memory_coupling", "memory_surprise", "memory_bias",
    "model_init", "value_init", "reward_init"]


class EvolutionConfig(_Section):
    """The genetic loop: how genomes are selected, recombined and mutated across generations.

    generational (``alife evolve``): each generation lives ``generation_ticks`` ticks in a fresh
    world without births; its fittest breed the next generation. open_ended: births inside
    one world (as ``alife run``), logged in generations of ``generation_ticks`` ticks. Both use
    the same genome and mutation; step sizes and ``inherit_learned`` apply to in-world births too.
    """

    mode: Literal["generational", "open_ended"] = Field(
        "generational",
        description="what `alife evolve` runs: generational = fresh world per generation, breeding "
        "between them; open_ended = one world with births inside it",
    )
    generations: int = Field(50, ge=1, description="generations to evolve")
    generation_ticks: int = Field(
        300, ge=1, description="ticks a generation lives (open_ended: ticks per logged generation)"
    )
    fitness: Literal["lifespan", "energy"] = Field(
        "lifespan",
        description="generational fitness: lifespan = ticks survived, ties broken by final energy; "
        "energy = final energy (0 if dead), ties broken by lifespan",
    )
    selection: Literal["tournament", "truncation", "random"] = Field(
        "tournament",
        description="how parents are picked: tournament = fittest of tournament_size random "
        "agents; truncation = uniformly among the fittest truncation_fraction; random = "
        "uniformly among all, no elites (the no-selection control)",
    )
    tournament_size: int = Field(3, ge=2, description="agents per tournament")
    truncation_fraction: float = Field(
        0.2, gt=0, le=1.0, description="share of the fittest that may breed (truncation)"
    )
    elites: int = Field(
        2, ge=0,
        description="fittest agents copied unchanged into the next generation (not with random)",
    )
    crossover_rate: float = Field(
        0.0, ge=0, le=1.0,
        description="share of generational children bred from two parents by uniform crossover "
        "(the rest from one parent)",
    )
    step_size_rate: float = Field(
        0.2, ge=0, le=2.0,
        description="self-adaptation of mutation step sizes: each step size is multiplied by "
        "exp(step_size_rate * N(0,1)) at every birth; 0 = fixed steps",
    )
    inherit_learned: bool = Field(
        False,
        description="Lamarckian inheritance: a child's innate world model and value start from "
        "its parent's learned ones instead of the parent's genes",
    )
    fixed_genes: list[GeneSegment] = Field(
        [],
        description="gene segments that never mutate: they keep the founders' values (e.g. "
        "[log_model_lr, log_temperature] evolves every other gene; a control for what those "
        "genes' evolution adds)",
    )
    checkpoint_every: int = Field(
        10, ge=0,
        description="generations between two checkpoints; "
        "0 = only on Ctrl-C/SIGTERM and at the end",
    )
    islands: int = Field(
        1, ge=1, le=1024,
        description="island model: this many generational evolutions side by side, exchanging "
        "migrants (1 = one population)",
    )
    migrate_every: int = Field(
        10, ge=1, description="generations between two migrations between islands"
    )
    migrants: int = Field(2, ge=0, description="fittest agents each island sends at a migration")
    topology: Literal["ring", "random"] = Field(
        "ring",
        description="where migrants go: ring = island k to k+1; "
        "random = a new random pairing each time",
    )


class RunConfig(_Section):
    """How a run is driven and recorded (does not change the simulated world)."""

    name: str = Field(
        "default", min_length=1, pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$",
        description="run name, the prefix of the run folder (letters, digits, _ . -)",
    )

    @field_validator("name", mode="before")
    @classmethod
    def _name_as_text(cls, value):
        # `--set run.name=2024` parses as a number; a name is text either way
        return (str(value) if isinstance(value, (int, float)) and not isinstance(value, bool)
                else value)
    steps: int = Field(5000, ge=0, description="ticks to simulate")
    record_every: int = Field(10, gt=0, description="ticks between two rows of metrics.csv")
    checkpoint_every: int = Field(
        1000, ge=0,
        description="ticks between two checkpoints (a multiple of record_every); 0 = only on "
        "Ctrl-C/SIGTERM and at the end",
    )
    threads: int = Field(
        0, ge=0, description="numba threads for the parallel kernels; 0 = all cores"
    )
    trace: int = Field(
        0, ge=0, description="trace every tick of this many founders, drawn from the seed, to the "
        "run folder's traces/ (alife.metrics.traces); tracing never changes the run"
    )
    trace_ids: list[int] = Field(
        [], description="trace these agents too, by id (born at any time; founders are 0..N-1)"
    )
    keep_checkpoints: bool = Field(
        False, description="keep every periodic checkpoint in checkpoints/ (not only the latest), "
        "so `alife agent` can replay a life from the last one before its birth"
    )

    @field_validator("trace_ids")
    @classmethod
    def _distinct_ids(cls, ids: list[int]) -> list[int]:
        if any(i < 0 for i in ids) or len(set(ids)) < len(ids):
            raise ValueError(f"must be distinct ids >= 0, got {ids}")
        return ids

    @model_validator(mode="after")
    def _checkpoints_on_rows(self) -> "RunConfig":
        if self.checkpoint_every % self.record_every:
            raise ValueError(
                f"checkpoint_every must be a multiple of record_every ({self.record_every}), "
                f"got {self.checkpoint_every}"
            )
        return self


class Config(_Section):
    """alife configuration. Every field, its meaning, unit and [valid range].

    Made by `alife config show --comments`; a test keeps it equal to the built-in defaults.
    Copy it, change what you need (unknown keys are errors), or override single fields with
    `--set section.field=value`.
    Time scales: perception and action every tick; food regrows every tick and seasons turn
    over food.season_period ticks; genomes change only across generations (at birth).
    """

    seed: int = Field(
        0, ge=0, description="master seed; world, agents and mutation streams are derived from it"
    )
    world: WorldConfig = WorldConfig()
    food: FoodConfig = FoodConfig()
    agents: AgentsConfig = AgentsConfig()
    energy: EnergyConfig = EnergyConfig()
    life: LifeConfig = LifeConfig()
    learner: LearnerConfig = LearnerConfig()
    affect: AffectConfig = AffectConfig()
    evolution: EvolutionConfig = EvolutionConfig()
    run: RunConfig = RunConfig()

    @model_validator(mode="after")
    def _fits_in_world(self) -> "Config":
        w = self.world
        if 2 * self.agents.sense_radius + 1 > min(w.width, w.height):
            raise ValueError(
                f"agents.sense_radius: the sensed window ({2 * self.agents.sense_radius + 1} "
                f"cells) must fit in the world ({w.width}x{w.height})"
            )
        free_cells = int(w.width * w.height * (1.0 - w.obstacle_density))
        if self.agents.initial_count > free_cells:
            raise ValueError(
                f"agents.initial_count: must be <= the free cells of the world (~{free_cells}), "
                f"got {self.agents.initial_count}"
            )
        return self
