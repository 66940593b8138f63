"""Property tests: the world's invariants hold for any valid small config."""

from conftest import check_world
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alife import Simulation, load_config


@st.composite
def small_configs(draw):
    width = draw(st.integers(5, 30))
    height = draw(st.integers(5, 30))
    radius = draw(st.integers(1, min(7, (min(width, height) - 1) // 2)))
    density = draw(st.floats(0.0, 0.3))
    free = int(width * height * (1 - density))
    return load_config({
        "seed": draw(st.integers(0, 2**31)),
        "world": {"width": width, "height": height, "obstacle_density": density,
                  "edges": draw(st.sampled_from(["torus", "walls"]))},
        "agents": {"initial_count": draw(st.integers(1, max(1, free // 3))), "sense_radius": radius,
                   "max_population": draw(st.sampled_from([0, 10, 50]))},
        "food": {"regrowth_rate": draw(st.floats(0.0, 0.2)),
                 "season_amplitude": draw(st.floats(0.0, 2.0)),
                 "patch_size": draw(st.sampled_from([0.0, 2.0, 5.0]))},
        "energy": {"basal_cost": draw(st.floats(0.0, 2.0)), "move_cost": draw(st.floats(0.0, 1.0))},
        "life": {"reproduce_threshold": draw(st.floats(20.0, 120.0)),
                 "max_age": draw(st.sampled_from([0, 15, 200]))},
    })


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_configs())
def test_invariants_hold_for_any_config(config):
    sim = Simulation(config)
    cap = config.agents.max_population
    for _ in range(8):
        sim.step(5)
        check_world(sim)
        if cap:
            assert sim.n_alive <= max(cap, config.agents.initial_count)
