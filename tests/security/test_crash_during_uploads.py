"""Crash safety (issue 9 part 5): a real gunicorn server on a real SQLite file takes many concurrent bid uploads
and is killed with SIGKILL in the middle of them (the whole process group: master and workers, as a power cut
or an OOM kill would). After a restart:

- every receipt the server issued before dying is honoured: the envelope it names exists with the committed
  SHA-256 and size, and a receipt for received bytes points to a stored file whose SHA-256 matches;
- no half-written bid is visible as complete, and no file under a bid's content-addressed name is partial;
- an upload cut off by the crash resumes from the size the server recorded and completes;
- the transparency log still verifies (signed checkpoint, every receipt included, consistent with a checkpoint
  taken before the crash) and `manage.py audit_verify` passes.

Pasal 5a (no disruption) and Pasal 7(4): a bidder holding a receipt must be able to rely on it. Nothing in the
server is mocked or patched; the clients speak HTTP as the browser's upload script does.
"""

import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyrage
import pytest
import requests

from eproc.bids import merkle, receipts

ROOT = Path(__file__).resolve().parents[2]
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
GUNICORN = str(Path(PYTHON).parent / "gunicorn")
BOXES = 6  # one box, hence one uploading thread, each: the same bidder may hold one live envelope per box
CHUNK = 128 * 1024
CSRF = "crashtestcsrftokencrashtestcsrf1"  # a 32-character secret: Django compares it with the header as is

SETUP = """
import json, sys
from datetime import timedelta
import django
django.setup()
import pyrage
from conftest import Personas
from eproc.bids import services as bids
from eproc.bids.keys import signing_key
from eproc.core import clock
from eproc.organizations.roles import Role
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

signing_key()  # made once here, not raced for by the server's workers
people = Personas()
vendor, bidder = people.vendor("CV Uji Mati Listrik")
member = people.make(Role.POKJA)
identity = pyrage.x25519.Identity.generate()
bids.register_committee_key(actor=member, recipient=str(identity.to_public()))
now = clock.now()
boxes = []
for number in range(int(sys.argv[1])):
    box = bids.create_box(
        actor=member, agency=people.agency_a, reference=f"SPSE-CRASH-{number}", title="Uji crash",
        envelope="single", members=[member], threshold=1, upload_opens_at=now - timedelta(hours=1),
        deadline=now + timedelta(hours=1), grace_period=timedelta(minutes=30),
        opening_at=now + timedelta(hours=2), bidders=[bidder],
    )
    boxes.append({"id": box.public_id, "recipient": box.recipient})
session = SessionStore()
session[SESSION_KEY] = str(bidder.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = bidder.get_session_auth_hash()
session.create()
print(json.dumps({"boxes": boxes, "session": session.session_key}))
"""

