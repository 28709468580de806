from django.apps import AppConfig


class PublicationConfig(AppConfig):
    name = "eproc.publication"
    verbose_name = "Publication"
