"""Config loading: error messages name origin, field path and expectation; defaults never drift."""

import re
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel, ValidationError

from alife.config import Config, ConfigError, config_to_yaml, load_config

DEFAULT_YAML = Path(__file__).resolve().parents[2] / "configs" / "default.yaml"


def _error_for(tmp_path, text):
    """Load ``text`` as a YAML config file; return (path, the ConfigError message)."""
    path = tmp_path / "cfg.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    return str(path), str(info.value)


def _leaf_paths(model: type[BaseModel], prefix: str = ""):
    for name, field in model.model_fields.items():
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            yield from _leaf_paths(ann, f"{prefix}{name}.")
        else:
            yield prefix + name


# --- errors from YAML files -------------------------------------------------------------


def test_unknown_key_names_file_path_and_suggests_nearest(tmp_path):
    path, msg = _error_for(tmp_path, "world:\n  widht: 64\n")
    assert path in msg
    assert "world.widht" in msg
    assert "unknown key" in msg
    assert "'width'" in msg


def test_unknown_section_suggests_nearest_section(tmp_path):
    path, msg = _error_for(tmp_path, "fod:\n  capacity: 3.0\n")
    assert path in msg
    assert "fod" in msg
    assert "'food'" in msg


def test_wrong_type_names_field_and_expected_type(tmp_path):
    path, msg = _error_for(tmp_path, "world:\n  width: abc\n")
    assert path in msg
    assert "world.width" in msg
    assert "must be an integer" in msg


def test_out_of_range_names_bound_and_value(tmp_path):
    path, msg = _error_for(tmp_path, "world:\n  width: -5\n")
    assert path in msg
    assert "world.width: must be > 0, got -5" in msg


def test_literal_names_valid_choices(tmp_path):
    path, msg = _error_for(tmp_path, "world:\n  edges: box\n")
    assert path in msg
    assert "world.edges" in msg
    assert "'torus'" in msg and "'walls'" in msg
    assert "'box'" in msg


def test_section_given_a_scalar_says_it_must_be_a_section(tmp_path):
    path, msg = _error_for(tmp_path, "world: 5\n")
    assert path in msg
    assert "world: must be a section" in msg


def test_missing_file_names_path_and_not_found(tmp_path):
    path = tmp_path / "nope.yaml"
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(path) in str(info.value)
    assert "not found" in str(info.value)


def test_malformed_yaml_reports_line_number(tmp_path):
    path, msg = _error_for(tmp_path, "seed: 1\nworld: [1, 2\n")
    assert path in msg
    assert "malformed YAML" in msg
    assert re.search(r"line \d+", msg)


def test_top_level_list_is_rejected_as_not_a_mapping(tmp_path):
    path, msg = _error_for(tmp_path, "- 1\n- 2\n")
    assert path in msg
    assert "expected a mapping" in msg
    assert "list" in msg


def test_empty_file_gives_defaults(tmp_path):
    path = tmp_path / "empty.yaml"
    path.write_text("", encoding="utf-8")
    assert load_config(path).model_dump() == Config().model_dump()


# --- overrides --------------------------------------------------------------------------


def test_string_overrides_are_parsed_with_field_types():
    cfg = load_config(None, ["world.width=64", "run.name=abc", "food.capacity=2.5"])
    assert cfg.world.width == 64 and type(cfg.world.width) is int
    assert cfg.run.name == "abc" and type(cfg.run.name) is str
    assert cfg.food.capacity == 2.5 and type(cfg.food.capacity) is float
    assert cfg.world.height == Config().world.height  # untouched fields keep defaults


def test_dict_overrides_apply():
    cfg = load_config(None, {"world.width": 64, "seed": 9, "world.edges": "walls"})
    assert (cfg.world.width, cfg.seed, cfg.world.edges) == (64, 9, "walls")


def test_overrides_apply_on_top_of_a_file(tmp_path):
    path = tmp_path / "cfg.yaml"
    path.write_text("world:\n  width: 50\n  height: 40\n", encoding="utf-8")
    cfg = load_config(path, ["world.width=64"])
    assert (cfg.world.width, cfg.world.height) == (64, 40)


def test_override_without_equals_is_named_in_error():
    with pytest.raises(ConfigError) as info:
        load_config(None, ["world.width"])
    assert "'world.width'" in str(info.value)
    assert "key.path=value" in str(info.value)


def test_override_into_a_value_raises():
    with pytest.raises(ConfigError) as info:
        load_config(None, ["seed.x=1"])
    assert "seed is a value, not a section" in str(info.value)


def test_numeric_run_name_from_an_override_is_text():
    assert load_config(None, ["run.name=2024"]).run.name == "2024"


@pytest.mark.parametrize("name", ["../escaped", "a/b", ".hidden", ""])
def test_run_name_cannot_leave_the_runs_folder(name):
    with pytest.raises(ConfigError) as info:
        load_config({"run": {"name": name}})
    assert "run.name" in str(info.value)


@pytest.mark.parametrize("override", ["world.width=true", "food.capacity=false"])
def test_booleans_are_not_numbers(override):
    with pytest.raises(ConfigError) as info:
        load_config(None, [override])
    assert override.split("=")[0] + ": must be a number" in str(info.value)


def test_a_key_given_twice_is_refused_naming_both_lines(tmp_path):
    path, message = _error_for(tmp_path, "world:\n  width: 32\nfood:\n  capacity: 5\n"
                                         "world:\n  height: 20\n")
    assert message == f"{path}: line 5: duplicate key 'world' (first at line 1); give each key once"
    _, message = _error_for(tmp_path, "world:\n  width: 32\n  width: 40\n")
    assert "line 3: duplicate key 'width' (first at line 2)" in message


