"""Family trees: founders, family sizes, Newick text and the drawing layout, on hand-made
lineages."""

import numpy as np

from alife.report.family import families, layout, newick, parent_rows

# founder 1 -> children 2 (born 10), 3 (born 20); 2 -> 4 (born 30); founder 5 alone;
# 7's parent 6 is not in the table: 7 founds its own family
IDS = np.array([1, 2, 3, 4, 5, 7])
PARENTS = np.array([-1, 1, 1, 2, -1, 6])
BIRTH = np.array([0, 10, 20, 30, 0, 40])


def test_families_group_by_founder_and_rank_by_size():
    fam = families(IDS, PARENTS)
    assert parent_rows(IDS, PARENTS).tolist() == [-1, 0, 0, 1, -1, -1]
    assert fam.founder.tolist() == [0, 0, 0, 0, 4, 5]
    assert IDS[fam.founders].tolist() == [1, 5, 7]
    assert fam.size.tolist() == [4, 1, 1]


def test_newick_of_a_known_tree():
    text = newick(IDS, PARENTS, BIRTH)
    assert text.splitlines() == ["((4:20)2:10,3:20)1:0;", "5:0;", "7:0;"]


def test_newick_handles_deep_lineages_without_recursion():
    n = 5000  # a chain 0 <- 1 <- 2 ... deeper than Python's recursion limit
    text = newick(np.arange(n), np.arange(n) - 1, np.arange(n) * 3)
    assert text.count("(") == n - 1 and text.strip().endswith("0:0;")


def _lineage(ids, parents, birth, death, lifespan):
    return {"id": np.array(ids), "parent_id": np.array(parents), "birth_tick": np.array(birth),
            "death_tick": np.array(death), "lifespan": np.array(lifespan)}


def test_layout_joins_children_to_their_parents_lines():
    lin = _lineage(IDS, PARENTS, BIRTH, [50, 25, -1, 45, 5, -1], [50, 15, 40, 15, 5, 20])
    lay = layout(lin, top=2, final_tick=60)
    assert IDS[lay.rows].tolist() == [1, 2, 4, 3, 5]          # pre-order, earliest child first
    assert lay.family.tolist() == [0, 0, 0, 0, 1]
    y = dict(zip(IDS[lay.rows].tolist(), lay.y.tolist()))
    py = dict(zip(IDS[lay.rows].tolist(), lay.parent_y.tolist()))
    assert py[2] == y[1] and py[4] == y[2] and py[3] == y[1] and np.isnan(py[1])
    ends = dict(zip(IDS[lay.rows].tolist(), lay.end.tolist()))
    assert ends[3] == 60 and ends[1] == 50                     # alive at the end: drawn to the end
    assert lay.pruned == ""


def test_layout_prunes_to_fit_but_keeps_ancestors():
    n = 300  # founder 0 with 299 children; children 1..10 each have one child
    ids = np.arange(n + 10)
    parents = np.concatenate([[-1], np.zeros(n - 1, int), np.arange(1, 11)])
    birth = np.concatenate([[0], np.arange(1, n), np.arange(1, 11) + 500])
    death = np.full(ids.size, 900)
    death[n:] = -1  # the grandchildren are alive at the end
    lin = _lineage(ids, parents, birth, death, 900 - birth)
    lay = layout(lin, top=1, max_nodes=50)
    drawn = set(lay.rows.tolist())
    assert drawn == set(range(0, 11)) | set(range(n, n + 10))  # childless dead dropped, living kept
    assert "childless" in lay.pruned
    assert not np.isnan(lay.parent_y[1:]).any()  # everyone but the founder has a parent line
