from django.core.management.base import BaseCommand
from django.test import override_settings
from django.utils import translation

from eproc.bids.demo import load_demo as load_bids_demo
from eproc.evaluation.demo import load_demo as load_evaluation_demo
from eproc.organizations.demo import describe, load_demo
from eproc.planning.demo import load_demo as load_planning_demo
from eproc.tenders.demo import load_demo as load_tenders_demo
from eproc.training.demo import load_demo as load_training_demo
from eproc.vendors.demo import load_demo as load_vendors_demo


class Command(BaseCommand):
    help = "Load the demo data (idempotent) and print the demo accounts."

    def handle(self, *args, **options):
        with translation.override("en"):
            people = load_demo()
            load_planning_demo()
            load_training_demo()
            vendors = load_vendors_demo()
            sealed_bids = load_bids_demo()
            # The tenders' history is replayed: the e-mails it would have sent weeks ago are kept, not printed.
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
                tenders = load_tenders_demo()
                results = load_evaluation_demo()
            self.stdout.write(describe(people))
            self.stdout.write("\n".join(["", "Vendors:", *vendors]))
            self.stdout.write("\n".join(["", "Sealed bids:", *sealed_bids]))
            self.stdout.write("\n".join(["", "Tenders:", *tenders]))
            self.stdout.write("\n".join(["", "Results:", *results]))
