from django.core.management.base import BaseCommand
from django.test import override_settings
from django.utils import translation

from eproc.demo import load_procurement_demo
from eproc.organizations.demo import describe
from eproc.training.demo import load_demo as load_training_demo


class Command(BaseCommand):
    help = "Load the demo data (idempotent) and print the demo accounts."

    def handle(self, *args, **options):
        with translation.override("en"):
            # The tenders' history is replayed: the e-mails it would have sent weeks ago are kept, not printed.
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
                demo = load_procurement_demo()
            load_training_demo()
            self.stdout.write(describe(demo.people))
            self.stdout.write("\n".join(["", "Vendors:", *demo.vendors]))
            self.stdout.write("\n".join(["", "Sealed bids:", *demo.sealed_bids]))
            self.stdout.write("\n".join(["", "Tenders:", *demo.tenders]))
            self.stdout.write("\n".join(["", "Results:", *demo.results]))
