"""The lineage table: one row per agent that lived, enough to rebuild the family tree.

Files in an evolution run folder:
    lineage.csv          id, parent_id, parent2_id (-1: none), generation, birth_tick,
                         death_tick (-1: alive when the run ended), cause (starved, old_age,
                         alive), lifespan (ticks), energy (at death or at the end), fitness,
                         then the genes of every segment except the innate weights
                         (model_init, value_init), one column each: gene.<segment>[i]
    lineage_genomes.f32  every row's whole genome, float32 little-endian, G per row, same
                         order as lineage.csv (G genes: the weights make a CSV row too big)

Rows are appended as agents die; those alive at the end of a run are added last. Read both
with :func:`read_lineage`.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from alife.genetics.genome import GenomeLayout
from alife.metrics.writers import keep_rows

LINEAGE_CSV = "lineage.csv"
LINEAGE_GENOMES = "lineage_genomes.f32"
CAUSES = {0: "alive", 1: "starved", 2: "old_age"}
_FIELDS = ("id", "parent_id", "parent2_id", "generation", "birth_tick", "death_tick", "cause",
           "lifespan", "energy", "fitness")
_WEIGHT_SEGMENTS = ("model_init", "value_init")


def gene_columns(layout: GenomeLayout) -> tuple[list[str], np.ndarray]:
    """Names of the per-gene columns of lineage.csv and the genome index of each (int64)."""
    names: list[str] = []
    index: list[int] = []
    for seg in layout.segments.values():
        if seg.name in _WEIGHT_SEGMENTS:
            continue
        for k in range(seg.size):
            names.append(f"gene.{seg.name}[{k}]" if seg.size > 1 else f"gene.{seg.name}")
            index.append(seg.offset + k)
    return names, np.array(index, np.int64)


class LineageWriter:
    """Append lineage rows to ``folder``; ``append=False`` starts new files."""

    def __init__(self, folder: Path, layout: GenomeLayout, append: bool = False):
        self.gene_names, self.gene_index = gene_columns(layout)
        self.n_genes = layout.size
        mode = "a" if append else "w"
        self._csv = (Path(folder) / LINEAGE_CSV).open(mode, newline="", encoding="utf-8")
        self._genomes = (Path(folder) / LINEAGE_GENOMES).open(mode + "b")
        self._writer = csv.writer(self._csv)
        if not append:
            self._writer.writerow([*_FIELDS, *self.gene_names])
        self.flush()

    def write(self, records: dict[str, np.ndarray], fitness: np.ndarray,
              genomes: np.ndarray) -> int:
        """Append one row per agent: ``records`` as from ``Simulation.take_deaths`` (arrays
        (m,)), fitness float64 (m,), genomes float32 (m, G). Returns m."""
        m = len(fitness)
        if m == 0:
            return 0
        causes = [CAUSES.get(int(c), str(int(c))) for c in records["cause"]]
        ints = np.column_stack([records[k] for k in _FIELDS[:6]]).astype(np.int64).tolist()
        energy = records["energy"].tolist()
        fits = np.asarray(fitness).tolist()
        genes = genomes[:, self.gene_index].tolist()
        gene_format = ",".join(["%.7g"] * len(self.gene_index))
        lines = [
            "%d,%d,%d,%d,%d,%d,%s,%d,%.6g,%.6g,%s\r\n" % (
                *ints[k], causes[k], records["lifespan"][k], energy[k], fits[k],
                gene_format % tuple(genes[k]))
            for k in range(m)
        ]
        self._csv.write("".join(lines))
        self._genomes.write(np.ascontiguousarray(genomes, "<f4").tobytes())
        return m

    def flush(self) -> None:
        self._csv.flush()
        self._genomes.flush()

    def close(self) -> None:
        self._csv.close()
        self._genomes.close()

    def __enter__(self) -> "LineageWriter":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def keep_lineage_rows(folder: Path, n_rows: int, n_genes: int) -> None:
    """Cut lineage.csv and lineage_genomes.f32 back to their first ``n_rows`` rows (a resume
    rewrites what came after its checkpoint)."""
    keep_rows(Path(folder) / LINEAGE_CSV, n_rows)
    with (Path(folder) / LINEAGE_GENOMES).open("r+b") as f:
        f.truncate(n_rows * n_genes * 4)


def read_lineage(folder: str | Path) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The lineage of a run: columns of lineage.csv (numbers as arrays, ``cause`` as str
    array) and the genomes float32 (m, G), row k belonging to row k of the table."""
    folder = Path(folder)
    with (folder / LINEAGE_CSV).open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    columns: dict[str, np.ndarray] = {}
    for k, name in enumerate(header):
        values = [row[k] for row in body]
        if name == "cause":
            columns[name] = np.array(values, dtype=str)
        elif name in _FIELDS[:8]:
            columns[name] = np.array(values, dtype=np.int64)
        else:
            columns[name] = np.array(values, dtype=np.float64)
    flat = np.fromfile(folder / LINEAGE_GENOMES, dtype="<f4")
    n = len(body)
    genomes = flat.reshape(n, -1) if n else flat.reshape(0, 0)
    return columns, genomes


