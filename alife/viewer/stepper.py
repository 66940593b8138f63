"""Stepping a simulation beside the frame: the next ticks compute while the window draws.

The tick kernel (``run_ticks``) releases the GIL, so a step on a worker thread runs alongside
the main thread's drawing and the display's flip. The rule that keeps this safe is simple:
**while a step is in flight the simulation belongs to the stepper**; the viewer reads it again
only after :meth:`Stepper.wait` (until then it draws from its own snapshot of the world).
Results are those of stepping in the main thread: the same kernel, the same ticks, in order.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait


class Stepper:
    """Runs ``step(n) -> ticks done`` on one worker thread (or inline, ``background=False``).

    Args:
        step: advances the world by up to n ticks and returns the ticks done (``sim.step``).
        background: step on a worker thread; False steps inside :meth:`start` (the same
            sequence of calls, one after the other).
        clock: seconds, for timing steps (injectable).
    """

    def __init__(self, step: Callable[[int], int], *, background: bool = True,
                 clock: Callable[[], float] = time.perf_counter):
        self._step = step
        self._clock = clock
        self._pool = (ThreadPoolExecutor(max_workers=1, thread_name_prefix="alife-step")
                      if background else None)
        self._future: Future | None = None

    @property
    def busy(self) -> bool:
        """A step was started and its result not yet taken: the simulation is the stepper's."""
        return self._future is not None

    def finished(self, timeout: float | None = 0.0) -> bool:
        """Whether the step in flight has ended, waiting up to ``timeout`` seconds for it
        (None: as long as it takes). True when nothing is in flight."""
        if self._future is None:
            return True
        return bool(wait([self._future], timeout=timeout).done)

    def start(self, n_ticks: int) -> None:
        """Begin stepping ``n_ticks`` ticks."""
        if self._future is not None:
            raise RuntimeError("a step is already in flight; wait() for it first")
        if self._pool is None:
            future: Future = Future()
            try:
                future.set_result(self._timed(n_ticks))
            except BaseException as err:  # handed over by wait(), as from a thread
                future.set_exception(err)
            self._future = future
        else:
            self._future = self._pool.submit(self._timed, n_ticks)

    def wait(self) -> tuple[int, float]:
        """Wait for the step in flight and take its result: (ticks done, seconds it took);
        (0, 0.0) when none is in flight. An error raised by the step is raised here."""
        future, self._future = self._future, None
        return (0, 0.0) if future is None else future.result()

    def close(self) -> None:
        """Let the step in flight end (its result is dropped) and stop the worker thread."""
        try:
            self.wait()
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True)

    def _timed(self, n_ticks: int) -> tuple[int, float]:
        started = self._clock()
        done = self._step(n_ticks)
        return done, self._clock() - started
