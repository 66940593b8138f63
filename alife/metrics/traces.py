"""Traces: every tick of chosen agents, for an agent's biography (``alife agent``) and for
personality measures (alife.report.personality).

Who is traced (``run.trace``, ``run.trace_ids``): ``run.trace`` founders drawn from the seed
(a random stream of their own: nothing else in the run changes) and the ids in
``run.trace_ids`` (agents born at any time; founders are 0..N-1). Tracing reads the state
after each tick and never writes it: a traced run is bit-identical to the untraced one.

Files: ``RUN/traces/part-<first tick>.parquet`` (``.csv`` without pyarrow), the parts of one
table in tick order; :func:`read_traces` joins them. One row per traced agent alive after a
tick (also at tick 0), and one row at the tick it is found dead (``alive`` 0, ``cause``
starved / old_age, the other columns empty). Columns:

    tick, alive, cause         the tick; 1 alive, 0 its death row; alive / starved / old_age
    id, parent_id, generation, age, x, y, energy
    action, explored           the last action (ACTION_NAMES, -1 before the first) and whether
                               it was not the best-scored one
    food_here, worth_here      food in its cell and what a unit of it is worth now (< 0: poison)
    hazard_here, crowding      on a hazard (0/1); the crowding drive (neighbours in view)
    surprise, progress, reward the last prediction error, learning progress, reward r'
    write_weight, memories     the weight its last experience was offered to memory with; the
                               slots of its memory in use
    replayed                   it replayed memories this tick (1/0)
    temperature, learning_rate, curiosity, energy_weight
                               the couplings' factors affect sets now (for the next choice and
                               learning step): τ, the relative learning rate, c and ω
    prob_<action>              the action probabilities of the last choice
    affect_<k>                 every affect dimension e_k
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

from alife.config import Config, ConfigError
from alife.kernels.sense import ACTION_NAMES
from alife.kernels.trace import FIELDS, gather_trace
from alife.world.state import NEXT_ID

TRACES = "traces"
TRACE_BRANCH = 6  # seed-sequence branch of the traced founders (0-5: the run's other streams)
CAUSE_NAMES = ("alive", "starved", "old_age")
INTEGER_COLUMNS = {"tick", "alive", "id", "parent_id", "generation", "age", "x", "y", "action",
                   "explored", "hazard_here", "memories", "replayed"}
FLUSH_ROWS = 50_000  # buffered rows written as one part


def trace_columns(config: Config) -> list[str]:
    """The columns of the trace table of ``config``'s runs, in order."""
    return (["tick", "alive", "cause", *FIELDS] + [f"prob_{a}" for a in ACTION_NAMES]
            + [f"affect_{k}" for k in range(config.affect.dims)])


def traced_ids(config: Config) -> np.ndarray:
    """The ids a run of ``config`` traces, sorted int64: ``run.trace`` founders drawn from the
    seed, and ``run.trace_ids``."""
    if config.run.trace > config.agents.initial_count:
        raise ConfigError(f"run.trace: traces founders, at most agents.initial_count "
                          f"({config.agents.initial_count}), got {config.run.trace}")
    rng = np.random.default_rng([config.seed, TRACE_BRANCH])
    founders = rng.choice(config.agents.initial_count, config.run.trace, replace=False)
    return np.unique(np.concatenate([founders, config.run.trace_ids]).astype(np.int64))


