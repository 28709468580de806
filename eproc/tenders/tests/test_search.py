"""Full-text search of the public catalogue (tenders/search.py). Run on SQLite (FTS5) and on PostgreSQL (tsvector +
GIN) with the same expectations: the EXPECTED table is what both backends must answer."""

import pytest
from django.db import connection
from django.urls import reverse

from eproc.organizations import services as organizations
from eproc.organizations.roles import Role
from eproc.planning import services as planning
from eproc.tenders import search, selectors
from eproc.tenders.models import Tender
from eproc.tenders.tests.conftest import PLAN, World

pytestmark = pytest.mark.django_db

# Titles, descriptions and locations of the fixture; agency A is "Kabupaten Ketapang" (work unit "Dinas PUPR"),
# agency B "Kabupaten Kayong Utara" (work unit "Dinas PUPR").
FIXTURE = {
    "bridge": {
        "title": "Pembangunan Jembatan Gantung Desa Sungai Besar",
        "location": "Kecamatan Matan Hilir Selatan",
    },
    "road": {
        "title": "Rehabilitasi Jalan Poros Sandai",
        "location": "Kecamatan Sandai",
        "description": "Lapis aspal beton sepanjang 3 km",
    },
    "school": {
        "title": "Rehabilitasi Gedung Sekolah Dasar Negeri 12",
        "location": "Kecamatan Delta Pawan",
        "description": "Termasuk pagar dan jembatan kecil menuju halaman",
    },
    "cars": {
        "title": "Pengadaan Kendaraan Dinas Operasional",
        "location": "Kota Ketapang",
        "category": "barang",
    },
    "b_road": {
        "title": "Peningkatan Jalan Desa Pelapis",
        "location": "Kecamatan Kepulauan Karimata",
        "agency": "b",
    },
}

# The same answer on both backends: words in any order, every word must match, the last one as a prefix.
EXPECTED = {
    "jembatan": {"bridge", "school"},
    "gantung jembatan": {"bridge"},
    "jemb": {"bridge", "school"},
    "JEMBATAN gantung": {"bridge"},
    "rehabilitasi": {"road", "school"},
    "sekolah rehabilitasi": {"school"},
    "jalan": {"road", "b_road"},
    "sandai": {"road"},
    "aspal": {"road"},
    "ketapang": {"bridge", "road", "school", "cars"},
    "kayong": {"b_road"},
    "kayong utara jalan": {"b_road"},
    "pupr rehab": {"road", "school"},
    "kendaraan dinas": {"cars"},
    "negeri 12": {"school"},
    "jalan sekolah": set(),
    "tidak ada": set(),
}

HOSTILE = [
    '"a" OR b*',
    "NEAR(",
    "NEAR(jalan sandai, 2)",
    'jalan"',
    '"',
    "*",
    "jalan OR",
    "title:jalan",
    "^jalan",
    "jalan AND NOT",
    ")(",
    "' ; DROP TABLE tenders_tender; --",
    "jalan:* & !",
    "<->",
    "\\",
    "%",
    "_",
    "jalan_sandai",
]


def _announced_in_b(personas, **values) -> Tender:
    """A tender of agency B (Kabupaten Kayong Utara), made the way World makes agency A's."""
    pa = personas.make(Role.PA, personas.agency_b, personas.unit_b)
    item = planning.create_item(actor=pa, work_unit=personas.unit_b, **{**PLAN, "location": "Sukadana"})
    planning.announce(actor=pa, item=item)
    item.refresh_from_db()
    chair = personas.make(Role.POKJA, personas.agency_b)
    member = personas.make(Role.POKJA, personas.agency_b)
    ppk = personas.make(Role.PPK, personas.agency_b, personas.unit_b)
    from pyrage import x25519

    from eproc.bids import services as bids

    for person in (chair, member):
        bids.register_committee_key(actor=person, recipient=str(x25519.Identity.generate().to_public()))
    return World(personas, pa, item, chair, member, ppk, {}).announced(**values)


def _goods_world(world) -> World:
    """Agency A's committee with a plan item for goods (the category follows the plan item's type)."""
    item = planning.create_item(
        actor=world.pa, work_unit=world.personas.unit_a, **{**PLAN, "procurement_type": "barang"}
    )
    planning.announce(actor=world.pa, item=item)
    item.refresh_from_db()
    return World(world.personas, world.pa, item, world.chair, world.member, world.ppk, world.identities)


