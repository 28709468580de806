"""Bid opening throughput: eproc's opening path against the `age` CLI, on the same files and machine (DESIGN 8).

    python benchmarks/bench_opening.py --bids 20 --size-mb 20 --workers 2 --out benchmarks/results/opening.json

No Django: it uses only eproc/bids/crypto.py. In a temporary directory it draws a tender seed, derives the box
identity as the server does (`derive_identity(seed, box_id="bench", envelope="single")`), writes N random
plaintexts of S MB (streamed in 1 MiB blocks), encrypts each with `age -r RECIPIENT` (not timed), then times

  (a) eproc: `crypto.open_files_in_workers(jobs, identity, max_workers=W)`, the call `services.open_box` makes
      (W threads in this process, each decrypting a bid with OpenSSL's ChaCha20-Poly1305 and hashing it in one
      pass into a temporary file, then handing it to another thread to fsync and rename);
  (b) age:   `age -d -i IDENTITY_FILE -o OUT FILE.age`, W processes at a time from a thread pool;
  (c) age + fsync: the same, each output fsynced after age exits: what durability alone costs (for reference;
      the target compares (a) with (b)),

R rounds in turn (default 3; the median time of each side is reported, this machine's neighbours being noisy), and
checks that every output's SHA-256 equals its plaintext's. Every timing includes its start-up costs. Between
timings the outputs are deleted, the disk synced and memory touched (`_settle`), so no side pays for another's
write-back or for the VM host's lazily backed memory; each round starts with the next side. Peak memory is
reported per side; see `_memory_notes` for what each number can and cannot say.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import hashlib
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # run as a script: make `eproc` importable (and so for the spawned workers)
    sys.path.insert(0, str(REPO_ROOT))

from cryptography.hazmat.backends.openssl import backend as openssl_backend  # noqa: E402

from benchmarks import machine  # noqa: E402
from eproc.bids import crypto  # noqa: E402

AGE = shutil.which("age") or "/usr/bin/age"
MIB = 1024 * 1024
DEFAULT_OUT = REPO_ROOT / "benchmarks" / "results" / "opening.json"


# --- Machine -------------------------------------------------------------------------------------------------------


def machine_info() -> dict:
    age_version = subprocess.run([AGE, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    return {
        "nproc": machine.cpu_count(),
        "cpu_model": machine.cpu_model(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "age": age_version,
        "age_path": AGE,
        "cryptography": machine.version_of("cryptography"),
        "openssl": openssl_backend.openssl_version_text(),
    }


# --- Helpers -------------------------------------------------------------------------------------------------------


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(MIB), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_random(path: Path, size: int) -> str:
    """`size` random bytes into `path`, 1 MiB at a time; returns their SHA-256."""
    digest = hashlib.sha256()
    with open(path, "wb") as handle:
        remaining = size
        while remaining:
            block = os.urandom(min(MIB, remaining))
            digest.update(block)
            handle.write(block)
            remaining -= len(block)
    return digest.hexdigest()


def _run(argv: list[str]) -> int:
    """Run a process to completion and return its own peak RSS in KiB (os.wait4 gives per-process rusage)."""
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errors)  # noqa: S603
        _pid, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            message = errors.read().decode(errors="replace").strip()
            raise RuntimeError(f"{argv[0]} exited with {process.returncode}: {message}")
    return usage.ru_maxrss


class _RssSampler:
    """Polls the VmHWM (peak resident set of the process's own address space) of this process's direct children
    whose command line contains `marker`, every `interval` seconds, from a background thread. Unlike ru_maxrss it
    is not inflated by the parent's memory at fork time (see _memory_notes). A child that lives shorter than one
    interval may be missed, and growth in a child's last interval is not seen."""

    def __init__(self, marker: str, interval: float = 0.01):
        self.marker = marker
        self.interval = interval
        self.peaks: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        self._thread.join()

    def _children(self) -> set[int]:
        pids = set()
        try:
            tasks = os.listdir("/proc/self/task")
        except OSError:
            return pids
        for task in tasks:
            try:
                with open(f"/proc/self/task/{task}/children", encoding="ascii") as handle:
                    pids.update(int(pid) for pid in handle.read().split())
            except OSError:
                continue
        return pids

    def _sample(self) -> None:
        for pid in self._children():
            try:
                if pid not in self.peaks:  # checked until it matches: before its exec a child shows our cmdline
                    with open(f"/proc/{pid}/cmdline", "rb") as handle:
                        if self.marker.encode() not in handle.read():
                            continue
                with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as handle:
                    for line in handle:
                        if line.startswith("VmHWM:"):
                            self.peaks[pid] = max(self.peaks.get(pid, 0), int(line.split()[1]))
                            break
            except (OSError, ValueError):
                continue  # the child exited between the listing and the read

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval)

    @property
    def peak_kib(self) -> int | None:
        return max(self.peaks.values(), default=None)


