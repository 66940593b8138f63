"""An agent's biography (``alife agent RUN_DIR ID``): one life, read back.

The life comes from the run's traces (``run.trace``, ``run.trace_ids``: alife.metrics.traces)
when the agent was traced from its birth; otherwise it is **replayed**: the run restarts
from the last kept checkpoint before the agent's birth (``run.keep_checkpoints``) or from
the run's start (its config and seed make tick 0 again), with tracing on for that agent
only, until it dies or the run's last tick. A run is deterministic, so the replay is the
life it lived; where the agent was traced too, the two are compared and must agree.

The page (``RUN/agents/<ID>/report.html`` and ``report.md``, PNGs beside them, and the life
as ``life.csv``) shows birth, parent, children, death and its cause; energy, affect with the
moments that moved it most and what happened then, surprise and progress, what it offered
to memory, the couplings' factors affect set, and its path on the map.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from alife.config import ConfigError, load_config
from alife.metrics.traces import TraceRecorder, read_traces, write_table
from alife.report.data import ReportError
from alife.report.page import write_pages
from alife.report.plotting import require_matplotlib, save
from alife.runners.headless import CHECKPOINT, CHECKPOINTS

EVENTS = 5  # moments that moved affect most, listed on the page


class Life:
    """One agent's trace (columns of alife.metrics.traces, its rows only, in tick order), its
    children's ids, where it came from ("traced" or "replayed from ..."), and the world's grid
    at the start of the run (food capacity, obstacles) for the map."""

    def __init__(self, trace: dict[str, np.ndarray], children: list[int] | None, source: str,
                 capacity: np.ndarray, obstacle: np.ndarray, last_tick: int):
        self.trace, self.children, self.source = trace, children, source
        self.capacity, self.obstacle, self.last_tick = capacity, obstacle, last_tick

    @property
    def alive_rows(self) -> np.ndarray:
        return self.trace["alive"] == 1


def read_life(folder: str | Path, agent_id: int, replay: bool = False,
              log: Callable[[str], None] = lambda m: None) -> Life:
    """The life of agent ``agent_id`` of the run in ``folder``: traced, or replayed (always
    with ``replay``). Raises ReportError with a message for the user."""
    folder = Path(folder)
    config = _run_config(folder)
    path = folder / CHECKPOINT
    if not path.exists():
        raise ReportError(f"{folder}: no {CHECKPOINT}, so the run's agents cannot be known or "
                          "replayed (it ended before its first checkpoint)")
    final = _counters(path)  # the end of the run, or where it stopped
    if final is None:
        raise ReportError(f"{path}: cannot read the checkpoint")
    last_tick, next_id = int(final[0]), int(final[1])
    if not 0 <= agent_id < next_id:
        raise ReportError(f"agent {agent_id}: not in this run "
                          f"(its agents have ids 0..{next_id - 1})")
    traced = read_traces(folder, ids=[agent_id])
    whole = len(traced.get("tick", [])) > 0 and (traced["age"][0] == 0 or traced["tick"][0] == 0)
    grid = _start_grid(config)
    if whole and not replay:
        return Life(traced, None, "traced during the run", *grid, last_tick)
    trace, children, source = _replay(folder, config, agent_id, last_tick, log)
    if len(traced.get("tick", [])):
        _check_agreement(traced, trace)
    return Life(trace, children, source, *grid, last_tick)


def _run_config(folder: Path):
    if not folder.is_dir():
        raise ReportError(f"{folder}: no such folder")
    if (folder / "generations.csv").exists():
        raise ReportError(f"{folder}: an evolution run (alife evolve); biographies are read from "
                          "alife run folders, where agents can be traced and replayed")
    if not (folder / "config.yaml").exists():
        raise ReportError(f"{folder}: not a run folder (no config.yaml)")
    try:
        return load_config(folder / "config.yaml")
    except ConfigError as err:
        raise ReportError(str(err)) from None


def _counters(path: Path) -> np.ndarray | None:
    """A checkpoint's counters (tick, next id, living), read alone; None if unreadable."""
    try:
        with np.load(path, allow_pickle=False) as data:
            return data["counters"].copy()
    except (OSError, ValueError, KeyError, EOFError):
        return None


def _start_grid(config) -> tuple[np.ndarray, np.ndarray]:
    from alife.world.init import make_grid, seed_streams

    grid = make_grid(config, seed_streams(config.seed)["world"])  # the world as the run began
    return grid.food_capacity, grid.obstacle


