from django.urls import path

from . import outbox_views

app_name = "outbox"

urlpatterns = [
    path("lpse/publikasi/antrean/", outbox_views.overview, name="overview"),
    path("lpse/publikasi/antrean/ulang/", outbox_views.replay, name="replay"),
]
