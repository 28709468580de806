"""Outbound channels for forwarding complaints. E-mail by default; an LPSE can plug in another (a national portal
API, say) with EPROC_COMPLAINT_CHANNEL, a dotted path to a class with the same `name` and `send()`."""

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Delivery:
    delivered: bool
    error: str = ""


class EmailChannel:
    name = "email"

    def send(self, *, address: str, subject: str, body: str, attachments) -> Delivery:
        message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
        for attachment in attachments:
            with attachment.file.open("rb") as handle:
                message.attach(attachment.original_name, handle.read(), "application/octet-stream")
        try:
            message.send(fail_silently=False)
        except Exception as error:  # noqa: BLE001 - a failed delivery is recorded and can be retried by staff
            return Delivery(False, str(error)[:500])
        return Delivery(True)


def channel():
    return import_string(settings.EPROC_COMPLAINT_CHANNEL)()
