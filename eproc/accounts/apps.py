from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "eproc.accounts"
    verbose_name = "Accounts"
