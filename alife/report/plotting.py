"""matplotlib, imported only here and only when a report is drawn (the ``plot`` extra),
with the non-interactive Agg backend; and the figure helpers the reports share."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

PLOT_HINT = 'pip install -e ".[plot]"'


class PlotUnavailable(RuntimeError):
    """matplotlib is not installed; the message says how to install it."""


def require_matplotlib():
    """``matplotlib.pyplot`` on the Agg backend, or PlotUnavailable with the install hint."""
    if importlib.util.find_spec("matplotlib") is None:
        raise PlotUnavailable(f"reports need matplotlib (the plot extra): {PLOT_HINT}  "
                              '(or pip install "alife-sim[plot]")')
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    plt.rcParams.update({"figure.dpi": 100, "savefig.dpi": 100, "axes.grid": True,
                         "grid.alpha": 0.3, "axes.spines.top": False, "axes.spines.right": False,
                         "font.size": 9, "axes.titlesize": 10, "legend.fontsize": 8,
                         "legend.frameon": False})
    return plt


@dataclass(frozen=True)
class Figure:
    """One written plot: ``path`` of the PNG, its ``title`` and a ``caption`` saying what it
    shows and how to read it."""
    path: Path
    title: str
    caption: str


def save(fig, path: Path, title: str, caption: str) -> Figure:
    """Save ``fig`` as PNG at ``path``, close it, and describe it."""
    plt = require_matplotlib()
    fig.savefig(path, bbox_inches="tight")
    plt.close(fig)
    return Figure(path=Path(path), title=title, caption=caption)


def band(ax, x, mean, lo, hi, label: str | None = None, color=None, alpha: float = 0.2, **kw):
    """A line with a shaded band (CI or spread); NaN gaps are left as gaps."""
    line, = ax.plot(x, mean, label=label, color=color, **kw)
    ax.fill_between(x, lo, hi, color=line.get_color(), alpha=alpha, linewidth=0)
    return line
