"""The public catalogue at scale (issue 10.2, DESIGN 8): the public tender list, its Indonesian full-text search and
a tender page, p50/p95 latency through the whole Django stack, and the OCDS release feed in pages per second, over
a database of N announced tenders with their plan items, schedules, participants, results and published releases.

    python benchmarks/bench_catalogue.py --tenders 100000 --backend postgresql
    python benchmarks/bench_catalogue.py --tenders 100000 --backend sqlite
    python benchmarks/bench_catalogue.py --tenders 1000000 --backend postgresql   # results/catalogue-1m-postgresql.json

Steps: (1) a fresh database (PostgreSQL: eproc_bench_catalogue on DATABASE_ADMIN_URL's server, dropped at the end;
SQLite: var/bench-catalogue.sqlite3, deleted at the end), migrated with `manage.py migrate`; (2) a worker process
(this script with --worker, Django set up on that database, production settings: EPROC_DEBUG=0) seeds it in bulk
(COPY on PostgreSQL, executemany on SQLite; Indonesian titles drawn from word lists with a fixed random seed), then
(3) times GET requests with django.test.Client in-process (middleware, URL routing, views, templates, database: all
but the socket and the WSGI server) and pages through GET /api/v1/ocds/releases?limit=100 by links.next.

The seed writes rows straight into the tables (as the migrations made them), not through the services: a million
tenders through create_tender/announce would take days and would time the services, not the catalogue. The search
index is kept by the database's own triggers (tenders/search.py) during the load, as it would be in production.
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import json
import os
import platform
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks import machine  # noqa: E402

DEFAULT_OUT_DIR = REPO_ROOT / "benchmarks" / "results"
DB_NAME = "eproc_bench_catalogue"
ADMIN_URL = os.environ.get("DATABASE_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PYTHON = sys.executable

# --- Word lists (Kalimantan Barat; the kinds of packages an LPSE of a regency announces) ----------------------------

AGENCIES = [
    ("D201", "Kabupaten Ketapang"),
    ("D213", "Kabupaten Kayong Utara"),
    ("D204", "Kabupaten Sanggau"),
    ("D205", "Kabupaten Sintang"),
    ("D206", "Kabupaten Kapuas Hulu"),
    ("D210", "Kabupaten Melawi"),
    ("D208", "Kabupaten Landak"),
    ("D199", "Kota Pontianak"),
]
WORK_UNITS = [
    "Dinas Pekerjaan Umum dan Penataan Ruang",
    "Dinas Pendidikan dan Kebudayaan",
    "Dinas Kesehatan",
    "Rumah Sakit Umum Daerah",
    "Dinas Perhubungan",
    "Dinas Pertanian dan Peternakan",
    "Dinas Perumahan Rakyat dan Kawasan Permukiman",
    "Badan Penanggulangan Bencana Daerah",
    "Sekretariat Daerah",
    "Dinas Lingkungan Hidup",
    "Dinas Sosial",
    "Dinas Kelautan dan Perikanan",
]
DISTRICTS = [
    "Delta Pawan", "Benua Kayong", "Matan Hilir Utara", "Matan Hilir Selatan", "Muara Pawan", "Sungai Melayu Rayak",
    "Kendawangan", "Manis Mata", "Marau", "Singkup", "Air Upas", "Jelai Hulu", "Tumbang Titi", "Pemahan",
    "Sungai Laur", "Sandai", "Hulu Sungai", "Nanga Tayap", "Simpang Hulu", "Simpang Dua", "Kuala Satong",
    "Sukadana", "Teluk Batang", "Simpang Hilir", "Seponti", "Pulau Maya", "Kepulauan Karimata", "Entikong",
    "Sekadau Hilir", "Nanga Pinoh", "Putussibau", "Ngabang", "Mempawah Hulu", "Tayan Hilir", "Sungai Kakap",
]  # fmt: skip
VILLAGES = [
    "Sungai Besar", "Tanjung Pura", "Kali Nilam", "Sukaharja", "Mulia Kerta", "Tuan Tuan", "Suka Bangun",
    "Sungai Awan Kiri", "Pesaguan Kanan", "Kinjil Pesisir", "Padang", "Sampit", "Payak Kumang", "Sukamulya",
    "Riam Berasap", "Batu Tajam", "Air Durian", "Pangkalan Suka", "Sei Kelik", "Teluk Keluang", "Banjarsari",
    "Tanjung Baik Budi", "Sungai Jawi", "Kuala Tolak", "Rantau Panjang", "Nanga Kelampai", "Baru Lombak",
    "Sengkuang", "Tempurukan", "Selimantan Jaya", "Harapan Baru", "Karya Mukti", "Sido Mulyo", "Bukit Kelambing",
    "Lalang Panjang", "Kemuning Biutak", "Sungai Pelang", "Pematang Gadung", "Sungai Bakau", "Air Hitam Besar",
]  # fmt: skip
WORKS = {
    "konstruksi": [
        ("Pembangunan", "Jalan Usaha Tani"),
        ("Peningkatan", "Jalan Poros"),
        ("Rehabilitasi", "Jalan Lingkungan"),
        ("Pembangunan", "Jembatan Gantung"),
        ("Rehabilitasi", "Jembatan Beton"),
        ("Pemeliharaan", "Jembatan Kayu"),
        ("Pembangunan", "Gedung Sekolah Dasar Negeri"),
        ("Rehabilitasi", "Ruang Kelas SMP Negeri"),
        ("Pembangunan", "Puskesmas Pembantu"),
        ("Rehabilitasi", "Gedung Puskesmas Rawat Inap"),
        ("Normalisasi", "Saluran Irigasi"),
        ("Pembangunan", "Drainase Perkotaan"),
        ("Pembangunan", "Turap Sungai"),
        ("Pembangunan", "Dermaga Penyeberangan"),
        ("Pembangunan", "Kantor Camat"),
        ("Rehabilitasi", "Pasar Rakyat"),
        ("Pembangunan", "Sumur Bor Air Bersih"),
        ("Pembangunan", "Embung Desa"),
        ("Peningkatan", "Jalan Hotmix"),
        ("Pembangunan", "Rumah Layak Huni"),
        ("Pembangunan", "Tempat Pembuangan Sampah Terpadu"),
    ],
    "barang": [
        ("Pengadaan", "Kendaraan Dinas Operasional"),
        ("Pengadaan", "Komputer dan Laptop"),
        ("Pengadaan", "Alat Kesehatan Puskesmas"),
        ("Pengadaan", "Obat dan Bahan Medis Habis Pakai"),
        ("Pengadaan", "Buku Pelajaran Sekolah Dasar"),
        ("Pengadaan", "Meubelair Sekolah"),
        ("Pengadaan", "Genset dan Instalasi Listrik"),
        ("Pengadaan", "Bibit Sawit Unggul"),
        ("Pengadaan", "Mesin Perahu Motor Nelayan"),
        ("Pengadaan", "Ambulans Desa"),
    ],
    "konsultansi": [
        ("Perencanaan Teknis", "Jalan dan Jembatan"),
        ("Pengawasan", "Pembangunan Gedung"),
        ("Penyusunan", "Dokumen Lingkungan"),
        ("Perencanaan", "Tata Ruang Kawasan"),
        ("Studi Kelayakan", "Pelabuhan Rakyat"),
    ],
    "jasa_lainnya": [
        ("Jasa", "Kebersihan Gedung Kantor"),
        ("Jasa", "Keamanan Kantor"),
        ("Jasa", "Pemeliharaan Taman Kota"),
        ("Jasa", "Sewa Kendaraan Operasional"),
        ("Jasa", "Katering Pasien Rumah Sakit"),
    ],
}
# Plan item procurement type -> tender category (planning.ProcurementType, tenders.choices.Category).
TENDER_CATEGORY = {
    "konstruksi": "konstruksi",
    "barang": "barang",
    "konsultansi": "konsultansi_badan_usaha",
    "jasa_lainnya": "jasa_lainnya",
}
CATEGORY_WEIGHTS = {"konstruksi": 60, "barang": 20, "konsultansi": 10, "jasa_lainnya": 10}
FUNDS = ["APBD", "DAK Fisik", "DAU", "Dana Bagi Hasil", "Bantuan Keuangan Provinsi"]
VENDOR_NAMES = ["Maju Jaya", "Karya Mandiri", "Borneo Konstruksi", "Kayong Sejahtera", "Pawan Abadi", "Ketapang Raya"]

# The searches timed: words of every frequency, prefixes, several words, names, filters with text.
SEARCHES = [
    {"q": "jembatan"},
    {"q": "pembangunan jalan"},
    {"q": "pembangunan gedung sekolah"},
    {"q": "jemb"},
    {"q": "puskes"},
    {"q": "jembatan gantung sandai"},
    {"q": "kendaraan dinas ketapang"},
    {"q": "sumur bor air bersih kendawangan"},
    {"q": "irigasi", "year": "2025"},
    {"q": "jalan", "category": "konstruksi", "method": "lelang_umum"},
    {"q": "tidak ada yang cocok"},
]
LISTS = [
    {},
    {"page": "2"},
    {"page": "30"},
    {"year": "2024"},
    {"category": "barang"},
    {"method": "lelang_sederhana", "year": "2023"},
    # agency=<code> added at run time (the first agency)
]


# --- Machine -------------------------------------------------------------------------------------------------------


def machine_info(backend: str) -> dict:
    info = {
        "nproc": machine.cpu_count(),
        "cpu_model": machine.cpu_model(),
        "memory_gib": machine.memory_gib(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "loadavg_at_start": list(os.getloadavg()),
    }
    if backend == "postgresql":
        out = subprocess.run(
            ["psql", ADMIN_URL, "-Atc", "SHOW server_version"], capture_output=True, text=True, check=False
        )
        info["postgresql"] = out.stdout.strip() or "unknown"
    else:
        import sqlite3

        info["sqlite"] = sqlite3.sqlite_version
    return info


# --- Database lifecycle (parent process) ---------------------------------------------------------------------------


def _database_url(backend: str, sqlite_path: Path, name: str) -> str:
    if backend == "postgresql":
        parts = urlsplit(ADMIN_URL)
        return f"{parts.scheme}://{parts.netloc}/{name}"
    return f"sqlite:///{sqlite_path}"


def _psql(sql: str) -> None:
    subprocess.run(["psql", ADMIN_URL, "-qc", sql], check=True, capture_output=True)


def _create(backend: str, sqlite_path: Path, name: str) -> None:
    if backend == "postgresql":
        _psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        _psql(f"CREATE DATABASE {name}")
    else:
        _drop(backend, sqlite_path, name)


def _drop(backend: str, sqlite_path: Path, name: str) -> None:
    if backend == "postgresql":
        _psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{sqlite_path}{suffix}").unlink(missing_ok=True)


def _worker_env(database_url: str, var_dir: Path) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("EPROC_", "DATABASE_URL"))}
    env.update(
        {
            "DATABASE_URL": database_url,
            "EPROC_DEBUG": "0",
            "EPROC_TESTING": "0",
            "EPROC_SECRET_KEY": secrets.token_urlsafe(40),
            "EPROC_ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
            "DJANGO_SETTINGS_MODULE": "eproc.config.settings",
            "EPROC_VAR_DIR": str(var_dir),
            # Every request rendered: the repeated requests of a variant would otherwise be answered from the public
            # page cache (eproc/web/public_cache.py) and time the cache, not the list and the search.
            "EPROC_PUBLIC_CACHE_SECONDS": "0",
        }
    )
    return env


def _database_size(backend: str, sqlite_path: Path, name: str) -> float | None:
    if backend == "postgresql":
        out = subprocess.run(
            ["psql", ADMIN_URL, "-Atc", f"SELECT pg_database_size('{name}')"], capture_output=True, text=True
        )
        return round(int(out.stdout.strip()) / 1024**2, 1) if out.returncode == 0 and out.stdout.strip() else None
    return round(sqlite_path.stat().st_size / 1024**2, 1) if sqlite_path.exists() else None


def run(
    tenders: int,
    backend: str,
    out: Path | None,
    *,
    repeats: int = 20,
    tender_pages: int = 100,
    feed_pages: int = 200,
    keep: bool = False,
    reuse: bool = False,
    sqlite_path: Path | None = None,
    database: str = DB_NAME,
) -> dict:
    """Create, migrate and seed a database of `tenders` announced tenders on `backend` ("postgresql" or "sqlite"),
    time the catalogue on it, drop it (unless `keep`), and return the result; written as JSON to `out` unless None.
    `reuse` skips creation and seeding when a database kept by an earlier run (`keep`) is there. `database` names
    the PostgreSQL database, `sqlite_path` the SQLite file."""
    if not database.isidentifier():
        raise ValueError("database must be a plain identifier")
    if backend not in ("postgresql", "sqlite"):
        raise ValueError("backend is postgresql or sqlite")
    if tenders < 10:
        raise ValueError("at least 10 tenders")
    sqlite_path = Path(sqlite_path or REPO_ROOT / "var" / "bench-catalogue.sqlite3")
    sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    database_url = _database_url(backend, sqlite_path, database)
    facts = machine_info(backend)
    timings = {}
    try:
        with tempfile.TemporaryDirectory(prefix="eproc-bench-catalogue-") as work:
            # Its own var directory: the file cache and the collected static files (production settings serve
            # them through whitenoise's manifest, so collectstatic must run first) stay out of the tree's var/.
            env = _worker_env(database_url, Path(work))
            if not reuse:
                _create(backend, sqlite_path, database)
                started = time.perf_counter()
                manage = [PYTHON, "manage.py"]
                subprocess.run([*manage, "migrate", "--no-input", "-v0"], cwd=REPO_ROOT, env=env, check=True)
                timings["migrate_s"] = round(time.perf_counter() - started, 1)
            subprocess.run(
                [PYTHON, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=REPO_ROOT, env=env, check=True
            )
            report = Path(work) / "worker.json"
            argv = [
                PYTHON, __file__, "--worker", "--tenders", str(tenders), "--backend", backend,
                "--repeats", str(repeats), "--tender-pages", str(tender_pages), "--feed-pages", str(feed_pages),
                "--report", str(report),
            ]  # fmt: skip
            if reuse:
                argv.append("--reuse")
            subprocess.run(argv, cwd=REPO_ROOT, env=env, check=True)
            worker = json.loads(report.read_text(encoding="utf-8"))
        database_mib = _database_size(backend, sqlite_path, database)
    finally:
        if not keep:
            _drop(backend, sqlite_path, database)

    result = {
        "benchmark": "catalogue",
        "timestamp": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": facts,
        "parameters": {
            "tenders": tenders,
            "backend": backend,
            "repeats": repeats,
            "tender_pages": tender_pages,
            "feed_pages": feed_pages,
            "page_size": 30,
            "feed_limit": 100,
            "reused_database": reuse,
        },
        **timings,
        **worker,
        "database_mib": database_mib,
        "targets": {"list_and_search_p95_ms_at_1m_postgresql": 100},
        "notes": [
            "Latency is wall clock per request through django.test.Client in one process (middleware, routing, "
            "view, template, database), without a socket or a WSGI server; the database is local (127.0.0.1).",
            "Each variant (a list filter, a search) is requested `repeats` times after one warm-up request; p50/p95 "
            "are over all the requests of a kind (list, search, tender page).",
            "Searches matching at most search.RANK_LIMIT tenders are ranked (ts_rank / bm25); broader ones come "
            "newest first (`ranked` per search in `variants`).",
            "The public list counts at most search.COUNT_CAP rows (CappedPaginator): the pager shows 'more than'.",
            "Database time (db_*) is the time in cursor.execute() of each query (CaptureQueriesContext); SQLite "
            "does most of its work while rows are fetched, so there it understates the database's share.",
            "The public page cache is off (EPROC_PUBLIC_CACHE_SECONDS=0): every request is rendered.",
            "Seeded rows go straight into the tables (COPY / executemany); the search index is filled by the "
            "database triggers of migration tenders 0003_search during the load.",
        ],
    }
    machine.write_result(out, result)
    return result


# --- Worker: seeding -----------------------------------------------------------------------------------------------


_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"


def _public_id(kind: int, number: int) -> str:
    """16 Crockford characters, unique per (kind, number) and not sequential-looking (a bijection mod 2**80)."""
    value = ((number * 0x9E3779B97F4A7C15 + kind * 0x632BE59BD9B4E019) ^ (kind << 70)) % (1 << 80)
    return "".join(_CROCKFORD[(value >> (5 * i)) & 31] for i in range(16))


class _Loader:
    """Bulk rows into a table: COPY on PostgreSQL, executemany on SQLite. Columns come from the model, so a field
    added later with a default is filled with it; `values` gives the rest by attname."""

    def __init__(self, connection):
        self.connection = connection
        self.vendor = connection.vendor

    def load(self, model, rows, *, batch: int = 20_000) -> int:
        rows = iter(rows)
        first = next(rows, None)
        if first is None:
            return 0
        rows = itertools.chain([first], rows)
        # The primary key is written when given (so other rows can point at it), else the database numbers rows.
        pk = model._meta.pk
        fields = [f for f in model._meta.concrete_fields if f is not pk or pk.attname in first]
        defaults = {}
        for field in fields:
            if field.has_default() and not callable(field.default):
                defaults[field.attname] = field.get_default()
            elif field.null:
                defaults[field.attname] = None
            elif field.get_internal_type() in ("CharField", "TextField", "FileField", "EmailField", "URLField"):
                defaults[field.attname] = ""
        columns = [f.column for f in fields]
        attnames = [f.attname for f in fields]
        json_columns = {f.attname for f in fields if f.get_internal_type() == "JSONField"}
        table = model._meta.db_table
        count = 0
        convert = self._pg_value if self.vendor == "postgresql" else self._sqlite_value

        def tuples():
            for values in rows:
                row = []
                for name in attnames:
                    value = values[name] if name in values else defaults[name]
                    if name in json_columns and value is not None:
                        value = json.dumps(value, ensure_ascii=False)
                    row.append(convert(value))
                yield row

        with self.connection.cursor() as cursor:
            if self.vendor == "postgresql":
                names = ", ".join(f'"{c}"' for c in columns)
                with cursor.cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                    for row in tuples():
                        copy.write_row(row)
                        count += 1
                if pk.attname in first:
                    cursor.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce(max(id), 1)) FROM {table}"  # noqa: S608 - table names from the ORM
                    )
            else:
                marks = ", ".join("?" for _ in columns)
                names = ", ".join(f'"{c}"' for c in columns)
                sql = f'INSERT INTO "{table}" ({names}) VALUES ({marks})'  # noqa: S608 - names from the ORM
                raw = self.connection.connection  # sqlite3's own executemany, "?" placeholders
                chunk = []
                for row in tuples():
                    chunk.append(row)
                    if len(chunk) >= batch:
                        raw.executemany(sql, chunk)
                        count += len(chunk)
                        chunk = []
                if chunk:
                    raw.executemany(sql, chunk)
                    count += len(chunk)
        return count

    @staticmethod
    def _pg_value(value):
        return value

    @staticmethod
    def _sqlite_value(value):
        if isinstance(value, datetime.datetime):
            return value.astimezone(datetime.UTC).replace(tzinfo=None).isoformat(" ")
        if isinstance(value, datetime.date):
            return value.isoformat()
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, bool):
            return int(value)
        return value


def _seed(tenders: int, rng: random.Random) -> dict:
    from django.db import connection, transaction

    from eproc.accounts.models import User
    from eproc.evaluation.models import Result
    from eproc.organizations.models import Agency, WorkUnit
    from eproc.planning.models import PlanItem
    from eproc.publication.models import OutboxEntry
    from eproc.tenders import lifecycle
    from eproc.tenders.choices import Method
    from eproc.tenders.models import Participant, Tender, TenderStage
    from eproc.vendors.models import Vendor

    loader = _Loader(connection)
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    first_day = datetime.datetime(2021, 1, 4, 1, 0, tzinfo=datetime.UTC)
    span = (now - first_day).total_seconds()
    counts = {}
    started = time.perf_counter()
    with transaction.atomic():
        staff = User.objects.create(email="pokja@bench.test", full_name="Pokja Bench")
        agencies = [Agency.objects.create(code=code, name=name) for code, name in AGENCIES]
        units = [
            WorkUnit.objects.create(agency=agency, name=name, address=f"Jl. Jenderal Sudirman, {agency.name}")
            for agency in agencies
            for name in WORK_UNITS
        ]
        vendor_count = max(20, min(5000, tenders // 20))
        counts["vendors"] = loader.load(
            Vendor,
            (
                {
                    "id": number,
                    "public_id": _public_id(1, number),
                    "kind": "badan_usaha",
                    "name": f"{rng.choice(['CV', 'PT'])} {rng.choice(VENDOR_NAMES)} {number}",
                    "business_form": "CV",
                    "npwp": f"{number:016d}",
                    "address": f"Jl. Gajah Mada No. {number % 300}",
                    "city": "Ketapang",
                    "province": "Kalimantan Barat",
                    "phone": "0534-32001",
                    "email": f"vendor{number}@bench.test",
                    "status": "verified",
                    "activated_at": first_day,
                    "created_at": first_day,
                }
                for number in range(1, vendor_count + 1)
            ),
        )

        # One plan item, tender, schedule, a few participants and (for finished schedules) a result per tender.
        categories = list(CATEGORY_WEIGHTS)
        weights = list(CATEGORY_WEIGHTS.values())
        plan = []
        tender_rows = []
        stage_rows = []
        participant_rows = []
        result_rows = []
        outbox_rows = []
        participant_id = 0
        for number in range(1, tenders + 1):
            category = rng.choices(categories, weights)[0]
            verb, thing = rng.choice(WORKS[category])
            district = rng.choice(DISTRICTS)
            village = rng.choice(VILLAGES)
            unit = rng.choice(units)
            # Older tenders are rarer than recent ones (the catalogue grows), newest first matters most.
            announced = first_day + datetime.timedelta(seconds=span * (1 - rng.random() ** 1.5))
            year = announced.year
            title = f"{verb} {thing} Desa {village} Kecamatan {district}"
            if rng.random() < 0.3:
                title += f" Tahun Anggaran {year}"
            budget = Decimal(rng.randrange(200, 25_000)) * 1_000_000
            if budget <= 200_000_000:
                method = Method.DIRECT_PROCUREMENT
            elif category == "konsultansi":
                method = rng.choice([Method.OPEN_SELECTION, Method.SIMPLE_SELECTION])
            else:
                method = rng.choice([Method.OPEN_TENDER, Method.OPEN_TENDER, Method.SIMPLE_TENDER])
            qualification = "pascakualifikasi"
            file_system = "satu_file" if category != "konsultansi" else "dua_file"
            location = f"Desa {village}, Kecamatan {district}"
            description = (
                f"{verb} {thing.lower()} di Desa {village}, Kecamatan {district}, {unit.agency.name}. "
                f"Sumber dana {rng.choice(FUNDS)} tahun anggaran {year}; volume {rng.randrange(1, 900)} "
                f"{rng.choice(['meter', 'unit', 'paket', 'titik', 'm2'])}."
            )
            created = announced - datetime.timedelta(days=3)
            plan.append(
                {
                    "id": number,
                    "public_id": _public_id(2, number),
                    "agency_id": unit.agency_id,
                    "work_unit_id": unit.id,
                    "fiscal_year": year,
                    "package_name": title,
                    "description": description,
                    "location": location,
                    "budget": budget,
                    "fund_source": "apbd",
                    "procurement_type": category,
                    "planned_method": str(method),
                    "planned_month": announced.month,
                    "created_by_id": staff.id,
                    "created_at": created - datetime.timedelta(days=30),
                    "announced_at": created - datetime.timedelta(days=20),
                    "announced_by_id": staff.id,
                }
            )
            tender_rows.append(
                {
                    "id": number,
                    "public_id": _public_id(3, number),
                    "plan_item_id": number,
                    "agency_id": unit.agency_id,
                    "work_unit_id": unit.id,
                    "title": title,
                    "description": description,
                    "fiscal_year": year,
                    "budget": budget,
                    "owner_estimate": budget * Decimal("0.98"),
                    "category": TENDER_CATEGORY[category],
                    "method": method,
                    "qualification": qualification,
                    "file_system": file_system,
                    "evaluation_method": "gugur" if file_system == "satu_file" else "kualitas",
                    "contract_type": "harga_satuan" if category == "konstruksi" else "lump_sum",
                    "small_business_reserved": budget <= 2_500_000_000,
                    "location": location,
                    "opening_quorum": 1,
                    "ruleset_version": "perpres-70-2012",
                    "version": 1,
                    "ppk_id": staff.id,
                    "created_by_id": staff.id,
                    "created_at": created,
                    "approval_requested_at": created,
                    "approved_at": created,
                    "announced_at": announced,
                    "announced_by_id": staff.id,
                }
            )
            moment = announced
            for position, stage in enumerate(
                lifecycle.stages_for(method=method, qualification=qualification, file_system=file_system), start=1
            ):
                ends = moment + datetime.timedelta(days=rng.choice((1, 2, 3, 5)))
                stage_rows.append(
                    {
                        "tender_id": number,
                        "stage": str(stage),
                        "position": position,
                        "starts_at": moment,
                        "ends_at": ends,
                    }
                )
                moment = ends
            finished = moment < now
            joined = rng.sample(range(1, vendor_count + 1), rng.randint(1, 5))
            first_participant = participant_id + 1
            for vendor in joined:
                participant_id += 1
                participant_rows.append(
                    {
                        "id": participant_id,
                        "tender_id": number,
                        "vendor_id": vendor,
                        "joined_by_id": staff.id,
                        "joined_at": announced + datetime.timedelta(hours=rng.randrange(1, 48)),
                    }
                )
            ocid = f"ocds-lpsekp-{_public_id(3, number)}"
            if finished:
                result_rows.append(
                    {
                        "id": number,
                        "tender_id": number,
                        "winner_id": first_participant,
                        "winning_price": budget * Decimal("0.91"),
                        "ranking": [],
                        "reasons": "Penawaran terendah yang memenuhi syarat.",
                        "decided_by_id": staff.id,
                        "decided_at": moment - datetime.timedelta(days=8),
                        "announced_at": moment - datetime.timedelta(days=7),
                    }
                )
            outbox_rows.append(
                {
                    "id": number,
                    "key": f"tender.announced:{_public_id(3, number)}",
                    "kind": "tender.announced",
                    "subject": _public_id(3, number),
                    "ocid": ocid,
                    "release": {
                        "ocid": ocid,
                        "id": f"{ocid}-tender-{number}",
                        "date": announced.isoformat(),
                        "tag": ["tender"],
                        "initiationType": "tender",
                        "buyer": {"id": str(unit.agency_id), "name": unit.agency.name},
                        "tender": {
                            "id": _public_id(3, number),
                            "title": title,
                            "status": "complete" if finished else "active",
                            "value": {"amount": float(budget), "currency": "IDR"},
                            "mainProcurementCategory": "works" if category == "konstruksi" else "goods",
                        },
                    },
                    "payload": {},
                    "created_at": announced,
                    "delivered_at": announced,
                }
            )
            if len(tender_rows) >= 20_000 or number == tenders:
                counts["plan_items"] = counts.get("plan_items", 0) + loader.load(PlanItem, plan)
                counts["tenders"] = counts.get("tenders", 0) + loader.load(Tender, tender_rows)
                counts["stages"] = counts.get("stages", 0) + loader.load(TenderStage, stage_rows)
                counts["participants"] = counts.get("participants", 0) + loader.load(Participant, participant_rows)
                counts["results"] = counts.get("results", 0) + loader.load(Result, result_rows)
                counts["feed_releases"] = counts.get("feed_releases", 0) + loader.load(OutboxEntry, outbox_rows)
                plan, tender_rows, stage_rows, participant_rows, result_rows, outbox_rows = [], [], [], [], [], []
                print(f"  seeded {number:,} tenders ({time.perf_counter() - started:.0f} s)", flush=True)
    # Result ids come from the sequence on PostgreSQL (COPY with explicit ids for the others).
    seed_s = time.perf_counter() - started
    analysed = time.perf_counter()
    with connection.cursor() as cursor:
        # As autovacuum would have by then: statistics, and the visibility map that index-only scans need.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return {"rows": counts, "seed_s": round(seed_s, 1), "analyze_s": round(time.perf_counter() - analysed, 1)}


# --- Worker: timing ------------------------------------------------------------------------------------------------


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def _summary(samples_ms: list[float]) -> dict:
    return {
        "requests": len(samples_ms),
        "p50_ms": round(_percentile(samples_ms, 0.50), 1),
        "p95_ms": round(_percentile(samples_ms, 0.95), 1),
        "max_ms": round(max(samples_ms), 1),
        "mean_ms": round(statistics.fmean(samples_ms), 1),
    }


_DB_MS: list[float] = []
_QUERIES: list[int] = []


def _timed(client, path: str, params: dict | None = None) -> tuple[float, object]:
    """One GET; its wall time is returned, its database time and query count are appended to _DB_MS/_QUERIES."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    connection.queries_log.clear()  # a full log (9000 queries) would make the capture below empty
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(path, params or {}, secure=True)
        elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"GET {path} {params} answered {response.status_code}")
    _DB_MS.append(sum(float(query["time"]) for query in queries.captured_queries) * 1000)
    _QUERIES.append(len(queries.captured_queries))
    return elapsed, response


