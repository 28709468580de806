from django.core.management.base import BaseCommand

from eproc.bids import receipts


class Command(BaseCommand):
    help = (
        "Print a new Ed25519 signing key for bid receipts and log checkpoints, to put in EPROC_SIGNING_KEY, and its "
        "public key to publish. Generate it once per installation and keep it secret and backed up."
    )

    def handle(self, *args, **options):
        key = receipts.generate_signing_key()
        self.stdout.write(f"EPROC_SIGNING_KEY={receipts.signing_key_to_text(key)}")
        self.stdout.write(f"# public key: {receipts.public_key_to_text(key.public_key())}")