@pytest.fixture
def catalogue(world, pinned_time):
    tenders = {}
    for key, values in FIXTURE.items():
        values = dict(values)
        if values.pop("agency", "a") == "b":
            tenders[key] = _announced_in_b(world.personas, **values)
        elif values.get("category") == "barang":
            tenders[key] = _goods_world(world).announced(**values)
        else:
            tenders[key] = world.announced(**values)
    # A draft is never public, whatever it is called.
    tenders["draft"] = world.tender(title="Pembangunan Jembatan Rahasia")
    return tenders


def _found(query, **filters) -> list[str]:
    return [tender.title for tender in selectors.public_tenders(query=query, **filters)]


def _keys(catalogue, query, **filters) -> set[str]:
    by_pk = {tender.pk: key for key, tender in catalogue.items()}
    return {by_pk[tender.pk] for tender in selectors.public_tenders(query=query, **filters)}


def test_both_backends_find_the_same_tenders_for_each_query(catalogue):
    answers = {query: _keys(catalogue, query) for query in EXPECTED}

    assert answers == EXPECTED, connection.vendor


def test_it_searches_the_work_unit_the_agency_the_location_and_the_description(catalogue):
    assert _keys(catalogue, "pupr") == {"bridge", "road", "school", "cars", "b_road"}  # work unit
    assert _keys(catalogue, "karimata") == {"b_road"}  # location
    assert _keys(catalogue, "pagar") == {"school"}  # description
    assert _keys(catalogue, "utara") == {"b_road"}  # agency


def test_the_last_word_matches_as_a_prefix_only_while_it_is_being_typed(catalogue):
    assert _keys(catalogue, "gantung jemb") == {"bridge"}
    assert _keys(catalogue, "jemb ") == set()  # a space after it: a finished word
    assert _keys(catalogue, "je") == set()  # too short to expand
    assert _keys(catalogue, "jemb gantung") == set()  # only the last word is a prefix


def test_the_filters_combine_with_the_text(catalogue, world):
    personas = world.personas

    assert _keys(catalogue, "jalan", agency=personas.agency_a) == {"road"}
    assert _keys(catalogue, "jalan", agency=personas.agency_b) == {"b_road"}
    assert _keys(catalogue, "ketapang", category="barang") == {"cars"}
    assert _keys(catalogue, "ketapang", category="konstruksi", method="lelang_umum") == {"bridge", "road", "school"}
    assert _keys(catalogue, "jembatan", year=2026) == {"bridge", "school"}
    assert _keys(catalogue, "jembatan", year=2025) == set()


def test_a_match_in_the_title_ranks_above_one_in_the_description(catalogue):
    # "jembatan" is in the bridge's title and only in the school's description.
    assert _found("jembatan") == [catalogue["bridge"].title, catalogue["school"].title]


@pytest.mark.parametrize("query", HOSTILE)
def test_query_syntax_in_the_search_box_is_only_words(catalogue, query):
    results = _found(query)  # no error from FTS5 or to_tsquery

    words, _prefix = search.terms(query)
    assert all(word.isalnum() for word in words)
    if query in ("jalan OR", "jalan AND NOT"):
        assert results == []  # "or", "and", "not" are words every result would have to contain
    if query == "NEAR(jalan sandai, 2)":
        assert results == []  # the words near, jalan, sandai and 2: no tender has "near"
    if query == "title:jalan":
        assert results == []  # "title" is a word too, not a column filter


def test_an_empty_or_punctuation_only_query_lists_everything_public(catalogue):
    everything = set(catalogue) - {"draft"}

    assert _keys(catalogue, "") == everything
    assert _keys(catalogue, " ?! ") == everything


def test_the_index_follows_a_title_change_and_a_deleted_tender(catalogue):
    road = catalogue["road"]
    road.title = "Pemeliharaan Trotoar Kota"
    road.save()

    assert _keys(catalogue, "rehabilitasi") == {"school"}
    assert _keys(catalogue, "trotoar") == {"road"}

    Tender.objects.filter(pk=catalogue["cars"].pk).update(description="Termasuk pelat nomor merah")
    assert _keys(catalogue, "pelat nomor") == {"cars"}


