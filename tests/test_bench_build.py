"""scripts/bench.py --build-only: the build's seconds and peak RSS against the state's size."""

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "bench.py"


def test_build_only_reports_the_build_against_the_state(tmp_path):
    out = tmp_path / "build.json"
    proc = subprocess.run([sys.executable, str(SCRIPT), "--build-only", "--agents", "400",
                           "--json", str(out)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "peak/state" in proc.stdout
    report = json.loads(out.read_text())
    assert report["settings"]["build_only"] is True
    (result,) = report["results"]
    assert result["agents"] == 400 and result["grid"] == [40, 40]
    assert result["build_seconds"] > 0 and result["build_user_seconds"] >= 0
    assert result["state_bytes"] > 400 * 4 * 688  # the genomes alone
    assert result["peak_rss_mib"] >= result["rss_before_build_mib"] > 0
    assert abs(result["peak_rss_over_state"] * result["state_mib"] - result["peak_rss_mib"]) < 1e-6
    assert "agent_steps" not in result  # nothing stepped
