"""Full-text search of the public tender catalogue, in Indonesian, on both databases eproc runs on.

What is searched: the package name (title), the description, the names of the agency and the work unit, and the
location of the work. Words may come in any order; every word must match (AND); the last word also matches as a
prefix while someone is still typing it ("jemb" finds "jembatan"). Results are ranked by relevance (the title counts
most, then agency, work unit and location, then the description) when there are few enough of them to rank (see
RANK_LIMIT); the agency, category, method and year filters of selectors.public_tenders combine with the text.

PostgreSQL (production): a `search_document` tsvector column on tenders_tender, kept by a BEFORE INSERT/UPDATE
trigger and indexed with GIN (migration 0003_search). It holds every word lowercased as written (the 'simple'
configuration, weights A title / B agency, work unit, location / C description) plus the Indonesian Snowball stems
of the title and description (the built-in 'indonesian' configuration of PostgreSQL 13+, weight D). The stems only
add recall ("membangun" finds "Pembangunan ..."); the exact words are what make prefixes and names work: the
stemmer cuts names and prefixes ("Ketapang" becomes 'tapang', so the prefix "ketap" would never reach it) and
folds some procurement words too far ("pengadaan" becomes 'ada'), which is why exact words rank above stems.

The last word's prefix is expanded through a vocabulary (tenders_search_word, migration 0004: every lexeme of every
search document, kept by a trigger) into the whole words it can be, matched exactly. A prefix match (`'ketap':*`)
makes GIN read every posting of every word it covers in full, with no skipping: "ketapang", in 125,000 documents of
a million, took a three-word search from 35 ms to 100 ms; exact words let GIN skip through a frequent word's postings
using the rare word's. A prefix that covers more than PREFIX_WORDS words is matched as a prefix after all.

SQLite (the embedded default): an FTS5 table tenders_tender_fts (rowid = tender id; columns title, place,
description; tokenizer unicode61 without diacritics folding, so that it lowercases exactly as 'simple' does), kept
in step by triggers on tenders_tender and on the agency and work unit names; ranked with bm25. SQLite has no
Indonesian stemmer, so there a word matches as written (or as a prefix, for the last one): the only difference
between the two backends, and the reason the tests compare them on words that are not inflected.

User input never reaches either query language as syntax: it is cut into runs of letters and digits first, then
each run is quoted (FTS5) or handed to to_tsquery as a single quoted lexeme (PostgreSQL), so `"a" OR b*` or
`NEAR(` are just the words a, or, b and near.

A later migration that makes Django rebuild tenders_tender on SQLite (a "table remake": create, copy, drop, rename)
drops its triggers with the old table; it must call `install(schema_editor)` again (test_search checks the triggers
are there after all migrations).
"""

# The SQL built here from f-strings is constant (table, trigger and column names of this module); the only input,
# the search, is always a query parameter (%s) and is reduced to letters and digits first.
# ruff: noqa: S608
import json
import re

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import BooleanField, F, FloatField, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.utils.functional import cached_property

# Ranking needs a score for every match, so a one-word search that matches a third of a million tenders would score
# them all (about a second on PostgreSQL). Above this many matches the results come newest first, as the unfiltered
# list does: such a word appears once in each of those titles, so the rank would mostly sort by title length anyway.
RANK_LIMIT = 1000
# The public list counts at most this many rows, then says "more than" and asks for a narrower list. A count is
# a scan of the matching rows: COUNT(*) over a million tenders takes longer than the page, and even a count capped
# at 10,000 under a filter (year and method) read 240,000 rows, 140 ms at 1,000,000 tenders on PostgreSQL.
COUNT_CAP = 1000
MAX_WORDS = 8
MAX_WORD_LENGTH = 40
# A prefix of one or two letters would expand to thousands of words for no useful result.
MIN_PREFIX = 3
# The most whole words a prefix is expanded into (PostgreSQL); beyond, it is matched as a prefix.
PREFIX_WORDS = 32

