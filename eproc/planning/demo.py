"""Demo RUP: announced items of the demo work units, and one draft, so the public plan is not empty."""

from decimal import Decimal

from eproc.accounts.models import User

from . import services
from .models import PlanItem

DEMO_ITEMS = [
    (
        "pa.pupr@ketapang.demo",
        "Rehabilitasi Jalan Sukaharja - Sungai Awan (contoh)",
        "Kecamatan Delta Pawan",
        Decimal("2750000000"),
        "konstruksi",
        "lelang_umum",
        3,
        True,
    ),
    (
        "pa.pupr@ketapang.demo",
        "Pembangunan Jembatan Gantung Desa Sungai Besar (contoh)",
        "Kecamatan Matan Hilir Selatan",
        Decimal("1450000000"),
        "konstruksi",
        "lelang_sederhana",
        5,
        True,
    ),
    (
        "pa.pupr@ketapang.demo",
        "Pengawasan Peningkatan Jalan Kota (contoh)",
        "Kecamatan Delta Pawan",
        Decimal("180000000"),
        "konsultansi",
        "seleksi_sederhana",
        4,
        True,
    ),
    (
        "kpa.rsud@ketapang.demo",
        "Pengadaan Alat Kesehatan Ruang Operasi (contoh)",
        "RSUD dr. Agoesdjam",
        Decimal("3200000000"),
        "barang",
        "lelang_umum",
        6,
        True,
    ),
    (
        "kpa.rsud@ketapang.demo",
        "Pengadaan Obat dan Bahan Habis Pakai (contoh, draf)",
        "RSUD dr. Agoesdjam",
        Decimal("850000000"),
        "barang",
        "lelang_umum",
        8,
        False,
    ),
]


def load_demo() -> None:
    for email, name, location, budget, kind, method, month, announced in DEMO_ITEMS:
        if PlanItem.objects.filter(package_name=name).exists():
            continue
        planner = User.objects.get(email=email)
        work_unit = planner.appointments.get().work_unit
        item = services.create_item(
            actor=planner,
            work_unit=work_unit,
            fiscal_year=2026,
            package_name=name,
            description="",
            location=location,
            budget=budget,
            fund_source="apbd",
            procurement_type=kind,
            planned_method=method,
            planned_month=month,
            budget_reference=f"DPA-SKPD {work_unit.code}/2026",
        )
        if announced:
            services.announce(actor=planner, item=item)
