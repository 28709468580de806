"""Record today's capacity snapshot (Pasal 11(3)e). Run it daily from cron or a systemd timer; running it again the
same day refreshes today's row."""

from django.core.management.base import BaseCommand

from eproc.monitoring import services


class Command(BaseCommand):
    help = "Record today's database and storage size and queue depth for the capacity panel."

    def handle(self, *args, **options):
        snapshot = services.take_snapshot(actor=None)
        self.stdout.write(
            f"{snapshot.taken_on}: database {snapshot.database_bytes} B, files {snapshot.media_bytes} B "
            f"in {snapshot.media_files} files, other {snapshot.other_bytes} B, queue {snapshot.queue_depth}"
        )