def _measure(repeats: int, tender_pages: int, feed_pages: int, rng: random.Random) -> dict:
    from django.test import Client
    from django.urls import reverse

    from eproc.organizations.models import Agency
    from eproc.tenders import search, selectors
    from eproc.tenders.models import Tender

    client = Client()
    list_url = reverse("tenders:public_list")
    variants = []
    kinds = {"list": [], "search": [], "tender_page": []}
    kinds_db = {"list": [], "search": [], "tender_page": []}
    agency = Agency.objects.order_by("id").first()
    for kind, params_list in (("list", [*LISTS, {"agency": agency.code}]), ("search", SEARCHES)):
        for params in params_list:
            _timed(client, list_url, params)  # warm-up
            samples = []
            del _DB_MS[:], _QUERIES[:]
            for _ in range(repeats):
                elapsed, _response = _timed(client, list_url, params)
                samples.append(elapsed)
            variant = {
                "kind": kind,
                "params": params,
                **_summary(samples),
                "db_p50_ms": round(_percentile(_DB_MS, 0.5), 1),
                "db_p95_ms": round(_percentile(_DB_MS, 0.95), 1),
                "queries": max(_QUERIES),
            }
            kinds_db[kind] += _DB_MS
            # What the page showed, from the same selector (not timed).
            filters = {k: v for k, v in params.items() if k in ("category", "method")}
            if "year" in params:
                filters["year"] = int(params["year"])
            if "agency" in params:
                filters["agency"] = agency
            matching = selectors.public_tenders(query=params.get("q", ""), **filters)
            if kind == "search":
                variant["ranked"] = "search_rank" in matching.query.annotations
            paginator = search.CappedPaginator(matching, 30)
            variant["shown_count"] = f"{paginator.count}{'+' if paginator.capped else ''}"
            variants.append(variant)
            kinds[kind] += samples

    last = Tender.objects.order_by("-pk").values_list("pk", flat=True).first()
    picks = [rng.randint(1, last) for _ in range(max(1, tender_pages))]
    by_pk = dict(Tender.objects.filter(pk__in=picks, announced_at__isnull=False).values_list("pk", "public_id"))
    ids = [by_pk.get(pk) for pk in picks]
    ids = [public_id for public_id in ids if public_id]
    _timed(client, reverse("tenders:detail", args=[ids[0]]))
    del _DB_MS[:], _QUERIES[:]
    for public_id in ids:
        elapsed, _response = _timed(client, reverse("tenders:detail", args=[public_id]))
        kinds["tender_page"].append(elapsed)
    kinds_db["tender_page"] += _DB_MS

    feed_url = reverse("api:ocds_releases")
    params = {"limit": "100"}
    pages, releases = 0, 0
    started = time.perf_counter()
    page_ms = []
    path, query = feed_url, params
    for _ in range(feed_pages):
        elapsed, response = _timed(client, path, query)
        page_ms.append(elapsed)
        body = response.json()
        if not body.get("releases"):
            break
        pages += 1
        releases += len(body["releases"])
        parts = urlsplit(body["links"]["next"])
        path, query = parts.path, dict(pair.split("=", 1) for pair in parts.query.split("&"))
    seconds = time.perf_counter() - started
    return {
        **{
            kind: {
                **_summary(samples),
                "db_p50_ms": round(_percentile(kinds_db[kind], 0.5), 1),
                "db_p95_ms": round(_percentile(kinds_db[kind], 0.95), 1),
            }
            for kind, samples in kinds.items()
        },
        "feed": {
            "pages": pages,
            "releases": releases,
            "seconds": round(seconds, 2),
            "pages_per_s": round(pages / seconds, 1) if seconds > 0 else None,
            "page_p50_ms": round(_percentile(page_ms, 0.5), 1),
            "page_p95_ms": round(_percentile(page_ms, 0.95), 1),
            "route": feed_url,
        },
        "variants": variants,
        "rank_limit": search.RANK_LIMIT,
        "count_cap": search.COUNT_CAP,
    }


