from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "eproc.organizations"
    verbose_name = "Organizations"
