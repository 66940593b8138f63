"""Soak: a long run whose memory and speed should stay flat, on the threading layer the
package chooses (a leak in a threading layer once grew RSS by ~21 KB per tick and slowed the
run fourfold).

Usage (from the repository root)::

    python scripts/soak.py                       # 64x64, 1,000 agents, 30 minutes
    python scripts/soak.py --minutes 2 --json bench-results/soak.json

Samples every ``--every`` seconds: ticks done, the resident set size (RSS, from
/proc/self/status) and the rate in ticks/s since the last sample. Reports the RSS and rate
of the first and last fifth of the run and their change: flat means within ±5 %. Births
keep the population up (``agents.max_population`` caps it), so the run never ends by
extinction.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numba  # noqa: E402

from alife import Simulation  # noqa: E402


def rss_mib() -> float:
    """This process's resident set size in MiB (Linux /proc; 0 elsewhere)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--every", type=float, default=10.0, help="seconds between samples")
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--side", type=int, default=64)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    sim = Simulation(overrides=[f"world.width={args.side}", f"world.height={args.side}",
                            f"agents.initial_count={args.agents}",
                            f"agents.max_population={args.agents}", "food.regrowth_rate=0.05"])
    sim.compile()
    sim.step(10)
    layer = numba.threading_layer()
    print(f"soak: {args.side}x{args.side}, {args.agents} agents, {args.minutes:g} min, "
          f"threading layer {layer}", flush=True)
    samples = []
    started = last = time.perf_counter()
    last_tick = sim.tick
    while time.perf_counter() - started < args.minutes * 60:
        while time.perf_counter() - last < args.every:
            sim.step(50)
        now = time.perf_counter()
        samples.append({"seconds": now - started, "tick": sim.tick, "rss_mib": rss_mib(),
                        "ticks_per_second": (sim.tick - last_tick) / (now - last),
                        "population": sim.n_alive})
        last, last_tick = now, sim.tick
        s = samples[-1]
        print(f"{s['seconds']:7.0f} s  tick {s['tick']:>8}  RSS {s['rss_mib']:7.1f} MiB  "
              f"{s['ticks_per_second']:7.0f} ticks/s  pop {s['population']}", flush=True)
    fifth = max(1, len(samples) // 5)
    first, final = samples[:fifth], samples[-fifth:]
    summary = {}
    for key in ("rss_mib", "ticks_per_second"):
        a = statistics.median(s[key] for s in first)
        b = statistics.median(s[key] for s in final)
        summary[key] = {"first_fifth": a, "last_fifth": b, "change": b / a - 1 if a else None}
        print(f"{key}: first fifth {a:.1f}, last fifth {b:.1f}, change {100 * (b / a - 1):+.1f} %")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"args": {k: str(v) for k, v in vars(args).items()},
                                         "threading_layer": layer, "samples": samples,
                                         "summary": summary}, indent=2))


if __name__ == "__main__":
    main()