FTS_TABLE = "tenders_tender_fts"
# bm25 weights of the FTS5 columns (title, place, description), as the tsvector weights A, B, C on PostgreSQL.
_BM25 = f"bm25({FTS_TABLE}, 10.0, 4.0, 1.0)"

_WORD = re.compile(r"[^\W_]+")


def terms(query: str) -> tuple[list[str], bool]:
    """The words of a search, lowercased, and whether the last one is matched as a prefix (it is, unless the query
    ends with a space or the word is too short). Anything that is not a letter or a digit separates words."""
    words = [word[:MAX_WORD_LENGTH] for word in _WORD.findall((query or "").lower())][:MAX_WORDS]
    prefix = bool(words) and len(words[-1]) >= MIN_PREFIX and not query[-1:].isspace()
    return words, prefix


def fts5_expression(words: list[str], prefix: bool) -> str:
    """An FTS5 MATCH expression: every word a quoted string (never an operator), AND-ed, the last one a prefix."""
    parts = [f'"{word}"' for word in words]
    if prefix:
        parts[-1] += "*"
    return " AND ".join(parts)


def _pg_completions(cursor, prefix: str) -> list[str] | None:
    """The words of the vocabulary that start with `prefix`, or None if there are more than PREFIX_WORDS."""
    cursor.execute(
        f"SELECT word FROM {VOCABULARY_TABLE} WHERE word LIKE %s ORDER BY word LIMIT %s",
        [prefix + "%", PREFIX_WORDS + 1],  # a word is letters and digits: no LIKE wildcard in it
    )
    found = [row[0] for row in cursor.fetchall()]
    return found if len(found) <= PREFIX_WORDS else None


def _pg_tsquery(words: list[str], prefix: bool, completions: list[str] | None = None) -> tuple[str, list[str]]:
    """SQL for the tsquery and its parameters: each word matches as written ('simple') or by its Indonesian stem;
    the last one, if a prefix, as any of its `completions` (whole words), or with :* when there are too many. The
    words are letters and digits only, so quoting them makes each one lexeme and nothing in them can be tsquery
    syntax."""
    sql, params = [], []
    for position, word in enumerate(words):
        exact = f"'{word}'"
        if prefix and position == len(words) - 1:
            exact = " | ".join(f"'{whole}'" for whole in completions) if completions else f"'{word}':*"
        sql.append("(to_tsquery('simple', %s) || to_tsquery('indonesian', %s))")
        params += [exact, f"'{word}'"]
    return "(" + " && ".join(sql) + ")", params


def _postgresql(tenders: QuerySet, words: list[str], prefix: bool, year: int | None) -> QuerySet:
    table = tenders.model._meta.db_table
    completions = None
    if prefix:
        with connections[tenders.db].cursor() as cursor:
            completions = _pg_completions(cursor, words[-1])
    tsquery, params = _pg_tsquery(words, prefix, completions)
    match = RawSQL(f'"{table}"."search_document" @@ {tsquery}', params, output_field=BooleanField())  # noqa: S611
    matching = tenders.filter(match)
    counted = matching
    if year:
        # The count checks the year on the rows the text finds: through the year's index, PostgreSQL would AND the
        # text's bitmap with the year's, a sixth of the catalogue (60 ms at 1,000,000 tenders) to count 1,001. The
        # page keeps the index, which walks that year newest first.
        counted = matching.alias(year_unindexed=F("fiscal_year") + 0).filter(year_unindexed=year)
        matching = matching.filter(fiscal_year=year)
    # One query decides, counting no further than RANK_LIMIT + 1 (over the ids alone: see _capped_count).
    found = counted.order_by().values("pk")[: RANK_LIMIT + 1].count()
    if found > RANK_LIMIT:
        results = matching.order_by("-announced_at", "-pk")
    else:
        rank = RawSQL(f'ts_rank("{table}"."search_document", {tsquery})', params, output_field=FloatField())  # noqa: S611
        results = matching.annotate(search_rank=rank).order_by("-search_rank", "-announced_at", "-pk")
    results.search_matches = found
    return results


