from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "eproc.monitoring"
    verbose_name = "Monitoring"