@pytest.mark.parametrize("text", ["0x10", "010", "0b11", "1:30"])
def test_integers_in_other_bases_are_refused(tmp_path, text):
    _, message = _error_for(tmp_path, f"world:\n  width: {text}\n")
    assert (f"line 2: '{text}' is a number in another base or sexagesimal in YAML 1.1; "
            "write it in decimal") in message
    with pytest.raises(ConfigError, match="write it in decimal"):
        load_config(None, [f"world.width={text}"])
    assert load_config(None, ["world.width=1_000"]).world.width == 1000  # digits grouped: fine


@pytest.mark.parametrize("override, field", [
    ("food.capacity=.inf", "food.capacity"),
    ("agents.initial_energy=.inf", "agents.initial_energy"),
    ("affect.half_lives=[.nan, 300, 1000, 3000]", "affect.half_lives.0"),
    ("food.kind_values=[-.inf]", "food.kind_values.0"),
])
def test_non_finite_numbers_are_refused(override, field):
    with pytest.raises(ConfigError, match=f"{re.escape(field)}: Input should be a finite number"):
        load_config(None, [override])


def test_override_into_a_value_set_by_the_source_says_not_a_section():
    with pytest.raises(ConfigError) as info:
        load_config({"seed": 3}, ["seed.x=1"])
    assert "seed is a value, not a section" in str(info.value)


def test_override_of_unknown_key_suggests_nearest():
    with pytest.raises(ConfigError) as info:
        load_config(None, ["world.widht=64"])
    msg = str(info.value)
    assert "(with overrides)" in msg
    assert "world.widht" in msg
    assert "'width'" in msg


def test_override_out_of_range_names_field():
    with pytest.raises(ConfigError) as info:
        load_config(None, ["run.record_every=0"])
    assert "run.record_every: must be > 0, got 0" in str(info.value)


# --- cross-field validation -------------------------------------------------------------


def test_sense_window_larger_than_world_is_rejected():
    with pytest.raises(ConfigError) as info:
        load_config({"world": {"width": 4, "height": 4},
                     "agents": {"initial_count": 0, "sense_radius": 2}})
    assert "agents.sense_radius" in str(info.value)
    assert "4x4" in str(info.value)


def test_more_founders_than_free_cells_is_rejected():
    with pytest.raises(ConfigError) as info:
        load_config({"world": {"width": 10, "height": 10}, "agents": {"initial_count": 200}})
    assert "agents.initial_count" in str(info.value)
    assert "got 200" in str(info.value)


def test_founders_filling_the_free_cells_exactly_is_accepted():
    cfg = load_config({"world": {"width": 10, "height": 10, "obstacle_density": 0.0},
                       "agents": {"initial_count": 100, "sense_radius": 1}})
    assert cfg.agents.initial_count == 100


# --- the Config object -------------------------------------------------------------------


def test_config_is_frozen():
    cfg = load_config()
    with pytest.raises(ValidationError):
        cfg.seed = 5
    with pytest.raises(ValidationError):
        cfg.world.width = 5
    assert cfg.seed == 0 and cfg.world.width == 128


def test_config_to_yaml_round_trips_a_non_default_config():
    cfg = load_config(None, {"seed": 17, "world.edges": "walls", "world.width": 40,
                             "food.regrowth_rate": 0.00125, "run.name": "exp-1",
                             "learner.init_noise": 0.0})
    assert cfg != Config()
    assert load_config(yaml.safe_load(config_to_yaml(cfg))) == cfg


def test_commented_yaml_round_trips_a_non_default_config():
    cfg = load_config(None, {"seed": 17, "world.edges": "walls", "food.capacity": 1e-5,
                             "run.name": "123"})
    assert load_config(yaml.safe_load(config_to_yaml(cfg, comments=True))) == cfg


# --- configs/default.yaml ---------------------------------------------------------------


def test_default_yaml_loads_to_the_schema_defaults():
    assert load_config(DEFAULT_YAML).model_dump() == Config().model_dump()


def test_default_yaml_text_is_the_generated_commented_defaults():
    assert DEFAULT_YAML.read_text(encoding="utf-8") == config_to_yaml(Config(), comments=True)


def test_default_yaml_comments_every_leaf_field():
    lines = DEFAULT_YAML.read_text(encoding="utf-8").splitlines()
    found = {}
    section = ""
    for i, line in enumerate(lines):
        top = re.match(r"^(\w+):", line)
        nested = re.match(r"^  (\w+):", line)
        if top:
            section = top.group(1)
            found[section] = i
        elif nested:
            found[f"{section}.{nested.group(1)}"] = i
    leaves = list(_leaf_paths(Config))
    for path in leaves:
        assert path in found, f"{path} missing from default.yaml"
        i = found[path]
        indent = "  " * path.count(".")
        above = lines[i - 1]
        assert above.startswith(indent + "# ") and len(above.strip()) > 3, (
            f"{path} has no comment above it")


def test_the_configuration_reference_in_docs_is_generated_from_the_schema():
    from alife.config.reference import reference_markdown, scenarios_markdown

    page = DEFAULT_YAML.parents[1] / "docs" / "configuration.md"
    assert page.read_text(encoding="utf-8") == reference_markdown()
    for path in _leaf_paths(Config):  # every field is documented there
        assert f"| `{path}` |" in page.read_text(encoding="utf-8")
    scenarios = DEFAULT_YAML.parents[1] / "docs" / "scenarios.md"
    # python -m alife.config.reference
    assert scenarios.read_text(encoding="utf-8") == scenarios_markdown()
