from django.apps import AppConfig


class BidsConfig(AppConfig):
    name = "eproc.bids"
    verbose_name = "Sealed bids"
