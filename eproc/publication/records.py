"""Reads of the published releases: the feed in cursor order, records and compiled releases per ocid, a year's bulk
file. Everything here reads OutboxEntry.release only, so nothing can appear that was not published."""

from collections.abc import Iterator

import ocdsmerge
from django.core import signing
from django.db.models import Q

from .models import OutboxEntry

# The merge rules of the OCDS 1.1.5 release schema that concern the fields eproc publishes (what
# ocdsmerge.get_merge_rules reads from the schema; written out so that compiling never fetches the schema).
MERGE_RULES = {
    ("id",): "omitWhenMerged",
    ("date",): "omitWhenMerged",
    ("tag",): "omitWhenMerged",
    ("parties", "roles"): "wholeListMerge",
    ("tender", "additionalProcurementCategories"): "wholeListMerge",
    ("tender", "submissionMethod"): "wholeListMerge",
    ("relatedProcesses", "relationship"): "wholeListMerge",
}
_merger = ocdsmerge.Merger(merge_rules=MERGE_RULES)

FEED_PAGE = 100
FEED_MAX_PAGE = 1000
_CURSOR_SALT = "eproc.publication.feed"


class BadCursor(ValueError):
    pass


def published():
    return OutboxEntry.objects.filter(release__isnull=False)


# --- The feed ------------------------------------------------------------------------------------------------------


def encode_cursor(last_id: int) -> str:
    """Opaque to readers (they must not build positions) and tamper-evident (signed)."""
    return signing.dumps({"after": last_id}, salt=_CURSOR_SALT, compress=True)


def decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        return int(signing.loads(cursor, salt=_CURSOR_SALT)["after"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise BadCursor(str(error)) from error


def feed_page(cursor: str | None, limit: int = FEED_PAGE) -> tuple[list[dict], str]:
    """The releases after the cursor, in publication order, and the cursor to continue from (the same one when
    nothing new is there yet, so a reader polls with it). Ids become visible in order (services.enqueue), so the
    last id read is a position no later change can appear before."""
    after = decode_cursor(cursor)
    limit = max(1, min(limit, FEED_MAX_PAGE))
    rows = list(published().filter(id__gt=after).order_by("id").values_list("id", "release")[:limit])
    last = rows[-1][0] if rows else after
    return [release for _, release in rows], encode_cursor(last)


def releases_of_year(year: int) -> Iterator[dict]:
    """Every release published in a year, streamed from the database in chunks."""
    query = published().filter(created_at__year=year).order_by("id").values_list("release", flat=True)
    yield from query.iterator(chunk_size=500)


# --- Records and compiled releases ---------------------------------------------------------------------------------


def releases_of(ocid: str) -> list[dict]:
    return list(published().filter(ocid=ocid).order_by("id").values_list("release", flat=True))


def compile_releases(releases: list[dict]) -> dict:
    compiled = _merger.create_compiled_release(releases)
    compiled["id"] = f"{compiled['ocid']}-{releases[-1]['date']}"
    compiled["date"] = releases[-1]["date"]
    compiled["tag"] = ["compiled"]
    return compiled


def record(ocid: str) -> dict | None:
    releases = releases_of(ocid)
    if not releases:
        return None
    return {"ocid": ocid, "releases": releases, "compiledRelease": compile_releases(releases)}


def compiled_release(ocid: str) -> dict | None:
    releases = releases_of(ocid)
    return compile_releases(releases) if releases else None


def compiled_releases(*, tenders_only: bool = True) -> Iterator[dict]:
    """The compiled release of every published contracting process (of tenders only, by default: plan items have no
    bids or awards), in one pass over the published releases."""
    query = published().order_by("ocid", "id")
    if tenders_only:
        query = query.filter(Q(kind__startswith="tender."))
    current, releases = None, []
    for ocid, release in query.values_list("ocid", "release").iterator(chunk_size=500):
        if ocid != current and releases:
            yield compile_releases(releases)
            releases = []
        current = ocid
        releases.append(release)
    if releases:
        yield compile_releases(releases)
