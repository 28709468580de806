"""The bid transparency log at scale (issue 10, DESIGN 5): its public checkpoint, inclusion and consistency
endpoints, p50/p95 latency through the whole Django stack, over a log of N receipts; and appending a receipt.

    python benchmarks/bench_log.py --entries 1000000 --backend postgresql   # results/log-1m-postgresql.json
    python benchmarks/bench_log.py --entries 1000000 --backend sqlite

A regency's LPSE logs two receipts per bid (the commitment and the bytes): a million entries is some years of
tenders. Every vendor checks their receipts against the log after a deadline, and anyone may call these endpoints.

Steps: (1) a fresh database (PostgreSQL: eproc_bench_log on DATABASE_ADMIN_URL's server; SQLite:
var/bench-log.sqlite3; dropped at the end), migrated; (2) a worker process (this script with --worker, Django set up
on that database, production settings) writes N entries in bulk, receipt-shaped documents with their leaf hashes,
and the complete-subtree roots the migration would store for them (bids 0004_log_nodes); (3) it times GET
/api/v1/bids/log/checkpoint (signed afresh each time: the stored checkpoint is deleted before each request),
/api/v1/bids/log/entries/<i>?tree_size=N and /api/v1/bids/log/consistency?old=m&new=N for random i and m, with
django.test.Client in-process; (4) it times log.append for new entries, each in its own transaction; (5) for
comparison, the way every proof and checkpoint was computed until 27 November: all N leaf hashes read from the
database and the tree built from them (`merkle.inclusion_proof` over the list), a few times.
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks import machine  # noqa: E402
from benchmarks.bench_catalogue import (  # noqa: E402 - the same database lifecycle and worker settings
    PYTHON,
    _create,
    _database_url,
    _drop,
    _percentile,
    _size_label,
    _summary,
    _worker_env,
    machine_info,
)
from eproc.bids import receipts  # noqa: E402 - pure Python, no Django

DEFAULT_OUT_DIR = REPO_ROOT / "benchmarks" / "results"
DB_NAME = "eproc_bench_log"
BATCH = 20_000


def run(
    entries: int,
    backend: str,
    out: Path | None,
    *,
    repeats: int = 50,
    appends: int = 50,
    old_repeats: int = 3,
    sqlite_path: Path | None = None,
    database: str = DB_NAME,
) -> dict:
    """Create, migrate and fill a database with a log of `entries` receipts on `backend`, time the log on it, drop
    it, and return the result; written as JSON to `out` unless None."""
    if backend not in ("postgresql", "sqlite"):
        raise ValueError("backend is postgresql or sqlite")
    if entries < 2:
        raise ValueError("at least 2 entries")
    sqlite_path = Path(sqlite_path or REPO_ROOT / "var" / "bench-log.sqlite3")
    sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    facts = machine_info(backend)
    try:
        with tempfile.TemporaryDirectory(prefix="eproc-bench-log-") as work:
            env = _worker_env(_database_url(backend, sqlite_path, database), Path(work))
            env["EPROC_SIGNING_KEY"] = receipts.signing_key_to_text(receipts.generate_signing_key())  # for the run
            (Path(work) / "staticfiles").mkdir()  # whitenoise's root; the log's endpoints serve no static file
            _create(backend, sqlite_path, database)
            subprocess.run([PYTHON, "manage.py", "migrate", "--no-input", "-v0"], cwd=REPO_ROOT, env=env, check=True)
            report = Path(work) / "worker.json"
            argv = [
                PYTHON, __file__, "--worker", "--entries", str(entries), "--backend", backend,
                "--repeats", str(repeats), "--appends", str(appends), "--old-repeats", str(old_repeats),
                "--report", str(report),
            ]  # fmt: skip
            subprocess.run(argv, cwd=REPO_ROOT, env=env, check=True)
            worker_result = json.loads(report.read_text(encoding="utf-8"))
    finally:
        _drop(backend, sqlite_path, database)

    result = {
        "benchmark": "log",
        "timestamp": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": facts,
        "parameters": {
            "entries": entries,
            "backend": backend,
            "repeats": repeats,
            "appends": appends,
            "old_repeats": old_repeats,
        },
        **worker_result,
        "notes": [
            "Latency is wall clock per request through django.test.Client in one process (middleware, routing, "
            "view, database), without a socket or a WSGI server; the database is local.",
            "checkpoint: the stored checkpoint is deleted before each request, so each one computes the tree head "
            "and signs it (Ed25519), as the first request after the log grew does.",
            "before_27_november: the same inclusion proof and tree head computed as the code did until then, from "
            "every leaf hash read from the database; timed in-process without the view.",
        ],
    }
    machine.write_result(out, result)
    return result


# --- Worker ------------------------------------------------------------------------------------------------------


def _fill(entries: int) -> dict:
    """N receipt-shaped entries and their complete-subtree roots, written in bulk (as the migration would store
    them for an existing log)."""
    from django.db import transaction
    from django.utils import timezone

    from eproc.bids import merkle, receipts
    from eproc.bids.models import LogEntry, LogHead, LogNode

    started = time.perf_counter()
    now = timezone.now()

    def leaves():
        for first in range(0, entries, BATCH):
            rows = []
            for index in range(first, min(entries, first + BATCH)):
                document = {
                    "kind": "bid-receipt",
                    "body": {"log_index": index, "envelope": f"E{index:012d}", "sha256": f"{index:064x}"},
                    "signature": "-",
                }
                leaf = merkle.leaf_hash(receipts.canonical_json(document))
                rows.append(LogEntry(index=index, leaf_hash=leaf.hex(), document=document, created_at=now))
            with transaction.atomic():
                LogEntry.objects.bulk_create(rows)
            yield from (bytes.fromhex(row.leaf_hash) for row in rows)

    nodes = []
    for height, position, root in merkle.complete_subtrees(leaves()):
        nodes.append(LogNode(height=height, position=position, hash=root.hex()))
        if len(nodes) == BATCH:
            LogNode.objects.bulk_create(nodes)
            nodes = []
    LogNode.objects.bulk_create(nodes)
    LogHead.objects.update_or_create(id=1, defaults={"size": entries})
    return {"seconds": round(time.perf_counter() - started, 1), "entries": entries, "nodes": LogNode.objects.count()}


def _timed_get(client, path: str, params: dict | None = None) -> float:
    started = time.perf_counter()
    response = client.get(path, params or {}, secure=True)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"GET {path} {params} answered {response.status_code}: {response.content[:200]}")
    return elapsed


def _measure(entries: int, repeats: int, appends: int, old_repeats: int, rng: random.Random) -> dict:
    from django.db import transaction
    from django.test import Client
    from django.urls import reverse

    from eproc.bids import log, merkle
    from eproc.bids.models import Checkpoint, LogEntry

    client = Client()
    checkpoint_url = reverse("bids:api_checkpoint")
    _timed_get(client, checkpoint_url)  # warm-up: the signing key, the first connection
    checkpoint_ms = []
    for _ in range(repeats):
        Checkpoint.objects.all().delete()
        checkpoint_ms.append(_timed_get(client, checkpoint_url))
    indexes = [rng.randrange(entries) for _ in range(repeats)]
    inclusion_ms = [
        _timed_get(client, reverse("bids:api_inclusion", args=[index]), {"tree_size": entries}) for index in indexes
    ]
    consistency_url = reverse("bids:api_consistency")
    old_sizes = [rng.randrange(1, entries) for _ in range(repeats)]
    consistency_ms = [_timed_get(client, consistency_url, {"old": old, "new": entries}) for old in old_sizes]

    append_ms = []
    for _ in range(appends):
        started = time.perf_counter()
        with transaction.atomic():
            log.append(lambda index: {"kind": "bid-receipt", "body": {"log_index": index}, "signature": "-"})
        append_ms.append((time.perf_counter() - started) * 1000)

    # Until 27 November: every leaf read, the tree built from the list, for each proof and each tree head.
    before_ms = []
    for index in indexes[:old_repeats]:
        started = time.perf_counter()
        hashes = LogEntry.objects.filter(index__lt=entries).order_by("index").values_list("leaf_hash", flat=True)
        leaves = [bytes.fromhex(value) for value in hashes.iterator(chunk_size=5000)]
        proof = merkle.inclusion_proof(leaves, index)
        root = merkle.root(leaves)
        before_ms.append((time.perf_counter() - started) * 1000)
        served = merkle.proof_from_hex(log.inclusion_proof(index, entries)["proof"])
        if served != proof or not merkle.verify_inclusion(leaves[index], index, entries, served, root):
            raise RuntimeError("the stored subtrees give another proof than the leaves")
    return {
        "checkpoint": _summary(checkpoint_ms),
        "inclusion": _summary(inclusion_ms),
        "consistency": _summary(consistency_ms),
        "append": _summary(append_ms),
        "before_27_november": {
            **_summary(before_ms),
            "what": "inclusion proof and tree head from every leaf (the code until 27 November), per request",
        },
        "speedup_inclusion_p50": round(_percentile(before_ms, 0.5) / _percentile(inclusion_ms, 0.5), 1),
    }


def worker(args) -> int:
    import django

    django.setup()
    rng = random.Random(20261127)  # noqa: S311 - reproducible picks
    print(f"Filling a log of {args.entries:,} entries", flush=True)
    result = {"fill": _fill(args.entries)}
    print("Timing", flush=True)
    result.update(_measure(args.entries, args.repeats, args.appends, args.old_repeats, rng))
    Path(args.report).write_text(json.dumps(result), encoding="utf-8")
    return 0


# --- Table -------------------------------------------------------------------------------------------------------


def format_table(result: dict) -> str:
    params = result["parameters"]
    rows = [("", "requests", "p50 ms", "p95 ms", "max ms")]
    for kind in ("checkpoint", "inclusion", "consistency", "append", "before_27_november"):
        s = result[kind]
        rows.append((kind.replace("_", " "), str(s["requests"]), str(s["p50_ms"]), str(s["p95_ms"]), str(s["max_ms"])))
    widths = [max(len(row[c]) for row in rows) for c in range(5)]
    lines = [" | ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    header = (
        f"Bid log: {params['entries']:,} entries on {params['backend']} "
        f"({result['machine']['nproc']} x {result['machine']['cpu_model']}); filled in {result['fill']['seconds']} s"
    )
    return "\n".join([header, *lines, f"inclusion proof p50, before / now: {result['speedup_inclusion_p50']} x"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The bid transparency log at scale: checkpoint, proofs, append.")
    parser.add_argument("--entries", type=int, default=1_000_000, help="log entries (default 1000000)")
    parser.add_argument("--backend", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--repeats", type=int, default=50, help="requests per endpoint (default 50)")
    parser.add_argument("--appends", type=int, default=50, help="entries appended and timed (default 50)")
    parser.add_argument("--old-repeats", type=int, default=3, help="proofs timed the old way (default 3)")
    parser.add_argument("--out", type=Path, default=None, help="JSON result (default results/log-N-BACKEND.json)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--report", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker(args)
    out = args.out or DEFAULT_OUT_DIR / f"log-{_size_label(args.entries)}-{args.backend}.json"
    result = run(
        args.entries, args.backend, out, repeats=args.repeats, appends=args.appends, old_repeats=args.old_repeats
    )
    print(format_table(result))
    print(f"JSON: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
