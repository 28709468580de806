"""The site's one JSON API (Pasal 7(1)c, 12: what the LPSE announces, in a form other systems can read), mounted at
/api/v1/ with its OpenAPI schema at /api/v1/openapi.json and its documentation at /api/v1/docs.

Read-only for the public; the only write is the one the pages already offer through the same service (a vendor
joins a tender). Errors are JSON in both languages (errors.py)."""

import json

from django.http import Http404
from django.shortcuts import render
from ninja import NinjaAPI
from ninja.openapi.docs import Swagger

from eproc.publication.api import router as ocds_router

from . import errors, plans, tenders, vendors, winners


class LocalSwagger(Swagger):
    """Ninja's Swagger UI served from the package's static files only: its fallback page loads the UI from a CDN,
    which the site's CSP (and DESIGN: no CDN) forbids."""

    def render_page(self, request, api, **kwargs):
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        # The token lets "Try it out" call the one write (joining), which checks CSRF like the pages.
        context = {"swagger_settings": json.dumps(self.settings), "api": api, "add_csrf": True}
        try:
            return render(request, "api/docs.html", context)
        except ValueError as error:
            # The manifest of collected static files lacks Ninja's assets ("ninja" not in INSTALLED_APPS when
            # collectstatic ran): no documentation page rather than a server error; the schema is still served.
            raise Http404 from error


_ERRORS = {
    "400": ("Error", "The request cannot be served as sent (for example, a cursor that is not valid)."),
    "404": ("Error", "Not found, or not public."),
    "422": ("InvalidRequest", "A parameter is not valid; errors lists which."),
}
_AUTH_ERRORS = {
    "401": ("Error", "Not signed in."),
    "403": ("Error", "Not allowed, or the CSRF token is missing."),
}


class EprocAPI(NinjaAPI):
    """Every operation may answer the errors of errors.install (a malformed parameter, something not public, a
    refused cursor): the schema says so once here, so no router can forget it and clients (and schemathesis) know
    each error's shape."""

    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema["paths"].values():
            for operation in operations.values():
                expected = {**_ERRORS, **(_AUTH_ERRORS if operation.get("security") else {})}
                for status, (name, description) in expected.items():
                    operation["responses"].setdefault(
                        status,
                        {
                            "description": description,
                            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}},
                        },
                    )
        return schema


api = EprocAPI(
    title="eproc",
    version="1",
    description="Public data of the LPSE: the procurement plan (RUP), tenders, schedules, results, winners and "
    "the vendor directory, and the OCDS feed. Errors: {detail, message_id, message_en}.",
    urls_namespace="api",
    docs=LocalSwagger(),
    docs_url="/docs",
)
errors.install(api)
api.add_router("/", plans.router)
api.add_router("/", tenders.router)
api.add_router("/", winners.router)
api.add_router("/", vendors.router)
api.add_router("/ocds/", ocds_router)
