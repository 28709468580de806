from django.urls import path

from . import views

app_name = "complaints"

urlpatterns = [
    path("pengaduan/", views.file, name="file"),
    path("pengaduan/lacak/", views.track, name="track"),
    path("pengaduan/lacak/<str:code>/", views.track, name="track_code"),
    path("pengaduan/kelola/", views.manage, name="manage"),
    path("pengaduan/kelola/<str:public_id>/", views.detail, name="detail"),
    path("pengaduan/kelola/<str:public_id>/telaah/", views.review, name="review"),
    path("pengaduan/kelola/<str:public_id>/teruskan/", views.forward, name="forward"),
    path("pengaduan/kelola/<str:public_id>/jawab/", views.answer, name="answer"),
    path("pengaduan/lampiran/<str:public_id>/", views.attachment, name="attachment"),
]
