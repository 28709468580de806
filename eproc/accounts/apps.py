from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "eproc.accounts"
    verbose_name = "Accounts"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .middleware import note_sign_in

        user_logged_in.connect(note_sign_in, dispatch_uid="eproc.accounts.note_sign_in")