def _mib(kib: int | None) -> float | None:
    return None if kib is None else round(kib / 1024, 1)


def _settle(written_bytes: int) -> None:
    """Before each timing: the disk synced, so no side pays for another's write-back, and twice the memory the timing
    will write touched and let go. On this VM the host backs guest memory lazily: memory the guest has not touched
    lately costs a trip to the host the first time it is written, and whichever side happened to get such pages for
    its page cache ran up to twice as slow (in system time copying into the page cache). Touching the memory first
    puts every side on a server's steady state, whose free memory has all been used before."""
    os.sync()
    available = _proc_kib("/proc/meminfo", "MemAvailable") * 1024
    warm = bytearray(min(2 * written_bytes, available // 2))  # bytearray(n) writes n zero bytes: every page touched
    del warm
    # The peak resident size starts again from here: eproc's figure is then its phase's alone, and the age processes
    # (vfork+exec children, which inherit this process's peak in their ru_maxrss) do not carry the warming's.
    _reset_own_peak()


def _proc_kib(path: str, field: str) -> int:
    """A "Field:  123 kB" line of /proc/meminfo or /proc/self/status, in KiB."""
    with open(path, encoding="ascii", errors="replace") as handle:
        for line in handle:
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    raise RuntimeError(f"{path} has no {field}")


def _remove_all(paths) -> None:
    for path in paths:
        Path(path).unlink(missing_ok=True)


def _memory_notes() -> list[str]:
    return [
        "eproc decrypts in threads of this process: its peak_rss_mib is this process's VmHWM (/proc/self/status) "
        "over the eproc phase alone (the peak is reset by writing 5 to /proc/self/clear_refs before each timing), with "
        "Python, Django-free eproc code and cryptography loaded; rss_before_mib is the resident size at the start, "
        "so the difference is what opening the bids cost. All W threads together: this is the machine's figure.",
        "For the age CLI, peak_rss_mib is the largest VmHWM seen in /proc/PID/status of the `age -d` processes, "
        "polled every 10 ms (a process shorter than 10 ms may be missed, and growth in its last 10 ms is not "
        "seen); with W processes in parallel the machine holds about W times that figure. os.wait4's ru_maxrss per "
        "process is recorded too but overstates it on Linux: a child started by fork/vfork+exec first counts the "
        "parent's resident memory, and ru_maxrss survives exec.",
    ]


# --- The two contenders --------------------------------------------------------------------------------------------


def _reset_own_peak() -> None:
    with open("/proc/self/clear_refs", "w", encoding="ascii") as handle:
        handle.write("5")  # resets VmHWM to the current resident size (Linux 4.0+)


def _time_eproc(ciphertexts: list[Path], out_dir: Path, identity: str, workers: int) -> dict:
    jobs = [(src, out_dir / f"{src.stem}.bin") for src in ciphertexts]
    rss_before = _proc_kib("/proc/self/status", "VmRSS")
    started = time.perf_counter()
    results = crypto.open_files_in_workers(jobs, identity, max_workers=workers)
    seconds = time.perf_counter() - started
    peak = _proc_kib("/proc/self/status", "VmHWM")
    failures = [f"{src.name}: {result}" for src, result in results if isinstance(result, crypto.DecryptionFailed)]
    if failures:
        raise RuntimeError("eproc could not open: " + "; ".join(failures))
    return {
        "seconds": seconds,
        "outputs": dict(jobs),
        "reported_sha256": {src: result[0] for src, result in results},
        "peak_rss_kib": peak,
        "rss_before_kib": rss_before,
    }


def _time_age(ciphertexts: list[Path], out_dir: Path, identity_file: Path, workers: int, *, fsync: bool) -> dict:
    jobs = [(src, out_dir / f"{src.stem}.bin") for src in ciphertexts]

    def decrypt(job: tuple[Path, Path]) -> int:
        peak = _run([AGE, "-d", "-i", str(identity_file), "-o", str(job[1]), str(job[0])])
        if fsync:
            descriptor = os.open(job[1], os.O_RDONLY)
            try:
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
        return peak

    with _RssSampler(AGE) as sampler:
        started = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            wait4_peaks = list(pool.map(decrypt, jobs))
        seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "outputs": dict(jobs),
        "reported_sha256": {},
        "peak_rss_kib": sampler.peak_kib,
        "processes_sampled": len(sampler.peaks),
        "rusage_wait4_max_kib": max(wait4_peaks),
    }


def _verify(measured: dict, expected: dict[Path, str]) -> bool:
    """Every output on disk (and every hash eproc reported) equals its plaintext's SHA-256."""
    for src, dst in measured["outputs"].items():
        if _sha256_of(dst) != expected[src]:
            return False
        reported = measured["reported_sha256"].get(src)
        if reported is not None and reported != expected[src]:
            return False
    return True


def _summary(rounds: list[dict], total_bytes: int, hashes_match: bool) -> dict:
    """The median round's time; memory figures are the largest of any round (the smallest for rss_before)."""
    seconds = statistics.median(measured["seconds"] for measured in rounds)
    summary = {
        "seconds": round(seconds, 3),
        "seconds_per_round": [round(m["seconds"], 3) for m in rounds],
        "mb_per_s": round(total_bytes / MIB / seconds, 2) if seconds > 0 else None,
        "hashes_match": hashes_match,
        "peak_rss_mib": _mib(max((m["peak_rss_kib"] for m in rounds if m["peak_rss_kib"] is not None), default=None)),
    }
    if "rss_before_kib" in rounds[0]:
        summary["rss_before_mib"] = _mib(min(m["rss_before_kib"] for m in rounds))
    if "processes_sampled" in rounds[0]:
        summary["processes_sampled"] = max(m["processes_sampled"] for m in rounds)
        summary["rusage_wait4_max_mib"] = _mib(max(m["rusage_wait4_max_kib"] for m in rounds))
    return summary


# --- Entry point ---------------------------------------------------------------------------------------------------


def run(
    bids: int,
    size_mb: float,
    workers: int,
    out: Path | None,
    tmp_dir: Path | None = None,
    *,
    rounds: int = 3,
) -> dict:
    """Run the benchmark and return its result; write it as JSON to `out` unless that is None.

    Sizes are in MiB ("MB" in the table). `tmp_dir` is where the temporary directory goes (default: the system's);
    it is removed at the end whatever happens."""
    if bids < 1 or workers < 1 or rounds < 1 or size_mb <= 0:
        raise ValueError("bids, workers and rounds must be at least 1 and size_mb positive.")
    size = max(1, int(size_mb * MIB))
    facts = machine_info()
    work = Path(tempfile.mkdtemp(prefix="eproc-bench-opening-", dir=tmp_dir))
    try:
        seed = crypto.new_seed()
        identity = crypto.derive_identity(seed, box_id="bench", envelope="single")
        recipient = crypto.recipient_for(identity)
        identity_file = work / "identity.txt"
        identity_file.write_text(f"# benchmark identity, recipient {recipient}\n{identity}\n")
        identity_file.chmod(0o600)
        for name in ("sealed", "out"):
            (work / name).mkdir()

        # Setup, not timed: each plaintext is encrypted and deleted at once, so the disk holds one at a time.
        expected: dict[Path, str] = {}
        ciphertexts = []
        for number in range(bids):
            plain = work / f"bid-{number:04d}.bin"
            sealed = work / "sealed" / f"bid-{number:04d}.age"
            digest = _write_random(plain, size)
            _run([AGE, "-r", recipient, "-o", str(sealed), str(plain)])
            plain.unlink()
            expected[sealed] = digest
            ciphertexts.append(sealed)
        ciphertext_bytes = sum(path.stat().st_size for path in ciphertexts)
        total_bytes = size * bids

        contenders = {
            "eproc": lambda: _time_eproc(ciphertexts, work / "out", identity, workers),
            "age": lambda: _time_age(ciphertexts, work / "out", identity_file, workers, fsync=False),
            "age_fsync": lambda: _time_age(ciphertexts, work / "out", identity_file, workers, fsync=True),
        }
        measured: dict[str, list[dict]] = {name: [] for name in contenders}
        correct = dict.fromkeys(contenders, True)
        names = list(contenders)
        for number in range(rounds):
            # Each round starts with the next side: what the round before left (page cache, memory the VM's host
            # has yet to hand back) then falls on every side in turn, not always on the same one.
            for name in names[number % len(names) :] + names[: number % len(names)]:
                time_it = contenders[name]
                _settle(total_bytes)
                timing = time_it()
                correct[name] = correct[name] and _verify(timing, expected)
                _remove_all(timing["outputs"].values())
                measured[name].append(timing)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    eproc_summary = _summary(measured["eproc"], total_bytes, correct["eproc"])
    age_summary = _summary(measured["age"], total_bytes, correct["age"])
    age_fsync_summary = _summary(measured["age_fsync"], total_bytes, correct["age_fsync"])
    eproc_ok, age_ok = correct["eproc"], correct["age"] and correct["age_fsync"]
    result = {
        "benchmark": "opening",
        "timestamp": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": facts,
        "parameters": {
            "bids": bids,
            "size_mb": size_mb,
            "workers": workers,
            "bytes_per_bid": size,
            "rounds": rounds,
        },
        "total_mb": round(total_bytes / MIB, 2),
        "ciphertext_mb": round(ciphertext_bytes / MIB, 2),
        "eproc": eproc_summary,
        "age": age_summary,
        "age_fsync": age_fsync_summary,
        # Same bytes on every side, so the ratio of throughputs is the inverse ratio of (median) times.
        "ratio_eproc_over_age": round(age_summary["seconds"] / eproc_summary["seconds"], 3),
        "ratio_eproc_over_age_fsync": round(age_fsync_summary["seconds"] / eproc_summary["seconds"], 3),
        "hashes_match": eproc_ok and age_ok,
        "notes": [
            "Throughput is plaintext MiB per wall-clock second of the median round, start-up included (one age "
            "process per file for the CLI; W threads of this process for eproc).",
            "eproc hashes (SHA-256) and fsyncs each plaintext before renaming it into place; the age CLI does "
            "neither; `age_fsync` is the CLI followed by an fsync of each output.",
            "The ciphertexts were just written, so both sides read them from the page cache.",
            "Before each timing the disk is synced and twice the plaintext bytes of memory are touched and freed "
            "(_settle): this VM's host backs guest memory lazily, and without it whichever side got untouched pages "
            "for its page cache ran up to twice as slow; each round starts with the next side.",
            *_memory_notes(),
        ],
    }
    machine.write_result(out, result)
    return result


def format_table(result: dict) -> str:
    sides = [result["eproc"], result["age"], result["age_fsync"]]

    def row(label: str, cell) -> tuple[str, ...]:
        return (label, *(str(cell(side)) for side in sides))

    rows = [
        ("", "eproc (opening)", "age CLI", "age CLI + fsync"),
        row("total MB", lambda side: f"{result['total_mb']:g}"),
        row("seconds (median)", lambda side: f"{side['seconds']:.2f}"),
        row("seconds per round", lambda side: " ".join(f"{seconds:.2f}" for seconds in side["seconds_per_round"])),
        row("MB/s", lambda side: side["mb_per_s"]),
        row("hashes match", lambda side: side["hashes_match"]),
        (
            "peak RSS MiB (VmHWM)",
            f"{sides[0]['peak_rss_mib']} (whole process; {sides[0]['rss_before_mib']} before)",
            *(f"{side['peak_rss_mib']} per age process" for side in sides[1:]),
        ),
        ("ru_maxrss MiB (wait4, inflated)", "", *(str(side["rusage_wait4_max_mib"]) for side in sides[1:])),
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    lines = [" | ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
    lines.insert(1, "-+-".join("-" * width for width in widths))
    params = result["parameters"]
    header = (
        f"Opening {params['bids']} bids of {params['size_mb']:g} MB with {params['workers']} worker(s) on "
        f"{result['machine']['nproc']} x {result['machine']['cpu_model']}, {params['rounds']} round(s)"
    )
    ratios = (
        f"ratio eproc/age (MB/s): {result['ratio_eproc_over_age']}"
        f"   eproc/(age + fsync): {result['ratio_eproc_over_age_fsync']}"
    )
    return "\n".join([header, *lines, ratios])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Bid opening throughput: eproc's opening path vs the age CLI.")
    parser.add_argument("--bids", type=int, default=20, help="number of bids (default 20)")
    parser.add_argument("--size-mb", type=float, default=20, help="size of each bid in MB (MiB; default 20)")
    parser.add_argument("--workers", type=int, default=2, help="parallel workers for both sides (default 2)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"JSON result (default {DEFAULT_OUT})")
    parser.add_argument("--tmp-dir", type=Path, default=None, help="where to put the temporary files")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each side, in turn (default 3)")
    args = parser.parse_args(argv)
    result = run(args.bids, args.size_mb, args.workers, args.out, tmp_dir=args.tmp_dir, rounds=args.rounds)
    print(format_table(result))
    print(f"JSON: {args.out}")
    return 0 if result["hashes_match"] else 1


if __name__ == "__main__":
    sys.exit(main())