def _replay(folder: Path, config, agent_id: int, last_tick: int,
            log) -> tuple[dict, list[int], str]:
    """Replay the run from before the agent's birth to its death (or the run's last tick)."""
    sim, source = _start_before(folder, config, agent_id)
    log(f"replaying agent {agent_id} {source}…")
    children: list[int] = []
    with tempfile.TemporaryDirectory() as tmp:
        recorder = TraceRecorder(tmp, config, ids=np.array([agent_id], np.int64))
        recorder.observe(sim)
        while sim.tick < last_tick and not sim.extinct:
            sim.step(1)
            recorder.observe(sim)
            agents = sim.state.agents
            born = agents.alive & (agents.parent_id == agent_id) & (agents.birth_tick == sim.tick)
            children += agents.id[born].tolist()
            if not recorder.active:
                break  # it has died
        recorder.close()
        trace = read_traces(tmp)
    if len(trace.get("tick", [])) == 0:
        raise ReportError(f"agent {agent_id}: the replay did not meet it (the run folder or the "
                          "code changed since the run)")
    return trace, children, source


def _start_before(folder: Path, config, agent_id: int):
    """A simulation at the last state before the agent's birth: a kept checkpoint
    (checkpoints/tick-*.npz) whose next id is at most its id, else the run's start."""
    from alife.sim import Simulation

    kept = (sorted((folder / CHECKPOINTS).glob("tick-*.npz")) if (folder / CHECKPOINTS).is_dir()
            else [])
    for path in reversed(kept):
        counters = _counters(path)
        if counters is not None and int(counters[1]) <= agent_id:  # not born yet
            sim, _ = Simulation.load(path)
            return sim, f"from the checkpoint at tick {sim.tick}"
    try:
        return Simulation(config), "from the run's start (tick 0)"
    except (ValueError, OSError) as err:
        raise ReportError(f"{folder}: cannot rebuild the run's start to replay agent {agent_id} "
                          f"({err}), and no kept checkpoint lies before its birth") from None


def _check_agreement(traced: dict, replayed: dict) -> None:
    """Where the run traced the agent, the replay must say the same."""
    common, a, b = np.intersect1d(traced["tick"], replayed["tick"], return_indices=True)
    for name in ("x", "y", "energy", "action", "surprise", "affect_0"):
        if name in traced and not np.allclose(traced[name][a], replayed[name][b], equal_nan=True):
            raise ReportError(f"the replay differs from the recorded trace ({name}, ticks "
                              f"{common[0]}..{common[-1]}): the run folder or the code changed "
                              "since the run")


def write_biography(folder: str | Path, agent_id: int, out: str | Path | None = None,
                    replay: bool = False, log: Callable[[str], None] = lambda m: None) -> Path:
    """Write the biography page of agent ``agent_id`` (default into RUN/agents/<ID>); returns
    the path of its report.html."""
    require_matplotlib()
    life = read_life(folder, agent_id, replay, log)
    out = Path(out) if out is not None else Path(folder) / "agents" / str(agent_id)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ReportError(f"{out}: cannot create the folder ({err})") from None
    life_csv = out / "life.csv"
    write_table(life.trace, life_csv, parquet=False)  # the traces' own CSV format
    figures = [f for f in (_energy(life, out), _affect(life, out), _surprise(life, out),
                           _memory(life, out), _couplings(life, out), _path(life, out)) if f]
    facts, notes = _facts(life, agent_id), _events(life)
    return write_pages(out, f"Agent {agent_id}: a life", facts, figures, notes, [life_csv])[0]


def _facts(life: Life, agent_id: int) -> list[tuple[str, object]]:
    t, alive = life.trace, life.alive_rows
    first = np.flatnonzero(alive)[0]
    born = int(t["tick"][first] - t["age"][first])
    dead = ~alive
    facts = [("agent", agent_id), ("life read", life.source),
             ("born at tick", born if born >= 0
              else f"before tick 0 (a founder, age {int(t['age'][first])})"),
             ("parent", "none (a founder)" if t["parent_id"][first] < 0
              else int(t["parent_id"][first])),
             ("generation", int(t["generation"][first]))]
    if dead.any():
        k = np.flatnonzero(dead)[0]
        facts += [("died at tick", int(t["tick"][k])), ("cause of death", str(t["cause"][k]))]
    else:
        facts.append(("died", f"no: alive when the run ended (tick {life.last_tick})"))
    last = np.flatnonzero(alive)[-1]
    facts += [("ticks lived (traced)", int(alive.sum())),
              ("energy at the end", float(t["energy"][last])),
              ("memories held at the end", int(t["memories"][last]))]
    if life.children is None:
        facts.append(("children",
                      "not recorded for traced lives (alife agent --replay lists them)"))
    else:
        shown = (", ".join(map(str, life.children[:20]))
                 + (" …" if len(life.children) > 20 else ""))
        facts.append(("children",
                      f"{len(life.children)}" + (f": {shown}" if life.children else "")))
    return facts


