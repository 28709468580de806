from django.contrib import admin
from django.urls import include, path

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
]
