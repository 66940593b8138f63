"""The founders, fast enough for a million of them: their genomes written row by row from
numpy's draws (:func:`compose_founders`) and their learned state started block by block
(:func:`start_founders`), bit for bit as the code they replace.

``alife.kernels.learner.start_learned_state`` starts one slot: it copies the innate world
model, value and reward head from the genome into the slot's lane of its block, decodes the
traits, sets the affect's persistence from the half-life genes and writes zeros everywhere
else. :func:`start_founders` does it for the founders in fresh storage (``empty_agents``:
every learned array is zero), where the zeros are there already: writing them would only map
pages that the first tick maps anyway. It copies the heads a block of eight lanes at a time,
each output element from the gene that ``start_learned_state`` itself puts there (read off it
once, :func:`lane_sources`), and decodes the traits with the kernels' own ``decode_traits``;
``tests/world/test_build.py`` compares the two.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from alife.kernels.learner import decode_traits, start_learned_states
from alife.kernels.simd import LANES

# the lane arrays that start_learned_state copies from the genome
COPIED = ("model", "value", "reward_model")


def lane_sources(agents, p) -> tuple[np.ndarray, ...]:
    """For each array of COPIED, int64 (row size,): the gene that start_learned_state copies
    into each element of a slot's row (in the array's row order, the lane left out).
    ``agents``: any agent storage of the run's dimensions (it is not changed)."""
    sample = type(agents)(*(np.zeros((LANES, *a.shape[1:]), a.dtype) for a in agents))
    sample.genome[0] = np.arange(sample.genome.shape[1])  # gene j holds j (exact in float32)
    start_learned_states(np.zeros(1, np.int64), sample, p)
    return tuple(getattr(sample, name)[0, ..., 0].ravel().astype(np.int64) for name in COPIED)


@njit(cache=True, inline="always")
def _copy_lanes(flat, b, base, lo, lanes, genome, sources):
    """flat[b, q * 8 + lane] = genome[base + lane, sources[q]] for the lanes lo..lanes-1."""
    row = flat[b]
    if lo == 0 and lanes == 8:
        rows = genome[base:base + 8]
        for q in range(sources.shape[0]):
            gene = sources[q]
            for lane in range(8):
                row[q * 8 + lane] = rows[lane, gene]
    else:
        for q in range(sources.shape[0]):
            gene = sources[q]
            for lane in range(lo, lanes):
                row[q * 8 + lane] = genome[base + lane, gene]


@njit(cache=True, nogil=True)
def start_founders(first, stop, agents, p, sources):
    """start_learned_state for the slots first..stop-1 of fresh storage; ``sources``: the
    :func:`lane_sources` of model, value and reward_model."""
    genome = agents.genome
    blocks = agents.model.shape[0]
    model = agents.model.reshape(blocks, -1)
    value = agents.value.reshape(blocks, -1)
    reward = agents.reward_model.reshape(blocks, -1)
    alpha = agents.affect_alpha
    k_dims = alpha.shape[1]
    # the last half-life genes and their persistence: founders mostly share them (the
    # config's half-lives), and equal genes give equal persistence
    genes = np.full(k_dims, np.nan, np.float32)
    persistence = np.zeros(k_dims, np.float32)
    for b in range(first >> 3, (stop + 7) >> 3):
        base = b << 3
        lo = max(first, base) - base  # the block's lanes in first..stop-1
        lanes = min(8, stop - base)
        _copy_lanes(model, b, base, lo, lanes, genome, sources[0])
        _copy_lanes(value, b, base, lo, lanes, genome, sources[1])
        _copy_lanes(reward, b, base, lo, lanes, genome, sources[2])
        for lane in range(lo, lanes):
            slot = base + lane
            decode_traits(slot, agents, p)
            for k in range(k_dims):
                gene = genome[slot, p.g_affect_log_half_life + k]
                if gene != genes[k]:  # NaN never equals: computed anew
                    genes[k] = gene
                    half_life = math.exp(gene)  # as start_learned_state
                    persistence[k] = 0.5 ** (1.0 / half_life)
                alpha[b, k, lane] = persistence[k]


@njit(cache=True, nogil=True)
def compose_founders(genome, first, stop, const_genes, const_values, copy_offsets, copies,
                     base, noise_offsets, draws, priors, noise, lo, hi):
    """Write the founders' genomes in rows first..stop-1 of ``genome`` float32 (n, G), zero
    there before, as numpy would: ``genome[row, const_genes] = const_values``; each segment s
    of ``copies`` at ``copy_offsets[s]`` = ``copies[s][row]``; each noise segment s at
    ``noise_offsets[s]`` = ``priors[s] + noise * draws[s][row - base]`` (``noise * draws[s][row
    - base]`` where ``priors[s]`` is empty); then ``np.clip(row, lo, hi)``, as numpy clips
    (a NaN stays NaN, a tie gives the bound; lo and hi are not NaN)."""
    for row in range(first, stop):
        g = genome[row]
        for c in range(const_genes.shape[0]):
            g[const_genes[c]] = const_values[c]
        for s in range(len(copy_offsets)):
            src = copies[s][row]
            dst = g[copy_offsets[s]:copy_offsets[s] + src.shape[0]]
            for j in range(src.shape[0]):
                dst[j] = src[j]
        for s in range(len(noise_offsets)):
            z = draws[s][row - base]
            prior = priors[s]
            dst = g[noise_offsets[s]:noise_offsets[s] + z.shape[0]]
            if prior.shape[0]:
                for j in range(z.shape[0]):
                    dst[j] = prior[j] + noise * z[j]
            else:
                for j in range(z.shape[0]):
                    dst[j] = noise * z[j]
        for j in range(g.shape[0]):  # numpy's clip: max(x, lo) then min(., hi), NaN-keeping
            x = g[j]
            x = x if not x <= lo[j] else lo[j]  # x > lo, or x is NaN
            g[j] = x if not x >= hi[j] else hi[j]
