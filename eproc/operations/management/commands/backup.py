from pathlib import Path

from django.core.management.base import BaseCommand

from eproc.operations.backup import backup


class Command(BaseCommand):
    help = "Write a consistent, verifiable archive of the database and every stored file (Pasal 11(3)f)."

    def add_arguments(self, parser):
        parser.add_argument("output", type=Path, help="the .tar file to write")

    def handle(self, *args, output, **options):
        result = backup(output)
        self.stdout.write(
            self.style.SUCCESS(f"Backup written to {result.path}: {result.rows} rows, {result.files} files.")
        )
