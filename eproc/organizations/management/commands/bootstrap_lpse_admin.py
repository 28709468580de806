from datetime import date

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from eproc.organizations.services import bootstrap_lpse_admin


class Command(BaseCommand):
    help = (
        "Appoint the first LPSE administrator from their decree (SK) on a new installation. "
        "They receive no password here: use 'Forgot password' with their e-mail address."
    )

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--full-name", required=True)
        parser.add_argument("--decree-number", required=True)
        parser.add_argument("--decree-date", required=True, type=date.fromisoformat)
        parser.add_argument("--decree-file", required=True, help="PDF, PNG or JPEG scan of the decree")

    def handle(self, *args, **options):
        try:
            with open(options["decree_file"], "rb") as handle:
                upload = File(handle, name=options["decree_file"])
                upload.size = upload.size
                appointment = bootstrap_lpse_admin(
                    email=options["email"],
                    full_name=options["full_name"],
                    decree_number=options["decree_number"],
                    decree_date=options["decree_date"],
                    decree_file=upload,
                    valid_from=options["decree_date"],
                )
        except Exception as error:  # noqa: BLE001 - shown to the operator, who fixes the input
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"{appointment.user.email} is the LPSE administrator."))