LINEAGE_PARQUET = "lineage.parquet"


def write_lineage_parquet(folder: str | Path) -> Path | None:
    """Also write the lineage as ``lineage.parquet`` (every column of lineage.csv plus
    ``genome``, the whole genome as a list of float32) when pyarrow is installed (the
    ``parquet`` extra); returns its path, or None without pyarrow."""
    import importlib.util

    if importlib.util.find_spec("pyarrow") is None:
        return None
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = Path(folder)
    columns, genomes = read_lineage(folder)
    table = {name: pa.array(values) for name, values in columns.items()}
    n_genes = genomes.shape[1] if genomes.ndim == 2 else 0
    flat = pa.array(np.ascontiguousarray(genomes, np.float32).ravel(), pa.float32())
    table["genome"] = pa.FixedSizeListArray.from_arrays(flat, n_genes) if n_genes else pa.array(
        [[] for _ in range(len(genomes))], pa.list_(pa.float32()))
    path = folder / LINEAGE_PARQUET
    tmp = path.with_name(path.name + ".tmp")
    pq.write_table(pa.table(table), tmp)
    tmp.replace(path)
    return path


PHYLOGENY_CSV = "phylogeny.csv"


def write_phylogeny(folder: str | Path) -> Path:
    """Also write the lineage in the ALife Data Standards' phylogeny format, ``phylogeny.csv``:
    ``id``, ``ancestor_list`` (``[none]`` for a founder, else ``[parent]`` or, bred by crossover,
    ``[parent,parent2]``), ``origin_time`` (birth tick), ``destruction_time`` (death tick,
    ``inf`` if alive when the run ended), then the traits generation, cause, lifespan, energy
    and fitness. Tools of that standard (e.g. alifedata-phyloinformatics-convert) read it."""
    folder = Path(folder)
    columns, _ = read_lineage(folder)
    path = folder / PHYLOGENY_CSV
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "ancestor_list", "origin_time", "destruction_time", "generation",
                         "cause", "lifespan", "energy", "fitness"])
        for k in range(len(columns["id"])):
            parents = [int(p) for p in (columns["parent_id"][k], columns["parent2_id"][k])
                       if p >= 0]
            ancestors = "[" + ",".join(map(str, parents)) + "]" if parents else "[none]"
            death = int(columns["death_tick"][k])
            writer.writerow([int(columns["id"][k]), ancestors, int(columns["birth_tick"][k]),
                             death if death >= 0 else "inf", int(columns["generation"][k]),
                             columns["cause"][k], int(columns["lifespan"][k]),
                             f"{columns['energy'][k]:.6g}", f"{columns['fitness'][k]:.6g}"])
    tmp.replace(path)
    return path