def worker(args) -> int:
    import django

    django.setup()
    rng = random.Random(20261126)  # noqa: S311 - test data, reproducible on purpose
    result = {}
    from eproc.tenders.models import Tender

    if not (args.reuse and Tender.objects.exists()):
        print(f"Seeding {args.tenders:,} tenders", flush=True)
        result["seed"] = _seed(args.tenders, rng)
    print("Timing", flush=True)
    result.update(_measure(args.repeats, args.tender_pages, args.feed_pages, rng))
    Path(args.report).write_text(json.dumps(result, default=str), encoding="utf-8")
    return 0


# --- Table ---------------------------------------------------------------------------------------------------------


def format_table(result: dict) -> str:
    params = result["parameters"]
    rows = [("", "requests", "p50 ms", "p95 ms", "max ms", "db p50 ms", "db p95 ms")]
    for kind in ("list", "search", "tender_page"):
        s = result[kind]
        rows.append(
            (
                kind.replace("_", " "),
                str(s["requests"]),
                f"{s['p50_ms']}",
                f"{s['p95_ms']}",
                f"{s['max_ms']}",
                f"{s['db_p50_ms']}",
                f"{s['db_p95_ms']}",
            )
        )
    widths = [max(len(row[c]) for row in rows) for c in range(7)]
    lines = [" | ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    feed = result["feed"]
    header = (
        f"Catalogue: {params['tenders']:,} tenders on {params['backend']} "
        f"({result['machine']['nproc']} x {result['machine']['cpu_model']})"
    )
    detail = [
        f"  {v['kind']:6} {json.dumps(v['params'], ensure_ascii=False):60}"
        + f" p50 {v['p50_ms']:6.1f} p95 {v['p95_ms']:6.1f}"
        + f"  db p95 {v['db_p95_ms']:6.1f} ({v['queries']} queries)"
        + (f"  {'ranked' if v.get('ranked') else 'newest first'}" if v["kind"] == "search" else "")
        + f"  count {v['shown_count']}"
        for v in result["variants"]
    ]
    return "\n".join(
        [
            header,
            *lines,
            f"feed: {feed['pages']} pages of 100 releases in {feed['seconds']} s = {feed['pages_per_s']} pages/s "
            f"(page p50 {feed['page_p50_ms']} ms, p95 {feed['page_p95_ms']} ms)",
            *detail,
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The public catalogue at scale: list, search, tender page, feed.")
    parser.add_argument("--tenders", type=int, default=100_000, help="announced tenders to generate (default 100000)")
    parser.add_argument("--backend", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--repeats", type=int, default=20, help="requests per list/search variant (default 20)")
    parser.add_argument("--tender-pages", type=int, default=100, help="tender pages requested (default 100)")
    parser.add_argument("--feed-pages", type=int, default=200, help="feed pages followed (default 200)")
    parser.add_argument("--out", type=Path, default=None, help="JSON result (default results/catalogue-N-BACKEND.json)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards (for --reuse)")
    parser.add_argument("--reuse", action="store_true", help="time a database kept by an earlier --keep run")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--report", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker(args)
    out = args.out or DEFAULT_OUT_DIR / f"catalogue-{_size_label(args.tenders)}-{args.backend}.json"
    result = run(
        args.tenders,
        args.backend,
        out,
        repeats=args.repeats,
        tender_pages=args.tender_pages,
        feed_pages=args.feed_pages,
        keep=args.keep,
        reuse=args.reuse,
    )
    print(format_table(result))
    print(f"JSON: {out}")
    return 0


def _size_label(tenders: int) -> str:
    if tenders % 1_000_000 == 0:
        return f"{tenders // 1_000_000}m"
    if tenders % 1000 == 0:
        return f"{tenders // 1000}k"
    return str(tenders)


if __name__ == "__main__":
    sys.exit(main())
