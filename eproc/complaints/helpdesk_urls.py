from django.urls import path

from . import helpdesk_views as views

app_name = "helpdesk"

urlpatterns = [
    path("bantuan/", views.help_page, name="help"),
    path("bantuan/kelola/", views.desk, name="desk"),
    path("bantuan/kelola/tiket/<str:public_id>/", views.ticket, name="ticket"),
    path("bantuan/kelola/tiket/<str:public_id>/ambil/", views.take, name="take"),
    path("bantuan/kelola/faq/baru/", views.faq, name="faq_create"),
    path("bantuan/kelola/faq/<str:public_id>/", views.faq, name="faq_edit"),
    path("bantuan/penyimpangan/", views.flags, name="flags"),
    path("bantuan/penyimpangan/<str:public_id>/tindak-lanjut/", views.acknowledge, name="acknowledge"),
]
