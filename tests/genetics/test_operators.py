"""Genetic operators: fitness, selection, elitism, crossover, mutation with self-adapted steps."""

import numpy as np
import pytest

from alife.config.schema import EvolutionConfig
from alife.genetics.genome import GenomeLayout
from alife.genetics.operators import (
    breed,
    elite_indices,
    fitness_of,
    mutate,
    random_parents,
    tournament,
    truncation,
    uniform_crossover,
)

LAYOUT = GenomeLayout(10, affect_dims=2)
LO, HI = LAYOUT.bounds()
STEP_OF = LAYOUT.step_of_gene()


def _population(n, step, seed=0):
    """n genomes in the middle of every gene's range, every step size = ``step``."""
    rng = np.random.default_rng(seed)
    mid = (LO + HI) / 2
    genomes = np.repeat(mid[None], n, axis=0) + 0.01 * rng.standard_normal((n, LAYOUT.size))
    genomes = np.clip(genomes, LO, HI).astype(np.float32)
    LAYOUT.view(genomes, "mutation_step")[:] = step
    return genomes


def test_every_gene_has_a_step_size_gene_of_its_segment():
    steps = LAYOUT.segments["mutation_step"]
    assert steps.size == len(LAYOUT.segments) - 1
    assert np.all(STEP_OF[steps.offset:] == -1)
    model = LAYOUT.segments["model_init"]
    index = list(LAYOUT.segments).index("model_init")  # the step genes follow segment order
    assert set(STEP_OF[model.offset:model.offset + model.size]) == {steps.offset + index}


def test_mutation_with_fixed_steps_has_the_step_as_standard_deviation():
    parents = _population(400, 0.05)
    children = mutate(parents, STEP_OF, LO, HI, 0.0, np.random.default_rng(1))
    free = (parents > LO + 0.3) & (parents < HI - 0.3)  # far from the bounds: no clipping
    free[:, STEP_OF < 0] = False
    diff = (children - parents)[free]
    assert abs(diff.mean()) < 0.002
    assert diff.std() == pytest.approx(0.05, rel=0.03)
    np.testing.assert_array_equal(LAYOUT.view(children, "mutation_step"), np.float32(0.05))  # τ = 0


def test_self_adaptation_mutates_steps_log_normally_and_genes_by_their_own_step():
    parents = _population(2000, 0.05)
    children = mutate(parents, STEP_OF, LO, HI, 0.3, np.random.default_rng(2))
    log_ratio = np.log(LAYOUT.view(children, "mutation_step") / 0.05)
    assert abs(log_ratio.mean()) < 0.01
    assert log_ratio.std() == pytest.approx(0.3, rel=0.05)
    # a gene moves by its child's step: |Δ| / step is half-normal, mean sqrt(2/pi)
    seg = LAYOUT.segments["value_init"]
    step = children[:, STEP_OF[seg.offset]]
    delta = children[:, seg.offset] - parents[:, seg.offset]
    assert np.mean(np.abs(delta) / step) == pytest.approx(np.sqrt(2 / np.pi), rel=0.05)


def test_mutation_clips_to_each_genes_range_and_leaves_parents_alone():
    parents = _population(200, 0.5)
    parents[:, :] = HI  # everything at its upper bound
    before = parents.copy()
    children = mutate(parents, STEP_OF, LO, HI, 0.2, np.random.default_rng(3))
    assert np.all(children >= LO) and np.all(children <= HI)
    assert np.any(children < HI)
    np.testing.assert_array_equal(parents, before)


def test_pinned_genes_never_move():
    layout = GenomeLayout(10, affect_dims=2, curiosity_on=False, step_bounds=(0.1, 0.1))
    lo, hi = layout.bounds()
    genomes = np.repeat(((lo + hi) / 2)[None], 50, axis=0).astype(np.float32)
    children = mutate(genomes, layout.step_of_gene(), lo, hi, 0.5, np.random.default_rng(4))
    np.testing.assert_array_equal(layout.view(children, "curiosity_weight"), 0.0)
    np.testing.assert_array_equal(layout.view(children, "mutation_step"), np.float32(0.1))


def test_step_sizes_adapt_to_what_selection_rewards():
    """Selection toward a far target favours big steps; holding at an optimum favours small."""
    seg = LAYOUT.segments["discount"]
    step_gene = STEP_OF[seg.offset]
    ev = EvolutionConfig(selection="truncation", truncation_fraction=0.2, elites=0,
                         step_size_rate=0.3)

    def evolve(target_of_generation, generations=25):
        rng = np.random.default_rng(5)
        genomes = _population(200, 0.01)
        genomes[:, seg.offset] = 0.05
        for g in range(generations):
            fitness = -np.abs(genomes[:, seg.offset] - target_of_generation(g))
            genomes = breed(genomes, fitness, ev, STEP_OF, LO, HI, rng).genomes
        return np.median(genomes[:, step_gene])

    assert evolve(lambda g: 0.95, generations=8) > 0.05  # a long way to go: steps grew from 0.01
    assert evolve(lambda g: 0.05) < 0.005  # already there: steps shrank


