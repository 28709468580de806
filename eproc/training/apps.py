from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "eproc.training"
    verbose_name = "Training (pelatihan)"
