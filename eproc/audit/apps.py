from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "eproc.audit"
    verbose_name = "Audit"
