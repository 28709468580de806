from django.apps import AppConfig


class TendersConfig(AppConfig):
    name = "eproc.tenders"
    verbose_name = "Tenders"
