from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "eproc.operations"
    verbose_name = "Operations (backup and restore)"
