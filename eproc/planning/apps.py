from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "eproc.planning"
    verbose_name = "Procurement plans (RUP)"
