"""The upload floor benchmark (benchmarks/bench_upload_floor.py) runs end to end on three tiny bids behind both
fronts, so it never rots unnoticed; and its application does the byte work eproc does (the chunk written, the bid
hashed and checked at the last chunk), or its figure would not be a ceiling for eproc's. Issue 10 measures the
surge's throughput against the disk; this bounds it from above."""

import hashlib
import io
import json
from pathlib import Path

import pyrage
import pytest

from benchmarks import bench_surge, bench_upload_floor
from eproc.bids import crypto, uploads


@pytest.mark.skipif(not Path(bench_surge.GUNICORN).exists(), reason="gunicorn is a dependency; the venv is not set up")
def test_the_floor_benchmark_seals_and_stores_every_tiny_bid_behind_both_fronts(tmp_path):
    out = tmp_path / "floor.json"

    result = bench_upload_floor.run(3, 0.1, out, runs=1, threads=2, disk_mb=16, tmp_dir=tmp_path)

    assert [run["front"] for run in result["runs"]] == ["nginx", "none"]
    for run in result["runs"]:
        assert run["bids"] == {"sent": 3, "sealed": 3, "stored": 3, "failed": 0}, run["failures"]
        assert run["total_mb"] == pytest.approx(0.3, abs=0.01)
        assert run["throughput_mb_s"] > 0
        assert run["raw_disk_write"]["mb_per_s"] > 0 and run["raw_disk_write_direct_after"]["mb_per_s"] > 0
        assert run["server_memory"]["peak_sum_rss_mib"] > 0
    assert result["machine"]["one_core"]["sha256_mb_s"] > 0
    assert json.loads(out.read_text()) == result
    assert "throughput / direct-I/O disk" in bench_upload_floor.format_table(result)
    assert not list(tmp_path.glob("eproc-bench-floor-*"))  # the temporary files are gone


def test_the_benchmark_bids_are_distinct_age_files_sent_without_copies():
    recipient = str(pyrage.x25519.Identity.generate().to_public())

    bids = bench_surge._Pool(recipient, 5000, 4).bids()

    assert len({bid.sha256 for bid in bids}) == 4
    for bid in bids:
        assert bid.size == 5000 and hashlib.sha256(bid.read(0, bid.size)).hexdigest() == bid.sha256
        crypto.check_age_header(io.BytesIO(bid.read(0, bid.size)))
        assert isinstance(bid.read(10, 20), memoryview)  # a view of the pool: the client copies nothing


def _put(app, tmp_path, monkeypatch, *, body: bytes, sha256: str, offset=0, size=None):
    monkeypatch.setenv("EPROC_FLOOR_DIR", str(tmp_path))
    answered = {}
    environ = {
        "REQUEST_METHOD": "PUT",
        "PATH_INFO": f"/floor/bid-1/{offset}",
        "QUERY_STRING": f"size={size or len(body)}&sha256={sha256}",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    text = b"".join(app(environ, lambda status, headers: answered.update(status=status))).decode()
    return answered["status"], text


def test_the_floor_app_checks_the_bid_against_its_sha256_as_eproc_does(tmp_path, monkeypatch):
    from benchmarks import upload_floor_app

    recipient = str(pyrage.x25519.Identity.generate().to_public())
    bid = bench_surge._Pool(recipient, 10_000, 1).bids()[0]
    data = bytes(bid.read(0, bid.size))

    status, text = _put(upload_floor_app.app, tmp_path, monkeypatch, body=data[:6000], sha256=bid.sha256, size=10_000)
    assert (status, text) == ("200 OK", "6000")
    wrong = hashlib.sha256(b"another bid").hexdigest()
    status, text = _put(
        upload_floor_app.app, tmp_path, monkeypatch, body=data[6000:], sha256=wrong, offset=6000, size=10_000
    )

    assert status.startswith("400") and "do not match" in text
    assert not (tmp_path / uploads.sealed_name(wrong)).exists()
    assert not (tmp_path / uploads.sealed_name(bid.sha256)).exists()


def test_the_floor_app_seals_a_bid_whose_bytes_match(tmp_path, monkeypatch):
    from benchmarks import upload_floor_app

    recipient = str(pyrage.x25519.Identity.generate().to_public())
    bid = bench_surge._Pool(recipient, 10_000, 1).bids()[0]

    status, text = _put(
        upload_floor_app.app, tmp_path, monkeypatch, body=bytes(bid.read(0, bid.size)), sha256=bid.sha256
    )

    assert (status, text) == ("200 OK", "10000")
    assert (tmp_path / uploads.sealed_name(bid.sha256)).read_bytes() == bytes(bid.read(0, bid.size))
