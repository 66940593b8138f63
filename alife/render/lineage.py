"""Lineage keys: which founder's family each living agent belongs to, for the lineage colours.

The state stores only each agent's parent id, so the founder is followed from frame to frame:
a newborn inherits its parent's key. Only the agents alive at the previous update need to be
remembered (a parent is alive when it gives birth), so memory stays proportional to the
population however long the run. All vectorised: a sort and a few ``searchsorted`` per update.

If a parent was born and died between two updates (many ticks per frame) its child's founder
cannot be known; the child then starts a family keyed by its parent's id, so its descendants
still share one colour. If a later ``AgentState`` carries a ``founder_id`` array it is used as is.
"""

from __future__ import annotations

import numpy as np


class LineageTracker:
    """Follows founder keys across updates. ``update(agents, slots)`` -> int64 key per slot."""

    def __init__(self) -> None:
        self._ids = np.empty(0, np.int64)   # ids alive at the last update, sorted
        self._keys = np.empty(0, np.int64)  # their lineage keys, aligned with _ids

    def update(self, agents, slots: np.ndarray) -> np.ndarray:
        """Lineage keys (int64, shape of ``slots``) of the agents in ``slots`` (alive slots).

        Keys are founder ids (founders have ``parent_id == -1``: their own id).
        """
        if hasattr(agents, "founder_id"):
            return np.asarray(agents.founder_id[slots], np.int64)
        ids = agents.id[slots].astype(np.int64)
        parents = agents.parent_id[slots].astype(np.int64)
        keys = _lookup(self._ids, self._keys, ids)
        todo = keys < 0
        founders = todo & (parents < 0)
        keys[founders] = ids[founders]
        todo &= ~founders
        if todo.any():
            from_before = _lookup(self._ids, self._keys, parents[todo])
            keys[np.flatnonzero(todo)[from_before >= 0]] = from_before[from_before >= 0]
            todo = keys < 0
        if todo.any():
            # parents born since the last update: resolve chains among today's agents
            order = np.argsort(ids)
            sorted_ids = ids[order]
            while todo.any():
                pos = np.searchsorted(sorted_ids, parents[todo])
                pos = np.minimum(pos, sorted_ids.size - 1)
                found = sorted_ids[pos] == parents[todo]
                parent_keys = np.where(found, keys[order[pos]], -1)
                ready = parent_keys >= 0
                if not ready.any():
                    break
                keys[np.flatnonzero(todo)[ready]] = parent_keys[ready]
                todo = keys < 0
            # parent never seen: the family is keyed by that parent's id
            keys[todo] = parents[todo]
        order = np.argsort(ids)
        self._ids, self._keys = ids[order], keys[order]
        return keys

    def families(self) -> int:
        """Number of distinct lineages alive at the last update."""
        return int(np.unique(self._keys).size)


def _lookup(sorted_ids: np.ndarray, keys: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Keys of ``wanted`` ids found in ``sorted_ids``; -1 where absent. int64, shape of wanted."""
    out = np.full(wanted.shape, -1, np.int64)
    if sorted_ids.size == 0 or wanted.size == 0:
        return out
    pos = np.minimum(np.searchsorted(sorted_ids, wanted), sorted_ids.size - 1)
    hit = sorted_ids[pos] == wanted
    out[hit] = keys[pos[hit]]
    return out
