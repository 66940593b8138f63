"""Per-run seeds and run ids, derived reproducibly from the sweep file.

A derived seed depends on the master seed, the repetition number and the run's swept
parameters (not on its position in the sweep), so adding a value to a sweep leaves the seeds
and ids of the runs already there unchanged, and a re-run finds their folders again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

import numpy as np


def canonical(params: Mapping[str, Any]) -> str:
    """The parameters as canonical JSON text (sorted keys): the identity of a combination."""
    return json.dumps(dict(params), sort_keys=True, separators=(",", ":"))


def derive_seed(master_seed: int, repetition: int, params: Mapping[str, Any]) -> int:
    """A seed in [0, 2**32) for repetition ``repetition`` of the combination ``params``.

    numpy's SeedSequence mixes the master seed, the repetition and a digest of the parameters,
    so different runs get unrelated seeds and the same sweep file always gives the same ones.
    """
    digest = hashlib.sha256(canonical(params).encode()).digest()
    words = [int.from_bytes(digest[i:i + 4], "little") for i in range(0, 16, 4)]
    sequence = np.random.SeedSequence([master_seed, repetition, *words])
    return int(sequence.generate_state(1, np.uint32)[0])


def run_id(params: Mapping[str, Any], seed: int) -> str:
    """The run's folder name: 10 hex digits of a hash of its parameters and seed."""
    text = canonical({"params": canonical(params), "seed": seed})
    return hashlib.sha256(text.encode()).hexdigest()[:10]
