from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "eproc.risk"
    verbose_name = "Risk"
