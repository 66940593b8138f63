"""Genetic operators over genome arrays: fitness, selection, crossover, mutation, breeding.

Pure functions: arrays and a numpy ``Generator`` in, new arrays out; inputs are never changed.
Genomes are float32 (n, G) in the layout of :class:`alife.genetics.genome.GenomeLayout`;
fitness is float64 (n,), higher is better. Mutation is the same kernel that in-world births
use (``alife.kernels.mutation``): self-adapted step sizes carried in the genome.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from alife.config.schema import EvolutionConfig
from alife.kernels.mutation import mutate_rows


def fitness_of(lifespan: np.ndarray, energy: np.ndarray, alive: np.ndarray, kind: str,
               max_energy: float, horizon: int) -> np.ndarray:
    """Fitness float64 (n,) of agents from their lifespan (ticks, int (n,)), final energy
    (float (n,)) and whether they were still alive at the end (bool (n,)).

    lifespan: ticks survived, ties broken by final energy (a fraction below 1 is added, so
    a longer life always wins). energy: survivors score their final energy (> 0); the dead
    score ``lifespan / horizon - 1`` (in [-1, 0)), below every survivor, longer lives higher.
    """
    lifespan = np.asarray(lifespan, np.float64)
    energy = np.asarray(energy, np.float64)
    if kind == "lifespan":
        return lifespan + 0.999 * np.clip(energy, 0.0, max_energy) / max_energy
    if kind == "energy":
        return np.where(alive, energy, np.minimum(lifespan / max(horizon, 1), 1.0) - 1.0)
    raise ValueError(f"evolution.fitness: expected 'lifespan' or 'energy', got {kind!r}")


def elite_indices(fitness: np.ndarray, k: int) -> np.ndarray:
    """The ``k`` fittest, fittest first; equal fitness: lower index first. int64 (k,)."""
    order = np.argsort(-np.asarray(fitness, np.float64), kind="stable")
    return order[:k].astype(np.int64)


def tournament(fitness: np.ndarray, n_parents: int, size: int,
               rng: np.random.Generator) -> np.ndarray:
    """Each parent is the fittest of ``size`` agents drawn uniformly (with replacement);
    ties go to the first drawn. int64 (n_parents,)."""
    entrants = rng.integers(0, len(fitness), size=(n_parents, size))
    winners = np.argmax(np.asarray(fitness)[entrants], axis=1)
    return entrants[np.arange(n_parents), winners].astype(np.int64)


def truncation(fitness: np.ndarray, n_parents: int, fraction: float,
               rng: np.random.Generator) -> np.ndarray:
    """Parents drawn uniformly from the ceil(fraction · n) fittest. int64 (n_parents,)."""
    pool = elite_indices(fitness, max(1, int(np.ceil(fraction * len(fitness)))))
    return pool[rng.integers(0, len(pool), size=n_parents)]


def random_parents(n: int, n_parents: int, rng: np.random.Generator) -> np.ndarray:
    """Parents drawn uniformly from all n, whatever their fitness (no selection). int64."""
    return rng.integers(0, n, size=n_parents).astype(np.int64)


def select(fitness: np.ndarray, n_parents: int, evolution: EvolutionConfig,
           rng: np.random.Generator) -> np.ndarray:
    """Indices of ``n_parents`` parents by ``evolution.selection``. int64 (n_parents,)."""
    if evolution.selection == "tournament":
        return tournament(fitness, n_parents, evolution.tournament_size, rng)
    if evolution.selection == "truncation":
        return truncation(fitness, n_parents, evolution.truncation_fraction, rng)
    return random_parents(len(fitness), n_parents, rng)


def uniform_crossover(first: np.ndarray, second: np.ndarray,
                      rng: np.random.Generator) -> np.ndarray:
    """Children whose every gene comes from ``first`` or ``second`` with probability 1/2.

    first, second: float32 (n, G) (row k of each are the parents of child k). Returns (n, G).
    """
    take_second = rng.random(first.shape) < 0.5
    return np.where(take_second, second, first).astype(np.float32)


def mutate(genomes: np.ndarray, step_of: np.ndarray, gene_lo: np.ndarray, gene_hi: np.ndarray,
           step_rate: float, rng: np.random.Generator) -> np.ndarray:
    """Mutated copies of ``genomes`` (float32 (n, G)) with self-adapted step sizes.

    step_of int64 (G,) from ``GenomeLayout.step_of_gene``; gene_lo/gene_hi float32 (G,);
    step_rate τ. Each child gets its own random stream, seeded from ``rng``.
    """
    sources = np.ascontiguousarray(genomes, dtype=np.float32)
    children = np.empty_like(sources)
    streams = rng.integers(0, 2**64, size=(len(sources), 1), dtype=np.uint64)
    mutate_rows(sources, children, step_of, gene_lo, gene_hi, float(step_rate), streams)
    return children


class Offspring(NamedTuple):
    """The next generation: genomes float32 (n, G); parent and second-parent indices into the
    bred generation, int64 (n,), -1 where a child has no second parent. The first
    ``n_elites`` rows are elites: unchanged copies of their parent."""

    genomes: np.ndarray
    parent: np.ndarray
    parent2: np.ndarray
    n_elites: int


def breed(genomes: np.ndarray, fitness: np.ndarray, evolution: EvolutionConfig,
          step_of: np.ndarray, gene_lo: np.ndarray, gene_hi: np.ndarray,
          rng: np.random.Generator, n_children: int | None = None) -> Offspring:
    """Breed ``n_children`` (default: as many as there are parents) from ``genomes``.

    Elites (``evolution.elites``, none with random selection) are copied unchanged; every
    other child has a parent chosen by ``evolution.selection`` and, with probability
    ``evolution.crossover_rate``, a second one for uniform crossover; then it is mutated.
    """
    n = len(genomes) if n_children is None else n_children
    n_elites = 0 if evolution.selection == "random" else min(evolution.elites, n, len(genomes))
    elites = elite_indices(fitness, n_elites)
    n_bred = n - n_elites
    first = select(fitness, n_bred, evolution, rng)
    crossed = rng.random(n_bred) < evolution.crossover_rate
    second = np.full(n_bred, -1, np.int64)
    second[crossed] = select(fitness, int(crossed.sum()), evolution, rng)
    children = genomes[first].copy()
    if crossed.any():
        children[crossed] = uniform_crossover(genomes[first[crossed]], genomes[second[crossed]],
                                              rng)
    children = mutate(children, step_of, gene_lo, gene_hi, evolution.step_size_rate, rng)
    return Offspring(
        genomes=np.concatenate([genomes[elites], children]).astype(np.float32),
        parent=np.concatenate([elites, first]),
        parent2=np.concatenate([np.full(n_elites, -1, np.int64), second]),
        n_elites=n_elites,
    )
