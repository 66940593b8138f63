"""The report's plots can be read: scales fitted to the data, every line or row labelled, names
beside the data rather than in a far legend, few panels."""

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from alife.cli import main  # noqa: E402
from alife.report import run_report  # noqa: E402
from alife.report.data import load_run  # noqa: E402

TINY = ["--set", "world.width=24", "--set", "world.height=20", "--set", "agents.initial_count=40",
        "--no-progress"]


@pytest.fixture(scope="module")
def evolved(tmp_path_factory):
    """A generational evolution of 5 short generations, read back."""
    folder = tmp_path_factory.mktemp("legible") / "evolve"
    assert main(["evolve", *TINY, "--mode", "generational",
                 "--set", "evolution.generation_ticks=60",
                 "--generations", "5", "--out", str(folder)]) == 0
    return load_run(folder)


@pytest.fixture
def drawn(monkeypatch, tmp_path):
    """Calls a plot maker and returns its matplotlib figure (drawn, not yet closed)."""
    figures = []
    real_save = run_report.save

    def keep(fig, path, title, caption):
        fig.canvas.draw()
        figures.append(fig)
        return real_save(fig, path, title, caption)

    monkeypatch.setattr(run_report, "save", keep)
    monkeypatch.setattr(run_report.require_matplotlib(), "close", lambda fig: None)

    def draw(maker, data, **kw):
        made = maker(data, tmp_path, [], **kw)
        assert made is not None
        return figures[-1]
    return draw


def _inside(inner, outer, slack: float = 1.0) -> bool:
    return (inner.x0 >= outer.x0 - slack and inner.x1 <= outer.x1 + slack
            and inner.y0 >= outer.y0 - slack and inner.y1 <= outer.y1 + slack)


def test_traits_is_one_labelled_overview_and_a_few_panels(evolved, drawn):
    fig = drawn(run_report.traits, evolved)
    stems = [s for ss in run_report._trait_groups(evolved.generations).values() for s in ss]
    heat, *rest = fig.axes
    labels = [t.get_text() for t in heat.get_yticklabels()]
    assert len(labels) == len(stems) > 18  # one labelled row per trait, not one panel per segment
    assert any(label.startswith("step of log_temperature") for label in labels)  # steps are named
    panels = [ax for ax in rest if ax.lines]
    assert 1 <= len(panels) <= run_report.TOP_TRAITS
    assert len(fig.axes) <= run_report.TOP_TRAITS + 2  # the overview, its colour bar, the panels
    for ax in panels:
        assert ax.get_title() and ax.get_ylabel() and len(ax.lines) == 1  # one trait, named
        assert " SD" in ax.get_title()


def test_trait_drift_is_in_units_of_the_spread_between_agents():
    g = {"generation": np.arange(3.0),
         "a.mean": np.array([1.0, 2.0, 3.0]), "a.sd": np.array([2.0, 2.0, 2.0]),
         "b.mean": np.array([5.0, 5.0, 5.0]), "b.sd": np.zeros(3)}
    drift, constant = run_report.trait_drift(g, ["a", "b"])
    np.testing.assert_allclose(drift[0], [0.0, 0.5, 1.0])
    np.testing.assert_array_equal(drift[1], 0.0)
    assert constant.tolist() == [False, True]


def test_affect_drives_scale_fits_weak_correlations(evolved, drawn):
    fig = drawn(run_report.affect_drives, evolved)
    heat, right = fig.axes[0], fig.axes[1]
    values = [float(t.get_text()) for t in heat.texts]
    lo, hi = heat.get_images()[0].get_clim()
    assert hi == -lo and max(abs(v) for v in values) <= hi + 0.005
    if max(abs(v) for v in values) < 0.3:
        assert hi < 1.0  # weak correlations get a colour scale that shows them
    bottom, top = right.get_ylim()
    smooth = np.concatenate([line.get_ydata() for line in right.lines if line.get_linewidth() > 1])
    assert bottom == -top and np.nanmax(np.abs(smooth)) <= top <= 1.0  # the running means all show
    assert right.get_legend() is not None and _inside(right.get_legend().get_window_extent(),
                                                      right.get_window_extent())


def test_lineage_tree_names_each_family_beside_it(evolved, drawn, tmp_path):
    fig = drawn(lambda data, out, notes, **kw: run_report.lineage_tree(data, out, notes, **kw)[0],
                evolved, top=3)
    ax = fig.axes[0]
    assert ax.get_legend() is None
    names = [t for t in ax.texts if t.get_text().startswith("founder")]
    assert 1 <= len(names) <= 3
    plot_box = ax.get_window_extent()
    for name in names:
        box = name.get_window_extent()
        assert box.x0 >= plot_box.x1  # just right of the tree
        assert box.x0 - plot_box.x1 < 0.05 * fig.bbox.width
        assert plot_box.y0 <= (box.y0 + box.y1) / 2 <= plot_box.y1  # level with its family


def test_survival_needs_no_legend_below_the_plot(evolved, drawn):
    fig = drawn(run_report.survival, evolved)
    for ax in fig.axes:
        legend = ax.get_legend()
        assert legend is None or _inside(legend.get_window_extent(), ax.get_window_extent())
    right = fig.axes[1]
    assert right.yaxis.label.get_color() != fig.axes[2].yaxis.label.get_color()


def test_report_of_a_generational_evolution_draws_them(evolved, tmp_path):
    out = tmp_path / "rep"
    assert main(["report", str(evolved.folder), "--out", str(out)]) == 0
    assert {p.name for p in Path(out).glob("*.png")} >= {"traits.png", "affect_drives.png",
                                                        "lineage_tree.png"}