def test_the_index_follows_a_renamed_agency_and_work_unit(catalogue, world):
    personas = world.personas
    organizations.update_agency(actor=personas.lpse_admin, agency=personas.agency_b, name="Kabupaten Sambas")
    organizations.update_work_unit(actor=personas.lpse_admin, work_unit=personas.unit_a, name="Dinas Perkim")

    assert _keys(catalogue, "kayong") == set()
    assert _keys(catalogue, "sambas") == {"b_road"}
    assert _keys(catalogue, "perkim") == {"bridge", "road", "school", "cars"}
    assert _keys(catalogue, "pupr") == {"b_road"}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite keeps the FTS5 table by triggers")
def test_the_fts5_triggers_survive_every_migration():
    # A later migration that remakes tenders_tender on SQLite drops them (search.py says what to do then).
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        triggers = {row[0] for row in cursor.fetchall()}
    assert set(search.SQLITE_TRIGGERS) <= triggers


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no Indonesian stemmer")
def test_on_postgresql_indonesian_stems_add_recall_below_exact_words(catalogue, world):
    extra = world.announced(title="Bangunan Pos Jaga Membangun Pagar")

    # "membangun", "pembangunan" and "bangunan" share the stem 'bangun'; the exact word ranks first.
    assert _found("pembangunan")[0] == catalogue["bridge"].title
    assert set(_found("membangun")) == {catalogue["bridge"].title, extra.title}


def test_a_broad_search_comes_newest_first_above_the_rank_limit(catalogue, monkeypatch):
    monkeypatch.setattr(search, "RANK_LIMIT", 2)

    results = list(selectors.public_tenders(query="ketapang"))

    assert len(results) == 4
    assert [t.announced_at for t in results] == sorted((t.announced_at for t in results), reverse=True)
    assert not hasattr(results[0], "search_rank")
    assert hasattr(next(iter(selectors.public_tenders(query="jalan"))), "search_rank")  # two matches: ranked


def test_the_paginator_counts_no_further_than_its_cap(catalogue):
    tenders = selectors.public_tenders()

    capped = search.CappedPaginator(tenders, 2, cap=3)
    assert (capped.count, capped.capped, capped.num_pages) == (3, True, 2)
    roomy = search.CappedPaginator(tenders, 2, cap=10)
    assert (roomy.count, roomy.capped) == (5, False)


def test_a_search_pages_no_further_than_the_rank_limit(catalogue, monkeypatch):
    monkeypatch.setattr(search, "RANK_LIMIT", 3)

    broad = search.CappedPaginator(selectors.public_tenders(query="ketapang"), 2)
    narrow = search.CappedPaginator(selectors.public_tenders(query="jalan"), 2)

    assert (broad.count, broad.capped, broad.cap, len(broad.page(2).object_list)) == (3, True, 3, 1)
    assert (narrow.count, narrow.capped) == (2, False)


def test_the_public_list_page_searches_as_typed(catalogue, client):
    page = client.get(reverse("tenders:public_list"), {"q": "gantung jemb"})

    assert page.status_code == 200
    assert page.context["page"].paginator.count == 1
    assert catalogue["bridge"].title in page.content.decode()
    assert client.get(reverse("tenders:public_list"), {"q": '"a" OR b* NEAR('}).status_code == 200


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the prefix vocabulary is PostgreSQL's")
def test_on_postgresql_the_last_word_expands_into_the_whole_words_it_can_be(catalogue, world):
    """A prefix match makes GIN read every posting of the words it covers; whole words let it skip (search.py)."""
    world.announced(title="Jembatannya Desa Baru")  # a new word reaches the vocabulary through the trigger

    with connection.cursor() as cursor:
        assert search._pg_completions(cursor, "jemb") == ["jembat", "jembatan", "jembatannya"]
        assert search._pg_completions(cursor, "xyz") == []
    sql = str(selectors.public_tenders(query="gantung jemb").query)

    assert ":*" not in sql
    assert _keys(catalogue, "gantung jemb") == {"bridge"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the prefix vocabulary is PostgreSQL's")
def test_on_postgresql_a_prefix_of_too_many_words_is_matched_as_a_prefix(catalogue, monkeypatch):
    monkeypatch.setattr(search, "PREFIX_WORDS", 1)  # "jemb" completes to "jembat" and "jembatan"

    assert ":*" in str(selectors.public_tenders(query="jemb").query)
    assert _keys(catalogue, "jemb") == {"bridge", "school"}
