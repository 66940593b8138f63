"""Stale numba cache files are dropped when any kernel source changes."""

from alife.kernels import drop_stale_numba_cache


def test_cache_dropped_only_when_sources_change(tmp_path):
    (tmp_path / "a.py").write_text("x = 1\n")
    cache = tmp_path / "__pycache__"
    cache.mkdir()
    (cache / "a.f-1.py311.nbi").write_bytes(b"old")
    assert drop_stale_numba_cache(tmp_path)  # no stamp yet: drop
    assert not (cache / "a.f-1.py311.nbi").exists()

    (cache / "a.f-1.py311.nbi").write_bytes(b"new")
    assert not drop_stale_numba_cache(tmp_path)  # unchanged sources: keep
    assert (cache / "a.f-1.py311.nbi").exists()

    (tmp_path / "b.py").write_text("y = 2\n")  # another kernel file changed
    assert drop_stale_numba_cache(tmp_path)
    assert not (cache / "a.f-1.py311.nbi").exists()
