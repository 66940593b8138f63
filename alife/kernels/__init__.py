"""Numba step kernels: arrays and scalars in, no I/O, ``cache=True`` everywhere.

``tick.run_ticks`` runs a batch of ticks entirely in compiled code; the other modules hold
the per-agent and per-cell pieces it calls.
"""

import os
from pathlib import Path

# Idle OpenMP threads sleep at once instead of spinning. Spinning buys ~5 % on an idle machine
# but made runs up to 17x slower when another process shared the cores (measured on 2 cores).
# Set here, before numba starts its thread pool; a user's own setting wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def drop_stale_numba_cache(here, cache_dir: str | None = None) -> bool:
    """Delete numba's cached machine code when any kernel source changed.

    numba checks a cached function only against its own file, so a kernel calling a changed
    helper from another module would keep running the old helper. One stamp over all kernel
    sources (and the numba version) closes that gap. ``here``: the folder of the kernel sources;
    ``cache_dir``: numba's ``NUMBA_CACHE_DIR`` when set (default: numba's config), where numba
    then keeps these kernels' cache instead of ``here/__pycache__``. Returns True when cached
    code was dropped.
    """
    import hashlib

    import numba

    digest = hashlib.sha256(numba.__version__.encode())
    for source in sorted(here.glob("*.py")):
        digest.update(source.name.encode() + source.read_bytes())
    dropped = False
    for cache in _cache_folders(here, numba.config.CACHE_DIR if cache_dir is None else cache_dir):
        dropped |= _drop_unless_stamped(cache, digest.hexdigest())
    return dropped


def _cache_folders(here: Path, cache_dir: str) -> list[Path]:
    """Where numba caches the kernels of ``here``: ``__pycache__`` beside them or, with
    NUMBA_CACHE_DIR, its folder for them (``<dir name>_<sha1 of the folder's path>``, as
    numba's UserProvidedCacheLocator names it)."""
    import hashlib

    if not cache_dir:
        return [here / "__pycache__"]
    folder = os.path.dirname(os.path.abspath(here / "tick.py"))
    name = f"{os.path.basename(folder)}_{hashlib.sha1(folder.encode()).hexdigest()}"
    return [Path(cache_dir) / name]


def _drop_unless_stamped(cache: Path, digest: str) -> bool:
    stamp = cache / "alife-kernels.stamp"
    try:
        if stamp.read_text() == digest:
            return False
    except OSError:
        pass
    try:
        cache.mkdir(parents=True, exist_ok=True)
        for old in [*cache.glob("*.nbi"), *cache.glob("*.nbc")]:
            old.unlink(missing_ok=True)
        stamp.write_text(digest)
    except OSError:  # read-only install: numba then caches elsewhere or not at all
        pass
    return True


drop_stale_numba_cache(Path(__file__).parent)
