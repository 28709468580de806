from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "eproc.evaluation"
    verbose_name = "Evaluation"
