from django.core.management.base import BaseCommand
from django.utils import translation

from eproc.organizations.demo import describe, load_demo


class Command(BaseCommand):
    help = "Load the demo data (idempotent) and print the demo accounts."

    def handle(self, *args, **options):
        with translation.override("en"):
            people = load_demo()
            self.stdout.write(describe(people))
