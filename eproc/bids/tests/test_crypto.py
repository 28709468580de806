"""Tender keys, Shamir shares, the upload header check and bid opening, against the real `age` CLI where it matters.
Django-free: run with `pytest -p no:django`."""

import base64
import hashlib
import hmac
import io
import itertools
import os
import shutil
import subprocess
import tracemalloc
from pathlib import Path

import bech32
import pyrage
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from eproc.bids import crypto

AGE = shutil.which("age") or "age"  # the tests need the age CLI (make test installs it)
AGE_KEYGEN = shutil.which("age-keygen") or "age-keygen"

SEED = bytes(range(16))


def tender_key(box_id="box-1", envelope="price", seed=SEED):
    identity = crypto.derive_identity(seed, box_id=box_id, envelope=envelope)
    return identity, crypto.recipient_for(identity)


def age_encrypt(recipient: str, src: Path, dst: Path, *extra: str) -> Path:
    subprocess.run([AGE, "-r", recipient, *extra, "-o", str(dst), str(src)], check=True, capture_output=True)
    return dst


def header_of(data: bytes) -> bytes:
    end = data.index(b"\n--- ") + 1
    return data[: data.index(b"\n", end) + 1]


def b64(data: bytes) -> bytes:
    """Unpadded base64, as age writes it."""
    return base64.b64encode(data).rstrip(b"=")


def synthetic_header(*stanzas: bytes) -> bytes:
    return b"age-encryption.org/v1\n" + b"".join(stanzas) + b"--- " + b64(bytes(32)) + b"\n" + b"\x00" * 40


def x25519_stanza() -> bytes:
    return b"-> X25519 " + b64(bytes(range(32))) + b"\n" + b64(bytes(32)) + b"\n"


# --- Tender identity ---------------------------------------------------------------------------------------------


def test_the_identity_is_hkdf_sha256_of_the_seed_encoded_as_an_age_secret_key():
    # RFC 5869 by hand with hmac, so the derivation cannot drift silently (that would make every sealed bid
    # unopenable).
    prk = hmac.new(b"eproc/bids/v1/box-1", SEED, hashlib.sha256).digest()
    okm = hmac.new(prk, b"tender-identity/price" + b"\x01", hashlib.sha256).digest()
    expected = bech32.bech32_encode("age-secret-key-", bech32.convertbits(okm, 8, 5)).upper()
    identity = crypto.derive_identity(SEED, box_id="box-1", envelope="price")
    assert identity == expected
    assert identity.startswith("AGE-SECRET-KEY-1") and len(identity) == 74
    pyrage.x25519.Identity.from_str(identity)  # accepted by rage


def test_age_keygen_derives_the_same_recipient_as_recipient_for():
    identity, recipient = tender_key()
    result = subprocess.run([AGE_KEYGEN, "-y"], input=identity.encode(), capture_output=True, check=True)
    assert result.stdout.decode().strip() == recipient
    assert recipient.startswith("age1")


def test_the_encoding_is_byte_for_byte_what_age_keygen_writes(tmp_path):
    subprocess.run([AGE_KEYGEN, "-o", str(tmp_path / "key.txt")], check=True, capture_output=True)
    identity = next(line for line in (tmp_path / "key.txt").read_text().splitlines() if line.startswith("AGE-"))
    hrp, data = bech32.bech32_decode(identity.lower())
    scalar = bytes(bech32.convertbits(data, 5, 8, False))
    assert hrp == "age-secret-key-" and len(scalar) == 32
    assert bech32.bech32_encode("age-secret-key-", bech32.convertbits(scalar, 8, 5)).upper() == identity


def test_the_same_seed_box_and_envelope_always_give_the_same_identity():
    assert tender_key() == tender_key()


@pytest.mark.parametrize(
    "other",
    [
        {"box_id": "box-2", "envelope": "price"},
        {"box_id": "box-1", "envelope": "technical"},
        {"box_id": "box-1", "envelope": "price", "seed": bytes(16)},
    ],
)
def test_a_different_box_envelope_or_seed_gives_a_different_identity(other):
    assert tender_key(**other)[0] != tender_key()[0]
    assert tender_key(**other)[1] != tender_key()[1]


@pytest.mark.parametrize("seed", [b"", bytes(15), bytes(17), "0" * 16])
def test_a_seed_of_the_wrong_length_or_type_is_refused(seed):
    with pytest.raises(ValueError):
        crypto.derive_identity(seed, box_id="b", envelope="e")


