from django.urls import path

from . import views

app_name = "vendors"

urlpatterns = [
    path("penyedia/daftar/", views.register, name="register"),
    path("penyedia/persyaratan/", views.requirements, name="requirements"),
    path("penyedia/direktori/", views.directory, name="directory"),
    path("penyedia/sanksi/<str:public_id>/sk/", views.sanction_decree, name="sanction_decree"),
    path("penyedia/saya/", views.home, name="home"),
    path("penyedia/saya/identitas/", views.identity, name="identity"),
    path("penyedia/saya/kirim/", views.submit, name="submit"),
    path("penyedia/saya/pengguna/", views.add_user, name="add_user"),
    path("penyedia/saya/<str:key>/", views.section, name="section"),
    path("penyedia/saya/<str:key>/<str:item_id>/", views.section, name="item"),
    path("penyedia/saya/<str:key>/<str:item_id>/hapus/", views.remove_item, name="remove_item"),
    path("penyedia/dokumen/<str:public_id>/", views.document, name="document"),
    path("verifikasi/", views.queue, name="queue"),
    path("verifikasi/bantuan-pendaftaran/", views.assisted_registration, name="assisted_registration"),
    path("verifikasi/<str:public_id>/", views.review, name="review"),
    path("verifikasi/penyedia/<str:public_id>/", views.archive, name="archive"),
    path("verifikasi/penyedia/<str:public_id>/aktifkan/", views.activate, name="activate"),
    path("verifikasi/penyedia/<str:public_id>/sanksi/", views.sanction, name="sanction"),
    path("verifikasi/sanksi/<str:public_id>/cabut/", views.lift_sanction, name="lift_sanction"),
]
