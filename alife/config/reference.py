"""Documentation made from the code, so it never drifts: the configuration reference (from the
schema) and the list of scenarios (from the comment block each scenario file opens with).

``python -m alife.config.reference`` writes ``docs/configuration.md`` and
``docs/scenarios.md``; tests keep both equal to what this module makes.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import yaml
from pydantic import BaseModel

from alife.config.loading import range_note
from alife.config.schema import Config

ROOT = Path(__file__).resolve().parents[2]


def reference_markdown() -> str:
    """The configuration reference as Markdown, made from the schema (``docs/configuration.md``
    is this text; a test keeps the two equal): every section and field with its default,
    meaning, unit and valid range."""
    lines = ["# Configuration reference", "",
             "Generated from the schema (`alife.config.schema`), so it never drifts from the code; "
             "`alife config show --comments` prints the same as YAML, and `configs/default.yaml` "
             "is that file. A config file sets any of these fields (unknown keys are errors); "
             "`--set section.field=value` overrides one. Fields marked *(gene)* set the founders' "
             "heritable starting value. Time scales: perception and action every tick; food "
             "regrows every tick and seasons turn over `food.season_period` ticks; genomes change "
             "only across generations (at birth).", ""]
    defaults = Config()
    for name, field in Config.model_fields.items():
        value = getattr(defaults, name)
        if not isinstance(value, BaseModel):
            lines += [f"## `{name}`", "", _field_row_header(), _field_row(name, field, value), ""]
            continue
        lines += [f"## `{name}`", "", inspect.cleandoc(type(value).__doc__ or ""), "",
                  _field_row_header()]
        for sub, sub_field in type(value).model_fields.items():
            lines.append(_field_row(f"{name}.{sub}", sub_field, getattr(value, sub)))
        lines.append("")
    return "\n".join(lines)


def _field_row_header() -> str:
    return "| field | default | meaning |\n| --- | --- | --- |"


def _field_row(path: str, field, value) -> str:
    default = yaml.safe_dump(value, default_flow_style=True, width=10**6).strip()
    default = default.removesuffix("\n...").removesuffix("...").strip()
    text = f"{field.description or ''}{range_note(field)}".replace("|", "\\|")
    return f"| `{path}` | `{default}` | {text} |"



def scenarios_markdown(folder: Path = ROOT / "configs" / "scenarios") -> str:
    """The scenarios page: each ``configs/scenarios/*.yaml`` with its opening comment block
    (what it tests, what to look at) and its settings."""
    lines = ["# Scenarios", "",
             "Ready-made worlds in `configs/scenarios/`, each a config file that opens with what "
             "it tests and what to look at. Run one with `alife run configs/scenarios/NAME.yaml`, "
             "watch it with `alife view configs/scenarios/NAME.yaml`; the experiments built on "
             "them are in [Experiments](experiments.md). Generated from the files.", ""]
    for path in sorted(folder.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        comment = []
        for line in text.splitlines():
            if not line.startswith("#"):
                break
            comment.append(line[1:].strip())
        settings = "\n".join(line for line in text.splitlines() if not line.startswith("#")).strip()
        lines += [f"## {path.stem}", "", " ".join(comment), "",
                  f"`configs/scenarios/{path.name}`:", "", "```yaml", settings, "```", ""]
    return "\n".join(lines)


def write_docs(docs: Path = ROOT / "docs") -> list[Path]:
    """Write the generated pages; returns their paths."""
    pages = {docs / "configuration.md": reference_markdown(),
             docs / "scenarios.md": scenarios_markdown()}
    for path, text in pages.items():
        path.write_text(text, encoding="utf-8")
    return list(pages)


if __name__ == "__main__":
    for written in write_docs():
        print(written)
