from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("beranda/", views.dashboard, name="dashboard"),
    path("tentang/", views.about, name="about"),
    path("healthz", views.healthz, name="healthz"),
]
