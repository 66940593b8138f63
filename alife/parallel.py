"""Where runs execute in parallel (a sweep's runs, an island model's islands): one
``concurrent.futures.Executor`` interface, two back ends, and each run's share of the cores.

- the standard library's process pool (the default, nothing to install): ``workers`` processes
  on this machine;
- Dask distributed (``pip install "alife-sim[dask]"``): ``scheduler="local"`` starts a local
  cluster of ``workers`` single-threaded worker processes, ``scheduler="tcp://host:8786"``
  connects to a running scheduler and uses its workers (``client.get_executor()``).

:func:`open_executor` yields an :class:`ExecutorInfo`: the executor, the runs executing at once
per host (``slots``, which sizes each run's numba thread count so that runs × threads do not
exceed a host's cores) and a one-line description. Dask is imported only here, and only when
asked for.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

DASK_HINT = 'pip install "alife-sim[dask]"'
#: seconds a broken process pool's surviving workers get to save their state and exit when
#: the pool is shut down, before they are killed (so a broken pool never hangs its caller)
BROKEN_POOL_GRACE = 60.0

_in_pool_worker = False  # set in the process pool's workers by their initializer


class ExecutorUnavailable(RuntimeError):
    """The requested executor cannot be used (Dask missing, scheduler unreachable, no workers)."""


@dataclass
class ExecutorInfo:
    executor: Executor
    slots: dict[str, int]  # runs at once per host; "*" = on every host (the process pool)
    description: str
    # ask the runs in progress to stop and save their state (as Ctrl-C in a terminal does
    # for the whole process group); used when only this process was told to stop (SIGTERM)
    interrupt_runs: Callable[[], None] = lambda: None
    # the process pool's worker processes: kill_workers() kills those still alive (a broken
    # pool whose survivors have saved their state); worker_exits() gives pid -> exit code
    # (negative: the signal that ended it), complete once the executor is shut down
    kill_workers: Callable[[], None] = lambda: None
    worker_exits: Callable[[], dict[int, int | None]] = field(default=lambda: {})


def default_workers() -> int:
    """The cores this process may use."""
    return (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
            else (os.cpu_count() or 1))


@contextmanager
def open_executor(workers: int | None = None, scheduler: str | None = None,
                  wait_for_workers: float = 60.0) -> Iterator[ExecutorInfo]:
    """The executor for a sweep; shut down (and a local cluster stopped) on leaving.

    workers: processes of the pool or of the local Dask cluster (default: the cores); not
        used with a remote scheduler, whose workers are what they are.
    scheduler: None (process pool), "local", or a Dask scheduler address ("tcp://host:8786").
    wait_for_workers: seconds to wait for a remote scheduler's first worker.
    """
    if workers is not None and workers < 1:
        raise ValueError(f"--workers: must be >= 1, got {workers}")
    if scheduler is None:
        n = workers or default_workers()
        description = f"process pool, {n} worker{'s' * (n != 1)}"
        if n > default_workers():
            description += (f" (more than the {default_workers()} cores here: the runs share them, "
                            "each slower, and each worker holds its own memory)")
        pool = ProcessPoolExecutor(max_workers=n, mp_context=_pool_context(),
                                   initializer=_pool_worker_init)
        workers_seen = _PoolWorkers(pool)
        try:
            yield ExecutorInfo(pool, {"*": n}, description, workers_seen.interrupt,
                               workers_seen.kill, workers_seen.exits)
        finally:
            workers_seen.note()
            if getattr(pool, "_broken", False):
                workers_seen.reap_broken(BROKEN_POOL_GRACE)
            pool.shutdown(wait=True, cancel_futures=True)
            workers_seen.closed = True
        return
    with _dask_client(scheduler, workers, wait_for_workers) as (client, description):
        slots: dict[str, int] = {}
        for address, nthreads in client.nthreads().items():
            host = address.split("://", 1)[-1].rsplit(":", 1)[0]
            slots[host] = slots.get(host, 0) + nthreads
        executor = client.get_executor(pure=False)  # pure=False: a retried run is run again
        try:
            yield ExecutorInfo(executor, slots, description.format(slots=sum(slots.values())))
        finally:
            executor.shutdown(wait=False)


class _PoolWorkers:
    """The worker processes a process pool has started (read from its private ``_processes``,
    which it empties on shutdown), so that they can be signalled and their exit codes read."""

    def __init__(self, pool: ProcessPoolExecutor):
        self.pool = pool
        self.seen: dict[int, multiprocessing.process.BaseProcess] = {}
        self.closed = False

    def note(self) -> None:
        self.seen.update(getattr(self.pool, "_processes", None) or {})  # (not public API)

    def _signal(self, signum: int) -> None:
        if self.closed:  # every worker has been waited for
            return
        self.note()
        for pid in list(self.seen):
            with contextlib.suppress(ProcessLookupError, OSError):
                os.kill(pid, signum)

    def interrupt(self) -> None:
        self._signal(signal.SIGINT)

    def kill(self) -> None:
        self._signal(signal.SIGKILL)

    def exits(self) -> dict[int, int | None]:
        """pid -> exit code; only once the pool is shut down (reading a live pool's exit codes
        would race with its own thread, which waits for them)."""
        if not self.closed:
            return {}
        return {pid: process.exitcode for pid, process in self.seen.items()}

    def reap_broken(self, grace: float) -> None:
        """A broken pool has told its surviving workers to stop (SIGTERM: a run in progress
        saves its state) and waits for them in its own thread; one blocked for good (e.g. on a
        queue lock its killed sibling held) would hang the shutdown. Give them ``grace``
        seconds, then kill them."""
        thread = getattr(self.pool, "_executor_manager_thread", None)
        if thread is not None:
            thread.join(grace)
            if thread.is_alive():
                self.kill()


def _pool_context():
    """forkserver where there is one: workers fork from a clean server that has imported
    alife and numba once (no fork of a parent with threads; cheap worker start)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["alife.batch.worker", "alife.runners.headless"])
    return context


