"""Mutation with self-adapted step sizes: one rule for in-world births and generational breeding.

A genome's last segment (``mutation_step`` in GenomeLayout) holds one step size per other
segment. A child first mutates its step sizes log-normally, ``σ' = σ · exp(τ z)``, then every
other gene ``x' = x + σ'_segment · z`` (z standard normal, fresh per gene), each clipped to its
valid range. Step sizes that happened to produce fit children are inherited with them, so they
adapt without any outside schedule (self-adaptation as in evolution strategies).
"""

import math

from numba import njit

from alife.kernels.rng import next_normal_pair


@njit(cache=True)
def mutate_genome(source, child, step_of, gene_lo, gene_hi, step_rate, rng, i, stream):
    """Write a mutated copy of ``source`` into ``child`` (float32 (G,) each, not the same row).

    step_of int64 (G,): the index of each gene's step size, -1 for the step genes themselves
    (which come last, from index step_of[0]). gene_lo/gene_hi float32 (G,). step_rate: τ.
    Draws from the SplitMix64 stream ``rng[i, stream]``.
    """
    n = source.shape[0]
    first_step = step_of[0]
    for g in range(first_step, n, 2):  # step sizes first: the genes then use the child's own
        z0, z1 = next_normal_pair(rng, i, stream)
        child[g] = min(max(source[g] * math.exp(step_rate * z0), gene_lo[g]), gene_hi[g])
        if g + 1 < n:
            child[g + 1] = min(max(source[g + 1] * math.exp(step_rate * z1), gene_lo[g + 1]),
                               gene_hi[g + 1])
    for g in range(0, first_step, 2):
        z0, z1 = next_normal_pair(rng, i, stream)
        child[g] = min(max(source[g] + child[step_of[g]] * z0, gene_lo[g]), gene_hi[g])
        if g + 1 < first_step:
            child[g + 1] = min(max(source[g + 1] + child[step_of[g + 1]] * z1, gene_lo[g + 1]),
                               gene_hi[g + 1])


@njit(cache=True)
def mutate_rows(sources, children, step_of, gene_lo, gene_hi, step_rate, rng):
    """``children[k] = mutate(sources[k])`` for every row k; float32 (n, G) each.

    rng uint64 (n, 1): one SplitMix64 state per child (advanced in place).
    """
    for k in range(sources.shape[0]):
        mutate_genome(sources[k], children[k], step_of, gene_lo, gene_hi, step_rate, rng, k, 0)
