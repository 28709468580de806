"""The demo data (every stage of a tender's life, as `make run` shows it) is what the API is read against."""

from dataclasses import dataclass

import pytest
import time_machine
from django.test import Client

from conftest import PINNED_NOW, give_totp


@dataclass
class Demo:
    tender_draft: object
    tender_open: object
    tender_upload: object
    tender_evaluation: object
    tender_sanggah: object
    tender_finished: object
    vendor_user: object
    pending_vendor_user: object
    pokja: object


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """Loaded once per test module (it takes a while) inside a transaction rolled back at the end; each test runs in
    its own savepoint inside it (the `db` fixture), so a test's writes do not reach the next one."""
    from django.db import transaction
    from django.test.utils import override_settings

    from eproc.accounts.models import User
    from eproc.demo import load_procurement_demo
    from eproc.tenders.models import Tender

    root = tmp_path_factory.mktemp("demo")
    with (
        time_machine.travel(PINNED_NOW, tick=False),
        override_settings(VAR_DIR=root, MEDIA_ROOT=root / "media"),
        django_db_blocker.unblock(),
    ):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            load_procurement_demo()
            yield Demo(
                tender_draft=Tender.objects.get(title="Pembangunan Jembatan Gantung Desa Sungai Besar (contoh)"),
                tender_open=Tender.objects.get(title="Perencanaan Teknis Jembatan Sungai Pawan II (contoh)"),
                tender_upload=Tender.objects.get(
                    title="Pengadaan Peralatan Laboratorium Uji Bahan Konstruksi (contoh)"
                ),
                tender_evaluation=Tender.objects.get(title="Pengadaan Excavator untuk UPT Pemeliharaan Jalan (contoh)"),
                tender_sanggah=Tender.objects.get(title="Pembangunan Drainase Jalan Gajah Mada (contoh)"),
                tender_finished=Tender.objects.get(
                    title="Pengadaan Aspal dan Material Pemeliharaan Rutin Jalan (contoh)"
                ),
                vendor_user=User.objects.get(email="penyedia@cv-maju.demo"),
                pending_vendor_user=User.objects.get(email="penyedia@pt-khatulistiwa.demo"),
                pokja=User.objects.get(email="pokja1@ketapang.demo"),
            )
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def api_demo(demo, db, pinned_time):
    """The demo, at the demo's moment, for one test."""
    return demo


def signed_in(user, **kwargs) -> Client:
    client = Client(**kwargs)
    give_totp(user)
    client.force_login(user)
    return client
