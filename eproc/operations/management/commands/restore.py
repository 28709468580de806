from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from eproc.audit.verification import verify_chain
from eproc.operations.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Rebuild a freshly migrated, empty installation from a backup archive; verify every hash and the audit chain."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path, help="the .tar file written by `manage.py backup`")

    def handle(self, *args, source, **options):
        try:
            manifest = restore(source)
        except BackupError as error:
            raise CommandError(str(error)) from error
        result = verify_chain()
        if not result.ok:
            raise CommandError(f"Restored, but the audit chain is broken at {result.problem}.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {sum(manifest['rows'].values())} rows and {len(manifest['files'])} files from "
                f"{manifest['created_at']}; audit chain OK ({result.events_checked} events)."
            )
        )
