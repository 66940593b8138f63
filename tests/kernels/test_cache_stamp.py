"""Stale numba cache files are dropped when any kernel source changes."""

from alife.kernels import drop_stale_numba_cache


def test_cache_dropped_only_when_sources_change(tmp_path):
    (tmp_path / "a.py").write_text("x = 1\n")
    cache = tmp_path / "__pycache__"
    cache.mkdir()
    (cache / "a.f-1.py311.nbi").write_bytes(b"old")
    assert drop_stale_numba_cache(tmp_path, "")  # no stamp yet: drop
    assert not (cache / "a.f-1.py311.nbi").exists()

    (cache / "a.f-1.py311.nbi").write_bytes(b"new")
    assert not drop_stale_numba_cache(tmp_path, "")  # unchanged sources: keep
    assert (cache / "a.f-1.py311.nbi").exists()

    (tmp_path / "b.py").write_text("y = 2\n")  # another kernel file changed
    assert drop_stale_numba_cache(tmp_path, "")
    assert not (cache / "a.f-1.py311.nbi").exists()


def test_with_numba_cache_dir_the_cache_numba_uses_there_is_dropped_too(tmp_path):
    """NUMBA_CACHE_DIR moves the cache out of __pycache__; the stamp follows it (numba's own
    locator names the folder)."""
    from numba.core.caching import UserProvidedCacheLocator

    src = tmp_path / "src"
    src.mkdir()
    (src / "a.py").write_text("x = 1\n")
    cache_dir = tmp_path / "numba-cache"
    cache = cache_dir / UserProvidedCacheLocator.get_suitable_cache_subpath(str(src / "a.py"))
    cache.mkdir(parents=True)
    (cache / "a.f-1.py311.nbi").write_bytes(b"old")
    assert drop_stale_numba_cache(src, str(cache_dir))
    assert not (cache / "a.f-1.py311.nbi").exists()
    (cache / "a.f-1.py311.nbi").write_bytes(b"new")
    assert not drop_stale_numba_cache(src, str(cache_dir))
    (src / "a.py").write_text("x = 2\n")
    assert drop_stale_numba_cache(src, str(cache_dir))
    assert not (cache / "a.f-1.py311.nbi").exists()
    assert not (src / "__pycache__").exists()  # the unused default place is left alone
