"""The plots of one run folder (``alife run`` or ``alife evolve``).

:func:`run_figures` writes every plot the folder's files allow into ``out`` and returns
them as :class:`~alife.report.plotting.Figure` s, plus notes on what could not be drawn.
Evolution runs also get ``lineage.nwk`` (every family as a Newick tree).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from alife.report import family, stats
from alife.report.data import RunData, numeric
from alife.report.plotting import Figure, band, require_matplotlib, save

DRIVES = ("surprise", "energy_gain", "reward_change", "crowding", "food_here", "progress")
MAX_SURVIVAL_CURVES = 8


def run_figures(data: RunData, out: Path,
                top_lineages: int = 5) -> tuple[list[Figure], list[str], list[Path]]:
    """Write the run's plots into ``out``: (figures, notes, other files written)."""
    notes = list(data.notes)
    files: list[Path] = []
    makers = [population, surprise, surprise_by_age, surprise_within_life, affect, affect_drives]
    if data.is_evolution:
        makers += [fitness, traits, survival]
    figures = []
    for make in makers:
        fig = make(data, out, notes)
        if fig is not None:
            figures.append(fig)
    if data.lineage is not None and data.lineage["id"].size:
        fig, nwk = lineage_tree(data, out, notes, top=top_lineages)
        figures.append(fig)
        files.append(nwk)
    elif data.is_evolution:
        notes.append("lineage.csv missing or empty: no family tree")
    made = personality(data, out, notes)
    if made is not None:
        figures.append(made[0])
        files.append(made[1])
    return figures, notes, files


def _tick(data: RunData) -> np.ndarray:
    return data.metrics["tick"]


def _final_tick(data: RunData) -> int:
    if data.snapshot is not None:
        return int(data.snapshot["tick"])
    return int(data.summary.get("ticks", np.nanmax(_tick(data))))


def population(data: RunData, out: Path, notes: list[str]) -> Figure | None:
    plt = require_matplotlib()
    m, t = data.metrics, _tick(data)
    fig, (a1, a2, a3) = plt.subplots(3, 1, figsize=(8, 7), sharex=True)
    a1.plot(t, m["population"], color="k", label="population")
    a1.set_ylabel("agents alive")
    a1.set_title("Population")
    every = float(np.median(np.diff(t))) if t.size > 1 else 1.0
    for name, color in (("births", "tab:green"), ("deaths_starved", "tab:red"),
                        ("deaths_old_age", "tab:purple")):
        col = numeric(m, name)
        if col is not None and np.nansum(col) > 0:
            a2.plot(t, col, color=color, label=name.replace("_", " "), drawstyle="steps-pre")
    a2.set_ylabel(f"events per {every:g} ticks")
    a2.set_title("Births and deaths (since the previous row)")
    if a2.lines:
        a2.legend(loc="upper right")
    if numeric(m, "min_energy") is not None:
        band(a3, t, m["mean_energy"], m["min_energy"], m["max_energy"],
             label="mean (band: min–max)", color="tab:orange", alpha=0.15)
        a3.legend(loc="upper right")
    else:
        a3.plot(t, m["mean_energy"], color="tab:orange")
    a3.set_ylabel("energy per agent")
    a3.set_xlabel("tick")
    a3.set_title("Energy of the living")
    if data.mode == "generational":
        gt = (data.config.get("evolution") or {}).get("generation_ticks")
        if gt:
            for ax in (a1, a2, a3):
                for x in np.arange(gt, t.max(initial=0) + 1, gt):
                    ax.axvline(x, color="0.7", lw=0.6, ls=":")
    fig.tight_layout()
    cap = ("Agents alive; births and deaths (by cause) per recorded interval; mean energy of the "
           "living with its min–max range.")
    if data.mode == "generational":
        cap += " Dotted lines: generation boundaries (each generation starts in a fresh world)."
    return save(fig, out / "population.png", "Population, births, deaths and energy", cap)


