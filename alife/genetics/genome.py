"""The one definition of the genome layout: named segments over one float32 row per agent.

Everything that reads or writes genes goes through :class:`GenomeLayout`, by segment name.
Kernels receive the segment offsets as plain integers (see ``alife.kernels.params``) and the
per-gene valid ranges as two float32 arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from alife.kernels.sense import N_ACTIONS, sense_size


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
    """Segments of the genome for a given sensing radius.

    Segments (in order):
        policy_weight   (N_ACTIONS, n_senses)  linear action scores over the senses
        policy_bias     (N_ACTIONS,)           per-action score offset
        log_temperature (1,)                   log of the softmax temperature
    """

    def __init__(self, sense_radius: int):
        n_senses = sense_size(sense_radius)
        specs = [
            ("policy_weight", (N_ACTIONS, n_senses), -20.0, 20.0, "action scores = W · senses + b"),
            ("policy_bias", (N_ACTIONS,), -20.0, 20.0, "per-action score offset"),
            ("log_temperature", (1,), -5.0, 3.0, "log of the softmax temperature of the policy"),
        ]
        self.segments: dict[str, Segment] = {}
        offset = 0
        for name, shape, lo, hi, doc in specs:
            seg = Segment(name, shape, offset, lo, hi, doc)
            self.segments[name] = seg
            offset += seg.size
        self.size = offset
        self.n_senses = n_senses

    def offset(self, name: str) -> int:
        return self.segments[name].offset

    def view(self, genomes: np.ndarray, name: str) -> np.ndarray:
        """The genes of segment ``name`` for every row: shape (n, *segment.shape), a view."""
        seg = self.segments[name]
        return genomes[:, seg.offset : seg.offset + seg.size].reshape((genomes.shape[0], *seg.shape))

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Per-gene (lo, hi), float32 arrays of shape (size,)."""
        lo = np.empty(self.size, np.float32)
        hi = np.empty(self.size, np.float32)
        for seg in self.segments.values():
            lo[seg.offset : seg.offset + seg.size] = seg.lo
            hi[seg.offset : seg.offset + seg.size] = seg.hi
        return lo, hi
