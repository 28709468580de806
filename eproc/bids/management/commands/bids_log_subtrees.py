from django.core.management.base import BaseCommand
from django.db import transaction

from eproc.audit.services import record
from eproc.bids import log


class Command(BaseCommand):
    help = (
        "Store the bid log's missing subtree roots, computed from its entries (after an interrupted upgrade, or when "
        "audit_verify names a subtree as missing). Roots already stored are kept; audit_verify compares them."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            stored = log.store_missing_subtrees()
            if stored:
                record(actor=None, action="bids.log.subtrees_stored", data={"stored": stored})
        self.stdout.write(self.style.SUCCESS(f"{stored} missing subtree roots stored."))
