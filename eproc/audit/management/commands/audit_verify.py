from django.core.management.base import BaseCommand, CommandError

from eproc.audit.verification import verify_chain


class Command(BaseCommand):
    help = "Verify the hash chain of the audit log; exits non-zero and names the first broken link."

    def handle(self, *args, **options):
        result = verify_chain()
        if not result.ok:
            raise CommandError(
                f"Audit chain BROKEN at {result.problem} ({result.events_checked} events verified before it)."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit chain OK: {result.events_checked} events verified."))
