"""The log benchmark (benchmarks/bench_log.py) runs end to end on a few dozen entries, on the database the tests run
on (its own scratch database or file, created and dropped), so it never rots unnoticed. It measures nothing here;
the numbers it writes are checked only for shape and sanity."""

import json

from django.db import connection

from benchmarks import bench_log


def test_the_log_benchmark_runs_on_a_few_entries(tmp_path):
    out = tmp_path / "log.json"
    sqlite_path = tmp_path / "bench.sqlite3"
    backend = "postgresql" if connection.vendor == "postgresql" else "sqlite"

    result = bench_log.run(
        45, backend, out, repeats=3, appends=3, old_repeats=2, sqlite_path=sqlite_path, database="eproc_bench_log_smoke"
    )

    assert result["fill"] == {"seconds": result["fill"]["seconds"], "entries": 45, "nodes": 45 - bin(45).count("1")}
    for kind in ("checkpoint", "inclusion", "consistency", "append"):
        assert result[kind]["requests"] == 3 and result[kind]["p95_ms"] >= result[kind]["p50_ms"] > 0
    assert result["before_27_november"]["requests"] == 2
    assert json.loads(out.read_text()) == result
    assert bench_log.format_table(result).count("\n") >= 7
    assert not sqlite_path.exists()  # dropped