def _sqlite(tenders: QuerySet, words: list[str], prefix: bool, year: int | None) -> QuerySet:
    if year:
        tenders = tenders.filter(fiscal_year=year)
    table = tenders.model._meta.db_table
    expression = fts5_expression(words, prefix)
    match = RawSQL(  # noqa: S611 - the expression is a parameter
        f'"{table}"."id" IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s)',
        [expression],
        output_field=BooleanField(),
    )
    matching = tenders.filter(match)
    ids = list(matching.order_by().values_list("pk", flat=True)[: RANK_LIMIT + 1])
    if len(ids) > RANK_LIMIT:
        results = matching.order_by("-announced_at", "-pk")
    else:
        # bm25 is computed by one pass of the full-text query, kept for the few matching ids (a correlated bm25
        # per row would run the whole query once per row: seconds for a few hundred rows), and handed back as a
        # CASE.
        with connections[tenders.db].cursor() as cursor:
            cursor.execute(
                f"SELECT rowid, -{_BM25} FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"
                # "+rowid": a filter on the results; a bare rowid IN would be handed to FTS5, which then runs the
                # whole MATCH once per id (4 s instead of 14 ms for 441 ids of 100,000 rows).
                " AND +rowid IN (SELECT value FROM json_each(%s))",
                [expression, json.dumps(ids)],
            )
            scores = dict(cursor.fetchall())
        # Handed back as one simple CASE in SQL rather than Django When() objects, whose compilation took 50-150 ms
        # for a few hundred ids (benchmarks/bench_catalogue.py at 100,000 tenders).
        rank = (
            RawSQL(  # noqa: S611 - ids and scores are parameters
                f'CASE "{table}"."id" {" ".join(["WHEN %s THEN %s"] * len(scores))} ELSE 0.0 END',
                [value for pk_and_score in scores.items() for value in pk_and_score],
                output_field=FloatField(),
            )
            if scores
            else Value(0.0)
        )
        results = tenders.filter(pk__in=ids).annotate(search_rank=rank).order_by("-search_rank", "-announced_at", "-pk")
    results.search_matches = len(ids)
    return results


def search(tenders: QuerySet, query: str, *, year: int | None = None) -> QuerySet:
    """`tenders` narrowed to those matching `query`, best first when there are at most RANK_LIMIT of them, else
    newest first. Each result then has `search_rank` (higher is better) when ranked, and the queryset has
    `search_matches`: the matches counted up to RANK_LIMIT + 1, which CappedPaginator reuses (so a search's pager
    says "more than RANK_LIMIT" rather than counting every match of a common word). An empty query (or one with no
    letters or digits) returns `tenders` unchanged. `year`, if given, keeps the tenders of that fiscal year."""
    words, prefix = terms(query)
    if not words:
        return tenders.filter(fiscal_year=year) if year else tenders
    if connections[tenders.db].vendor == "postgresql":
        return _postgresql(tenders, words, prefix, year)
    return _sqlite(tenders, words, prefix, year)


