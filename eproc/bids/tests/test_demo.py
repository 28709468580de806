"""The sealed-bid demo that `make run` loads: idempotent, and its key files really open the demo box."""

import pyrage
import pytest

from eproc.bids import crypto
from eproc.bids.demo import DEMO_MEMBERS, DEMO_REFERENCE, key_directory, load_demo
from eproc.bids.models import CommitteeKey, SealedBox
from eproc.organizations.demo import DEMO_PASSWORD
from eproc.organizations.demo import load_demo as load_organizations_demo
from eproc.vendors.demo import load_demo as load_vendors_demo

pytestmark = pytest.mark.django_db


def test_the_demo_box_opens_with_the_demo_key_files(settings, tmp_path, pinned_time):
    settings.VAR_DIR = tmp_path
    load_organizations_demo()
    load_vendors_demo()
    load_demo()
    load_demo()
    box = SealedBox.objects.get(reference=DEMO_REFERENCE)
    assert box.shares.count() == 3 and box.threshold == 2
    assert CommitteeKey.objects.filter(retired_at__isnull=True).count() == 3
    shares = []
    for email in DEMO_MEMBERS[:2]:
        text = pyrage.passphrase.decrypt((key_directory() / f"kunci-panitia-{email}.age").read_bytes(), DEMO_PASSWORD)
        identity = next(line for line in text.decode().splitlines() if line.startswith("AGE-SECRET-KEY-1"))
        ciphertext = bytes(box.shares.get(member__email=email).share_ciphertext)
        shares.append(crypto.Share.from_bytes(crypto.decrypt_with_identity(identity, ciphertext)))
    rebuilt = crypto.derive_identity(crypto.combine_shares(shares), box_id=box.public_id, envelope=box.envelope)
    assert crypto.recipient_for(rebuilt) == box.recipient