def test_new_seeds_are_sixteen_random_bytes():
    seeds = {crypto.new_seed() for _ in range(20)}
    assert len(seeds) == 20 and all(len(seed) == crypto.SEED_BYTES == 16 for seed in seeds)


# --- Shamir shares -------------------------------------------------------------------------------------------------

SCHEMES = [(1, 1), (1, 3), (2, 2), (2, 3), (3, 3), (2, 4), (3, 5), (4, 5), (5, 5), (4, 7)]


@pytest.mark.parametrize(("threshold", "holders"), SCHEMES)
def test_any_k_of_n_shares_reproduce_the_seed_and_the_recipient(threshold, holders):
    seed = crypto.new_seed()
    _, recipient = tender_key(seed=seed)
    shares = crypto.split_seed(seed, threshold=threshold, holders=holders)
    assert [share.index for share in shares] == list(range(1, holders + 1))
    for count in range(threshold, holders + 1):  # k shares, and more than k, in every combination and order
        for subset in itertools.combinations(shares, count):
            combined = crypto.combine_shares(subset[::-1])
            assert combined == seed
            assert tender_key(seed=combined)[1] == recipient


@pytest.mark.parametrize(("threshold", "holders"), [(k, n) for k, n in SCHEMES if k > 1])
def test_k_minus_one_shares_do_not_reproduce_the_recipient(threshold, holders):
    seed = crypto.new_seed()
    _, recipient = tender_key(seed=seed)
    shares = crypto.split_seed(seed, threshold=threshold, holders=holders)
    for subset in itertools.combinations(shares, threshold - 1):
        combined = crypto.combine_shares(subset)  # no error: Shamir cannot tell ...
        assert combined != seed
        assert tender_key(seed=combined)[1] != recipient  # ... so callers compare the derived recipient


def test_a_forged_share_is_not_detected_by_combining_but_by_its_published_hash():
    seed = crypto.new_seed()
    shares = crypto.split_seed(seed, threshold=2, holders=3)
    published = [crypto.share_sha256(share) for share in shares]
    forged = crypto.Share(shares[0].index, bytes(16))
    assert crypto.combine_shares([forged, shares[1]]) != seed
    assert crypto.share_sha256(forged) != published[0]
    assert crypto.share_sha256(shares[1]) == published[1]


def test_a_one_of_one_split_is_the_seed_itself_for_a_pejabat_pengadaan_alone():
    seed = crypto.new_seed()
    (share,) = crypto.split_seed(seed, threshold=1, holders=1)
    assert share == crypto.Share(1, seed)
    assert crypto.combine_shares([share]) == seed


def test_every_share_of_a_one_of_n_split_equals_the_seed():
    seed = crypto.new_seed()
    shares = crypto.split_seed(seed, threshold=1, holders=4)
    assert {share.value for share in shares} == {seed}


def test_shares_of_a_real_split_are_all_different_and_hash_differently():
    shares = crypto.split_seed(crypto.new_seed(), threshold=3, holders=5)
    assert len({share.value for share in shares}) == 5
    hashes = [crypto.share_sha256(share) for share in shares]
    assert len(set(hashes)) == 5 and all(len(value) == 64 and int(value, 16) >= 0 for value in hashes)
    assert hashes[0] == hashlib.sha256(bytes([1]) + shares[0].value).hexdigest()


@pytest.mark.parametrize(("threshold", "holders"), [(0, 1), (3, 2), (1, 0), (2, 256), (True, 2), (1.0, 2)])
def test_impossible_splits_are_refused(threshold, holders):
    with pytest.raises(ValueError):
        crypto.split_seed(SEED, threshold=threshold, holders=holders)


def test_a_share_survives_its_byte_form():
    for share in crypto.split_seed(crypto.new_seed(), threshold=2, holders=3):
        data = share.to_bytes()
        assert len(data) == 17 and data[0] == share.index
        assert crypto.Share.from_bytes(data) == share


@pytest.mark.parametrize("data", [b"", bytes(16), bytes(18), bytes(17), "x" * 17])
def test_a_malformed_share_is_refused(data):
    # bytes(17) has index 0, which no share has.
    with pytest.raises(ValueError):
        crypto.Share.from_bytes(data)


def test_combining_needs_distinct_shares():
    shares = crypto.split_seed(SEED, threshold=2, holders=3)
    with pytest.raises(ValueError):
        crypto.combine_shares([shares[0], shares[0]])
    with pytest.raises(ValueError):
        crypto.combine_shares([])