class TraceRecorder:
    """Records the traced agents of a simulation after each tick into ``folder/traces``.

    ``observe(sim)`` after every tick (and once at the start); ``flush()`` before a
    checkpoint, so the parts on disk end at the checkpoint's tick; ``close()`` at the end.
    """

    def __init__(self, folder: str | Path, config: Config, ids: np.ndarray | None = None):
        self.folder = Path(folder) / TRACES
        self.folder.mkdir(parents=True, exist_ok=True)
        self.config = config
        self.columns = trace_columns(config)
        self.pending = np.sort(traced_ids(config) if ids is None else np.asarray(ids, np.int64))
        self.ids = np.zeros(0, np.int64)    # traced agents alive at the last observation
        self.slots = np.zeros(0, np.int64)  # and their slots
        self.buffer: list[np.ndarray] = []
        self.rows = 0
        self.last_tick = -1
        self.parquet = importlib.util.find_spec("pyarrow") is not None

    def state(self) -> dict:
        """What a checkpoint keeps of the recorder (JSON): whom it follows, where, and when."""
        return {"ids": self.ids.tolist(), "slots": self.slots.tolist(),
                "pending": self.pending.tolist(), "tick": self.last_tick}

    @classmethod
    def reopen(cls, folder: str | Path, config: Config, state: dict, sim) -> "TraceRecorder":
        """Continue the traces of a run resumed from a checkpoint whose recorder ``state`` this
        is: rows after the checkpoint's tick are dropped (they are recorded again), and that
        tick's rows are recorded if the interruption came before them."""
        recorder = cls(folder, config, ids=np.asarray(state["pending"], np.int64))
        recorder.ids = np.asarray(state["ids"], np.int64)
        recorder.slots = np.asarray(state["slots"], np.int64)
        recorder.last_tick = int(state["tick"])
        keep_trace_rows_up_to(recorder.folder, recorder.last_tick)
        recorder.observe(sim)  # nothing if the checkpoint's tick is already recorded
        return recorder

    @property
    def active(self) -> bool:
        return len(self.ids) > 0 or len(self.pending) > 0

    def _catch_up(self, sim) -> None:
        """Find the slots of traced agents born since the last look (ids below the next id)."""
        agents = sim.state.agents
        born = self.pending[self.pending < sim.state.counters[NEXT_ID]]
        if len(born) == 0:
            return
        self.pending = self.pending[len(born):]
        living = agents.alive & np.isin(agents.id, born)
        slots = np.flatnonzero(living).astype(np.int64)
        order = np.argsort(np.concatenate([self.ids, agents.id[slots]]), kind="stable")
        self.ids = np.concatenate([self.ids, agents.id[slots]])[order]
        self.slots = np.concatenate([self.slots, slots])[order]

    def observe(self, sim) -> None:
        """Rows of the traced agents after the tick the simulation is at."""
        agents, grid = sim.state.agents, sim.state.grid
        tick = sim.tick
        if tick == self.last_tick:
            return
        self.last_tick = tick
        self._catch_up(sim)
        if len(self.ids):
            still = agents.alive[self.slots] & (agents.id[self.slots] == self.ids)
            if not still.all():
                gone = ~still
                same = agents.id[self.slots[gone]] == self.ids[gone]
                causes = np.where(same, agents.death_cause[self.slots[gone]], -1)
                dead = np.full((int(gone.sum()), len(self.columns)), np.nan)
                dead[:, 0], dead[:, 1], dead[:, 2] = tick, 0, causes
                dead[:, 3] = self.ids[gone]
                self._add(dead)
                self.ids, self.slots = self.ids[still], self.slots[still]
        if len(self.slots):
            rows = np.empty((len(self.slots), len(self.columns)), np.float64)
            gather_trace(agents, grid.food, grid.hazard, grid.kind, grid.region, grid.deal,
                         grid.kind_value, self.slots, float(sim.config.learner.energy_weight),
                         int(sim.config.affect.replay_every), bool(_replaying(sim.config)),
                         rows[:, 3:])
            rows[:, 0], rows[:, 1], rows[:, 2] = tick, 1, 0
            self._add(rows)

    def _add(self, rows: np.ndarray) -> None:
        self.buffer.append(rows)
        self.rows += len(rows)
        if self.rows >= FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        """Write the buffered rows as one part."""
        if not self.buffer:
            return
        table = np.concatenate(self.buffer)
        self.buffer, self.rows = [], 0
        first = int(table[0, 0])
        columns = {name: table[:, k] for k, name in enumerate(self.columns)}
        causes = np.array(CAUSE_NAMES + ("unknown",), dtype=object)
        columns["cause"] = causes[columns["cause"].astype(int)]
        for name in INTEGER_COLUMNS:
            columns[name] = np.nan_to_num(columns[name], nan=-1).astype(np.int64)
        target = self.folder / f"part-{first:09d}.{'parquet' if self.parquet else 'csv'}"
        tmp = target.with_name(target.name + ".tmp")
        write_table(columns, tmp, self.parquet)
        tmp.replace(target)

    def close(self) -> None:
        self.flush()


