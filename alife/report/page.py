"""The one-page report: ``report.html`` (self-contained except for the PNGs beside it) and
``report.md`` (the same content as Markdown), in the report folder."""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import Any

from alife.report.plotting import Figure


def write_pages(out: Path, title: str, facts: list[tuple[str, Any]], figures: list[Figure],
                notes: list[str], files: list[Path],
                table: list[dict] | None = None) -> tuple[Path, Path]:
    """Write report.html and report.md into ``out``; returns their paths. ``facts``: (label,
    value) pairs shown as a table at the top; ``table``: rows of one more table (sweeps)."""
    out = Path(out)
    return (_html(out, title, facts, figures, notes, files, table or []),
            _markdown(out, title, facts, figures, notes, files, table or []))


def _rel(path: Path, out: Path) -> str:
    return Path(os.path.relpath(path, out)).as_posix()


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; \
color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 2em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; font-size: 0.9em; margin: 0.5em 0; }
td, th { border: 1px solid #ddd; padding: 3px 8px; text-align: left; }
figure { margin: 1em 0; } img { max-width: 100%; } figcaption { color: #555; font-size: 0.9em; }
.notes { color: #7a4b00; }
"""


def _html(out, title, facts, figures, notes, files, table) -> Path:
    e = html.escape
    parts = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{e(title)}</title>",
             f"<style>{_STYLE}</style></head><body><h1>{e(title)}</h1>"]
    if facts:
        parts.append("<table>" + "".join(f"<tr><th>{e(str(k))}</th><td>{e(_fmt(v))}</td></tr>"
                                          for k, v in facts) + "</table>")
    if notes:
        parts.append("<ul class='notes'>" + "".join(f"<li>{e(n)}</li>" for n in notes) + "</ul>")
    if table:
        cols = list(dict.fromkeys(k for row in table for k in row))
        parts.append("<h2>Per setting: mean ± 95% CI half-width over seeds</h2><table><tr>"
                     + "".join(f"<th>{e(c)}</th>" for c in cols) + "</tr>"
                     + "".join("<tr>" + "".join(f"<td>{e(_fmt(row.get(c, '')))}</td>"
                                                for c in cols) + "</tr>"
                               for row in table) + "</table>")
    for fig in figures:
        src = e(_rel(fig.path, out))
        parts.append(f"<h2>{e(fig.title)}</h2><figure><a href='{src}'>"
                     f"<img src='{src}' alt='{e(fig.title)}'></a>"
                     f"<figcaption>{e(fig.caption)}</figcaption></figure>")
    if files:
        parts.append("<h2>Other files</h2><ul>" + "".join(
            f"<li><a href='{e(_rel(p, out))}'>{e(_rel(p, out))}</a></li>" for p in files) + "</ul>")
    parts.append("</body></html>\n")
    path = out / "report.html"
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


def _markdown(out, title, facts, figures, notes, files, table) -> Path:
    def cell(v: Any) -> str:
        return _fmt(v).replace("|", "\\|")

    lines = [f"# {title}", ""]
    if facts:
        lines += (["| | |", "| --- | --- |"] + [f"| {cell(k)} | {cell(v)} |" for k, v in facts]
                  + [""])
    lines += [f"- {n}" for n in notes] + ([""] if notes else [])
    if table:
        cols = list(dict.fromkeys(k for row in table for k in row))
        lines += ["## Per setting: mean ± 95% CI half-width over seeds", "",
                  "| " + " | ".join(cols) + " |", "|" + " --- |" * len(cols)]
        lines += ["| " + " | ".join(cell(row.get(c, "")) for c in cols) + " |"
                  for row in table] + [""]
    for fig in figures:
        lines += [f"## {fig.title}", "", f"![{fig.title}]({_rel(fig.path, out)})", "",
                  fig.caption, ""]
    if files:
        lines += (["## Other files", ""] + [f"- [{_rel(p, out)}]({_rel(p, out)})" for p in files]
                  + [""])
    path = out / "report.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