@contextmanager
def _dask_client(scheduler: str, workers: int | None, wait_for_workers: float):
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ExecutorUnavailable(f"--scheduler needs Dask distributed: {DASK_HINT}") from None
    if scheduler == "local":
        n = workers or default_workers()
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=logging.ERROR)
        client = Client(cluster)
        try:
            yield client, "Dask local cluster, {slots} single-threaded workers"
        finally:
            client.close()
            cluster.close()
        return
    if workers is not None:
        raise ValueError("--workers: not used with a remote --scheduler (its workers decide); "
                         "drop it")
    try:
        client = Client(scheduler, timeout="10s")
    except (OSError, TimeoutError, ValueError) as err:
        raise ExecutorUnavailable(f"--scheduler {scheduler}: cannot connect ({err})") from None
    try:
        try:
            client.wait_for_workers(1, timeout=wait_for_workers)
        except TimeoutError:
            raise ExecutorUnavailable(
                f"--scheduler {scheduler}: no workers after {wait_for_workers:.0f} s; start some "
                f"with: dask worker {scheduler} --nthreads 1") from None
        yield client, f"Dask scheduler {scheduler}, {{slots}} worker threads"
    finally:
        client.close()


def thread_budget(slots: dict[str, int]) -> int:
    """numba threads for one run: this host's cores shared by the runs it executes at once."""
    cores = (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
             else (os.cpu_count() or 1))
    here = slots.get("*")
    if here is None:
        here = slots.get(_dask_host() or "", 1)
    return max(1, cores // max(1, here))


def ignore_sigint() -> None:
    """Pool initializer: idle workers ignore Ctrl-C (the parent handles it); a run in progress
    takes it as an interruption (see :func:`alife.batch.worker._interruptible`)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _pool_worker_init() -> None:
    global _in_pool_worker
    _in_pool_worker = True
    ignore_sigint()
    # tqdm's default lock and numba's lock around starting its threads are named
    # multiprocessing semaphores when made in such a worker; one that is killed (SIGKILL, the
    # OOM killer) cannot unlink them, and the resource tracker then warns of a leak as the
    # sweep ends. Neither is shared with another process here: thread locks do the same.
    from tqdm import tqdm

    tqdm.set_lock(threading.RLock())
    with contextlib.suppress(ImportError):
        from numba.np.ufunc import parallel as numba_parallel

        if getattr(numba_parallel, "_backend_init_process_lock", False) is None:  # (private)
            numba_parallel._backend_init_process_lock = threading.RLock()


def in_pool_worker() -> bool:
    """True in a worker process of :func:`open_executor`'s process pool."""
    return _in_pool_worker


def _dask_host() -> str | None:
    try:
        from distributed import get_worker

        address = get_worker().address
    except (ImportError, ValueError):
        return None
    return address.split("://", 1)[-1].rsplit(":", 1)[0]