def _replaying(config: Config) -> bool:
    a = config.affect
    return config.learner.learning and a.replay_samples > 0 and a.memory_size > 0


def write_table(columns: dict[str, np.ndarray], path: Path, parquet: bool) -> None:
    """Write trace columns as Parquet, or as CSV (empty cells for NaN)."""
    if parquet:
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.table({k: pa.array(v) for k, v in columns.items()}), path)
        return
    names = list(columns)
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write(",".join(names) + "\n")
        values = [columns[n] for n in names]
        for r in range(len(values[0])):
            f.write(",".join(_cell(v[r]) for v in values) + "\n")


def _cell(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (np.integer, int)):
        return str(int(value))
    return "" if np.isnan(value) else repr(float(value))


def trace_parts(folder: Path) -> list[Path]:
    """The part files of a run's traces, in tick order."""
    parts = folder / TRACES
    return (sorted(p for p in parts.glob("part-*.*") if p.suffix in (".parquet", ".csv"))
            if parts.is_dir() else [])


def read_traces(run_dir: str | Path, ids=None, ticks: tuple[int, int] | None = None
                ) -> dict[str, np.ndarray]:
    """The trace table of a run folder as columns (numbers as arrays, ``cause`` as str), in
    tick order; only the rows of ``ids`` and of ticks ``ticks[0]..ticks[1]`` if given. {} if
    the run has no traces."""
    tables = []
    for part in trace_parts(Path(run_dir)):
        table = _read_part(part)
        keep = np.ones(len(table["tick"]), bool)
        if ids is not None:
            keep &= np.isin(table["id"], np.asarray(ids))
        if ticks is not None:
            keep &= (table["tick"] >= ticks[0]) & (table["tick"] <= ticks[1])
        tables.append({k: v[keep] for k, v in table.items()})
    if not tables:
        return {}
    return {k: np.concatenate([t[k] for t in tables]) for k in tables[0]}


def _read_part(path: Path) -> dict[str, np.ndarray]:
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        table = pq.read_table(path)
        return {name: table.column(name).to_numpy(zero_copy_only=False)
                for name in table.column_names}
    import csv

    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    out = {}
    for k, name in enumerate(header):
        values = [r[k] for r in body]
        if name == "cause":
            out[name] = np.array(values, dtype=object)
        elif name in INTEGER_COLUMNS:
            out[name] = np.array([int(v) for v in values], np.int64)
        else:
            out[name] = np.array([float(v) if v else np.nan for v in values], np.float64)
    return out


def keep_trace_rows_up_to(folder: Path, tick: int) -> None:
    """Drop the trace rows after ``tick`` (a resume records them again)."""
    for part in sorted(folder.glob("part-*.*")):
        if part.suffix not in (".parquet", ".csv"):
            part.unlink()  # a part cut short by a kill
            continue
        table = _read_part(part)
        if len(table["tick"]) == 0 or table["tick"][0] > tick:
            part.unlink()
        elif table["tick"][-1] > tick:
            keep = table["tick"] <= tick
            tmp = part.with_name(part.name + ".tmp")
            write_table({k: v[keep] for k, v in table.items()}, tmp, part.suffix == ".parquet")
            tmp.replace(part)