class CappedPaginator(Paginator):
    """A Paginator that counts at most `cap` rows: `count` is min(matches, cap) and `capped` says there are more.
    Pages past the cap are not offered (an OFFSET of a hundred thousand rows is slow too); filters narrow instead."""

    def __init__(self, object_list, per_page, cap: int = COUNT_CAP, **kwargs):
        # A search counted its matches already, up to RANK_LIMIT + 1 (search()).
        self.cap = RANK_LIMIT if hasattr(object_list, "search_matches") else cap
        super().__init__(object_list, per_page, **kwargs)

    @cached_property
    def _capped_count(self) -> int:
        if hasattr(self.object_list, "search_matches"):
            return self.object_list.search_matches
        if isinstance(self.object_list, QuerySet):
            # Over the ids alone: a sliced count keeps the list's annotations in its subquery, and the public list's
            # `appeal_pending` (an EXISTS per row) made counting 1,001 tenders cost 90 ms at 1,000,000 tenders.
            return self.object_list.order_by().values("pk")[: self.cap + 1].count()
        return len(self.object_list)

    @cached_property
    def count(self) -> int:
        return min(self._capped_count, self.cap)

    @cached_property
    def capped(self) -> bool:
        return self._capped_count > self.cap

    def page(self, number):
        """Past the first page, the ids of the page are found first (an index-only walk of (announced_at, id) for
        the newest-first list), then only those rows are read with their joins: an OFFSET of thousands over the
        joined rows costs as many heap reads and joins as it skips."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        if not isinstance(self.object_list, QuerySet) or bottom == 0:
            return self._get_page(self.object_list[bottom:top], number, self)
        ids = list(self.object_list.prefetch_related(None).values_list("pk", flat=True)[bottom:top])
        rows = {row.pk: row for row in self.object_list.filter(pk__in=ids).order_by()}
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)


# --- Schema (called by migration 0003_search) --------------------------------------------------------------------

# The public list's order, newest first, as an index (ids of a page found by an index-only scan; CappedPaginator.page).
_NEWEST_INDEX = (
    "CREATE INDEX IF NOT EXISTS tenders_tender_newest ON tenders_tender (announced_at, id)"
    " WHERE announced_at IS NOT NULL"
)

_PG_INSTALL = [
    "ALTER TABLE tenders_tender ADD COLUMN IF NOT EXISTS search_document tsvector",
    """
    CREATE OR REPLACE FUNCTION tenders_tender_search_document() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        agency_name text;
        unit_name text;
    BEGIN
        SELECT name INTO agency_name FROM organizations_agency WHERE id = NEW.agency_id;
        SELECT name INTO unit_name FROM organizations_workunit WHERE id = NEW.work_unit_id;
        NEW.search_document :=
            setweight(to_tsvector('simple', coalesce(NEW.title, '')), 'A')
            || setweight(to_tsvector('simple', concat_ws(' ', agency_name, unit_name, NEW.location)), 'B')
            || setweight(to_tsvector('simple', coalesce(NEW.description, '')), 'C')
            || setweight(to_tsvector('indonesian', concat_ws(' ', NEW.title, NEW.description)), 'D');
        RETURN NEW;
    END
    $$
    """,
    "DROP TRIGGER IF EXISTS tenders_tender_search ON tenders_tender",
    """
    CREATE TRIGGER tenders_tender_search
        BEFORE INSERT OR UPDATE OF title, description, location, agency_id, work_unit_id ON tenders_tender
        FOR EACH ROW EXECUTE FUNCTION tenders_tender_search_document()
    """,
    # A renamed agency or work unit: touching the title fires the trigger above for each of its tenders.
    """
    CREATE OR REPLACE FUNCTION tenders_tender_search_rename() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_TABLE_NAME = 'organizations_agency' THEN
            UPDATE tenders_tender SET title = title WHERE agency_id = NEW.id;
        ELSE
            UPDATE tenders_tender SET title = title WHERE work_unit_id = NEW.id;
        END IF;
        RETURN NULL;
    END
    $$
    """,
    "DROP TRIGGER IF EXISTS tenders_tender_search_agency ON organizations_agency",
    """
    CREATE TRIGGER tenders_tender_search_agency AFTER UPDATE OF name ON organizations_agency
        FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION tenders_tender_search_rename()
    """,
    "DROP TRIGGER IF EXISTS tenders_tender_search_work_unit ON organizations_workunit",
    """
    CREATE TRIGGER tenders_tender_search_work_unit AFTER UPDATE OF name ON organizations_workunit
        FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION tenders_tender_search_rename()
    """,
    "UPDATE tenders_tender SET title = title",
    "CREATE INDEX IF NOT EXISTS tenders_tender_search_gin ON tenders_tender USING gin (search_document)",
    # The year filter of the public list, newest first (the model's (announced_at, fiscal_year) index would walk
    # every newer year first).
    "CREATE INDEX IF NOT EXISTS tenders_tender_year_announced ON tenders_tender (fiscal_year, announced_at)",
    _NEWEST_INDEX,
]

VOCABULARY_TABLE = "tenders_search_word"

# Every lexeme of every search document, for expanding a prefix into whole words (_pg_completions). Words are never
# removed (a word of a withdrawn tender only costs an alternative that matches nothing). COLLATE "C" lets the
# primary key's btree answer LIKE 'prefix%'.
_PG_VOCABULARY_INSTALL = [
    f'CREATE TABLE IF NOT EXISTS {VOCABULARY_TABLE} (word text COLLATE "C" PRIMARY KEY)',
    f"""
    CREATE OR REPLACE FUNCTION tenders_tender_search_words() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO {VOCABULARY_TABLE} (word)
            SELECT DISTINCT unnest(tsvector_to_array(NEW.search_document)) ON CONFLICT DO NOTHING;
        RETURN NULL;
    END
    $$
    """,
    "DROP TRIGGER IF EXISTS tenders_tender_search_words_insert ON tenders_tender",
    """
    CREATE TRIGGER tenders_tender_search_words_insert AFTER INSERT ON tenders_tender
        FOR EACH ROW EXECUTE FUNCTION tenders_tender_search_words()
    """,
    "DROP TRIGGER IF EXISTS tenders_tender_search_words_update ON tenders_tender",
    """
    CREATE TRIGGER tenders_tender_search_words_update AFTER UPDATE ON tenders_tender
        FOR EACH ROW WHEN (OLD.search_document IS DISTINCT FROM NEW.search_document)
        EXECUTE FUNCTION tenders_tender_search_words()
    """,
    f"""INSERT INTO {VOCABULARY_TABLE} (word)
        SELECT DISTINCT unnest(tsvector_to_array(search_document)) FROM tenders_tender ON CONFLICT DO NOTHING""",
]

_PG_VOCABULARY_UNINSTALL = [
    "DROP TRIGGER IF EXISTS tenders_tender_search_words_insert ON tenders_tender",
    "DROP TRIGGER IF EXISTS tenders_tender_search_words_update ON tenders_tender",
    "DROP FUNCTION IF EXISTS tenders_tender_search_words()",
    f"DROP TABLE IF EXISTS {VOCABULARY_TABLE}",
]

_PG_UNINSTALL = [
    "DROP INDEX IF EXISTS tenders_tender_newest",
    "DROP INDEX IF EXISTS tenders_tender_year_announced",
    "DROP TRIGGER IF EXISTS tenders_tender_search_agency ON organizations_agency",
    "DROP TRIGGER IF EXISTS tenders_tender_search_work_unit ON organizations_workunit",
    "DROP TRIGGER IF EXISTS tenders_tender_search ON tenders_tender",
    "DROP FUNCTION IF EXISTS tenders_tender_search_rename()",
    "DROP FUNCTION IF EXISTS tenders_tender_search_document()",
    "ALTER TABLE tenders_tender DROP COLUMN IF EXISTS search_document",
]


def _sqlite_place(tender: str) -> str:
    """The FTS5 'place' column of a tender row (NEW or a table alias): agency, work unit, location."""
    # || and coalesce, not concat_ws: SQLite has it only from 3.44.
    return (
        f"coalesce((SELECT name FROM organizations_agency WHERE id = {tender}.agency_id), '') || ' ' ||"
        f" coalesce((SELECT name FROM organizations_workunit WHERE id = {tender}.work_unit_id), '') || ' ' ||"
        f" coalesce({tender}.location, '')"
    )


_SQLITE_INSERT = (
    f"INSERT INTO {FTS_TABLE}(rowid, title, place, description)"
    f" VALUES (NEW.id, NEW.title, {_sqlite_place('NEW')}, NEW.description);"
)

_SQLITE_INSTALL = [
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(
        title, place, description, tokenize = 'unicode61 remove_diacritics 0')""",
    f"CREATE TRIGGER IF NOT EXISTS tenders_tender_fts_insert AFTER INSERT ON tenders_tender BEGIN {_SQLITE_INSERT} END",
    f"""CREATE TRIGGER IF NOT EXISTS tenders_tender_fts_update
        AFTER UPDATE OF title, description, location, agency_id, work_unit_id ON tenders_tender BEGIN
        DELETE FROM {FTS_TABLE} WHERE rowid = OLD.id; {_SQLITE_INSERT} END""",
    f"""CREATE TRIGGER IF NOT EXISTS tenders_tender_fts_delete AFTER DELETE ON tenders_tender BEGIN
        DELETE FROM {FTS_TABLE} WHERE rowid = OLD.id; END""",
    f"""CREATE TRIGGER IF NOT EXISTS tenders_tender_fts_agency AFTER UPDATE OF name ON organizations_agency BEGIN
        UPDATE {FTS_TABLE}
        SET place = (SELECT {_sqlite_place("t")} FROM tenders_tender t WHERE t.id = {FTS_TABLE}.rowid)
        WHERE rowid IN (SELECT id FROM tenders_tender WHERE agency_id = NEW.id); END""",
    f"""CREATE TRIGGER IF NOT EXISTS tenders_tender_fts_work_unit AFTER UPDATE OF name ON organizations_workunit
        BEGIN
        UPDATE {FTS_TABLE}
        SET place = (SELECT {_sqlite_place("t")} FROM tenders_tender t WHERE t.id = {FTS_TABLE}.rowid)
        WHERE rowid IN (SELECT id FROM tenders_tender WHERE work_unit_id = NEW.id); END""",
    # Rebuilt from scratch, so that install() also repairs an index left behind by a table remake.
    f"DELETE FROM {FTS_TABLE}",
    f"""INSERT INTO {FTS_TABLE}(rowid, title, place, description)
        SELECT t.id, t.title, {_sqlite_place("t")}, t.description FROM tenders_tender t""",
    "CREATE INDEX IF NOT EXISTS tenders_tender_year_announced ON tenders_tender (fiscal_year, announced_at)",
    _NEWEST_INDEX,
]

