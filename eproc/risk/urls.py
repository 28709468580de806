from django.urls import path

from . import views

app_name = "risk"

urlpatterns = [
    path("risiko/", views.ranking, name="ranking"),
    path("risiko/lelang/<str:public_id>/", views.tender, name="tender"),
]
