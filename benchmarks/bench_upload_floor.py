"""The upload floor: how fast this machine takes sealed bids when only their bytes cost anything.

    python benchmarks/bench_upload_floor.py --vendors 100 --size-mb 20 --out benchmarks/results/upload-floor.json

Issue 10 asks the deadline surge for an upload throughput of at least half the disk's raw sequential write speed.
bench_surge.py measures eproc itself; this measures the ceiling under it, on the same machine and the same two
cores: the HTTP front of the surge benchmark (nginx streaming the bodies to gunicorn gthread workers, or gunicorn
alone) serving benchmarks/upload_floor_app.py, which takes each chunk with eproc's own byte path
(eproc.bids.uploads.write_chunk: page-aligned blocks written past the page cache) and seals each bid with
uploads.seal (SHA-256 read back past the page cache, age header, fsync, rename), and does nothing else: no Django
request handling, session, database, audit event or receipt. Whatever eproc adds can only lower this figure, so a
floor below half the disk says the target is out of reach for any design that takes the bytes through an HTTP
server in Python on this machine.

Each run: `vendors` client threads start together and each PUTs a bid of `size_mb` MiB (a real age header, then
pseudo-random bytes: bench_surge.Bid) in 16 MiB chunks, as the browser does. Throughput is the bytes of the bids that
were sealed over the seconds from the first chunk sent to the last bid sealed. The disk is measured before and after
each run, in the same directory, both through the page cache (`dd conv=fsync`) and past it (`dd oflag=direct`). Also
measured: the CPU seconds of the server processes (nginx and gunicorn) and of the clients, the server's peak memory,
and SHA-256 and memory copy speed on one core of this machine, which bound what two cores can do per byte.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # run as a script: make `benchmarks` and `eproc` importable
    sys.path.insert(0, str(REPO_ROOT))

import pyrage  # noqa: E402

from benchmarks import machine  # noqa: E402
from benchmarks.bench_surge import (  # noqa: E402
    CHUNK_BYTES,
    MIB,
    Bid,
    ProxiedServer,
    Server,
    _free_port,
    _http,
    _MemorySampler,
    _own_cpu_seconds,
    _Pool,
    machine_info,
    measure_disk_write,
)

DEFAULT_OUT = REPO_ROOT / "benchmarks" / "results" / "upload-floor.json"
APP = "benchmarks.upload_floor_app:app"
FRONTS = {"nginx": "nginx + gunicorn (the production front)", "none": "gunicorn alone"}


def one_core_speeds(megabytes: int = 256) -> dict:
    """SHA-256 and a memory copy of `megabytes` MiB on one core, in MB/s (MiB/s): each byte of a bid is hashed once
    and copied several times (client to socket, socket to nginx, nginx to socket, socket to gunicorn, into the
    aligned block), so these bound the whole machine's rate whatever the server."""
    block = os.urandom(16 * MIB)
    rounds = max(1, megabytes // 16)
    started = time.perf_counter()
    digest = hashlib.sha256()
    for _ in range(rounds):
        digest.update(block)
    hashed = time.perf_counter() - started
    target = bytearray(len(block))
    started = time.perf_counter()
    for _ in range(rounds):
        target[:] = block
    copied = time.perf_counter() - started
    return {"sha256_mb_s": round(rounds * 16 / hashed, 1), "memcpy_mb_s": round(rounds * 16 / copied, 1)}


def _send(url: str, bid: Bid, number: int, chunk_bytes: int, start: threading.Barrier) -> tuple[bool, str, float]:
    """One vendor: wait for the others, PUT the bid's chunks in order; (sealed, why not, seconds taken)."""
    http = _http(url)
    start.wait()
    began = time.monotonic()
    for offset in range(0, bid.size, chunk_bytes):
        end = min(bid.size, offset + chunk_bytes)
        path = f"{url}/floor/bid-{number}/{offset}?size={bid.size}&sha256={bid.sha256}"
        try:
            response = http.put(path, data=bid.read(offset, end), timeout=300)
        except OSError as error:  # requests' errors are OSErrors
            return False, f"{type(error).__name__}: {error}", time.monotonic() - began
        if response.status_code != 200:
            return False, f"{response.status_code}: {response.text[:200]}", time.monotonic() - began
    return True, "", time.monotonic() - began


def _one_run(front: str, bids: list[Bid], work: Path, *, workers: int, threads: int, chunk_bytes: int, disk_mb: int):
    store = work / "store"
    store.mkdir()
    env = {**os.environ, "EPROC_FLOOR_DIR": str(store), "PYTHONPATH": str(REPO_ROOT)}
    env.pop("DJANGO_SETTINGS_MODULE", None)  # the floor app configures its own few settings
    disk = measure_disk_write(work, disk_mb)
    disk_direct = measure_disk_write(work, disk_mb, direct=True)
    if front == "nginx":
        server = ProxiedServer(env, _free_port(), workers, threads, work, app=APP)
    else:
        server = Server(env, _free_port(), workers, threads, work / "gunicorn.log", app=APP)
    server.start()
    outcomes: list[tuple[bool, str, float]] = [None] * len(bids)  # type: ignore[list-item]
    start = threading.Barrier(len(bids) + 1)

    def vendor(number: int) -> None:
        outcomes[number] = _send(server.url, bids[number], number, chunk_bytes, start)

    try:
        with _MemorySampler(server, interval=0.1) as sampler:
            vendors = [threading.Thread(target=vendor, args=(n,), daemon=True) for n in range(len(bids))]
            for thread in vendors:
                thread.start()
            server_cpu, client_cpu = sampler.cpu_seconds(), _own_cpu_seconds()
            start.wait()
            began = time.monotonic()
            for thread in vendors:
                thread.join()
            seconds = time.monotonic() - began
            server_cpu, client_cpu = sampler.cpu_seconds() - server_cpu, _own_cpu_seconds() - client_cpu
        memory = sampler.summary()
    finally:
        server.stop()
    sealed = [bid for bid, outcome in zip(bids, outcomes, strict=True) if outcome and outcome[0]]
    # What the server says it sealed is on disk under its SHA-256, with its size (uploads.sealed_name).
    stored = sum(
        1
        for bid in sealed
        if (store / "bids" / "sealed" / bid.sha256[:2] / f"{bid.sha256}.age").stat().st_size == bid.size
    )
    failures = [outcome[1] for outcome in outcomes if not (outcome and outcome[0])]
    disk_after = measure_disk_write(work, disk_mb)
    disk_direct_after = measure_disk_write(work, disk_mb, direct=True)
    total_mb = sum(bid.size for bid in sealed) / MIB
    throughput = total_mb / seconds if seconds else 0.0
    gigabytes = total_mb / 1024 or 1
    return {
        "front": front,
        "bids": {"sent": len(bids), "sealed": len(sealed), "stored": stored, "failed": len(failures)},
        "failures": failures[:5],
        "total_mb": round(total_mb, 1),
        "seconds": round(seconds, 3),
        "throughput_mb_s": round(throughput, 1),
        "bid_seconds_p50_max": _p50_and_max([outcome[2] for outcome in outcomes if outcome]),
        "raw_disk_write": disk,
        "raw_disk_write_direct": disk_direct,
        "raw_disk_write_after": disk_after,
        "raw_disk_write_direct_after": disk_direct_after,
        "throughput_over_raw_disk": round(throughput / disk["mb_per_s"], 2),
        "throughput_over_raw_disk_direct": round(throughput / disk_direct["mb_per_s"], 2),
        "throughput_over_raw_disk_direct_after": round(throughput / disk_direct_after["mb_per_s"], 2),
        "cpu_seconds": {"server": round(server_cpu, 2), "clients": round(client_cpu, 2)},
        "cpu_seconds_per_gb": {"server": round(server_cpu / gigabytes, 2), "clients": round(client_cpu / gigabytes, 2)},
        "server_memory": memory,
    }


def _p50_and_max(values: list[float]) -> list[float]:
    ordered = sorted(values)
    return [round(ordered[len(ordered) // 2], 2), round(ordered[-1], 2)] if ordered else []


def run(
    vendors: int,
    size_mb: float,
    out: Path | None,
    *,
    fronts: tuple[str, ...] = ("nginx", "none"),
    runs: int = 2,
    workers: int | None = None,
    threads: int = 8,
    chunk_bytes: int = CHUNK_BYTES,
    disk_mb: int = 1024,
    tmp_dir: Path | None = None,
) -> dict:
    """`runs` runs per front; the result, written as JSON to `out` unless None."""
    unknown = set(fronts) - set(FRONTS)
    if unknown:
        raise ValueError(f"unknown fronts {sorted(unknown)}; known: {sorted(FRONTS)}")
    workers = workers or (machine.cpu_count() or 1) + 1  # as bench_surge: nginx gives the bid API all but one
    tmp_root = Path(tmp_dir or tempfile.gettempdir())
    result = {
        "benchmark": "upload_floor",
        "machine": {**machine_info(tmp_root), "one_core": one_core_speeds()},
        "parameters": {
            "vendors": vendors,
            "size_mb": size_mb,
            "chunk_mib": chunk_bytes / MIB,
            "workers": workers,
            "threads": threads,
            "disk_probe_mb": disk_mb,
        },
        "runs": [],
    }
    recipient = str(pyrage.x25519.Identity.generate().to_public())
    bids = _Pool(recipient, max(1, int(size_mb * MIB)), vendors).bids()
    for front in fronts:
        for _ in range(runs):
            with tempfile.TemporaryDirectory(prefix="eproc-bench-floor-", dir=tmp_root) as work:
                result["runs"].append(
                    _one_run(
                        front,
                        bids,
                        Path(work),
                        workers=workers,
                        threads=threads,
                        chunk_bytes=chunk_bytes,
                        disk_mb=disk_mb,
                    )
                )
    machine.write_result(out, result)
    return result


def format_table(result: dict) -> str:
    runs = result["runs"]

    def row(label, getter):
        return [label, *[str(getter(r)) for r in runs]]

    rows = [
        ["", *[FRONTS[r["front"]] for r in runs]],
        row("bids sealed / stored / failed", lambda r: "{sealed} / {stored} / {failed}".format(**r["bids"])),
        row("seconds", lambda r: r["seconds"]),
        row("throughput MB/s", lambda r: r["throughput_mb_s"]),
        row(
            "raw disk MB/s, before; after",
            lambda r: f"{r['raw_disk_write']['mb_per_s']}; {r['raw_disk_write_after']['mb_per_s']}",
        ),
        row(
            "direct-I/O disk MB/s, before; after",
            lambda r: f"{r['raw_disk_write_direct']['mb_per_s']}; {r['raw_disk_write_direct_after']['mb_per_s']}",
        ),
        row("throughput / raw disk", lambda r: r["throughput_over_raw_disk"]),
        row(
            "throughput / direct-I/O disk, before; after",
            lambda r: f"{r['throughput_over_raw_disk_direct']}; {r['throughput_over_raw_disk_direct_after']}",
        ),
        row("CPU s server / clients", lambda r: "{server} / {clients}".format(**r["cpu_seconds"])),
        row("CPU s per GB server / clients", lambda r: "{server} / {clients}".format(**r["cpu_seconds_per_gb"])),
        row("server peak memory MiB (sum RSS)", lambda r: r["server_memory"]["peak_sum_rss_mib"]),
    ]
    widths = [max(len(line[column]) for line in rows) for column in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)) for line in rows]
    one_core = result["machine"]["one_core"]
    parameters = result["parameters"]
    lines.append(
        f"{parameters['vendors']} vendors x {parameters['size_mb']} MB in {parameters['chunk_mib']:g} MiB chunks; "
        f"one core: SHA-256 {one_core['sha256_mb_s']} MB/s, memory copy {one_core['memcpy_mb_s']} MB/s; "
        f"{result['machine']['nproc']} cores shared by server and clients."
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vendors", type=int, default=100, help="bids sent at once (default 100)")
    parser.add_argument("--size-mb", type=float, default=20, help="size of each bid in MB (MiB; default 20)")
    parser.add_argument("--front", choices=("nginx", "none", "both"), default="both", help="HTTP front (default both)")
    parser.add_argument("--runs", type=int, default=2, help="runs per front (default 2)")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: cores + 1)")
    parser.add_argument("--threads", type=int, default=8, help="threads per gunicorn worker (default 8)")
    parser.add_argument("--disk-mb", type=int, default=1024, help="size of the disk write probes (default 1024)")
    parser.add_argument("--tmp-dir", type=Path, default=None, help="where the bids and probes are written")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"JSON result (default {DEFAULT_OUT})")
    args = parser.parse_args()
    fronts = ("nginx", "none") if args.front == "both" else (args.front,)
    result = run(
        args.vendors,
        args.size_mb,
        args.out,
        fronts=fronts,
        runs=args.runs,
        workers=args.workers,
        threads=args.threads,
        disk_mb=args.disk_mb,
        tmp_dir=args.tmp_dir,
    )
    print(format_table(result))
    print(f"Written to {args.out}")


if __name__ == "__main__":
    main()