# --- Whole-message helpers -----------------------------------------------------------------------------------------


def test_a_share_encrypted_to_a_member_decrypts_with_their_identity():
    member = pyrage.x25519.Identity.generate()
    share = crypto.split_seed(SEED, threshold=2, holders=3)[0]
    sealed = crypto.encrypt_to_recipient(str(member.to_public()), share.to_bytes())
    assert sealed.startswith(b"age-encryption.org/v1\n")
    assert crypto.Share.from_bytes(crypto.decrypt_with_identity(str(member), sealed)) == share


# --- Upload header check -------------------------------------------------------------------------------------------


def test_a_file_made_by_the_age_cli_passes_and_only_its_header_is_read(tmp_path):
    _, recipient = tender_key()
    plain = tmp_path / "bid.zip"
    plain.write_bytes(os.urandom(3 * 1024 * 1024))
    sealed = age_encrypt(recipient, plain, tmp_path / "bid.age")
    with open(sealed, "rb") as stream:
        length = crypto.check_age_header(stream)
        assert stream.tell() == length
    assert length == len(header_of(sealed.read_bytes()))


def test_a_file_for_several_x25519_recipients_passes(tmp_path):
    _, recipient = tender_key()
    (tmp_path / "bid.zip").write_bytes(b"bid")
    other = str(pyrage.x25519.Identity.generate().to_public())
    sealed = age_encrypt(recipient, tmp_path / "bid.zip", tmp_path / "bid.age", "-r", other)
    assert sealed.read_bytes().count(b"\n-> X25519 ") == 2
    assert crypto.check_age_header(io.BytesIO(sealed.read_bytes())) == len(header_of(sealed.read_bytes()))


def test_a_file_made_by_pyrage_passes_although_it_carries_a_grease_stanza():
    data = crypto.encrypt_to_recipient(tender_key()[1], b"bid")
    assert b"-grease" in header_of(data)  # rage adds random stanzas that recipients must ignore
    assert crypto.check_age_header(io.BytesIO(data)) == len(header_of(data))


def _ssh_recipient(private_key) -> str:
    public = private_key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    return public.decode()


def _tag_recipient() -> str:
    point = ec.generate_private_key(ec.SECP256R1()).public_key()
    raw = point.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint)
    return bech32.bech32_encode("age1tag", bech32.convertbits(raw, 8, 5))


def _encrypt_to_ssh(private_key) -> bytes:
    return pyrage.encrypt(b"bid", [pyrage.ssh.Recipient.from_str(_ssh_recipient(private_key))])


@pytest.mark.parametrize(
    ("make", "named"),
    [
        (lambda: pyrage.passphrase.encrypt(b"bid", "rahasia"), "scrypt"),
        (lambda: _encrypt_to_ssh(ed25519.Ed25519PrivateKey.generate()), "ssh-ed25519"),
        (lambda: _encrypt_to_ssh(rsa.generate_private_key(65537, 2048)), "ssh-rsa"),
        (lambda: pyrage.encrypt(b"bid", [pyrage.tag.Recipient.from_str(_tag_recipient())]), "p256tag"),
    ],
    ids=["passphrase", "ssh-ed25519", "ssh-rsa", "p256tag"],
)
def test_files_for_other_recipient_types_are_refused_naming_the_type(make, named):
    with pytest.raises(crypto.AgeHeaderError, match=named):
        crypto.check_age_header(io.BytesIO(make()))


def test_a_file_for_the_tender_and_a_passphrase_is_refused():
    scrypt = b"-> scrypt " + b64(bytes(16)) + b" 18\n" + b"A" * 43 + b"\n"
    with pytest.raises(crypto.AgeHeaderError, match="scrypt"):
        crypto.check_age_header(io.BytesIO(synthetic_header(x25519_stanza(), scrypt)))


@pytest.mark.parametrize("kind", ["piv-p256", "mlkem768x25519", "mlkem768p256tag", "yubikey"])
def test_plugin_and_post_quantum_stanzas_are_refused_naming_the_type(kind):
    stanza = b"-> " + kind.encode() + b" abc\n" + b"A" * 43 + b"\n"
    with pytest.raises(crypto.AgeHeaderError, match=kind):
        crypto.check_age_header(io.BytesIO(synthetic_header(x25519_stanza(), stanza)))


def test_a_well_formed_synthetic_header_passes():
    data = synthetic_header(x25519_stanza())
    assert crypto.check_age_header(io.BytesIO(data)) == len(data) - 40


