from django.urls import path

from . import views

app_name = "planning"

urlpatterns = [
    path("rup/", views.public_list, name="public_list"),
    path("rup/ekspor.csv", views.export_csv, name="export_csv"),
    path("rup/kelola/", views.workspace, name="workspace"),
    path("rup/kelola/baru/", views.edit, name="create"),
    path("rup/<str:public_id>/", views.detail, name="detail"),
    path("rup/<str:public_id>/ubah/", views.edit, name="edit"),
    path("rup/<str:public_id>/umumkan/", views.announce, name="announce"),
    path("rup/<str:public_id>/tarik/", views.withdraw, name="withdraw"),
]
