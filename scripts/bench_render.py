"""Frame rate of the world picture and of the live viewer (target: >= 60 FPS at 256x256, 10k
agents).

Measures, on one world (default 256x256 with 10,000 agents):

    renderer      FrameRenderer.render(state) alone (numpy, no pygame), per colour mode
    viewer        full App frames (picture + scale + HUD + plots + flip), simulation paused,
                  the picture rebuilt every frame as if the world had changed
    viewer+step   full App frames stepping the simulation 1 tick per frame
    step only     sim.step(1) alone, for comparison

Frames are uncapped (no 60 FPS limit). The window uses the real display when there is one
(DISPLAY / WAYLAND_DISPLAY), else SDL's dummy driver (drawing without showing); run it under
``xvfb-run`` to include an X server's flip.

    python scripts/bench_render.py                  # 256x256, 10k agents
    python scripts/bench_render.py --size 128 --agents 2000 --frames 200
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time


def _timed(fn, n: int) -> float:
    """Seconds per call of fn over n calls (after 3 warm-up calls)."""
    for _ in range(3):
        fn()
    started = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - started) / n


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=256, help="world width = height (cells)")
    parser.add_argument("--agents", type=int, default=10_000, help="founders at tick 0")
    parser.add_argument("--frames", type=int, default=300, help="frames per measurement")
    parser.add_argument("--window", default="1280x800", help="viewer window size")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    args = parser.parse_args(argv)

    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

    from alife import Simulation
    from alife.render.frame import FrameRenderer

    overrides = [f"world.width={args.size}", f"world.height={args.size}",
                 f"agents.initial_count={args.agents}", f"agents.max_population={args.agents}",
                 "food.regrowth_rate=0.05"]  # the cap keeps the stepping runs near N agents
    sim = Simulation(None, seed=1, overrides=overrides)
    print(f"world {args.size}x{args.size}, {sim.n_alive:,} agents; compiling/loading kernels…",
          flush=True)
    sim.compile()
    results: dict[str, float] = {}

    def report(name: str, seconds: float, extra: str = "") -> None:
        results[name] = 1.0 / seconds
        print(f"{name:<28} {seconds * 1e3:8.2f} ms/frame  {1.0 / seconds:8.0f} FPS  {extra}",
              flush=True)

    renderer = FrameRenderer(sim.config)
    for mode in renderer.modes(sim.state):
        renderer.mode = mode
        report(f"renderer [{mode}]", _timed(lambda: renderer.render(sim.state), args.frames))

    from alife.viewer.app import App

    w, h = (int(v) for v in args.window.split("x"))
    app = App(sim, size=(w, h), fps_limit=0, paused=True)
    driver = __import__("pygame").display.get_driver()

    def paused_frame():
        app._dirty = True  # rebuild the picture every frame, as when the world changes
        app.frame()

    report(f"viewer, paused ({driver})", _timed(paused_frame, args.frames),
           f"{sim.n_alive:,} agents")
    app.paused = False
    tick0, started = sim.tick, time.perf_counter()
    frames = app.run(max_frames=args.frames)
    seconds = (time.perf_counter() - started) / frames
    report(f"viewer, 1 tick/frame ({driver})", seconds,
           f"{(sim.tick - tick0) / (seconds * frames):,.0f} ticks/s, {sim.n_alive:,} agents now")
    app.close()
    report("step only (1 tick)", _timed(lambda: sim.step(1), args.frames),
           f"{sim.n_alive:,} agents now")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"size": args.size, "agents": args.agents, "fps": results}, f, indent=2)
    ok = results[f"viewer, paused ({driver})"] >= 60
    print("target >= 60 FPS (viewer, render only):", "met" if ok else "NOT met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
