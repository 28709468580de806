from django.contrib import admin
from django.urls import include, path

from eproc.api.api import api

handler500 = "eproc.web.views.server_error"

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("akun/", include("allauth.urls")),
    path("django-admin/", admin.site.urls),
    path("", include("eproc.web.urls")),
    path("", include("eproc.organizations.urls")),
    path("", include("eproc.audit.urls")),
    path("", include("eproc.bids.urls")),
    path("", include("eproc.vendors.urls")),
    path("", include("eproc.planning.urls")),
    path("", include("eproc.evaluation.urls")),
    path("", include("eproc.tenders.urls")),
    path("", include("eproc.complaints.urls")),
    path("", include("eproc.training.urls")),
    path("", include("eproc.complaints.helpdesk_urls")),
    path("", include("eproc.monitoring.urls")),
    path("", include("eproc.risk.urls")),
    path("", include("eproc.publication.outbox_urls")),
    path("", include("eproc.publication.feeds_urls")),
    path("api/v1/", api.urls),
]
