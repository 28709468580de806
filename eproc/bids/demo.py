"""Demo data for sealed bids: committee keys for the demo Pokja (their key files are written to the var
directory, locked with the demo password, as the browser would have downloaded them), a demo bidder and a box
whose upload window is open, so `make run` shows the whole flow."""

from datetime import timedelta
from pathlib import Path

import pyrage
from django.conf import settings

from eproc.accounts.models import User
from eproc.core import clock
from eproc.organizations.demo import DEMO_PASSWORD
from eproc.organizations.models import Agency

from . import services
from .models import SealedBox

DEMO_MEMBERS = ["pokja1@ketapang.demo", "pokja2@ketapang.demo", "pokja3@ketapang.demo"]
DEMO_BIDDER = "penyedia@cv-maju.demo"
DEMO_REFERENCE = "DEMO-2026-001"


def key_directory() -> Path:
    return Path(settings.VAR_DIR) / "demo-keys"


def _ensure_member_key(user) -> None:
    path = key_directory() / f"kunci-panitia-{user.email}.age"
    if services.active_key_of(user) is not None and path.exists():
        return
    identity = pyrage.x25519.Identity.generate()
    recipient = str(identity.to_public())
    text = f"# eproc committee key\n# recipient: {recipient}\n{identity}\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pyrage.passphrase.encrypt(text.encode(), DEMO_PASSWORD))
    services.register_committee_key(actor=user, recipient=recipient)


def load_demo() -> list[str]:
    members = [User.objects.get(email=email) for email in DEMO_MEMBERS]
    for member in members:
        _ensure_member_key(member)
    bidder = User.objects.get(email=DEMO_BIDDER)  # a verified demo vendor (vendors.demo)
    if not SealedBox.objects.filter(reference=DEMO_REFERENCE).exists():
        now = clock.now().replace(minute=0, second=0, microsecond=0)
        deadline = now + timedelta(days=7)
        services.create_box(
            actor=members[0],
            agency=Agency.objects.get(code="D201"),
            reference=DEMO_REFERENCE,
            title="Rehabilitasi Ruang Kelas SDN 1 Ketapang (contoh)",
            envelope=SealedBox.EnvelopeKind.SINGLE,
            members=members,
            threshold=2,
            upload_opens_at=now - timedelta(days=1),
            deadline=deadline,
            grace_period=timedelta(minutes=60),
            opening_at=deadline + timedelta(hours=2),
            bidders=[bidder],
        )
    return [
        f"  {DEMO_BIDDER:34} admitted to sealed box {DEMO_REFERENCE}",
        f"  Committee key files of {', '.join(DEMO_MEMBERS)}:",
        f"    {key_directory()}/ (passphrase: {DEMO_PASSWORD})",
    ]
