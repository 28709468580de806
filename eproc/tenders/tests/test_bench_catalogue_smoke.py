"""The catalogue benchmark (benchmarks/bench_catalogue.py) runs end to end on a few dozen tenders, on the database
the tests run on (its own scratch database or file, created and dropped), so it never rots unnoticed. It measures
nothing here; the numbers it writes are checked only for shape and sanity."""

import json

from django.db import connection

from benchmarks import bench_catalogue


def test_the_catalogue_benchmark_runs_on_a_few_tenders(tmp_path):
    out = tmp_path / "catalogue.json"
    sqlite_path = tmp_path / "bench.sqlite3"

    result = bench_catalogue.run(
        40,
        connection.vendor,
        out,
        repeats=1,
        tender_pages=2,
        feed_pages=2,
        sqlite_path=sqlite_path,
        database="eproc_bench_catalogue_smoke",
    )

    assert result["seed"]["rows"]["tenders"] == 40
    assert result["seed"]["rows"]["feed_releases"] == 40
    assert result["seed"]["rows"]["stages"] > 40 and result["seed"]["rows"]["participants"] >= 40
    for kind in ("list", "search", "tender_page"):
        assert result[kind]["requests"] > 0 and result[kind]["p95_ms"] >= result[kind]["p50_ms"] > 0
    assert result["feed"]["pages"] == 1  # 40 releases: one page of 100, then the empty page that ends the walk
    assert result["feed"]["releases"] == 40
    assert any(v["kind"] == "search" and v["ranked"] for v in result["variants"])
    assert json.loads(out.read_text()) == result
    assert bench_catalogue.format_table(result).count("\n") >= 5
    assert not sqlite_path.exists()  # dropped