def _series(life: Life, name: str) -> tuple[np.ndarray, np.ndarray]:
    alive = life.alive_rows
    return life.trace["tick"][alive], life.trace[name][alive].astype(float)


def _affect_names(life: Life) -> list[str]:
    return [k for k in life.trace if k.startswith("affect_")]


def _moments(life: Life) -> np.ndarray:
    """Row indices (of the alive rows) of the moments that moved affect most: the largest
    summed |Δe| over 10 ticks, at least 20 ticks apart."""
    alive = life.alive_rows
    e = np.column_stack([life.trace[k][alive] for k in _affect_names(life)])
    if len(e) < 12:
        return np.zeros(0, np.int64)
    moved = np.abs(e[10:] - e[:-10]).sum(axis=1)
    picked: list[int] = []
    for i in np.argsort(moved)[::-1]:
        if all(abs(int(i) - p) >= 20 for p in picked):
            picked.append(int(i))
        if len(picked) == EVENTS:
            break
    return np.array(sorted(p + 10 for p in picked), np.int64)


def _events(life: Life) -> list[str]:
    """What happened in the ticks before each moment that moved affect most."""
    alive = life.alive_rows
    t = {k: v[alive] for k, v in life.trace.items()}
    notes = []
    for i in _moments(life):
        span = slice(max(0, i - 10), i + 1)
        what = [f"energy {t['energy'][span][0]:.0f} → {t['energy'][i]:.0f}"]
        if t["hazard_here"][span].any():
            what.append(f"on a hazard {int(t['hazard_here'][span].sum())} of the ticks")
        poison = (t["worth_here"][span] < 0) & (t["food_here"][span] > 0)
        if poison.any():
            what.append(f"on poison {int(poison.sum())} of the ticks")
        what.append(f"surprise up to {np.nanmax(t['surprise'][span]):.2f}")
        what.append(f"crowding up to {np.nanmax(t['crowding'][span]):.2f}")
        change = ", ".join(f"e{k} {t[f'affect_{k}'][span][0]:+.2f} → {t[f'affect_{k}'][i]:+.2f}"
                           for k in range(len(_affect_names(life))))
        notes.append(f"Ticks {int(t['tick'][span][0])}–{int(t['tick'][i])}: "
                     f"affect moved ({change}) while {'; '.join(what)}.")
    return notes


def _figure(rows: int = 1):
    plt = require_matplotlib()
    return plt.subplots(rows, 1, figsize=(9, 2.6 * rows), sharex=True, squeeze=False)


def _energy(life: Life, out: Path):
    fig, ax = _figure()
    ax = ax[0, 0]
    ticks, energy = _series(life, "energy")
    ax.plot(ticks, energy, color="tab:green")
    _, hazard = _series(life, "hazard_here")
    _, worth = _series(life, "worth_here")
    _, food = _series(life, "food_here")
    for mask, color, label in ((hazard > 0, "tab:red", "on a hazard"),
                               ((worth < 0) & (food > 0), "tab:purple", "on poison")):
        if mask.any():
            ax.scatter(ticks[mask], energy[mask], s=6, color=color, label=label, zorder=3)
    ax.set_ylabel("energy")
    ax.set_xlabel("tick")
    if ax.get_legend_handles_labels()[0]:
        ax.legend()
    return save(fig, out / "energy.png", "Energy",
                "Its energy budget, tick by tick; dots mark the ticks it stood on a hazard "
                "or on poison.")


