"""Load a config from YAML, a dict or nothing, apply ``key.path=value`` overrides, validate.

Every failure raises :class:`ConfigError` whose message names the file, the field path and what
was expected, e.g. ``my.yaml: world.width: must be > 0, got -5``.
"""

from __future__ import annotations

import copy
import difflib
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from alife.config.schema import Config


class ConfigError(ValueError):
    """A config that cannot be used; the message says where and why."""


def load_config(
    source: str | Path | Mapping[str, Any] | Config | None = None,
    overrides: Iterable[str] | Mapping[str, Any] | None = None,
) -> Config:
    """Build a validated, frozen :class:`Config`.

    Args:
        source: a YAML file path, a (nested) dict of settings, an existing Config, or None for
            the defaults (the values documented in ``configs/default.yaml``).
        overrides: ``["world.width=64", "seed=3"]`` (values parsed as YAML scalars) or a dict
            ``{"world.width": 64}``; applied after the source.
    """
    origin = "<defaults>"
    if source is None:
        data: dict[str, Any] = {}
    elif isinstance(source, Config):
        data = source.model_dump()
        origin = "<config>"
    elif isinstance(source, Mapping):
        data = copy.deepcopy(dict(source))
        origin = "<dict>"
    else:
        origin = str(source)
        data = _read_yaml(Path(source))
    if overrides:
        origin += " (with overrides)"
        for key, value in _parse_overrides(overrides):
            _set_path(data, key, value)
    try:
        return Config.model_validate(data)
    except ValidationError as err:
        raise ConfigError("\n".join(f"{origin}: {line}" for line in _describe(err))) from None


def config_to_yaml(config: Config, comments: bool = False) -> str:
    """The resolved config as YAML (every field, in schema order).

    With ``comments``, each section and field is preceded by its description from the schema
    (meaning, unit, valid values): this is how ``configs/default.yaml`` is made.
    """
    if not comments:
        return yaml.safe_dump(config.model_dump(mode="json"), sort_keys=False)
    import inspect

    lines = [f"# {line}".rstrip() for line in inspect.cleandoc(Config.__doc__ or "").splitlines()]
    lines.append("")
    _commented(config, 0, lines)
    return "\n".join(lines) + "\n"


def _commented(model: BaseModel, depth: int, lines: list[str]) -> None:
    indent = "  " * depth
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            doc = (type(value).__doc__ or "").strip().splitlines()[0]
            lines += ["", f"{indent}# {doc}", f"{indent}{name}:"]
            _commented(value, depth + 1, lines)
            continue
        if field.description:
            lines.append(f"{indent}# {field.description}{range_note(field)}")
        dumped = yaml.safe_dump({name: value}, default_flow_style=True, width=10**6).strip()
        lines.append(f"{indent}{dumped[1:-1]}")


class StrictYamlError(yaml.YAMLError):
    """YAML that parses but says something other than it seems (see :class:`StrictLoader`)."""


class StrictLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing what would silently change a config: a key given twice in
    one mapping (the second would replace the first), and integers written in YAML 1.1's
    other bases (``0x10`` is 16, ``010`` is 8, ``1:30`` is 90)."""

    def construct_mapping(self, node, deep=False):
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise StrictYamlError(f"line {line}: duplicate key {key!r} "
                                      f"(first at line {seen[key]}); give each key once")
            seen[key] = line
        return super().construct_mapping(node, deep)

    def construct_yaml_int(self, node):
        text = str(node.value).replace("_", "").lstrip("+-")
        if re.match(r"^(0[xXoObB]|0[0-9]|[0-9]+:)", text):
            raise StrictYamlError(f"line {node.start_mark.line + 1}: {node.value!r} is a number in "
                                  "another base or sexagesimal in YAML 1.1; write it in decimal")
        return super().construct_yaml_int(node)


StrictLoader.add_constructor("tag:yaml.org,2002:int", StrictLoader.construct_yaml_int)


def strict_yaml(text: str) -> Any:
    """Parse YAML text with :class:`StrictLoader`."""
    return yaml.load(text, Loader=StrictLoader)  # noqa: S506 (a SafeLoader subclass)


def _read_yaml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise ConfigError(f"{path}: config file not found")
    try:
        data = strict_yaml(path.read_text(encoding="utf-8"))
    except StrictYamlError as err:
        raise ConfigError(f"{path}: {err}") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(err, "problem", None) or str(err)
        raise ConfigError(f"{path}: malformed YAML{where}: {problem}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not a text file (expected UTF-8 YAML)") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of sections at the top, "
                          f"got {type(data).__name__}")
    return data


def _parse_overrides(overrides: Iterable[str] | Mapping[str, Any]) -> list[tuple[str, Any]]:
    if isinstance(overrides, Mapping):
        return list(overrides.items())
    parsed = []
    for item in overrides:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"override {item!r}: expected key.path=value, e.g. world.width=64")
        try:
            value = strict_yaml(raw) if raw.strip() else raw
        except StrictYamlError as err:
            raise ConfigError(f"override {item!r}: {str(err).removeprefix('line 1: ')}") from None
        except yaml.YAMLError:
            value = raw
        parsed.append((key.strip(), value))
    return parsed


def _set_path(data: dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    node = data
    model: type[BaseModel] | None = Config
    for depth, part in enumerate(parts[:-1]):
        field = model.model_fields.get(part) if model else None
        annotation = field.annotation if field else None
        is_section = isinstance(annotation, type) and issubclass(annotation, BaseModel)
        child = node.setdefault(part, {})
        if not isinstance(child, dict) or (field is not None and not is_section):
            where = ".".join(parts[: depth + 1])
            raise ConfigError(f"override {dotted}: {where} is a value, not a section")
        model = annotation if is_section else None  # unknown keys: validation names them
        node = child
    node[parts[-1]] = value


def range_note(field) -> str:
    """' [> 0]' style note of a field's numeric bounds, from its pydantic metadata."""
    bounds = []
    for item in field.metadata:
        for attr, symbol in (("gt", ">"), ("ge", ">="), ("lt", "<"), ("le", "<=")):
            if getattr(item, attr, None) is not None:
                bounds.append(f"{symbol} {getattr(item, attr)}")
    return f" [{', '.join(bounds)}]" if bounds else ""


_MESSAGES = {
    "greater_than": "must be > {gt}",
    "greater_than_equal": "must be >= {ge}",
    "less_than": "must be < {lt}",
    "less_than_equal": "must be <= {le}",
    "int_type": "must be an integer",
    "int_parsing": "must be an integer",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "string_type": "must be a string",
    "string_too_short": "must not be empty",
    "string_pattern_mismatch": "must match {pattern}",
    "literal_error": "must be one of {expected}",
    "model_type": "must be a section (a mapping of keys)",
    "model_attributes_type": "must be a section (a mapping of keys)",
}


def _describe(err: ValidationError) -> list[str]:
    lines = []
    for item in err.errors():
        loc = tuple(str(p) for p in item["loc"])
        path = ".".join(loc)
        kind = item["type"]
        if kind == "extra_forbidden":
            lines.append(f"{path}: unknown key{_suggest(loc)}")
            continue
        if kind == "value_error":  # from our validators; a model-level one names its own field
            message = item["msg"].removeprefix("Value error, ")
            lines.append(f"{path}: {message}" if path else message)
            continue
        template = _MESSAGES.get(kind)
        message = template.format(**item.get("ctx", {})) if template else item["msg"]
        lines.append(f"{path}: {message}, got {item['input']!r}")
    return lines


def _suggest(loc: tuple[str, ...]) -> str:
    """' (did you mean 'width'?)' for a misspelt key, using the fields valid at that place."""
    model: type[BaseModel] = Config
    for part in loc[:-1]:
        field = model.model_fields.get(part)
        annotation = field.annotation if field else None
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return ""
        model = annotation
    valid = list(model.model_fields)
    close = difflib.get_close_matches(loc[-1], valid, n=1, cutoff=0.5)
    if close:
        return f" (did you mean {close[0]!r}?)"
    return f" (valid keys: {', '.join(valid)})"