STATE = """
import json
import django
django.setup()
from eproc.bids.models import Envelope
print(json.dumps([
    {"id": e.public_id, "sha256": e.ciphertext_sha256, "size": e.ciphertext_size, "received": e.received_size,
     "storage": e.storage_name, "complete": e.bytes_completed_at is not None, "receipt": e.receipt}
    for e in Envelope.objects.all()
]))
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _environment(tmp_path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EPROC_", "DJANGO_", "DATABASE_URL"))}
    env.update(
        EPROC_DEBUG="0",
        EPROC_TESTING="1",
        EPROC_VAR_DIR=str(tmp_path / "var"),
        EPROC_MEDIA_ROOT=str(tmp_path / "media"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'eproc.sqlite3'}",
        DJANGO_SETTINGS_MODULE="eproc.config.settings",
        PYTHONPATH=str(ROOT),
    )
    return env


def _run(env, *args, stdin=None) -> str:
    result = subprocess.run(
        [PYTHON, *args], cwd=ROOT, env=env, input=stdin, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


class Server:
    def __init__(self, env, port):
        self.env, self.port = env, port
        self.url = f"http://127.0.0.1:{port}"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [GUNICORN, "eproc.config.wsgi", "--bind", f"127.0.0.1:{self.port}", "--workers", "3", "--timeout", "60"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group, so the kill reaches the workers too
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/api/v1/bids/public-key", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.2)
        self.stop()
        raise AssertionError("the server did not start")

    def kill(self):
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)


def _session(server, session_key):
    http = requests.Session()
    http.cookies.set("sessionid", session_key, domain="127.0.0.1")
    http.cookies.set("csrftoken", CSRF, domain="127.0.0.1")
    http.headers["X-CSRFToken"] = CSRF
    return http


class Uploader(threading.Thread):
    """One bidder's browser tab: seal, commit, send the chunks, complete; again and again until the server dies.
    Every receipt the server hands out is kept, as the bidder would keep it."""

    def __init__(self, server, session_key, box, receipts_out, stop):
        super().__init__(daemon=True)
        self.server, self.box, self.receipts, self.stop = server, box, receipts_out, stop
        self.http = _session(server, session_key)
        self.recipient = pyrage.x25519.Recipient.from_str(box["recipient"])
        self.between_chunks = False  # some chunks sent, the bid not complete yet

    def run(self):
        round_ = 0
        while not self.stop.is_set():
            round_ += 1
            sealed = pyrage.encrypt(os.urandom(5 * CHUNK + 7919 * round_), [self.recipient])
            try:
                self._upload(sealed)
            except (requests.RequestException, AssertionError):
                return  # the server is gone

    def _upload(self, sealed):
        base = self.server.url
        answer = self.http.post(
            f"{base}/api/v1/bids/boxes/{self.box['id']}/commitments",
            json={"sha256": hashlib.sha256(sealed).hexdigest(), "size": len(sealed)},
            timeout=30,
        )
        assert answer.status_code == 201, answer.text
        state = answer.json()
        envelope = state["envelope"]
        self.receipts.append(("commit", envelope, state["receipt"], sealed))
        for offset in range(0, len(sealed), CHUNK):
            answer = self.http.put(
                f"{base}/api/v1/bids/envelopes/{envelope}/chunks/{offset}",
                data=sealed[offset : offset + CHUNK],
                headers={"Content-Type": "application/octet-stream"},
                timeout=30,
            )
            assert answer.status_code == 200, answer.text
            state = answer.json()
            self.between_chunks = not state["complete"]  # the last chunk completes the bid
        if not state["complete"]:
            answer = self.http.post(f"{base}/api/v1/bids/envelopes/{envelope}/complete", json={}, timeout=30)
            assert answer.status_code == 200, answer.text
            state = answer.json()
        self.between_chunks = False
        self.receipts.append(("bytes", envelope, state["receipt"], sealed))


def _verify_log(server, issued, before_crash):
    """Offline checks, as a bidder or an auditor would run them against the restarted server's public API."""
    public_key = receipts.public_key_from_text(requests.get(f"{server.url}/api/v1/bids/public-key").text.strip())
    checkpoint = requests.get(f"{server.url}/api/v1/bids/log/checkpoint").json()
    assert receipts.verify_document(checkpoint, public_key)
    size, root = checkpoint["body"]["size"], bytes.fromhex(checkpoint["body"]["root"])
    for _kind, _envelope, receipt, _sealed in issued:
        assert receipts.verify_document(receipt, public_key)
        index = receipt["body"]["log_index"]
        proof = requests.get(f"{server.url}/api/v1/bids/log/entries/{index}", params={"tree_size": size}).json()
        leaf = merkle.leaf_hash(receipts.canonical_json(receipt))
        assert merkle.verify_inclusion(leaf, index, size, merkle.proof_from_hex(proof["proof"]), root), index
    old_size, old_root = before_crash["body"]["size"], bytes.fromhex(before_crash["body"]["root"])
    consistency = requests.get(f"{server.url}/api/v1/bids/log/consistency", params={"old": old_size, "new": size})
    assert merkle.verify_consistency(old_size, size, old_root, root, merkle.proof_from_hex(consistency.json()["proof"]))