def _affect(life: Life, out: Path):
    fig, ax = _figure()
    ax = ax[0, 0]
    for name in _affect_names(life):
        ticks, e = _series(life, name)
        ax.plot(ticks, e, label=name.replace("affect_", "e"))
    ticks = life.trace["tick"][life.alive_rows]
    for i in _moments(life):
        ax.axvline(ticks[i], color="grey", alpha=0.4, linestyle=":")
    ax.set_ylim(-1, 1)
    ax.set_ylabel("affect e_k")
    ax.set_xlabel("tick")
    ax.legend(ncol=4)
    return save(fig, out / "affect.png", "Affect",
                "Every affect dimension over the life (unnamed, in (−1, 1)); dotted lines mark the "
                f"{EVENTS} moments that moved it most, listed above with what happened then.")


def _surprise(life: Life, out: Path):
    fig, axes = _figure(2)
    for ax, names, label in ((axes[0, 0], ("surprise", "progress"), "prediction error"),
                             (axes[1, 0], ("reward",), "reward r'")):
        for name in names:
            ticks, v = _series(life, name)
            ax.plot(ticks, v, label=name, linewidth=0.8)
        ax.set_ylabel(label)
        ax.legend()
    axes[1, 0].set_xlabel("tick")
    return save(fig, out / "surprise.png", "Surprise, progress and reward",
                "How wrong its world model was each tick (surprise), the learning progress its "
                "error models expected, and the reward it learned from.")


def _memory(life: Life, out: Path):
    fig, axes = _figure(2)
    ticks, weight = _series(life, "write_weight")
    axes[0, 0].plot(ticks, weight, linewidth=0.8, color="tab:blue")
    axes[0, 0].set_ylabel("write weight")
    _, held = _series(life, "memories")
    _, replayed = _series(life, "replayed")
    axes[1, 0].step(ticks, held, where="post", color="tab:blue")
    if (replayed > 0).any():
        axes[1, 0].scatter(ticks[replayed > 0], held[replayed > 0], s=5, color="tab:orange",
                           label="replayed", zorder=3)
        axes[1, 0].legend()
    axes[1, 0].set_ylabel("memories held")
    axes[1, 0].set_xlabel("tick")
    return save(fig, out / "memory.png", "What it remembered",
                "The weight each experience was offered to its episodic memory with (affect and "
                "surprise set it), the memories it held, and when it replayed them.")


def _couplings(life: Life, out: Path):
    fig, ax = _figure()
    ax = ax[0, 0]
    for name in ("temperature", "learning_rate", "curiosity", "energy_weight"):
        ticks, v = _series(life, name)
        if np.nanmax(np.abs(v)) > 0:
            ax.plot(ticks, v / np.nanmean(np.abs(v)), label=name, linewidth=0.9)
    ax.set_ylabel("factor / its mean")
    ax.set_xlabel("tick")
    ax.legend()
    return save(fig, out / "couplings.png", "How affect bent it",
                "The factors affect set on its choice and learning (temperature, learning rate, "
                "curiosity and the weight of energy), each relative to its mean over the life.")


def _path(life: Life, out: Path):
    plt = require_matplotlib()
    fig, ax = plt.subplots(figsize=(6, 6))
    shown = np.where(life.obstacle, np.nan, life.capacity)
    ax.imshow(shown, cmap="Greens", origin="upper", alpha=0.6)
    ax.imshow(np.where(life.obstacle, 1.0, np.nan), cmap="Greys", vmin=0, vmax=1.5, origin="upper")
    ticks, x = _series(life, "x")
    _, y = _series(life, "y")
    jumps = np.flatnonzero((np.abs(np.diff(x)) > 1) | (np.abs(np.diff(y)) > 1)) + 1  # torus wraps
    for seg_x, seg_y in zip(np.split(x, jumps), np.split(y, jumps)):
        ax.plot(seg_x, seg_y, color="black", linewidth=0.5, alpha=0.5)
    points = ax.scatter(x, y, c=ticks, s=4, cmap="viridis", zorder=3)
    ax.scatter([x[0]], [y[0]], marker="o", s=40, facecolor="none", edgecolor="blue",
               label="born / first")
    ax.scatter([x[-1]], [y[-1]], marker="x", s=40, color="red", label="last")
    fig.colorbar(points, ax=ax, label="tick", shrink=0.8)
    ax.legend(loc="upper right")
    ax.set_xlim(-0.5, shown.shape[1] - 0.5)
    ax.set_ylim(shown.shape[0] - 0.5, -0.5)
    ax.grid(False)
    return save(fig, out / "path.png", "Its path on the map",
                "Where it went, coloured by tick, over the world's food capacity (green) and "
                "obstacles (grey) as the run began.")