def test_uniform_crossover_takes_each_gene_from_one_parent_about_half_each():
    rng = np.random.default_rng(6)
    a = np.zeros((50, 400), np.float32)
    b = np.ones((50, 400), np.float32)
    child = uniform_crossover(a, b, rng)
    assert set(np.unique(child)) == {0.0, 1.0}
    assert child.mean() == pytest.approx(0.5, abs=0.02)
    assert np.all((child == 0).any(axis=1) & (child == 1).any(axis=1))  # every child mixes


def test_tournament_prefers_the_fitter_and_grows_stronger_with_size():
    fitness = np.arange(100, dtype=np.float64)
    rng = np.random.default_rng(7)
    small = fitness[tournament(fitness, 20000, 2, rng)].mean()
    large = fitness[tournament(fitness, 20000, 5, rng)].mean()
    assert fitness.mean() + 10 < small < large
    assert large == pytest.approx(99 * 5 / 6, rel=0.03)  # E[max of 5 uniform draws]


def test_truncation_draws_only_from_the_fittest_fraction():
    rng = np.random.default_rng(8)
    fitness = rng.permutation(100).astype(np.float64)
    chosen = truncation(fitness, 5000, 0.2, rng)
    assert set(fitness[chosen]) == set(range(80, 100))


def test_random_parents_ignore_fitness():
    rng = np.random.default_rng(9)
    chosen = random_parents(100, 20000, rng)
    assert np.arange(100, dtype=float)[chosen].mean() == pytest.approx(49.5, abs=1.0)


def test_elites_are_the_fittest_copied_unchanged():
    genomes = _population(30, 0.1)
    fitness = np.random.default_rng(10).random(30)
    ev = EvolutionConfig(elites=3, selection="tournament")
    out = breed(genomes, fitness, ev, STEP_OF, LO, HI, np.random.default_rng(11))
    best = np.argsort(-fitness)[:3]
    np.testing.assert_array_equal(out.parent[:3], best)
    np.testing.assert_array_equal(out.genomes[:3], genomes[best])
    assert out.n_elites == 3 and len(out.genomes) == 30
    assert not np.any(np.all(out.genomes[3:] == genomes[out.parent[3:]], axis=1))  # mutated
    # no elites without selection: the control keeps nobody for being fit
    control = breed(genomes, fitness, EvolutionConfig(elites=3, selection="random"), STEP_OF, LO,
                    HI, np.random.default_rng(11))
    assert control.n_elites == 0


def test_crossover_rate_sets_the_share_of_two_parent_children():
    genomes = _population(400, 0.1)
    fitness = np.zeros(400)
    ev = EvolutionConfig(elites=0, crossover_rate=0.25)
    out = breed(genomes, fitness, ev, STEP_OF, LO, HI, np.random.default_rng(12))
    assert np.mean(out.parent2 >= 0) == pytest.approx(0.25, abs=0.06)
    none = breed(genomes, fitness, EvolutionConfig(elites=0), STEP_OF, LO, HI,
                 np.random.default_rng(12))
    assert np.all(none.parent2 == -1)


def test_breeding_is_reproducible_from_the_generator():
    genomes = _population(40, 0.1)
    fitness = np.random.default_rng(13).random(40)
    ev = EvolutionConfig(crossover_rate=0.5)
    one = breed(genomes, fitness, ev, STEP_OF, LO, HI, np.random.default_rng(14))
    two = breed(genomes, fitness, ev, STEP_OF, LO, HI, np.random.default_rng(14))
    np.testing.assert_array_equal(one.genomes, two.genomes)
    np.testing.assert_array_equal(one.parent2, two.parent2)


def test_fitness_lifespan_first_then_energy():
    lifespan = np.array([10, 10, 11, 11])
    energy = np.array([0.0, 150.0, -3.0, 200.0])
    alive = np.array([False, True, False, True])
    f = fitness_of(lifespan, energy, alive, "lifespan", max_energy=200.0, horizon=11)
    assert list(np.argsort(f)) == [0, 1, 2, 3]
    assert np.all(np.floor(f) == lifespan)


def test_fitness_energy_ranks_every_survivor_above_the_dead():
    lifespan = np.array([5, 9, 20, 20])
    energy = np.array([30.0, 10.0, 0.5, 7.0])
    alive = np.array([False, False, True, True])
    f = fitness_of(lifespan, energy, alive, "energy", max_energy=200.0, horizon=20)
    assert list(np.argsort(f)) == [0, 1, 2, 3]
    with pytest.raises(ValueError, match="evolution.fitness"):
        fitness_of(lifespan, energy, alive, "speed", 200.0, 20)


def test_elite_ties_go_to_the_lower_index():
    np.testing.assert_array_equal(elite_indices(np.array([1.0, 3.0, 3.0, 2.0]), 3), [1, 2, 3])
