from django.urls import path

from . import views

app_name = "organizations"

urlpatterns = [
    path("kelola/instansi/", views.agency_list, name="agency_list"),
    path("kelola/instansi/baru/", views.agency_form, name="agency_create"),
    path("kelola/instansi/<str:public_id>/", views.agency_detail, name="agency_detail"),
    path("kelola/instansi/<str:public_id>/ubah/", views.agency_form, name="agency_update"),
    path("kelola/instansi/<str:agency_public_id>/satker/baru/", views.work_unit_form, name="work_unit_create"),
    path("kelola/satker/<str:public_id>/ubah/", views.work_unit_form, name="work_unit_update"),
    path("kelola/penugasan/", views.appointment_list, name="appointment_list"),
    path("kelola/penugasan/baru/", views.appointment_create, name="appointment_create_lpse"),
    path("kelola/instansi/<str:agency_public_id>/penugasan/baru/", views.appointment_create, name="appointment_create"),
    path("kelola/penugasan/<str:public_id>/", views.appointment_detail, name="appointment_detail"),
    path("kelola/penugasan/<str:public_id>/sk/", views.appointment_decree, name="appointment_decree"),
    path("kelola/penugasan/<str:public_id>/cabut/", views.appointment_revoke, name="appointment_revoke"),
    path("kelola/hari-libur/", views.day_off_list, name="day_off_list"),
    path("kelola/hari-libur/<str:public_id>/hapus/", views.day_off_remove, name="day_off_remove"),
]