def surprise(data: RunData, out: Path, notes: list[str]) -> Figure | None:
    plt = require_matplotlib()
    m, t = data.metrics, _tick(data)
    s = numeric(m, "mean_surprise")
    if s is None or np.all(np.isnan(s)):
        notes.append("no surprise values in metrics.csv: no surprise plot")
        return None
    fig, (a1, a2) = plt.subplots(2, 1, figsize=(8, 5.5), sharex=True)
    if numeric(m, "surprise_p10") is not None:
        band(a1, t, m["surprise_p50"], m["surprise_p10"], m["surprise_p90"],
             label="median (band: 10th–90th percentile)", color="tab:blue")
    a1.plot(t, s, color="k", lw=1.2, label="mean")
    a1.set_ylabel("prediction error ‖ε‖")
    a1.set_title("Surprise of the agents that have learned, over time")
    a1.legend(loc="upper right")
    p = numeric(m, "mean_progress")
    if p is not None:
        a2.plot(t, p, color="tab:green", label="mean learning progress")
        a2.axhline(0, color="0.5", lw=0.8)
        a2.set_ylabel("expected error, slow − fast")
        a2.legend(loc="upper right")
    a2.set_title("Learning progress (positive: error falling)")
    a2.set_xlabel("tick")
    fig.tight_layout()
    return save(fig, out / "surprise.png", "Surprise over time",
                "Per-agent prediction error (‖ε‖ of the world model) across the living agents that "
                "have learned at least once: mean, median and 10th–90th percentile band. Below: "
                "mean learning progress, how much lower its fast error model expects the error "
                "than its slow one.")


