from django.apps import AppConfig


class VendorsConfig(AppConfig):
    name = "eproc.vendors"
    verbose_name = "Vendors"
