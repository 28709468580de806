from django.urls import path

from . import views

app_name = "training"

urlpatterns = [
    path("pelatihan/", views.session_list, name="session_list"),
    path("pelatihan/baru/", views.session_create, name="session_create"),
    path("pelatihan/materi/<str:public_id>/", views.material_download, name="material_download"),
    path("pelatihan/<str:public_id>/", views.session_detail, name="session_detail"),
    path("pelatihan/<str:public_id>/daftar/", views.register, name="register"),
    path("pelatihan/<str:public_id>/batal-daftar/", views.unregister, name="unregister"),
    path("pelatihan/<str:public_id>/batalkan/", views.cancel, name="cancel"),
    path("pelatihan/<str:public_id>/kehadiran/", views.attendance, name="attendance"),
    path("pelatihan/<str:public_id>/unggah-materi/", views.material_upload, name="material_upload"),
]