def surprise_by_age(data: RunData, out: Path, notes: list[str]) -> Figure | None:
    snap = data.snapshot
    if snap is None:
        notes.append("no checkpoint.npz: no surprise-by-age plot")
        return None
    keep = snap["learned"]
    lived = (snap["tick"] - snap["birth_tick"])[keep].astype(np.float64)
    s, e = snap["surprise"][keep], snap["err_slow"][keep]
    if lived.size < 3:
        notes.append(f"only {lived.size} living agents that learned at tick {snap['tick']}: "
                     "no surprise-by-age plot")
        return None
    plt = require_matplotlib()
    bins = min(8, max(2, lived.size // 8))  # equal-count bins: about as many agents in each
    edges = np.unique(np.quantile(lived, np.linspace(0, 1, bins + 1)))
    if edges.size < 2:
        edges = np.array([lived.min(), lived.min() + 1.0])
    mid = (edges[:-1] + edges[1:]) / 2
    fig, ax = plt.subplots(figsize=(8, 4.2))
    ax.scatter(lived, s, s=6, alpha=0.25, color="tab:blue", label="one agent: surprise now")
    for y, color, label in ((s, "tab:blue", "surprise now"),
                            (e, "tab:red", "running mean of its surprise")):
        mean, lo, hi, n = stats.binned_mean_ci(lived, y, edges)
        ok = n > 0
        ax.errorbar(mid[ok], mean[ok],
                    yerr=[np.nan_to_num(mean - lo)[ok], np.nan_to_num(hi - mean)[ok]],
                    color=color, marker="o", ms=4, capsize=3, label=f"{label}: bin mean ± 95% CI")
    # a few agents far above the rest would squash everyone else into the bottom row: the scale
    # stops at the 99th percentile (and the bin intervals), the others are marked at the top
    finite = np.concatenate([s[np.isfinite(s)], e[np.isfinite(e)]])
    if finite.size:
        top = max(float(np.percentile(finite, 99)),
                  *(float(np.nanmax(stats.binned_mean_ci(lived, y, edges)[2], initial=0.0))
                    for y in (s, e)))
        top *= 1.1
        above = s > top
        if above.any() and top > 0:
            ax.set_ylim(min(0.0, float(np.nanmin(finite))), top)
            ax.scatter(lived[above], np.full(int(above.sum()), top), marker="^", s=18,
                       color="tab:blue", clip_on=False,
                       label=f"{int(above.sum())} agent(s) above the scale (up to "
                             f"{float(np.nanmax(s)):.3g})")
    ax.set_xlabel("ticks lived in this run (tick − birth tick)")
    ax.set_ylabel("prediction error ‖ε‖")
    ax.set_title(f"Surprise by age: the {lived.size} living agents at tick {snap['tick']} "
                 "(a snapshot)")
    ax.legend(loc="best", frameon=True, framealpha=0.85, edgecolor="none")
    fig.tight_layout()
    return save(fig, out / "surprise_age.png", "Surprise by age (snapshot)",
                "From checkpoint.npz: every living agent that has learned, at tick "
                f"{snap['tick']}, placed by how long it has lived in this run; its surprise now "
                "and its running mean of prediction error (time constant "
                "affect.drive_scale_ticks), with bin means ± 95% t-intervals (bins of about equal "
                "counts). This compares agents of different ages at one moment, not one agent over "
                "its life: older agents are also the ones that survived. A falling curve suggests "
                "error falls with experience. (The files hold no per-agent surprise history, so a "
                "within-life curve cannot be drawn.)")


def surprise_within_life(data: RunData, out: Path, notes: list[str]) -> Figure | None:
    """Generational runs only: a generation's agents are all born at its first tick, so the
    metrics rows of a generation follow one cohort through its life (age = tick − g·T)."""
    if data.mode != "generational":
        return None
    T = int(data.config.get("evolution", {}).get("generation_ticks", 0))
    t, s = _tick(data), data.metrics["mean_surprise"]
    keep = (t > 0) & ~np.isnan(s)
    if T <= 0 or keep.sum() < 2:
        notes.append("too few metrics rows for surprise within lives")
        return None
    t, s = t[keep], s[keep]
    generation = (t - 1) // T  # a row at (g+1)·T closes generation g: age T
    age = t - generation * T
    ages = np.unique(age)
    n_gen = int(generation.max()) + 1
    bands = [b for b in np.array_split(np.arange(n_gen), min(4, n_gen)) if b.size]
    plt = require_matplotlib()
    fig, ax = plt.subplots(figsize=(8, 4.2))
    for members in bands:
        matrix = np.full((members.size, ages.size), np.nan)
        for i, g in enumerate(members):
            mine = generation == g
            matrix[i, np.searchsorted(ages, age[mine])] = s[mine]
        mean, lo, hi, _ = stats.mean_ci_columns(matrix)
        label = (f"generation {members[0]}" if members.size == 1
                 else f"generations {members[0]}–{members[-1]}")
        band(ax, ages, mean, np.where(np.isnan(lo), mean, lo), np.where(np.isnan(hi), mean, hi),
             label=label, marker="o", ms=3)
    ax.set_xlabel("age (ticks since the generation was born)")
    ax.set_ylabel("mean prediction error ‖ε‖")
    ax.set_title("Surprise within lives: each generation followed from birth")
    ax.legend(loc="upper right")
    fig.tight_layout()
    return save(fig, out / "surprise_life.png", "Surprise within lives (generational)",
                "In generational evolution all agents of a generation are born together, so the "
                "metrics rows of one generation follow one cohort from birth: mean surprise of the "
                "agents alive at each age, averaged over a band of generations (mean ± 95% "
                "t-interval over the generations in the band). A curve that falls with age means "
                "prediction error falls within lives; the living at high ages are the survivors.")


def _affect_dims(m) -> list[int]:
    dims = sorted(int(k) for k in {re.match(r"affect(\d+)_mean$", c).group(1)
                                   for c in m if re.match(r"affect(\d+)_mean$", c)})
    return [k for k in dims if not np.all(np.isnan(m[f"affect{k}_mean"]))]


def affect(data: RunData, out: Path, notes: list[str]) -> Figure | None:
    m, t = data.metrics, _tick(data)
    dims = _affect_dims(m)
    if not dims:
        notes.append("no affect columns with values (affect off?): no affect plots")
        return None
    plt = require_matplotlib()
    fig, ax = plt.subplots(figsize=(8, 4))
    for k in dims:
        mean, sd = m[f"affect{k}_mean"], m[f"affect{k}_std"]
        band(ax, t, mean, mean - sd, mean + sd, label=f"affect {k}", alpha=0.15)
    ax.axhline(0, color="0.5", lw=0.8)
    ax.set_xlabel("tick")
    ax.set_ylabel("affect value (unitless)")
    ax.set_title("Affect dimensions over time: mean ± SD across agents")
    ax.legend(loc="upper right", ncol=min(4, len(dims)))
    fig.tight_layout()
    return save(fig, out / "affect.png", "Affect over time",
                "Each affect dimension's mean across the living agents that have learned, with a "
                "band of ± one standard deviation between agents. Dimensions are numbered, "
                "not named.")


def _nice_limit(value: float, steps=(0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0)) -> float:
    """The smallest of ``steps`` at least ``value`` (the last one if none is)."""
    return next((x for x in steps if value <= x), steps[-1])


def _rolling_mean(y: np.ndarray, width: int) -> np.ndarray:
    """Centred running mean over ``width`` rows, NaNs left out (NaN where a window has none)."""
    if width <= 1:
        return y
    ok = ~np.isnan(y)
    kernel = np.ones(width)
    total = np.convolve(np.where(ok, y, 0.0), kernel, mode="same")
    count = np.convolve(ok.astype(float), kernel, mode="same")
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / count, np.nan)


def affect_drives(data: RunData, out: Path, notes: list[str]) -> Figure | None:
    m, t = data.metrics, _tick(data)
    dims = _affect_dims(m)
    drives = [d for d in DRIVES if any(f"affect{k}_corr_{d}" in m for k in dims)]
    if not dims or not drives:
        return None
    plt = require_matplotlib()
    corr = np.full((len(dims), len(drives)), np.nan)
    for i, k in enumerate(dims):
        for j, d in enumerate(drives):
            col = numeric(m, f"affect{k}_corr_{d}")
            if col is not None and np.any(~np.isnan(col)):
                corr[i, j] = np.nanmean(col)
    # correlations of affect with drives are often weak: a colour scale of +-1 would leave the
    # map white, so it spans the largest one found (the numbers in the cells say the rest)
    strongest = float(np.nanmax(np.abs(corr), initial=0.0))
    limit = _nice_limit(strongest)
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(12, 4.3), gridspec_kw={"width_ratios": [1, 1.4]})
    im = a1.imshow(corr, cmap="RdBu_r", vmin=-limit, vmax=limit, aspect="auto")
    a1.set_xticks(range(len(drives)), [d.replace("_", " ") for d in drives], rotation=35,
                  ha="right")
    a1.set_yticks(range(len(dims)), [f"affect {k}" for k in dims])
    a1.grid(False)
    for i in range(len(dims)):
        for j in range(len(drives)):
            if not np.isnan(corr[i, j]):
                a1.text(j, i, f"{corr[i, j]:+.2f}", ha="center", va="center", fontsize=8,
                        color="w" if abs(corr[i, j]) > 0.6 * limit else "k")
    fig.colorbar(im, ax=a1, label=f"Pearson r across agents, run mean (scale ±{limit:g})")
    weak = " — all weak" if strongest < 0.1 else ""
    a1.set_title(f"Affect vs drives, mean over the run{weak}")
    width = max(1, len(t) // 25)  # about 25 independent points across the run
    peak = 0.0
    for i, k in enumerate(dims):
        if np.all(np.isnan(corr[i])):
            continue
        j = int(np.nanargmax(np.abs(corr[i])))
        raw = numeric(m, f"affect{k}_corr_{drives[j]}")
        smooth = _rolling_mean(raw, width)
        line, = a2.plot(t, smooth, lw=1.6, label=f"affect {k} ~ {drives[j].replace('_', ' ')}")
        a2.plot(t, raw, lw=0.5, alpha=0.25, color=line.get_color())
        peak = max(peak, float(np.nanmax(np.abs(smooth), initial=0.0)))
    a2.axhline(0, color="0.5", lw=0.8)
    top = _nice_limit(1.15 * peak) if peak > 0 else 1.0
    a2.set_ylim(-top, top)
    a2.set_xlabel("tick")
    a2.set_ylabel("Pearson r across agents")
    smoothing = (f"running mean of {width} rows ({width * _row_ticks(t):g} ticks); faint: each row"
                 if width > 1 else "each row")
    a2.set_title(f"Each dimension with its strongest drive, over time\n({smoothing})", fontsize=9)
    if a2.lines:
        a2.legend(loc="upper left", ncol=2)
    fig.tight_layout()
    return save(fig, out / "affect_drives.png", "Affect and drives",
                "Left: at each recorded tick, the correlation across agents between an affect "
                "dimension and a drive (the inputs Δ that move affect), averaged over the run; the "
                f"colour scale spans ±{limit:g} (not ±1), so that weak correlations show. Right: "
                "for each dimension, that correlation over time with the drive it tracks most "
                "strongly (a running mean, the rows themselves faint), on a scale fitted to it.")


def _row_ticks(t: np.ndarray) -> float:
    """Ticks between metrics rows (the median step)."""
    return float(np.median(np.diff(t))) if t.size > 1 else 1.0


def fitness(data: RunData, out: Path, notes: list[str]) -> Figure | None:
    g = data.generations
    if g is None or g["generation"].size == 0:
        notes.append("generations.csv is empty: no fitness plot")
        return None
    plt = require_matplotlib()
    x = g["generation"]
    fig, (a1, a2, a3) = plt.subplots(1, 3, figsize=(12, 3.6))
    for name, style in (("best_fitness", "-"), ("mean_fitness", "-"), ("median_fitness", "--")):
        a1.plot(x, g[name], style, marker="o", ms=3, label=name.replace("_fitness", ""))
    fit = (data.config.get("evolution") or {}).get("fitness", "")
    a1.set_title("Fitness per generation")
    a1.set_ylabel(f"fitness ({fit})" if fit else "fitness")
    a1.legend()
    a2.plot(x, g["mean_lifespan"], marker="o", ms=3, color="tab:green")
    a2.set_title("Mean lifespan")
    a2.set_ylabel("ticks")
    a3.plot(x, g["diversity"], marker="o", ms=3, color="tab:purple")
    a3.set_title("Genetic diversity")
    a3.set_ylabel("mean gene SD / gene range")
    for ax in (a1, a2, a3):
        ax.set_xlabel("generation")
        ax.xaxis.get_major_locator().set_params(integer=True)
    fig.tight_layout()
    what = ("agents scored in the generation" if data.mode != "open_ended"
            else "agents that died in each window of generation_ticks ticks")
    return save(fig, out / "fitness.png", "Fitness curves",
                f"Best, mean and median fitness of the {what}; their mean lifespan; diversity "
                "(mean over genes of their standard deviation relative to the gene's range: "
                "0 = clones).")


def _trait_groups(g) -> dict[str, list[str]]:
    """Trait column stems (without .mean) grouped by genome segment, in file order."""
    groups: dict[str, list[str]] = {}
    for col in g:
        if col.endswith(".mean"):
            stem = col[:-5]
            seg = re.sub(r"(\[\d+\]|\.rms)$", "", stem)
            groups.setdefault(seg, []).append(stem)
    return groups


TOP_TRAITS = 6  # genes drawn in their own units beside the overview


def _trait_labels(groups: dict[str, list[str]]) -> dict[str, str]:
    """A readable name per trait stem: ``mutation_step[k]`` is the step size of the k-th
    segment, so it is named after that segment."""
    labels = {stem: stem for stems in groups.values() for stem in stems}
    steps = groups.get("mutation_step", [])
    others = [seg for seg in groups if seg != "mutation_step"]
    if len(steps) == len(others):
        for stem, seg in zip(steps, others):
            labels[stem] = f"step of {seg}"
    return labels


def _segment_docs() -> dict[str, str]:
    """What each genome segment is, in a few words (from the genome layout)."""
    try:
        from alife.genetics.genome import GenomeLayout

        return {name: seg.doc for name, seg in GenomeLayout(1).segments.items()}
    except Exception:  # a report must not fail for want of a caption
        return {}


def trait_drift(g, stems: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Each trait's mean, as its change since the first generation in units of its pooled
    within-generation SD: float (len(stems), generations), NaN where that SD is 0; and
    whether each trait is constant (the same value in every agent and generation)."""
    mean = np.array([g[f"{stem}.mean"] for stem in stems], np.float64)
    sd = np.array([g[f"{stem}.sd"] for stem in stems], np.float64)
    with np.errstate(invalid="ignore"):
        pooled = np.sqrt(np.nanmean(sd * sd, axis=1))
    spread = np.nanmax(mean, axis=1) - np.nanmin(mean, axis=1)
    constant = (np.nan_to_num(pooled) == 0) & (np.nan_to_num(spread) == 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        drift = (mean - mean[:, :1]) / pooled[:, None]
    drift[constant] = 0.0
    drift[~np.isfinite(drift)] = np.nan
    return drift, constant


def traits(data: RunData, out: Path, notes: list[str]) -> Figure | None:
    g = data.generations
    groups = _trait_groups(g) if g is not None else {}
    if not groups or g["generation"].size == 0:
        return None
    plt = require_matplotlib()
    stems = [stem for seg_stems in groups.values() for stem in seg_stems]
    labels = _trait_labels(groups)
    x = g["generation"]
    drift, constant = trait_drift(g, stems)
    final = np.abs(np.nan_to_num(drift[:, -1]))
    top = [i for i in np.argsort(-final, kind="stable") if not constant[i]][:TOP_TRAITS]
    moved = np.abs(drift[np.isfinite(drift)])
    # the colours span most traits' changes; the few largest saturate (they are drawn on the right)
    limit = (float(min(5.0, max(0.5, np.ceil(2 * np.percentile(moved, 98)) / 2)))
             if moved.size else 1.0)
    docs = _segment_docs()

    fig = plt.figure(figsize=(13, max(6.5, 0.15 * len(stems) + 1.6)), layout="constrained")
    grid = fig.add_gridspec(3, 3, width_ratios=[1.25, 1, 1])
    heat = fig.add_subplot(grid[:, 0])
    edges_x = np.append(x - 0.5, x[-1] + 0.5) if x.size else np.array([0.0, 1.0])
    cmap = plt.get_cmap("RdBu_r").with_extremes(bad="0.85")
    mesh = heat.pcolormesh(edges_x, np.arange(len(stems) + 1) - 0.5, np.ma.masked_invalid(drift),
                           cmap=cmap, vmin=-limit, vmax=limit, shading="flat")
    heat.set_ylim(len(stems) - 0.5, -0.5)
    heat.set_yticks(range(len(stems)),
                    [labels[s] + (" (constant)" if c else "") for s, c in zip(stems, constant)],
                    fontsize=7)
    for i in top:
        heat.get_yticklabels()[i].set_fontweight("bold")
    row = 0
    for seg_stems in list(groups.values())[:-1]:  # white lines between genome segments
        row += len(seg_stems)
        heat.axhline(row - 0.5, color="w", lw=1.2)
    heat.grid(False)
    heat.set_xlabel("generation")
    heat.xaxis.get_major_locator().set_params(integer=True)
    heat.set_title("Every heritable trait: change of the mean\n"
                   "since generation 0 (bold: drawn on the right)")
    fig.colorbar(mesh, ax=heat, location="bottom", shrink=0.9, extend="both", aspect=30,
                 label="change of the mean, in within-generation SDs")
    for n, i in enumerate(top):
        ax = fig.add_subplot(grid[n // 2, 1 + n % 2])
        mean, sd = g[f"{stems[i]}.mean"], g[f"{stems[i]}.sd"]
        band(ax, x, mean, mean - sd, mean + sd, color="tab:blue", alpha=0.2, lw=1.4)
        ax.set_title(f"{labels[stems[i]]}: {drift[i, -1]:+.1f} SD", fontsize=9)
        seg = re.sub(r"(\[\d+\]|\.rms)$", "", stems[i])
        doc = "mutation step size" if seg == "mutation_step" else docs.get(seg, "stored value")
        ax.set_ylabel(doc + (" (rms)" if stems[i].endswith(".rms") else ""), fontsize=8)
        ax.xaxis.get_major_locator().set_params(integer=True)
        if n // 2 == 2 or n + 2 >= len(top):
            ax.set_xlabel("generation")
    fig.suptitle(f"Trait drift over {x.size} generations: which heritable parameters moved, "
                 "and how far")
    return save(fig, out / "traits.png", "Trait drift",
                "Left, every trait in generations.csv, in genome order (white lines between genome "
                "segments; [k]: a gene's index; .rms: the root mean square of a large segment; "
                "\"step of X\": the self-adapting mutation step size of segment X): how far the "
                "generation's mean has moved from generation 0, in units of the trait's typical "
                "spread between agents of one generation (pooled SD), red up, blue down, colours "
                f"saturating at ±{limit:g} SD; grey: no spread to measure by. Right: the "
                f"{len(top)} traits that moved furthest, in their stored units (log_* genes are "
                "natural logs), the generation's mean with a ± SD band.")


def survival_table(data: RunData):
    """Kaplan–Meier inputs from the lineage: generation (n,), duration = lifespan (ticks),
    observed (died, not alive at the end), entry (age when first watched: founders that
    started the run already old enter late)."""
    L = data.lineage
    life = L["lifespan"].astype(np.float64)
    died = L["cause"] != "alive"
    stop = np.where(L["death_tick"] >= 0, L["death_tick"], _final_tick(data)).astype(np.float64)
    entry = np.maximum(0.0, life - (stop - L["birth_tick"]))
    entry = np.minimum(entry, life)
    return L["generation"].astype(np.int64), life, died, entry


def survival(data: RunData, out: Path, notes: list[str]) -> Figure | None:
    if data.lineage is None or data.lineage["id"].size == 0:
        return None
    plt = require_matplotlib()
    gen, life, died, entry = survival_table(data)
    gens = np.unique(gen)
    shown = gens if gens.size <= MAX_SURVIVAL_CURVES else gens[np.unique(
        np.linspace(0, gens.size - 1, MAX_SURVIVAL_CURVES).round().astype(int))]
    cmap = plt.get_cmap("viridis")
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(12, 4), gridspec_kw={"width_ratios": [1.6, 1]})
    for i, g in enumerate(shown):
        sel = gen == g
        km = stats.kaplan_meier(life[sel], died[sel], entry[sel])
        color = cmap(i / max(1, len(shown) - 1))
        x, y = km.steps()
        x = np.append(x, life[sel].max())
        y = np.append(y, y[-1])
        a1.step(x, y, where="post", color=color,
                label=f"gen {g}: n={km.n}, {km.censored} censored")
        if km.time.size:
            a1.fill_between(np.append(km.time, life[sel].max()), np.append(km.lo, km.lo[-1]),
                            np.append(km.hi, km.hi[-1]), step="post", color=color, alpha=0.08, lw=0)
    a1.set_ylim(-0.02, 1.02)
    a1.set_xlabel("age (ticks)")
    a1.set_ylabel("fraction still alive S(age)")
    a1.set_title("Kaplan–Meier survival by generation")
    a1.legend(loc="lower left", fontsize=7)
    curves = {g: stats.kaplan_meier(life[gen == g], died[gen == g], entry[gen == g]) for g in gens}
    tau = float(min(life[gen == g].max() for g in gens))  # every generation is followed this far
    rmst = np.array([curves[g].restricted_mean(tau) for g in gens])
    s_tau = np.array([curves[g].at(tau) for g in gens])
    # two scales, each axis in its line's colour: no legend needed below the plot
    a2.plot(gens, rmst, marker="o", ms=3, color="tab:blue")
    a2.set_xlabel("generation")
    a2.set_ylabel(f"mean lifespan up to age {tau:g} (KM), ticks", color="tab:blue")
    a2.tick_params(axis="y", colors="tab:blue")
    a2.xaxis.get_major_locator().set_params(integer=True)
    a2b = a2.twinx()
    a2b.plot(gens, s_tau, marker="s", ms=3, color="tab:red")
    a2b.set_ylim(0, 1.05)
    a2b.set_ylabel(f"fraction still alive at age {tau:g}", color="tab:red")
    a2b.tick_params(axis="y", colors="tab:red")
    a2b.spines["right"].set_visible(True)
    a2b.grid(False)
    a2.set_title("Survival per generation")
    fig.tight_layout()
    return save(fig, out / "survival.png", "Survival curves",
                "Kaplan–Meier estimate of the fraction of a generation's agents still alive at "
                "each age (step curves, shaded: 95% log-log band), from lineage.csv. Agents alive "
                "when their generation (or the run) ended are right-censored; founders that "
                "entered the run already old count from their starting age (delayed entry). "
                f"At most {MAX_SURVIVAL_CURVES} generations drawn, evenly spaced. Right, every "
                "generation: the restricted mean lifespan (area under its curve up to the oldest "
                "age every generation reaches, so censored lives count) and the fraction surviving "
                "to that age.")


def lineage_tree(data: RunData, out: Path, notes: list[str], top: int = 5) -> tuple[Figure, Path]:
    plt = require_matplotlib()
    L = data.lineage
    nwk = out / "lineage.nwk"
    nwk.write_text(family.newick(L["id"], L["parent_id"], L["birth_tick"]), encoding="utf-8")
    fam = family.families(L["id"], L["parent_id"])
    lay = family.layout(L, top=top, final_tick=_final_tick(data))
    fig, ax = plt.subplots(figsize=(10, min(11, 2.5 + 0.02 * lay.rows.size)))
    colors = plt.get_cmap("tab10")
    alive = L["death_tick"][lay.rows] < 0
    for k in range(int(lay.family.max(initial=-1)) + 1):
        sel = lay.family == k
        c = colors(k % 10)
        size = int(fam.size[k])
        ax.hlines(lay.y[sel], lay.start[sel], lay.end[sel], color=c, lw=1.2)
        j = sel & ~np.isnan(lay.parent_y)
        ax.vlines(lay.start[j], lay.parent_y[j], lay.y[j], color=c, lw=0.6, alpha=0.7)
        ax.plot(lay.end[sel & alive], lay.y[sel & alive], ">", color=c, ms=3)
        if sel.any():  # the family's name beside its block, right of the plot, not in a far legend
            ax.annotate(f"founder {int(L['id'][fam.founders[k]])}\n{size - 1} descendants",
                        xy=(1.0, float(np.median(lay.y[sel]))), xycoords=("axes fraction", "data"),
                        xytext=(6, 0), textcoords="offset points", va="center", ha="left",
                        color=c, fontsize=8, fontweight="bold", annotation_clip=False)
    ax.invert_yaxis()
    ax.set_yticks([])
    end = ("its generation or the run" if data.mode == "generational" else "the run")
    ax.set_xlabel(f"tick   (a line: one agent's life, birth to death; ▸ still alive when {end} "
                  "ended; a thin vertical line: born to the agent above)", fontsize=8)
    ax.set_title(f"Family tree of the {min(top, fam.founders.size)} largest families "
                 f"({lay.rows.size} agents drawn, one row each)")
    fig.tight_layout()
    cap = ("Each agent of the largest families (by number of descendants) is a horizontal line "
           "from birth to death; a thin vertical line joins it to its parent at its birth. "
           f"All {fam.founders.size} families are in lineage.nwk (Newick, one tree per line, "
           "branch length = ticks between the parent's and the child's birth; first parent only).")
    if lay.pruned:
        cap += f" Thinned to fit: {lay.pruned}."
    return save(fig, out / "lineage_tree.png", "Family tree", cap), nwk


def personality_window(steps: int) -> int:
    """Window of the personality measures for a run of ``steps`` ticks: 100 ticks, shorter
    for short runs (a fifth of the run, at least 10)."""
    return 100 if steps >= 500 else max(10, steps // 5)


def personality(data: RunData, out: Path, notes: list[str]) -> tuple[Figure, Path] | None:
    """Traced runs: each trait's repeatability among the traced agents (personality.csv and a
    plot); None without traces."""
    from alife.metrics.traces import read_traces
    from alife.report.personality import TRAITS, trait_windows
    from alife.report.personality import personality as measure

    trace = read_traces(data.folder)
    if not trace:
        return None
    window = personality_window(int((data.config.get("run") or {}).get("steps", 500)))
    tw = trait_windows(trace, window)
    if len(tw.ids) == 0:
        notes.append(f"traces: no traced agent lived a whole window of {window} ticks; "
                     "no personality measures")
        return None
    result = measure(trace, window)
    path = out / "personality.csv"
    with path.open("w", encoding="utf-8") as f:
        f.write("trait,icc,icc_lo,icc_hi,agents,windows\n")
        for name, r in result.items():
            f.write(f"{name},{r.icc:.6g},{r.lo:.6g},{r.hi:.6g},{r.agents},{r.windows}\n")
    plt = require_matplotlib()
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), gridspec_kw={"width_ratios": [1, 2]})
    names = list(result)
    icc = np.array([result[n].icc for n in names])
    err = np.array([[result[n].icc - result[n].lo for n in names],
                    [result[n].hi - result[n].icc for n in names]])
    axes[0].bar(np.arange(len(names)), np.nan_to_num(icc), yerr=np.nan_to_num(err), capsize=3)
    axes[0].set_xticks(np.arange(len(names)), names, rotation=30, fontsize=8)
    axes[0].set_ylabel("repeatability (ICC)")
    trait = TRAITS.index("activity")
    for agent in np.unique(tw.ids)[:40]:
        rows = tw.ids == agent
        axes[1].plot((tw.window[rows] + 0.5) * window, tw.values[rows, trait], linewidth=0.7,
                     alpha=0.6)
    axes[1].set_xlabel("tick")
    axes[1].set_ylabel("activity (share of ticks moving)")
    figure = save(fig, out / "personality.png", "Personality of the traced agents",
                  "Left: each behavioural trait's repeatability, the share of its variance that "
                  "lies between individuals (ICC, 95 % bootstrap interval over agents), from "
                  f"windows of {window} ticks ({len(np.unique(tw.ids))} agents, {len(tw.ids)} "
                  "windows). Right: one trait, activity, window by window, one line per agent "
                  "(up to 40).")
    return figure, path
