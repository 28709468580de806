from django.urls import path

from . import views

app_name = "tenders"

urlpatterns = [
    path("lelang/", views.public_list, name="public_list"),
    path("lelang/saya/", views.my_tenders, name="my_tenders"),
    path("lelang/kelola/", views.workspace, name="workspace"),
    path("lelang/kelola/baru/", views.create, name="create"),
    path("lelang/kelola/<str:public_id>/", views.manage, name="manage"),
    path("lelang/kelola/<str:public_id>/ubah/", views.edit, name="edit"),
    path("lelang/kelola/<str:public_id>/jadwal/", views.schedule, name="schedule"),
    path("lelang/kelola/<str:public_id>/dokumen/", views.add_document, name="add_document"),
    path("lelang/kelola/<str:public_id>/ajukan/", views.request_approval, name="request_approval"),
    path("lelang/kelola/<str:public_id>/persetujuan/", views.decide_approval, name="decide_approval"),
    path("lelang/kelola/<str:public_id>/umumkan/", views.announce, name="announce"),
    path("lelang/kelola/<str:public_id>/ulang/", views.repeat, name="repeat"),
    path("lelang/kelola/<str:public_id>/berkas.zip", views.export, name="export"),
    path("lelang/<str:public_id>/", views.detail, name="detail"),
    path("lelang/<str:public_id>/ikut/", views.join, name="join"),
    path("lelang/<str:public_id>/pengumuman.pdf", views.announcement_pdf, name="announcement_pdf"),
    path("lelang/<str:public_id>/dokumen/<str:document_id>/", views.download, name="download"),
    path("lelang/<str:public_id>/penjelasan/", views.clarification, name="clarification"),
    path("lelang/<str:public_id>/penjelasan/tutup/", views.close_clarification, name="close_clarification"),
    path(
        "lelang/<str:public_id>/penjelasan/berita-acara.pdf", views.clarification_minutes, name="clarification_minutes"
    ),
    path("lelang/<str:public_id>/penjelasan/<str:question_id>/jawab/", views.answer, name="answer"),
]
