"""The opening benchmark (benchmarks/bench_opening.py) runs end to end on tiny files, so it never rots unnoticed.
It measures nothing here; the numbers it writes are checked only for shape and sanity."""

import json

from benchmarks import bench_opening


def test_opening_benchmark_runs_on_tiny_bids(tmp_path):
    out = tmp_path / "o.json"

    result = bench_opening.run(bids=2, size_mb=0.2, workers=1, out=out, tmp_dir=tmp_path, rounds=2)

    for side in ("eproc", "age", "age_fsync"):
        assert result[side]["mb_per_s"] > 0
        assert result[side]["hashes_match"]
        assert len(result[side]["seconds_per_round"]) == 2
        assert min(result[side]["seconds_per_round"]) <= result[side]["seconds"]
        assert result[side]["seconds"] <= max(result[side]["seconds_per_round"])
    assert result["hashes_match"]
    assert result["ratio_eproc_over_age"] > 0 and result["ratio_eproc_over_age_fsync"] > 0
    assert result["parameters"] == {
        "bids": 2,
        "size_mb": 0.2,
        "workers": 1,
        "bytes_per_bid": int(0.2 * 1024**2),
        "rounds": 2,
    }
    # eproc decrypts in this process: its peak is this process's, reset for the phase, and at least its start.
    assert result["eproc"]["peak_rss_mib"] >= result["eproc"]["rss_before_mib"] > 0
    assert result["age"]["peak_rss_mib"] is None or result["age"]["peak_rss_mib"] > 0
    assert out.exists()
    assert json.loads(out.read_text()) == result
    assert bench_opening.format_table(result).count("\n") >= 8
    assert not list(tmp_path.glob("eproc-bench-opening-*"))  # the temporary files are gone
