from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "eproc.complaints"
    verbose_name = "Complaints (pengaduan)"
