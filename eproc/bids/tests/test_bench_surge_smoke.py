"""The deadline-surge benchmark (benchmarks/bench_surge.py) runs end to end on three tiny bids, so it never rots
unnoticed: a real gunicorn with production settings on a fresh SQLite file, sessions, commit, chunks, complete,
public pages, and every receipt checked against storage and the transparency log. It measures nothing here; the
numbers are checked only for shape and sanity."""

import json
from pathlib import Path

import pytest

from benchmarks import bench_surge


def _tiny_run(tmp_path, *, vendors: int, out, proxy: bool) -> dict:
    """Bids of 0.1 MB on SQLite, without the demo data: a few seconds of surge."""
    return bench_surge.run(
        vendors=vendors,
        size_mb=0.1,
        db="sqlite",
        out=out,
        window=2,
        rest_seconds=1,
        browsers=1,
        think=0.1,
        threads=2,
        disk_mb=16,
        demo=False,
        proxy=proxy,
        tmp_dir=tmp_path,
    )


@pytest.mark.skipif(not Path(bench_surge.GUNICORN).exists(), reason="gunicorn is a dependency; the venv is not set up")
def test_the_surge_benchmark_accepts_every_tiny_bid_and_loses_none(tmp_path):
    out = tmp_path / "surge.json"

    result = _tiny_run(tmp_path, vendors=3, out=out, proxy=False)

    surge = result["runs"]["sqlite"]
    assert surge["bids"]["accepted"] == 3, surge["bids"]["reasons"]
    assert surge["bids"]["refused"] == surge["bids"]["failed"] == surge["bids"]["lost"] == 0
    assert surge["verification"]["receipts_checked"] == 6  # a commitment and a bytes receipt per bid
    assert surge["verification"]["stored_files_hashed"] == 3
    assert surge["verification"]["problems"] == []
    assert surge["upload"]["total_mb"] == pytest.approx(0.3, abs=0.01)
    assert surge["upload"]["throughput_mb_s"] > 0
    assert surge["upload"]["bid_latency"]["count"] == 3
    assert surge["raw_disk_write"]["mb_per_s"] > 0
    assert surge["raw_disk_write_after_surge"]["mb_per_s"] > 0
    assert surge["public_pages"]["at_rest"]["count"] + surge["public_pages"]["during_surge"]["count"] > 0
    assert surge["public_pages"]["at_rest"]["errors"] == surge["public_pages"]["during_surge"]["errors"] == 0
    assert surge["server_memory"]["peak_sum_rss_mib"] > 0
    assert result["targets"]["sqlite"]["no_bid_lost_or_refused"]
    assert {"machine", "parameters", "timestamp", "notes"} <= set(result)
    assert json.loads(out.read_text()) == result
    assert "bids accepted" in bench_surge.format_table(result)
    assert not list(tmp_path.glob("eproc-bench-surge-*"))  # the temporary files are gone


def test_the_surge_benchmark_runs_behind_nginx_with_two_gunicorn_pools(tmp_path):
    """The production front (README): nginx stamps each request and sends chunks to their own pool (make test
    installs nginx, as it installs age and chromium)."""
    result = _tiny_run(tmp_path, vendors=2, out=None, proxy=True)

    surge = result["runs"]["sqlite"]
    assert result["parameters"]["front"].startswith("nginx")
    assert surge["bids"]["accepted"] == 2, surge["bids"]["reasons"]
    assert surge["bids"]["lost"] == 0 and surge["verification"]["problems"] == []
    assert surge["public_pages"]["during_surge"]["errors"] == 0
