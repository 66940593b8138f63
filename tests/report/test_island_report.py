"""alife report on an island run: the islands side by side, each island's own report linked."""

import pytest

from alife.cli import main

pytest.importorskip("matplotlib")

SMALL = ["--set", "world.width=20", "--set", "world.height=20", "--set", "agents.initial_count=30",
         "--set", "run.record_every=10", "--set", "evolution.generation_ticks=40",
         "--set", "evolution.migrants=3", "--seed", "4", "--no-progress",
         "--islands", "3", "--migrate-every", "2", "--generations", "4", "--workers", "1"]


def test_an_island_run_reports_every_island_and_links_their_reports(tmp_path, capsys):
    folder = tmp_path / "islands"
    assert main(["evolve", *SMALL, "--out", str(folder)]) == 0
    assert main(["report", str(folder)]) == 0
    out = folder / "report"
    page = (out / "report.md").read_text()
    assert "| islands | 3 |" in page and "| generations | 4 |" in page
    assert (out / "islands.png").stat().st_size > 10_000
    for k in range(3):
        assert (out / f"island-{k:02d}" / "report.html").is_file()
        assert f"(island-{k:02d}/report.html)" in page
    assert "Evolution report" in (out / "island-01" / "report.md").read_text()
