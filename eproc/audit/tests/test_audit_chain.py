"""The audit trail is append-only and hash-chained (DESIGN 6; Pasal 5b forbids manipulating data)."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from eproc.audit.models import AuditChainHead, AuditEvent
from eproc.audit.services import AuditError, record
from eproc.audit.verification import verify_chain

pytestmark = pytest.mark.django_db(transaction=True)


def _append(count, actor=None):
    for number in range(count):
        with transaction.atomic():
            record(actor=actor, action="test.event", data={"number": number, "note": "Pengadaan Barang"})


def _drop_append_only_triggers():
    """What an insider with database superuser rights can do: the triggers stop mistakes, not them."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER audit_event_no_update")
            cursor.execute("DROP TRIGGER audit_event_no_delete")


@pytest.fixture
def tamperable():
    _drop_append_only_triggers()
    yield
    # Recreate the triggers so later tests in this database see the installed schema again.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
        else:
            import importlib

            migration = importlib.import_module("eproc.audit.migrations.0002_append_only")
            for statement in migration.SQLITE_FORWARD:
                cursor.execute(statement)


def test_it_chains_each_event_to_the_one_before(pinned_time):
    _append(3)
    events = list(AuditEvent.objects.order_by("sequence"))
    assert [event.sequence for event in events] == [1, 2, 3]
    assert events[0].previous_hash == "0" * 64
    assert events[1].previous_hash == events[0].hash
    assert events[2].previous_hash == events[1].hash
    head = AuditChainHead.objects.get(id=1)
    assert (head.sequence, head.hash) == (3, events[2].hash)
    assert verify_chain().ok


def test_it_refuses_to_record_outside_the_transaction_of_the_change():
    with pytest.raises(AuditError):
        record(actor=None, action="test.event")


def test_it_refuses_to_write_a_password_into_the_trail():
    # Pasal 4(2)a: access codes stay confidential, also in the audit log.
    with pytest.raises(AuditError), transaction.atomic():
        record(actor=None, action="test.event", data={"user": {"new_password": "rahasia"}})
    assert AuditEvent.objects.count() == 0


@pytest.mark.parametrize("key", ["password", "new_password", "passphrase", "api_token", "seed", "private_key"])
def test_it_refuses_every_key_that_names_a_secret(key):
    with pytest.raises(AuditError), transaction.atomic():
        record(actor=None, action="test.event", data={key: "x"})


def test_it_records_a_verdict_whose_name_only_contains_pass():
    with transaction.atomic():
        record(actor=None, action="test.event", data={"administrative_passed": True, "bypass_reason": "-"})
    assert AuditEvent.objects.get().data["administrative_passed"] is True


def test_the_database_refuses_to_update_or_delete_an_event():
    _append(1)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(sequence=1).update(action="edited")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(sequence=1).delete()
    assert AuditEvent.objects.get(sequence=1).action == "test.event"


def test_an_event_is_rolled_back_with_the_change_it_records():
    with pytest.raises(RuntimeError), transaction.atomic():
        record(actor=None, action="test.event")
        raise RuntimeError("the change failed")
    assert AuditEvent.objects.count() == 0
    head = AuditChainHead.objects.filter(id=1).first()
    assert head is None or head.sequence == 0


def test_audit_verify_reports_an_intact_chain(capsys):
    _append(5)
    call_command("audit_verify")
    assert "5 events verified" in capsys.readouterr().out


def test_audit_verify_names_an_edited_row(tamperable):
    _append(5)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET data = %s WHERE sequence = 3", ['{"number": 99}'])
    with pytest.raises(CommandError, match=r"event #3: content does not match its hash"):
        call_command("audit_verify")


def test_audit_verify_names_an_edited_actor_label(tamperable):
    _append(4)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET actor_label = 'someone-else' WHERE sequence = 2")
    result = verify_chain()
    assert result.problem.sequence == 2
    assert result.events_checked == 1


def test_audit_verify_names_a_deleted_row_in_the_middle(tamperable):
    _append(5)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE sequence = 3")
    with pytest.raises(CommandError, match=r"event #3: missing"):
        call_command("audit_verify")


def test_audit_verify_notices_the_last_row_deleted(tamperable):
    _append(5)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE sequence = 5")
    result = verify_chain()
    assert not result.ok
    assert "chain head points at #5" in str(result.problem)


def test_audit_verify_names_an_inserted_row(tamperable):
    _append(4)
    # Insert a forged event between #2 and #3 by renumbering the tail, as a careful forger would have to.
    with connection.cursor() as cursor:
        for sequence in (4, 3):
            cursor.execute("UPDATE audit_auditevent SET sequence = sequence + 1 WHERE sequence = %s", [sequence])
        second = AuditEvent.objects.get(sequence=2)
        AuditEvent.objects.create(
            sequence=3,
            occurred_at=second.occurred_at,
            actor_label="system",
            action="forged.event",
            data={},
            previous_hash=second.hash,
            hash="f" * 64,
        )
    result = verify_chain()
    assert result.problem.sequence == 3
    assert "edited" in result.problem.reason


def test_audit_verify_notices_a_row_appended_without_the_head(tamperable):
    _append(3)
    last = AuditEvent.objects.get(sequence=3)
    AuditEvent.objects.create(
        sequence=4,
        occurred_at=last.occurred_at,
        actor_label="system",
        action="forged.event",
        data={},
        previous_hash=last.hash,
        hash="e" * 64,
    )
    assert not verify_chain().ok


def test_concurrent_writers_keep_one_unbroken_chain():
    """Each append locks the chain head, so writers from several threads queue instead of forking the chain."""
    import threading

    from django.db import connections

    errors = []

    def writer(name):
        try:
            for number in range(10):
                with transaction.atomic():
                    record(actor=None, action="test.concurrent", data={"writer": name, "number": number})
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(f"w{index}",)) for index in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert AuditEvent.objects.count() == 40
    result = verify_chain()
    assert result.ok, result.problem
    assert result.events_checked == 40
