"""generations.csv: one row per generation of an evolution run.

Columns: generation, tick (at its end), population (alive at its end), agents (that lived in
it), best/mean/median fitness, mean lifespan, diversity (mean over genes of their standard
deviation / valid range), then for every heritable trait its mean and standard deviation
over the generation's agents: ``<segment>[i].mean`` / ``.sd`` for each gene of a segment of at
most 20 genes, ``<segment>.rms.mean`` / ``.sd`` (root mean square of the segment's genes) for
the bigger ones (the affect sensitivities, the innate world model).
"""

from __future__ import annotations

import numpy as np

from alife.genetics.genome import GenomeLayout

PER_GENE_MAX = 20
_FIXED = ("generation", "tick", "population", "agents", "best_fitness", "mean_fitness",
          "median_fitness", "mean_lifespan", "diversity")


def _traits(layout: GenomeLayout) -> list[tuple[str, slice, bool]]:
    """(name, genome slice, summarised as rms) for every trait column pair."""
    traits = []
    for seg in layout.segments.values():
        if seg.size <= PER_GENE_MAX:
            for k in range(seg.size):
                name = f"{seg.name}[{k}]" if seg.size > 1 else seg.name
                traits.append((name, slice(seg.offset + k, seg.offset + k + 1), False))
        else:
            traits.append((f"{seg.name}.rms", slice(seg.offset, seg.offset + seg.size), True))
    return traits


def generation_columns(layout: GenomeLayout) -> list[str]:
    columns = list(_FIXED)
    for name, _, _ in _traits(layout):
        columns += [f"{name}.mean", f"{name}.sd"]
    return columns


def generation_row(layout: GenomeLayout, generation: int, tick: int, population: int,
                   fitness: np.ndarray, lifespan: np.ndarray, genomes: np.ndarray) -> dict:
    """The row of one generation: fitness float64 (n,) and lifespan (n,) of the n agents
    scored, genomes float32 (m, G) of the agents whose traits are summarised (generational:
    the same agents; open-ended: the living). Statistics of nobody are NaN."""
    n = len(fitness)
    row: dict = dict.fromkeys(generation_columns(layout), float("nan"))
    row.update(generation=generation, tick=tick, population=population, agents=n)
    if n:
        row["best_fitness"] = float(np.max(fitness))
        row["mean_fitness"] = float(np.mean(fitness))
        row["median_fitness"] = float(np.median(fitness))
        row["mean_lifespan"] = float(np.mean(lifespan))
    if len(genomes):
        row["diversity"] = diversity(layout, genomes)
        g = genomes.astype(np.float64)
        for name, cols, rms in _traits(layout):
            values = np.sqrt(np.mean(g[:, cols] ** 2, axis=1)) if rms else g[:, cols.start]
            row[f"{name}.mean"] = float(values.mean())
            row[f"{name}.sd"] = float(values.std())
    return row


def diversity(layout: GenomeLayout, genomes: np.ndarray) -> float:
    """Mean over the genes that can vary of std(gene) / (hi - lo): 0 = a clonal population."""
    lo, hi = layout.bounds()
    span = hi.astype(np.float64) - lo
    free = span > 0
    if len(genomes) == 0 or not free.any():
        return 0.0
    return float(np.mean(genomes[:, free].astype(np.float64).std(axis=0) / span[free]))
