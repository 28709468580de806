"""The classifications of a tender (Pasal 7(3)b: the committee classifies, the PPK approves), shared by the models,
the ruleset and the forms. Values are the SPSE terms so exports read naturally to LPSE staff."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    GOODS = "barang", _("Goods (Pengadaan Barang)")
    CONSTRUCTION = "konstruksi", _("Construction works (Pekerjaan Konstruksi)")
    CONSULTANCY_FIRM = "konsultansi_badan_usaha", _("Consultancy by a firm (Jasa Konsultansi Badan Usaha)")
    CONSULTANCY_INDIVIDUAL = "konsultansi_perorangan", _("Individual consultancy (Jasa Konsultansi Perorangan)")
    OTHER_SERVICES = "jasa_lainnya", _("Other services (Jasa Lainnya)")


class Method(models.TextChoices):
    OPEN_TENDER = "lelang_umum", _("e-Lelang Umum")
    SIMPLE_TENDER = "lelang_sederhana", _("e-Lelang Sederhana")
    DIRECT_SELECTION = "pemilihan_langsung", _("e-Pemilihan Langsung")
    OPEN_SELECTION = "seleksi_umum", _("e-Seleksi Umum")
    SIMPLE_SELECTION = "seleksi_sederhana", _("e-Seleksi Sederhana")
    DIRECT_PROCUREMENT = "pengadaan_langsung", _("Pengadaan Langsung")


class Qualification(models.TextChoices):
    PRE = "prakualifikasi", _("Prakualifikasi (before bidding)")
    POST = "pascakualifikasi", _("Pascakualifikasi (after bidding)")


class FileSystem(models.TextChoices):
    ONE_FILE = "satu_file", _("Satu File (one envelope)")
    TWO_FILES = "dua_file", _("Dua File (technical and price envelopes)")
    TWO_STAGES = "dua_tahap", _("Dua Tahap (two stages)")


class EvaluationMethod(models.TextChoices):
    KNOCKOUT = "gugur", _("Sistem Gugur (pass/fail, lowest price)")
    MERIT_POINT = "nilai", _("Sistem Nilai (merit points)")
    LIFE_CYCLE_COST = "umur_ekonomis", _("Penilaian Biaya Selama Umur Ekonomis (life-cycle cost)")
    QUALITY = "kualitas", _("Kualitas (quality)")
    QUALITY_AND_COST = "kualitas_biaya", _("Kualitas dan Biaya (quality and cost)")
    FIXED_BUDGET = "pagu_anggaran", _("Pagu Anggaran (fixed budget)")
    LEAST_COST = "biaya_terendah", _("Biaya Terendah (least cost)")


class ContractType(models.TextChoices):
    LUMP_SUM = "lump_sum", _("Lump sum")
    UNIT_PRICE = "harga_satuan", _("Unit price (Harga Satuan)")
    COMBINED = "gabungan", _("Lump sum and unit price (Gabungan)")
    TURNKEY = "terima_jadi", _("Turnkey (Terima Jadi)")
    PERCENTAGE = "persentase", _("Percentage (Persentase)")
    TIME_BASED = "waktu_penugasan", _("Time-based (Waktu Penugasan)")


CONSULTANCY = frozenset({Category.CONSULTANCY_FIRM, Category.CONSULTANCY_INDIVIDUAL})

# The plan's procurement type (planning.ProcurementType) and the tender categories that may come from it.
CATEGORIES_OF_PLAN_TYPE = {
    "barang": (Category.GOODS,),
    "konstruksi": (Category.CONSTRUCTION,),
    "konsultansi": (Category.CONSULTANCY_FIRM, Category.CONSULTANCY_INDIVIDUAL),
    "jasa_lainnya": (Category.OTHER_SERVICES,),
}