def _sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.skipif(not Path(GUNICORN).exists(), reason="gunicorn is a dependency; the venv is not set up")
def test_a_server_killed_during_concurrent_uploads_keeps_every_receipt_it_issued(tmp_path):
    env = _environment(tmp_path)
    _run(env, "manage.py", "migrate", "--noinput")
    world = json.loads(_run(env, "-", str(BOXES), stdin=SETUP).strip().splitlines()[-1])
    server = Server(env, _free_port())
    server.start()
    try:
        before_crash = requests.get(f"{server.url}/api/v1/bids/log/checkpoint").json()
        issued, stop = [], threading.Event()
        uploaders = [Uploader(server, world["session"], box, issued, stop) for box in world["boxes"]]
        for uploader in uploaders:
            uploader.start()
        started = time.monotonic()
        # Kill in the middle: once several bids are complete and others are still on their way.
        while time.monotonic() - started < 25 and not (
            sum(kind == "bytes" for kind, *_ in issued) >= BOXES
            and sum(uploader.between_chunks for uploader in uploaders) >= 2
        ):
            time.sleep(0.02)
        server.kill()
        stop.set()
        for uploader in uploaders:
            uploader.join(timeout=30)
        assert sum(kind == "bytes" for kind, *_ in issued) >= BOXES, "too few uploads finished before the kill"

        envelopes = {row["id"]: row for row in json.loads(_run(env, "-", stdin=STATE).strip().splitlines()[-1])}
        media = tmp_path / "media"
        cut_off = 0
        for kind, envelope_id, receipt, sealed in issued:
            row = envelopes[envelope_id]
            assert row["sha256"] == receipt["body"]["ciphertext_sha256"] == hashlib.sha256(sealed).hexdigest()
            assert row["size"] == receipt["body"]["ciphertext_size"] == len(sealed)
            if kind == "bytes":
                assert row["complete"]
                assert _sha256_of(media / row["storage"]) == row["sha256"]
        for row in envelopes.values():
            if row["complete"]:
                assert _sha256_of(media / row["storage"]) == row["sha256"], row["id"]
            else:
                assert row["storage"] == ""
                cut_off += row["received"] > 0
        for stored in (media / "bids" / "sealed").rglob("*.age"):  # no partial file under a content address
            assert _sha256_of(stored) == stored.stem, stored

        server.start()  # the restart
        resumed = 0
        http = _session(server, world["session"])
        for kind, envelope_id, _receipt, sealed in list(issued):
            row = envelopes[envelope_id]
            if kind != "commit" or row["complete"]:
                continue
            state = http.get(f"{server.url}/api/v1/bids/envelopes/{envelope_id}").json()
            if state["superseded"]:
                continue
            for offset in range(state["received_size"], len(sealed), CHUNK):
                answer = http.put(
                    f"{server.url}/api/v1/bids/envelopes/{envelope_id}/chunks/{offset}",
                    data=sealed[offset : offset + CHUNK],
                    headers={"Content-Type": "application/octet-stream"},
                )
                assert answer.status_code == 200, answer.text
            answer = http.post(f"{server.url}/api/v1/bids/envelopes/{envelope_id}/complete", json={})
            assert answer.status_code == 200, answer.text
            issued.append(("bytes", envelope_id, answer.json()["receipt"], sealed))
            resumed += 1
        assert cut_off > 0 and resumed > 0, "no upload was cut off by the kill; the test did not test a crash"
        _verify_log(server, issued, before_crash)
    finally:
        server.stop()
    audit = subprocess.run(
        [PYTHON, "manage.py", "audit_verify"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert audit.returncode == 0, audit.stdout + audit.stderr
    print(f"\ncrash test: {len(issued)} receipts checked, {cut_off} uploads cut off mid-way, {resumed} resumed")
