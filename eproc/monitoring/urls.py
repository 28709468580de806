from django.urls import path

from . import views

app_name = "monitoring"

urlpatterns = [
    path("pemantauan/", views.dashboard, name="dashboard"),
    path("pemantauan/laporan/", views.report, name="report"),
    path("pemantauan/laporan/pdf/", views.report_pdf, name="report_pdf"),
    path("pemantauan/laporan/csv/", views.report_csv, name="report_csv"),
    path("pemantauan/kepatuhan/", views.compliance, name="compliance"),
    path("pemantauan/kepatuhan/aturan/", views.rules, name="rules"),
    path("pemantauan/kepatuhan/aturan/<slug:code>/", views.rule_edit, name="rule_edit"),
    path("pemantauan/kepatuhan/tahapan/", views.adoption_plans, name="adoption_plans"),
    path("pemantauan/kepatuhan/tahapan/<str:work_unit_public_id>/", views.adoption_plan, name="adoption_plan"),
    path("pemantauan/kapasitas/", views.capacity, name="capacity"),
]
