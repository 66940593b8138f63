"""The one definition of the genome layout: named segments over one float32 row per agent.

Everything that reads or writes genes goes through :class:`GenomeLayout`, by segment name.
Kernels receive the segment offsets as plain integers (see ``alife.kernels.params``) and the
per-gene valid ranges as two float32 arrays. Genes are read when an agent is born (its learned
state starts from them) and by the per-tick learner for the scalar traits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from alife.config.schema import Config
from alife.kernels.affect import N_DRIVES
from alife.kernels.sense import N_ACTIONS

LR_MIN, LR_MAX = 1e-4, 1.5  # normalised LMS/TD steps: stable below 2
STEP_MIN, STEP_MAX = 1e-4, 1.0  # self-adapted mutation step sizes


@dataclass(frozen=True)
class Segment:
    """A named block of genes: ``shape`` genes starting at ``offset``, each clipped to [lo, hi]."""

    name: str
    shape: tuple[int, ...]
    offset: int
    lo: float
    hi: float
    doc: str

    @property
    def size(self) -> int:
        return int(np.prod(self.shape))


class GenomeLayout:
    """Segments of the genome, for P predicted features (P+1 inputs with the bias).

    Segments (in order):
        log_temperature  (1,)                    log of the softmax temperature of action choice
        log_model_lr     (1,)                    log of the world-model learning rate η0
        log_value_lr     (1,)                    log of the value learning rate
        discount         (1,)                    discount of future reward per tick
        curiosity_weight (1,)                    weight of curiosity (pinned at 0 when ablated)
        affect_log_half_life (K,)                log half-life of each affect dimension (ticks)
        affect_sensitivity (K, D)                beta: how the D drives move each dimension
        temperature_coupling (K,)                tau = tau0 * exp(w . e)
        curiosity_coupling (K,)                  c = c0 * exp(w . e)
        learning_coupling (K,)                   eta = eta0 * max(0, 1 + w . e)
        value_coupling   (K,)                    weight of energy in reward and choice: exp(w . e)
        memory_coupling  (K,)                    memory write weight:
                                                 sigmoid(w . e + ws * surprise + b)
        memory_surprise  (1,)                    ws
        memory_bias      (1,)                    b
        model_init       (N_ACTIONS, P, P + 1)   world model at birth: x' ≈ W[a] · [x, 1]
        value_init       (P + 1,)                value at birth: V(x) = v · [x, 1]
        reward_init      (N_ACTIONS, P + 1)      reward head at birth: expected gain R[a] · [x, 1]
        mutation_step    (number of segments before it,)  mutation step size of each segment above
    The scalar and affect genes come first: the per-tick kernels read them from one place.
    The step sizes come last; they mutate themselves, log-normally (self-adaptation, see
    ``alife.kernels.mutation``). ``step_bounds`` is their valid range: (0, 0) switches mutation
    off, (s, s) fixes the steps at s. ``fixed``: segments whose step size is held at 0, so they
    keep the founders' values (``evolution.fixed_genes``).
    """

    def __init__(self, n_features: int, affect_dims: int = 4, curiosity_on: bool = True,
                 step_bounds: tuple[float, float] = (STEP_MIN, STEP_MAX),
                 fixed: tuple[str, ...] = ()):
        p = n_features
        k = affect_dims
        specs = [
            ("log_temperature", (1,), math.log(1e-3), math.log(20.0), "log softmax temperature"),
            ("log_model_lr", (1,), math.log(LR_MIN), math.log(LR_MAX),
             "log world-model learning rate"),
            ("log_value_lr", (1,), math.log(LR_MIN), math.log(LR_MAX), "log value learning rate"),
            ("discount", (1,), 0.0, 0.99, "discount per tick"),
            ("curiosity_weight", (1,), 0.0, 5.0 if curiosity_on else 0.0, "weight of curiosity"),
            ("affect_log_half_life", (k,), 0.0, math.log(1e5), "log half-life of affect (ticks)"),
            ("affect_sensitivity", (k, N_DRIVES), -10.0, 10.0, "drives -> affect"),
            ("temperature_coupling", (k,), -5.0, 5.0, "affect -> log temperature"),
            ("curiosity_coupling", (k,), -5.0, 5.0, "affect -> log curiosity weight"),
            ("learning_coupling", (k,), -5.0, 5.0, "affect -> relative learning rate"),
            ("value_coupling", (k,), -5.0, 5.0, "affect -> log weight of energy in the reward"),
            ("memory_coupling", (k,), -10.0, 10.0, "affect -> memory write weight"),
            ("memory_surprise", (1,), -10.0, 10.0, "surprise -> memory write weight"),
            ("memory_bias", (1,), -10.0, 10.0, "baseline memory write weight (logit)"),
            ("model_init", (N_ACTIONS, p, p + 1), -10.0, 10.0, "world model at birth"),
            ("value_init", (p + 1,), -10.0, 10.0, "value weights at birth"),
            ("reward_init", (N_ACTIONS, p + 1), -10.0, 10.0, "reward head at birth"),
        ]
        specs.append(("mutation_step", (len(specs),), *step_bounds,
                      "mutation step size of each segment"))
        self.segments: dict[str, Segment] = {}
        offset = 0
        for name, shape, lo, hi, doc in specs:
            seg = Segment(name, shape, offset, lo, hi, doc)
            self.segments[name] = seg
            offset += seg.size
        self.size = offset
        self.n_features = p
        self.affect_dims = k
        unknown = set(fixed) - set(self.segments) | ({"mutation_step"} & set(fixed))
        if unknown:
            raise ValueError(f"fixed genes: unknown segments {sorted(unknown)}")
        self.fixed = tuple(fixed)

    @classmethod
    def from_config(cls, config: Config) -> "GenomeLayout":
        from alife.learners.features import feature_map

        sigma = config.life.mutation_sigma
        adaptive = sigma > 0 and config.evolution.step_size_rate > 0
        step_bounds = (min(STEP_MIN, sigma), max(STEP_MAX, sigma)) if adaptive else (sigma, sigma)
        return cls(feature_map(config).shape[0], affect_dims=config.affect.dims,
                   curiosity_on=config.learner.curiosity_weight > 0, step_bounds=step_bounds,
                   fixed=tuple(config.evolution.fixed_genes))

    def offset(self, name: str) -> int:
        return self.segments[name].offset

    def view(self, genomes: np.ndarray, name: str) -> np.ndarray:
        """The genes of segment ``name`` for every row: shape (n, *segment.shape), a view."""
        seg = self.segments[name]
        return genomes[:, seg.offset : seg.offset + seg.size].reshape(
            (genomes.shape[0], *seg.shape))

    def step_of_gene(self) -> np.ndarray:
        """For each gene, the genome index of its segment's step size; -1 for the step genes.

        int64 (size,)."""
        steps = self.segments["mutation_step"]
        step_of = np.full(self.size, -1, np.int64)
        for k, seg in enumerate(s for s in self.segments.values() if s.name != "mutation_step"):
            step_of[seg.offset : seg.offset + seg.size] = steps.offset + k
        return step_of

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Per-gene (lo, hi), float32 arrays of shape (size,)."""
        lo = np.empty(self.size, np.float32)
        hi = np.empty(self.size, np.float32)
        for seg in self.segments.values():
            lo[seg.offset : seg.offset + seg.size] = seg.lo
            hi[seg.offset : seg.offset + seg.size] = seg.hi
        step_of = self.step_of_gene()
        for name in self.fixed:  # a step size held at 0: the segment never mutates
            lo[step_of[self.offset(name)]] = hi[step_of[self.offset(name)]] = 0.0
        return lo, hi
