from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "eproc.web"
    verbose_name = "Web pages"
