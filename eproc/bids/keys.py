"""The LPSE's Ed25519 signing key for receipts and log checkpoints.

Production reads it from EPROC_SIGNING_KEY (text made by `manage.py bids_signing_key`); the demo and the tests
create one under the var directory on first use. The public half is published at /api/v1/bids/public-key and is
what anyone uses with `python -m eproc.bids.verify`.
"""

import os
from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from . import receipts


@cache
def signing_key():
    if settings.EPROC_SIGNING_KEY:
        return receipts.signing_key_from_text(settings.EPROC_SIGNING_KEY)
    if not (settings.DEBUG or settings.TESTING):
        raise ImproperlyConfigured("EPROC_SIGNING_KEY is required in production (see README, Deploying).")
    path = settings.VAR_DIR / "keys" / "signing-key.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: parallel test workers or processes race to create it; exactly one wins, the others read it.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return receipts.signing_key_from_text(path.read_text().strip())
    key = receipts.generate_signing_key()
    with os.fdopen(descriptor, "w") as handle:
        handle.write(receipts.signing_key_to_text(key))
    return key


def public_key():
    return signing_key().public_key()


def public_key_text() -> str:
    return receipts.public_key_to_text(public_key())
