"""The OCDS part of the public JSON API (Pasal 7(1)c, 12; DESIGN 7): the release feed paged by an opaque cursor,
records per ocid and a year's releases as one bulk package. Mounted on the site's NinjaAPI (eproc/api) at /ocds/.
Everything served here comes from published releases (records.py), so it is public by construction."""

import json

from django.http import Http404, StreamingHttpResponse
from django.urls import reverse
from django.utils.translation import gettext_noop
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from eproc.core import clock

from . import ocds, records

router = Router(tags=["OCDS"])

BAD_CURSOR = gettext_noop("The cursor is not valid: start without one, or use the links.next address you were given.")


class Package(Schema):
    """An OCDS 1.1.5 release or record package (the schemas are at standard.open-contracting.org)."""

    uri: str
    version: str
    extensions: list[str]
    publishedDate: str  # noqa: N815 - OCDS field name
    publisher: dict
    license: str
    publicationPolicy: str  # noqa: N815
    releases: list[dict] | None = None
    records: list[dict] | None = None
    links: dict | None = None


class FeedQuery(Schema):
    cursor: str | None = Field(None, max_length=500, description="links.next of the previous page; none to begin")
    limit: int = Field(records.FEED_PAGE, ge=1, le=records.FEED_MAX_PAGE)


def _absolute(request, path: str) -> str:
    return request.build_absolute_uri(path)


@router.get("/releases", response=Package, url_name="ocds_releases", summary="OCDS release feed")
def release_feed(request, query: Query[FeedQuery]):
    """Every published change as an OCDS release, oldest first. Follow `links.next` to continue; when a page is
    empty, poll the same `links.next` later: a change never appears before one you have already read."""
    try:
        releases, next_cursor = records.feed_page(query.cursor, query.limit)
    except records.BadCursor as error:
        raise HttpError(400, BAD_CURSOR) from error
    base = reverse("api:ocds_releases")
    package = ocds.package(releases, uri=_absolute(request, request.get_full_path()), published=clock.now())
    package["links"] = {"next": _absolute(request, f"{base}?cursor={next_cursor}&limit={query.limit}")}
    return package


@router.get("/records/{ocid}", response=Package, url_name="ocds_record", summary="OCDS record of a process")
def record(request, ocid: str):
    """The record of one contracting process (a plan item or a tender): its releases and the compiled release."""
    found = records.record(ocid)
    if found is None:
        raise Http404
    package = ocds.package([], uri=_absolute(request, request.path), published=clock.now())
    del package["releases"]
    package["records"] = [found]
    return package


@router.get(
    "/bulk/{year}",
    url_name="ocds_bulk",
    summary="A year's releases as one release package",
    response={200: None},
    openapi_extra={"responses": {200: {"description": "OCDS release package (JSON, streamed)"}}},
)
def bulk(request, year: int):
    """All releases published in a calendar year, streamed as one release package file."""
    if not 2000 <= year <= 2100:
        raise Http404
    envelope = ocds.package([], uri=_absolute(request, request.path), published=clock.now())
    head = json.dumps(envelope, ensure_ascii=False)[: -len('"releases": []}')] + '"releases": ['

    def chunks():
        yield head
        for index, release in enumerate(records.releases_of_year(year)):
            yield ("," if index else "") + json.dumps(release, ensure_ascii=False)
        yield "]}"

    response = StreamingHttpResponse(chunks(), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ocds-{year}.json"'
    return response
