"""Evolution must actually evolve: selection beats a no-selection control, on every seed tried.

The founders here are born indifferent to food (innate value of food 0) and cannot learn in
their lifetime, so surviving longer needs heritable change. Runs with the same seed see the
same sequence of worlds (generation g's world depends only on the seed and g), so selection
and control are compared generation by generation on identical worlds.
"""

import csv

import numpy as np
import pytest

from alife.runners.evolve import evolve

WORLD = {"world": {"width": 32, "height": 32}, "agents": {"initial_count": 80},
         "learner": {"learning": False, "init_value_food": 0.0, "init_noise": 0.1}}
GENERATIONS = 15


def _mean_lifespans(folder_root, seed, selection):
    folder = folder_root / f"{selection}-{seed}"
    config = {**WORLD, "seed": seed,
              "evolution": {"generations": GENERATIONS, "generation_ticks": 200,
                            "selection": selection}}
    evolve(config, folder, progress=False, log=lambda msg: None)
    with open(folder / "generations.csv", newline="", encoding="utf-8") as f:
        return np.array([float(row["mean_lifespan"]) for row in csv.DictReader(f)])


@pytest.fixture(scope="module")
def lifespans(tmp_path_factory):
    root = tmp_path_factory.mktemp("selection")
    return {seed: {sel: _mean_lifespans(root, seed, sel) for sel in ("tournament", "random")}
            for seed in (1, 2, 3)}


def test_selected_lineages_outlive_the_no_selection_control_on_every_seed(lifespans):
    gaps = []
    for seed, runs in lifespans.items():
        selected, control = runs["tournament"][-5:].mean(), runs["random"][-5:].mean()
        assert selected > control, f"seed {seed}: {selected:.1f} vs control {control:.1f}"
        gaps.append(selected - control)
    assert np.mean(gaps) > 5.0, gaps


def test_lifespan_rises_from_the_first_generations_to_the_last(lifespans):
    for seed, runs in lifespans.items():
        first, last = runs["tournament"][:3].mean(), runs["tournament"][-5:].mean()
        assert last > first + 5.0, f"seed {seed}: {first:.1f} -> {last:.1f}"