def test_an_armored_file_is_refused_with_advice_to_upload_the_binary_form(tmp_path):
    (tmp_path / "bid.zip").write_bytes(b"bid")
    sealed = age_encrypt(tender_key()[1], tmp_path / "bid.zip", tmp_path / "bid.asc", "-a")
    for data in (sealed.read_bytes(), b"\n  \n" + sealed.read_bytes()):
        with pytest.raises(crypto.AgeHeaderError, match="binary") as caught:
            crypto.check_age_header(io.BytesIO(data))
        assert "without -a" in str(caught.value)


def test_every_truncation_of_a_real_header_is_refused(tmp_path):
    (tmp_path / "bid.zip").write_bytes(b"bid")
    header = header_of(age_encrypt(tender_key()[1], tmp_path / "bid.zip", tmp_path / "bid.age").read_bytes())
    for cut in range(len(header)):
        with pytest.raises(crypto.AgeHeaderError):
            crypto.check_age_header(io.BytesIO(header[:cut]))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"PK\x03\x04" + os.urandom(100), "ZIP"),
        (b"%PDF-1.7\n", "PDF"),
        (os.urandom(1000).replace(b"\n", b""), "not an age"),
        (b"age-encryption.org/v2\n", "version"),
        (b"age-encryption.org/v1\r\n-> X25519 a\r\n", "not an age|Windows"),
        (b"age-encryption.org/v1\n--- " + b"A" * 43 + b"\n", "no recipient stanza"),
        (synthetic_header(x25519_stanza()).replace(b"\n", b"\r\n", 2), "Windows"),
        (synthetic_header(b"-> X25519\n" + b"A" * 43 + b"\n"), "X25519"),
        (synthetic_header(b"-> X25519 AAAA AAAA\n" + b"A" * 43 + b"\n"), "X25519"),
        (synthetic_header(b"-> X25519 " + b"A" * 43 + b"\n" + b"A" * 42 + b"\n"), "X25519"),
        (synthetic_header(b"-> X25519 " + b"A" * 43 + b"\n" + b"A" * 65 + b"\n"), "64 columns"),
        (synthetic_header(b"-> X25519 " + b"A" * 43 + b"\n" + b"A" * 42 + b"B\n"), "canonical"),
        (synthetic_header(b"-> X25519 " + b"A" * 43 + b"\n" + b"A" * 42 + b"=\n"), "base64"),
        (synthetic_header(b"->  X25519 " + b"A" * 43 + b"\n" + b"A" * 43 + b"\n"), "malformed"),
        (synthetic_header(b"-> X\x8025519 " + b"A" * 43 + b"\n" + b"A" * 43 + b"\n"), "malformed"),
        (synthetic_header(b"-> abc-grease x\n\n"), "no X25519"),
        (b"age-encryption.org/v1\n" + x25519_stanza() + b"--- short\n", "MAC"),
        (b"age-encryption.org/v1\n" + x25519_stanza() + b"---" + b"A" * 43 + b"\n", "MAC"),
        (b"age-encryption.org/v1\n" + x25519_stanza() + b"garbage\n", "expected a '-> '"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_malformed_headers_are_refused_with_a_reason(data, message):
    with pytest.raises(crypto.AgeHeaderError, match=message):
        crypto.check_age_header(io.BytesIO(data))


class CountingStream(io.BytesIO):
    def __init__(self, data):
        super().__init__(data)
        self.bytes_read = 0

    def readline(self, size=-1):
        line = super().readline(size)
        self.bytes_read += len(line)
        return line

    def read(self, size=-1):
        data = super().read(size)
        self.bytes_read += len(data)
        return data


@pytest.mark.parametrize(
    "body",
    [
        b"-> X25519 " + b"A" * (2 * 1024 * 1024) + b"\n",  # one endless line
        b"-> a-grease\n" + (b"A" * 64 + b"\n") * 40000,  # an endless stanza body
        b"".join(b"-> a-grease\n\n" for _ in range(100000)),  # endless stanzas
    ],
    ids=["long-line", "long-body", "many-stanzas"],
)
def test_an_overlong_header_is_refused_without_reading_the_whole_file(body):
    stream = CountingStream(b"age-encryption.org/v1\n" + body)
    with pytest.raises(crypto.AgeHeaderError, match="longer than 64 KiB"):
        crypto.check_age_header(stream)
    assert stream.bytes_read <= crypto.HEADER_LIMIT + 1


# --- Opening bids ---------------------------------------------------------------------------------------------------
# The opening reads the age format itself on OpenSSL's primitives (crypto.py, "Opening bids"), so these tests hold it
# to the two real implementations: bids sealed by the `age` CLI (Go) and by pyrage (Rust, with its grease stanza)
# must open to the same bytes, and every damaged file must be refused exactly when `age --decrypt` refuses it.

STREAM_CHUNK = 64 * 1024
SEALED_CHUNK = STREAM_CHUNK + 16


def seal_with(sealer: str, recipient: str, plaintext: bytes, dst: Path) -> Path:
    if sealer == "age-cli":
        source = dst.with_suffix(".plain")
        source.write_bytes(plaintext)
        age_encrypt(recipient, source, dst)
        source.unlink()
    else:
        dst.write_bytes(crypto.encrypt_to_recipient(recipient, plaintext))
    return dst


@pytest.fixture(params=["age-cli", "pyrage"])
def sealer(request):
    """Who sealed the bid: vendors encrypt with the age CLI or another age implementation (pyrage's Rust crate
    stands for those), and the opening must read both."""
    return request.param


@pytest.fixture
def sealed_bid(tmp_path, sealer):
    """A 4 MiB bid (64 STREAM chunks and a short one) sealed to the tender recipient: (identity, plaintext, path)."""
    identity, recipient = tender_key()
    plaintext = os.urandom(4 * 1024 * 1024 + 123)
    (tmp_path / "in").mkdir()
    (tmp_path / "out").mkdir()
    return identity, plaintext, seal_with(sealer, recipient, plaintext, tmp_path / "in" / "bid.age")


def age_cli_opens(identity: str, sealed: Path, tmp_path: Path) -> bytes | None:
    """What `age --decrypt` makes of the file: its plaintext, or None when it refuses it."""
    identity_file = tmp_path / "identity.txt"
    identity_file.write_text(identity + "\n")
    done = subprocess.run([AGE, "--decrypt", "--identity", str(identity_file), str(sealed)], capture_output=True)
    return done.stdout if done.returncode == 0 else None


def eproc_opens(identity: str, sealed: Path, tmp_path: Path) -> bytes | None:
    dst = tmp_path / "out" / "bid.zip"
    try:
        digest, size = crypto.decrypt_file(sealed, dst, identity)
    except crypto.DecryptionFailed:
        assert not dst.exists()
        return None
    plaintext = dst.read_bytes()
    assert (digest, size) == (hashlib.sha256(plaintext).hexdigest(), len(plaintext))
    dst.unlink()
    return plaintext


def test_a_sealed_bid_opens_to_the_same_bytes_and_hash(sealed_bid, tmp_path):
    identity, plaintext, sealed = sealed_bid
    dst = tmp_path / "out" / "bid.zip"
    digest, size = crypto.decrypt_file(sealed, dst, identity)
    assert dst.read_bytes() == plaintext
    assert (digest, size) == (hashlib.sha256(plaintext).hexdigest(), len(plaintext))
    assert os.listdir(tmp_path / "out") == ["bid.zip"]


@pytest.mark.parametrize("size", [0, 1, STREAM_CHUNK - 1, STREAM_CHUNK, STREAM_CHUNK + 1, 2 * STREAM_CHUNK, 16 * 65536])
def test_plaintexts_at_every_chunk_boundary_open_whole(tmp_path, sealer, size):
    # Empty, one byte, a chunk short of full, exactly full (the last chunk is then a full one), one past, and exactly
    # one read (16 chunks): where a streaming decryptor could drop or duplicate a chunk.
    identity, recipient = tender_key()
    (tmp_path / "out").mkdir()
    plaintext = os.urandom(size)
    assert eproc_opens(identity, seal_with(sealer, recipient, plaintext, tmp_path / "bid.age"), tmp_path) == plaintext


def test_a_bid_for_several_recipients_opens_with_the_tender_key_in_any_position(tmp_path):
    identity, recipient = tender_key()
    others = [tender_key(envelope=f"other-{number}")[1] for number in range(2)]
    (tmp_path / "out").mkdir()
    plaintext = os.urandom(100_000)
    (tmp_path / "bid.zip").write_bytes(plaintext)
    extra = [argument for other in others for argument in ("-r", other)]
    sealed = age_encrypt(others[0], tmp_path / "bid.zip", tmp_path / "bid.age", *extra[2:], "-r", recipient)
    assert eproc_opens(identity, sealed, tmp_path) == plaintext


def _mutations(data: bytes) -> dict[str, bytes]:
    """Damaged copies of a sealed file with a few chunks: every region of it hit once, cut at and around every
    chunk boundary, and lengthened."""
    header = len(header_of(data))
    chunk_ends = list(range(header + 16 + SEALED_CHUNK, len(data), SEALED_CHUNK))
    mutations = {}
    for name, position in {
        "version line": 3,
        "stanza type": data.index(b"X25519"),
        "share": data.index(b"X25519") + 10,
        "wrapped key": data.index(b"X25519") + 60,
        "mac": header - 10,
        "payload nonce": header + 3,
        "first chunk": header + 16 + 100,
        "first tag": header + 16 + SEALED_CHUNK - 3,
        "last chunk": len(data) - 40,
        "last tag": len(data) - 1,
    }.items():
        changed = bytearray(data)
        changed[position] ^= 0x01
        mutations[f"bit flipped in the {name}"] = bytes(changed)
    for end in [header, header + 15, header + 16, *chunk_ends, len(data) - 17, len(data) - 16, len(data) - 1]:
        for cut in (end - 1, end, end + 1):
            if cut < len(data):
                mutations[f"cut to {cut} bytes"] = data[:cut]
    mutations["a byte appended"] = data + b"\x00"
    mutations["an empty chunk's worth appended"] = data + bytes(16)
    mutations["a whole chunk appended"] = data + data[header + 16 : header + 16 + SEALED_CHUNK]
    chunk = slice(header + 16, header + 16 + SEALED_CHUNK)
    mutations["two chunks swapped"] = (
        data[: chunk.start]
        + data[chunk.stop : chunk.stop + SEALED_CHUNK]
        + data[chunk]
        + data[chunk.stop + SEALED_CHUNK :]
    )
    return mutations


def test_a_damaged_bid_is_refused_exactly_when_the_age_cli_refuses_it(tmp_path, sealer):
    identity, recipient = tender_key()
    (tmp_path / "out").mkdir()
    plaintext = os.urandom(3 * STREAM_CHUNK + 500)
    data = seal_with(sealer, recipient, plaintext, tmp_path / "bid.age").read_bytes()
    mutations = _mutations(data)
    assert len(mutations) > 30
    disagreements = []
    for name, damaged in mutations.items():
        (tmp_path / "damaged.age").write_bytes(damaged)
        ours, theirs = (opens(identity, tmp_path / "damaged.age", tmp_path) for opens in (eproc_opens, age_cli_opens))
        if ours != theirs:
            disagreements.append(name)
        assert ours is None, name  # every change to the file is caught
    assert disagreements == []
    assert eproc_opens(identity, tmp_path / "bid.age", tmp_path) == plaintext  # and the intact file still opens


def seal_by_hand(recipient: str, pieces: list[tuple[bytes, bool]], *, share: bytes | None = None) -> bytes:
    """An age file written from the specification, chunk by chunk with the given "last" flags, for the shapes no
    honest encoder writes. `share` replaces the X25519 ephemeral share (a low-order point, say)."""

    def hkdf(secret: bytes, salt: bytes, info: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(secret)

    ours = X25519PublicKey.from_public_bytes(bytes(bech32.convertbits(bech32.bech32_decode(recipient)[1], 5, 8, False)))
    ephemeral = X25519PrivateKey.generate()
    if share is None:
        share, shared = ephemeral.public_key().public_bytes_raw(), ephemeral.exchange(ours)
    else:
        shared = bytes(32)
    file_key = os.urandom(16)
    wrapping = hkdf(shared, share + ours.public_bytes_raw(), b"age-encryption.org/v1/X25519")
    body = ChaCha20Poly1305(wrapping).encrypt(bytes(12), file_key, None)
    header = b"age-encryption.org/v1\n-> X25519 " + b64(share) + b"\n" + b64(body) + b"\n---"
    mac = hmac.new(hkdf(file_key, b"", b"header"), header, "sha256").digest()
    nonce = os.urandom(16)
    stream = ChaCha20Poly1305(hkdf(file_key, nonce, b"payload"))
    sealed = [
        stream.encrypt(index.to_bytes(11, "big") + (b"\x01" if last else b"\x00"), piece, None)
        for index, (piece, last) in enumerate(pieces)
    ]
    return header + b" " + b64(mac) + b"\n" + nonce + b"".join(sealed)


@pytest.mark.parametrize(
    ("pieces", "opens"),
    [
        ([(b"a" * STREAM_CHUNK, False), (b"b", True)], True),
        ([(b"a" * STREAM_CHUNK, False), (b"b" * STREAM_CHUNK, True)], True),
        ([(b"", True)], True),
        # An empty last chunk is allowed only as the whole (empty) payload.
        ([(b"a" * STREAM_CHUNK, False), (b"", True)], False),
        # Only the last chunk may be short.
        ([(b"a" * 100, False), (b"b", True)], False),
        # No chunk marked last: the file was cut at a chunk boundary.
        ([(b"a" * STREAM_CHUNK, False)], False),
        ([(b"a" * STREAM_CHUNK, True), (b"b", True)], False),
    ],
)
def test_chunk_shapes_only_a_deviant_encoder_writes_are_judged_as_the_age_cli_judges_them(tmp_path, pieces, opens):
    identity, recipient = tender_key()
    (tmp_path / "out").mkdir()
    (tmp_path / "bid.age").write_bytes(seal_by_hand(recipient, pieces))
    expected = b"".join(piece for piece, _last in pieces) if opens else None
    assert age_cli_opens(identity, tmp_path / "bid.age", tmp_path) == expected
    assert eproc_opens(identity, tmp_path / "bid.age", tmp_path) == expected


def test_a_low_order_share_is_refused_as_a_corrupt_file(tmp_path):
    # X25519 with a low-order point gives the all-zero secret, which age forbids (the "contributory" check).
    identity, recipient = tender_key()
    (tmp_path / "out").mkdir()
    (tmp_path / "bid.age").write_bytes(seal_by_hand(recipient, [(b"x", True)], share=bytes(32)))
    assert age_cli_opens(identity, tmp_path / "bid.age", tmp_path) is None
    with pytest.raises(crypto.DecryptionFailed, match="low-order") as caught:
        crypto.decrypt_file(tmp_path / "bid.age", tmp_path / "out" / "bid.zip", identity)
    assert caught.value.kind == "corrupt"


def test_an_existing_destination_is_replaced_only_by_a_complete_plaintext(sealed_bid, tmp_path):
    identity, plaintext, sealed = sealed_bid
    dst = tmp_path / "out" / "bid.zip"
    dst.write_bytes(b"old")
    crypto.decrypt_file(sealed, dst, identity)
    assert dst.read_bytes() == plaintext


def _damaged(sealed: Path, how: str) -> Path:
    data = bytearray(sealed.read_bytes())
    if how == "truncated":
        data = data[: len(data) - 1000]
    elif how == "truncated-at-chunk":
        data = data[: len(header_of(bytes(data))) + 16 + 3 * SEALED_CHUNK]
    elif how == "bit-flipped-payload":
        data[-5000] ^= 0x01
    elif how == "altered-header-mac":
        # Another base64 letter, not a flipped bit: "A" with its low bit flipped is "@", which makes the header
        # unreadable rather than its MAC wrong (and the test flaky, the MAC being random).
        position = len(header_of(bytes(data))) - 10
        data[position] = ord("B") if data[position] == ord("A") else ord("A")
    elif how == "empty":
        data = bytearray()
    elif how == "not-age":
        data = bytearray(b"PK\x03\x04 a plain zip")
    sealed.write_bytes(bytes(data))
    return sealed


@pytest.mark.parametrize(
    ("how", "kind", "reason"),
    [
        ("wrong-key", "wrong-key", "Not encrypted to this tender's key"),
        ("truncated", "corrupt", "truncated or altered"),
        ("truncated-at-chunk", "corrupt", "truncated or altered"),
        ("bit-flipped-payload", "corrupt", "truncated or altered"),
        ("altered-header-mac", "corrupt", "header was altered"),
        ("empty", "corrupt", "Not a valid age file"),
        ("not-age", "corrupt", "Not a valid age file"),
    ],
)
def test_a_bad_bid_raises_and_leaves_neither_plaintext_nor_temporary_file(sealed_bid, tmp_path, how, kind, reason):
    identity, _, sealed = sealed_bid
    if how == "wrong-key":
        identity = tender_key(envelope="technical")[0]
    else:
        _damaged(sealed, how)
    with pytest.raises(crypto.DecryptionFailed) as caught:
        crypto.decrypt_file(sealed, tmp_path / "out" / "bid.zip", identity)
    assert caught.value.kind == kind and reason in caught.value.reason
    assert os.listdir(tmp_path / "out") == []


@pytest.mark.parametrize(
    "identity",
    [
        "AGE-SECRET-KEY-1NOPE",
        crypto.recipient_for(tender_key()[0]),  # the public recipient, not the identity
        bech32.bech32_encode("age-secret-key-", bech32.convertbits(bytes(31), 8, 5)).upper(),  # 31 bytes
        tender_key()[0].lower(),  # age reads identities in upper case only
        None,
    ],
)
def test_a_malformed_identity_is_refused_before_anything_is_written(sealed_bid, tmp_path, identity):
    _, _, sealed = sealed_bid
    with pytest.raises(crypto.DecryptionFailed, match="identity is malformed") as caught:
        crypto.decrypt_file(sealed, tmp_path / "out" / "bid.zip", identity)
    assert caught.value.kind == "wrong-key"
    assert os.listdir(tmp_path / "out") == []


def test_a_missing_source_is_the_servers_fault_not_the_bids(sealed_bid, tmp_path):
    identity, _, _ = sealed_bid
    with pytest.raises(crypto.DecryptionFailed, match="Cannot read the bid file") as caught:
        crypto.decrypt_file(tmp_path / "in" / "missing.age", tmp_path / "out" / "bid.zip", identity)
    assert caught.value.kind == "io"
    assert os.listdir(tmp_path / "out") == []


def test_a_source_shorter_than_its_size_said_is_the_servers_fault_not_the_bids(tmp_path):
    # The payload is read at the offsets the file's size gave; a file cut while it is read (another process
    # meddling with storage) must not pass for a damaged bid.
    (tmp_path / "short").write_bytes(b"0123456789")
    with open(tmp_path / "short", "rb") as handle, pytest.raises(crypto.DecryptionFailed, match="shorter") as caught:
        crypto._read_exactly(handle.fileno(), bytearray(16), 0)
    assert caught.value.kind == "io"


def test_a_write_error_is_reported_as_the_servers_fault_not_the_bids(sealed_bid, tmp_path, monkeypatch):
    identity, _, sealed = sealed_bid
    temporary = tmp_path / "out" / ".bid.zip.part"

    def full_disk(dst):  # The plaintext goes to /dev/full: every write fails with ENOSPC, as on a full disk.
        temporary.write_bytes(b"")
        return os.open("/dev/full", os.O_RDWR), temporary

    monkeypatch.setattr(crypto, "_temporary_next_to", full_disk)
    with pytest.raises(crypto.DecryptionFailed, match="(?i)no space left") as caught:
        crypto.decrypt_file(sealed, tmp_path / "out" / "bid.zip", identity)
    assert caught.value.kind == "io"
    assert os.listdir(tmp_path / "out") == []


def test_opening_a_bid_holds_the_same_small_buffers_whatever_its_size(tmp_path):
    # Streamed 256 KiB at a time: opening 8 MiB and 32 MiB bids allocates the same (tracemalloc counts Python's own
    # buffers, where a decryptor that read the file whole would show).
    identity, recipient = tender_key()
    (tmp_path / "out").mkdir()
    peaks = []
    for size in (8, 32):
        plaintext = os.urandom(size * 1024 * 1024)
        sealed = seal_with("pyrage", recipient, plaintext, tmp_path / f"bid-{size}.age")
        del plaintext
        tracemalloc.start()
        try:
            crypto.decrypt_file(sealed, tmp_path / "out" / f"bid-{size}.zip", identity)
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
    assert max(peaks) < 2 * 1024 * 1024
    assert abs(peaks[1] - peaks[0]) < 256 * 1024


def test_bids_open_in_parallel_and_failures_come_back_as_values(sealed_bid, tmp_path):
    identity, plaintext, sealed = sealed_bid
    broken = tmp_path / "in" / "broken.age"
    broken.write_bytes(sealed.read_bytes()[:-100])
    jobs = [(sealed, tmp_path / "out" / "a.zip"), (broken, tmp_path / "out" / "b.zip")]
    results = crypto.open_files_in_workers(jobs, identity, max_workers=2)
    assert [src for src, _ in results] == [sealed, broken]
    assert results[0][1] == (hashlib.sha256(plaintext).hexdigest(), len(plaintext))
    assert isinstance(results[1][1], crypto.DecryptionFailed) and results[1][1].kind == "corrupt"
    assert sorted(os.listdir(tmp_path / "out")) == ["a.zip"]
    assert crypto.open_files_in_workers([], identity) == []