SQLITE_TRIGGERS = (
    "tenders_tender_fts_insert",
    "tenders_tender_fts_update",
    "tenders_tender_fts_delete",
    "tenders_tender_fts_agency",
    "tenders_tender_fts_work_unit",
)

_SQLITE_UNINSTALL = [
    "DROP INDEX IF EXISTS tenders_tender_newest",
    "DROP INDEX IF EXISTS tenders_tender_year_announced",
    *(f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS),
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
]


def install(schema_editor) -> None:
    """Create (or repair) the search column or table, its triggers and indexes, and fill it from the tenders."""
    statements = _PG_INSTALL if schema_editor.connection.vendor == "postgresql" else _SQLITE_INSTALL
    for statement in statements:
        schema_editor.execute(statement)


def install_vocabulary(schema_editor) -> None:
    """The prefix vocabulary of PostgreSQL (migration 0004); SQLite's FTS5 matches prefixes well without one."""
    if schema_editor.connection.vendor == "postgresql":
        for statement in _PG_VOCABULARY_INSTALL:
            schema_editor.execute(statement)


def uninstall_vocabulary(schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for statement in _PG_VOCABULARY_UNINSTALL:
            schema_editor.execute(statement)


def uninstall(schema_editor) -> None:
    statements = _PG_UNINSTALL if schema_editor.connection.vendor == "postgresql" else _SQLITE_UNINSTALL
    for statement in statements:
        schema_editor.execute(statement)
