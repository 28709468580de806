"""The compliance rules of Perbup Ketapang 8/2011 Pasal 15, as data. A later year's policy is a new row (added by the
LPSE administrator on the rules page), never a change of code."""

from decimal import Decimal

from django.db import migrations

RULES = [
    {
        "code": "pasal-15-2-2011",
        "year_from": 2011,
        "article": "Perbup Ketapang 8/2011 Pasal 15 ayat (2)",
        "description": (
            "Untuk Tahun 2011 setiap SKPD melelangkan secara elektronik melalui LPSE paling sedikit 1 (satu) "
            "Pengadaan Barang dengan nilai paket di atas Rp200.000.000,00."
        ),
        "kind": "min_packages",
        "procurement_type": "barang",
        "value_above": Decimal("200000000.00"),
        "min_count": 1,
        "min_share_percent": 0,
    },
    {
        "code": "pasal-15-1-2012",
        "year_from": 2012,
        "article": "Perbup Ketapang 8/2011 Pasal 15 ayat (1)",
        "description": (
            "Mulai Tahun 2012 proses pengadaan barang/jasa di semua unit kerja/SKPD menerapkan e-Procurement: "
            "seluruh paket yang diumumkan dalam RUP (selain swakelola) dilelangkan melalui LPSE."
        ),
        "kind": "electronic_share",
        "procurement_type": "",
        "value_above": Decimal("0"),
        "min_count": 0,
        "min_share_percent": 100,
    },
]


def seed(apps, schema_editor):
    ComplianceRule = apps.get_model("monitoring", "ComplianceRule")
    for rule in RULES:
        if not ComplianceRule.objects.filter(code=rule["code"]).exists():
            ComplianceRule.objects.create(**rule)


def unseed(apps, schema_editor):
    apps.get_model("monitoring", "ComplianceRule").objects.filter(code__in=[rule["code"] for rule in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
