"""Cold compile: how long a first run waits for numba, and which kernels take the time.

Runs the first-run path (build a small world, then ``compile_kernels``, which compiles
``mind.think`` in a helper process beside the other kernels when there are two cores) in a
fresh process with an empty ``NUMBA_CACHE_DIR``, so nothing comes from the cache, and reports
wall and CPU seconds (this process's; numba compiles on one core) and each kernel's compile
time in this process, nested kernels included in their callers' (numba's ``numba:compile``
events). ``--serial`` compiles everything in one process, as ``Simulation.compile`` alone
does. Target (speed issue): a cold compile within 60 s on the project's 2-core machine.

    python scripts/bench_compile.py            # the default config
    python scripts/bench_compile.py --serial   # one process
    python scripts/bench_compile.py --top 20   # more kernels in the table
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

CHILD = r"""
import json, os, sys, time
from numba.core import event

rows, stack = [], []

class Recorder(event.Listener):
    def on_start(self, ev):
        stack.append((ev.data["dispatcher"], time.perf_counter(), time.process_time()))

    def on_end(self, ev):
        dispatcher, wall, cpu = stack.pop()
        func = dispatcher.py_func
        rows.append({"kernel": f"{func.__module__}.{func.__qualname__}", "depth": len(stack),
                     "wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu})

event.register("numba:compile", Recorder())
wall, cpu = time.perf_counter(), time.process_time()
from alife import Simulation, load_config
imported = time.perf_counter() - wall
config = load_config(None, ["world.width=32", "world.height=32", "agents.initial_count=64"])
if not SERIAL:  # as the runners do: the helper starts before the world is built
    from alife.runners.compiling import start_compiling
    start_compiling(config)
sim = Simulation(config)
built = time.perf_counter() - wall
if SERIAL:
    sim.compile()
else:
    from alife.runners.compiling import compile_kernels
    compile_kernels(sim, lambda message: None)
print(json.dumps({"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu,
                  "import": imported, "build": built, "kernels": rows}))
"""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--top", type=int, default=12, help="kernels shown (slowest first)")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    parser.add_argument("--serial", action="store_true",
                        help="compile in one process (no helper), as before")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="alife-numba-cache-") as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        child = f"SERIAL = {args.serial}\n" + CHILD
        proc = subprocess.run([sys.executable, "-c", child], env=env, capture_output=True,
                              text=True, check=False)
    if proc.returncode:
        print(proc.stderr, file=sys.stderr)
        return proc.returncode
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    how = "one process" if args.serial else "think in a helper process when 2+ cores"
    print(f"cold first run ({how}): {result['wall']:.1f} s wall, {result['cpu']:.1f} s CPU "
          f"(import {result['import']:.1f} s, world built at {result['build']:.1f} s)")
    print(f"\n{'wall s':>7} {'cpu s':>7}  kernel (indented: compiled inside the one above)")
    for row in sorted(result["kernels"], key=lambda r: -r["wall"])[:args.top]:
        print(f"{row['wall']:7.1f} {row['cpu']:7.1f}  {'  ' * row['depth']}{row['kernel']}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(result, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
