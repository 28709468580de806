import signal
import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections, connection

from eproc.publication import delivery


class Command(BaseCommand):
    help = (
        "Deliver the outbox of public changes to the national portal (EPROC_PORTAL_URL). With --once, deliver what "
        "is due and exit; otherwise keep going, pausing --sleep seconds between passes (run it as a service). "
        "Several workers may run on PostgreSQL; run one on SQLite."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Deliver what is due now, then exit.")
        parser.add_argument("--sleep", type=float, default=5.0, help="Seconds between passes (default 5).")

    def handle(self, *args, once=False, sleep=5.0, **options):
        if once:
            self._report(delivery.deliver_due(), quiet=False)
            return
        stopping = []

        def stop(signum, frame):
            # systemd sends SIGTERM: finish the entry being posted (its bookkeeping is one write) and leave.
            stopping.append(signum)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        if not delivery.enabled():
            self.stdout.write(self._switched_off())
        while not stopping:
            # A long-lived process: drop connections the database closed or that outlived CONN_MAX_AGE.
            close_old_connections()
            try:
                self._report(delivery.deliver_due(should_stop=lambda: bool(stopping)), quiet=True)
            except DatabaseError:
                # The database restarting must not end the service; the queue is in the database, nothing is lost.
                self.stderr.write("Database unavailable; trying again shortly.")
                connection.close()
            deadline = time.monotonic() + sleep
            while not stopping and time.monotonic() < deadline:
                time.sleep(min(0.5, sleep))
        self.stdout.write("Stopped.")

    def _switched_off(self):
        return "Delivery is switched off (EPROC_PORTAL_URL is empty): the queue keeps every change."

    def _report(self, report, *, quiet):
        if report.switched_off:
            if not quiet:
                self.stdout.write(self._switched_off())
            return
        if quiet and not report.attempted:
            return
        for outcome in report.failed:
            self.stderr.write(f"not delivered {outcome.key}: {outcome.error}")
        self.stdout.write(f"Delivered {len(report.delivered)}, failed {len(report.failed)}.")
