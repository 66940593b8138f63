"""Family trees from the lineage table (first parent only): founders, family sizes, a
drawing layout and Newick export. numpy and plain Python; no recursion (deep lineages).

Inputs are the lineage columns ``id`` and ``parent_id`` (int (n,); parent -1 = founder) and
``birth_tick`` (int (n,)). An agent whose parent is not in the table counts as a founder of
its own family. Crossover's second parent (``parent2_id``) is not part of the tree.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def parent_rows(ids: np.ndarray, parents: np.ndarray) -> np.ndarray:
    """Row index of each row's parent (int64 (n,)), -1 for founders and unknown parents."""
    ids = np.asarray(ids, np.int64)
    parents = np.asarray(parents, np.int64)
    if ids.size == 0:
        return np.empty(0, np.int64)
    order = np.argsort(ids, kind="stable")
    pos = np.clip(np.searchsorted(ids[order], parents), 0, ids.size - 1)
    found = (ids[order][pos] == parents) & (parents >= 0)
    return np.where(found, order[pos], -1).astype(np.int64)


def founder_rows(up: np.ndarray) -> np.ndarray:
    """Row of each row's founder (its furthest known ancestor), from :func:`parent_rows`."""
    root = np.where(up < 0, np.arange(up.size), up).astype(np.int64)
    while True:  # pointer jumping: log2(depth) rounds
        nxt = root[root]
        if np.array_equal(nxt, root):
            return root
        root = nxt


@dataclass(frozen=True)
class Families:
    """The families of a lineage table: ``up`` parent row per row, ``founder`` founder row per
    row, ``founders`` the founder rows ordered by family size (largest first; ties: lower id),
    ``size`` members per founder (founder included), aligned with ``founders``."""
    up: np.ndarray
    founder: np.ndarray
    founders: np.ndarray
    size: np.ndarray

    def members(self, founder_row: int) -> np.ndarray:
        return np.flatnonzero(self.founder == founder_row)


def families(ids, parents) -> Families:
    """Group a lineage into families (see :class:`Families`)."""
    ids = np.asarray(ids, np.int64)
    up = parent_rows(ids, parents)
    founder = founder_rows(up)
    roots, counts = np.unique(founder, return_counts=True)
    order = np.lexsort((ids[roots], -counts))
    return Families(up=up, founder=founder, founders=roots[order], size=counts[order])


def children_lists(up: np.ndarray, rows: np.ndarray, birth: np.ndarray) -> dict[int, list[int]]:
    """Children (rows) of each row in ``rows`` (only children also in ``rows``), by birth."""
    keep = set(int(r) for r in rows)
    kids: dict[int, list[int]] = {int(r): [] for r in rows}
    for r in sorted(keep, key=lambda r: (int(birth[r]), r)):
        p = int(up[r])
        if p >= 0 and p in keep:
            kids[p].append(r)
    return kids


def preorder(root: int, kids: dict[int, list[int]]) -> list[int]:
    """Rows of the subtree under ``root`` in depth-first pre-order (earliest child first)."""
    out, stack = [], [root]
    while stack:
        r = stack.pop()
        out.append(r)
        stack.extend(reversed(kids.get(r, [])))
    return out


def newick(ids, parents, birth_tick, founders_first: bool = True) -> str:
    """The lineage as Newick: one tree per family, one per line, largest family first.
    Labels are agent ids; a branch's length is the ticks between the parent's and the
    child's birth (a founder's is 0). Parents are internal nodes labelled with their id."""
    ids = np.asarray(ids, np.int64)
    birth = np.asarray(birth_tick, np.int64)
    fam = families(ids, parents)
    kids = children_lists(fam.up, np.arange(ids.size), birth)
    lines = []
    for root in fam.founders:
        text: dict[int, str] = {}
        # post-order without recursion: reversed pre-order visits children before parents
        for r in reversed(preorder(int(root), kids)):
            p = int(fam.up[r])
            length = 0 if r == root or p < 0 else int(birth[r] - birth[p])
            inner = ",".join(text.pop(c) for c in kids[r])
            text[r] = (f"({inner})" if inner else "") + f"{int(ids[r])}:{length}"
        lines.append(text[int(root)] + ";")
    return "\n".join(lines) + ("\n" if lines else "")


@dataclass(frozen=True)
class TreeLayout:
    """Rows to draw for a lineage plot: agent ``rows[i]`` is a line from ``start[i]`` to
    ``end[i]`` (ticks) at height ``y[i]``, joined to its parent's line at ``parent_y[i]``
    (NaN for a family's founder); ``family[i]`` is the index of its family among the
    families drawn. ``pruned`` says how the tree was thinned to fit (empty: not at all)."""
    rows: np.ndarray
    start: np.ndarray
    end: np.ndarray
    y: np.ndarray
    parent_y: np.ndarray
    family: np.ndarray
    pruned: str


def layout(lineage: dict, top: int = 5, max_nodes: int = 600,
           final_tick: int | None = None) -> TreeLayout:
    """Lay out the ``top`` largest families of ``lineage`` (the columns of lineage.csv) for
    drawing, at most ``max_nodes`` agents: first childless agents that died are dropped,
    then the latest-born (both keep every drawn agent's ancestors)."""
    ids = np.asarray(lineage["id"], np.int64)
    birth = np.asarray(lineage["birth_tick"], np.int64)
    death = np.asarray(lineage["death_tick"], np.int64)
    lifespan = np.asarray(lineage["lifespan"], np.int64)
    fam = families(ids, lineage["parent_id"])
    chosen = fam.founders[:top]
    rows = np.flatnonzero(np.isin(fam.founder, chosen))
    pruned = ""
    if rows.size > max_nodes:
        has_kids = np.zeros(ids.size, bool)
        has_kids[fam.up[fam.up >= 0]] = True
        alive = death < 0
        rows = rows[has_kids[rows] | alive[rows]]
        pruned = "childless agents that died are not drawn"
        if rows.size > max_nodes:
            order = np.lexsort((ids[rows], birth[rows]))
            rows = np.sort(rows[order[:max_nodes]])
            pruned += f"; only the {max_nodes} earliest-born of the rest are drawn"
    stop = (final_tick if final_tick is not None
            else int(max(death.max(initial=0), (birth + lifespan).max(initial=0))))
    end_of = np.where(death >= 0, death, np.minimum(birth + lifespan, stop))
    kids = children_lists(fam.up, rows, birth)
    drawn, family = [], []
    for k, root in enumerate(chosen):
        if int(root) in kids:
            order = preorder(int(root), kids)
            drawn += order
            family += [k] * len(order)
    drawn_rows = np.array(drawn, np.int64)
    y = np.arange(drawn_rows.size, dtype=np.float64)
    y_of = {int(r): float(v) for r, v in zip(drawn_rows, y)}
    parent_y = np.array([y_of.get(int(fam.up[r]), np.nan) for r in drawn_rows], np.float64)
    return TreeLayout(rows=drawn_rows, start=birth[drawn_rows].astype(np.float64),
                      end=end_of[drawn_rows].astype(np.float64), y=y, parent_y=parent_y,
                      family=np.array(family, np.int64), pruned=pruned)
