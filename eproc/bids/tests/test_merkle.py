"""The bid transparency log's Merkle tree (RFC 6962 / RFC 9162): known answers, exhaustive small trees, tampering,
and property tests against a naive implementation written straight from the RFC text."""

import hashlib
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eproc.bids import merkle


# The project's root conftest has autouse fixtures that need Django (database triggers, MEDIA_ROOT). This module
# is pure Python and runs with `-p no:django`, so it shadows them with no-ops.
@pytest.fixture(autouse=True)
def _flush_bypasses_audit_triggers():
    return None


@pytest.fixture(autouse=True)
def _media_root():
    return None


# ---------------------------------------------------------------------------------------------------------------
# An independent, deliberately naive implementation: RFC 6962 section 2.1 transcribed with list slicing.


def _naive_split(n):
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def naive_mth(entries):
    """MTH(D[n]) over raw entries, exactly as RFC 6962 section 2.1 defines it."""
    if not entries:
        return hashlib.sha256(b"").digest()
    if len(entries) == 1:
        return hashlib.sha256(b"\x00" + entries[0]).digest()
    k = _naive_split(len(entries))
    return hashlib.sha256(b"\x01" + naive_mth(entries[:k]) + naive_mth(entries[k:])).digest()


def naive_path(m, entries):
    """PATH(m, D[n]), RFC 6962 section 2.1.1."""
    if len(entries) == 1:
        return []
    k = _naive_split(len(entries))
    if m < k:
        return naive_path(m, entries[:k]) + [naive_mth(entries[k:])]
    return naive_path(m - k, entries[k:]) + [naive_mth(entries[:k])]


def naive_subproof(m, entries, complete):
    """SUBPROOF(m, D[n], b), RFC 6962 section 2.1.2."""
    n = len(entries)
    if m == n:
        return [] if complete else [naive_mth(entries)]
    k = _naive_split(n)
    if m <= k:
        return naive_subproof(m, entries[:k], complete) + [naive_mth(entries[k:])]
    return naive_subproof(m - k, entries[k:], False) + [naive_mth(entries[:k])]


def naive_consistency(m, entries):
    """PROOF(m, D[n]), RFC 6962 section 2.1.2."""
    return naive_subproof(m, entries, True)


def entries_of(n, tag=b"receipt"):
    """n distinct receipts, like canonical receipt bytes."""
    return [b"%s-%d" % (tag, i) for i in range(n)]


def hashed(entries):
    return [merkle.leaf_hash(entry) for entry in entries]


def flip_bit(value, bit=0):
    data = bytearray(value)
    data[bit // 8] ^= 1 << (bit % 8)
    return bytes(data)


# ---------------------------------------------------------------------------------------------------------------
# Known answers: the Certificate Transparency reference test vectors (merkle_tree_test.cc).

CT_LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
]
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
H_LEAF_1 = "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"  # leaf_hash(b"\x00")
H_LEAF_4 = "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"  # leaf_hash(b"\x30\x31")
H_2_4 = "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"  # MTH(D[2:4])
H_4_8 = "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"  # MTH(D[4:8])
H_6_8 = "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"  # MTH(D[6:8])
H_4_6 = "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"  # MTH(D[4:6])


def test_the_empty_tree_has_the_hash_of_the_empty_string_as_its_root():
    assert merkle.EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert merkle.root([]) == merkle.EMPTY_ROOT


@pytest.mark.parametrize("size", range(1, 9))
def test_roots_match_the_certificate_transparency_reference_vectors(size):
    assert merkle.root(hashed(CT_LEAVES[:size])).hex() == CT_ROOTS[size - 1]


@pytest.mark.parametrize(
    ("index", "size", "path"),
    [
        (0, 1, []),
        (0, 8, [H_LEAF_1, H_2_4, H_4_8]),
        (5, 8, [H_LEAF_4, H_6_8, CT_ROOTS[3]]),
        (2, 3, [CT_ROOTS[1]]),
        (0, 5, [H_LEAF_1, H_2_4, H_LEAF_4]),
    ],
)
def test_inclusion_proofs_match_the_certificate_transparency_reference_vectors(index, size, path):
    leaves = hashed(CT_LEAVES[:size])
    assert merkle.proof_to_hex(merkle.inclusion_proof(leaves, index)) == path
    root = bytes.fromhex(CT_ROOTS[size - 1])
    assert merkle.verify_inclusion(leaves[index], index, size, merkle.proof_from_hex(path), root)


@pytest.mark.parametrize(
    ("old_size", "new_size", "proof"),
    [
        (1, 1, []),
        (1, 8, [H_LEAF_1, H_2_4, H_4_8]),
        (6, 8, [H_4_6, H_6_8, CT_ROOTS[3]]),
        (2, 5, [H_2_4, H_LEAF_4]),
    ],
)
def test_consistency_proofs_match_the_certificate_transparency_reference_vectors(old_size, new_size, proof):
    leaves = hashed(CT_LEAVES[:new_size])
    assert merkle.proof_to_hex(merkle.consistency_proof(leaves, old_size)) == proof
    old_root, new_root = bytes.fromhex(CT_ROOTS[old_size - 1]), bytes.fromhex(CT_ROOTS[new_size - 1])
    assert merkle.verify_consistency(old_size, new_size, old_root, new_root, merkle.proof_from_hex(proof))


def test_leaves_and_interior_nodes_are_hashed_with_different_prefixes():
    left, right = merkle.leaf_hash(b"a"), merkle.leaf_hash(b"b")
    assert merkle.leaf_hash(b"a") == hashlib.sha256(b"\x00a").digest()
    assert merkle.node_hash(left, right) == hashlib.sha256(b"\x01" + left + right).digest()
    # A two-leaf tree's root is not the leaf hash of its children's concatenation (second-preimage resistance).
    assert merkle.root([left, right]) != merkle.leaf_hash(left + right)


# ---------------------------------------------------------------------------------------------------------------
# Exhaustive small trees, cross-checked against the naive implementation.


def test_roots_agree_with_a_naive_implementation_of_the_rfc_for_sizes_up_to_70():
    entries = entries_of(70)
    for size in range(71):
        assert merkle.root(hashed(entries[:size])) == naive_mth(entries[:size]), size


def test_every_entry_has_an_inclusion_proof_that_verifies():
    for size in range(1, 41):
        entries = entries_of(size)
        leaves = hashed(entries)
        root = merkle.root(leaves)
        for index in range(size):
            proof = merkle.inclusion_proof(leaves, index)
            assert proof == naive_path(index, entries), (index, size)
            assert merkle.verify_inclusion(leaves[index], index, size, proof, root), (index, size)


def test_every_earlier_tree_has_a_consistency_proof_that_verifies():
    entries = entries_of(40)
    leaves = hashed(entries)
    roots = [merkle.root(leaves[:size]) for size in range(41)]
    for new_size in range(1, 41):
        for old_size in range(1, new_size + 1):
            proof = merkle.consistency_proof(leaves[:new_size], old_size)
            assert proof == naive_consistency(old_size, entries[:new_size]), (old_size, new_size)
            assert merkle.verify_consistency(old_size, new_size, roots[old_size], roots[new_size], proof), (
                old_size,
                new_size,
            )


def test_the_empty_tree_is_consistent_with_every_tree_without_a_proof():
    leaves = hashed(entries_of(5))
    assert merkle.consistency_proof(leaves, 0) == []
    assert merkle.verify_consistency(0, 5, merkle.EMPTY_ROOT, merkle.root(leaves), [])
    assert merkle.verify_consistency(0, 0, merkle.EMPTY_ROOT, merkle.EMPTY_ROOT, [])
    # But not with a proof attached, nor from a "size 0" checkpoint carrying some other root.
    assert not merkle.verify_consistency(0, 5, merkle.EMPTY_ROOT, merkle.root(leaves), [leaves[0]])
    assert not merkle.verify_consistency(0, 5, leaves[0], merkle.root(leaves), [])
    assert not merkle.verify_consistency(0, 0, merkle.EMPTY_ROOT, leaves[0], [])


def test_a_tree_is_consistent_with_itself_only_with_the_same_root_and_no_proof():
    leaves = hashed(entries_of(7))
    root = merkle.root(leaves)
    assert merkle.consistency_proof(leaves, 7) == []
    assert merkle.verify_consistency(7, 7, root, root, [])
    assert not merkle.verify_consistency(7, 7, root, flip_bit(root), [])
    assert not merkle.verify_consistency(7, 7, root, root, [leaves[0]])


# ---------------------------------------------------------------------------------------------------------------
# Tampering: every way of lying about the log must fail.

SIZES = [1, 2, 3, 5, 7, 8, 9, 16, 17, 31]


@pytest.mark.parametrize("size", SIZES)
def test_a_changed_entry_fails_its_inclusion_proof(size):
    entries = entries_of(size)
    leaves = hashed(entries)
    root = merkle.root(leaves)
    for index in range(size):
        proof = merkle.inclusion_proof(leaves, index)
        forged = merkle.leaf_hash(entries[index] + b" (amended)")
        assert not merkle.verify_inclusion(forged, index, size, proof, root)
        # Nor does the tree rebuilt around the changed entry keep the published root.
        assert merkle.root(leaves[:index] + [forged] + leaves[index + 1 :]) != root


@pytest.mark.parametrize("size", [s for s in SIZES if s > 1])
def test_a_proof_against_a_tree_missing_one_entry_fails(size):
    leaves = hashed(entries_of(size))
    full_root = merkle.root(leaves)
    for removed in range(size):
        shorter = leaves[:removed] + leaves[removed + 1 :]
        shorter_root = merkle.root(shorter)
        assert shorter_root != full_root
        for index in range(size - 1):
            # A proof from the log that silently dropped an entry does not verify against the honest root ...
            proof = merkle.inclusion_proof(shorter, index)
            assert not merkle.verify_inclusion(shorter[index], index, size, proof, full_root)
            assert not merkle.verify_inclusion(shorter[index], index, size - 1, proof, full_root)
        # ... and the dropped entry's honest proof does not verify against the shorter tree.
        proof = merkle.inclusion_proof(leaves, removed)
        assert not merkle.verify_inclusion(leaves[removed], removed, size - 1, proof, shorter_root)
        # A log that dropped an entry other than its last cannot prove itself consistent with its old head.
        if removed < size - 1:
            for old_size in range(removed + 1, size):
                proof = merkle.consistency_proof(shorter + [leaves[-1]], old_size)
                assert not merkle.verify_consistency(
                    old_size, size, merkle.root(leaves[:old_size]), merkle.root(shorter + [leaves[-1]]), proof
                )


@pytest.mark.parametrize("size", [s for s in SIZES if s > 1])
def test_a_wrong_index_fails(size):
    leaves = hashed(entries_of(size))
    root = merkle.root(leaves)
    for index in range(size):
        proof = merkle.inclusion_proof(leaves, index)
        for other in range(size + 2):
            if other != index:
                assert not merkle.verify_inclusion(leaves[index], other, size, proof, root), (index, other)


@pytest.mark.parametrize("size", SIZES)
def test_a_truncated_or_extended_inclusion_proof_fails(size):
    leaves = hashed(entries_of(size))
    root = merkle.root(leaves)
    later_root = merkle.root([*leaves, merkle.leaf_hash(b"next bid")])
    for index in range(size):
        proof = merkle.inclusion_proof(leaves, index)
        if proof:
            assert not merkle.verify_inclusion(leaves[index], index, size, proof[:-1], root)
            assert not merkle.verify_inclusion(leaves[index], index, size, proof[1:], root)
        assert not merkle.verify_inclusion(leaves[index], index, size, [*proof, leaves[0]], root)
        assert not merkle.verify_inclusion(leaves[index], index, size, [leaves[0], *proof], root)
        # Nor against the head of the log one entry later. (The size alone is not what the proof commits to: a path
        # can have the same shape in trees of neighbouring sizes, which is why a tree head signs size and root.)
        assert not merkle.verify_inclusion(leaves[index], index, size + 1, proof, later_root)


@pytest.mark.parametrize("size", SIZES)
def test_a_flipped_bit_in_the_root_or_in_any_proof_node_fails_inclusion(size):
    leaves = hashed(entries_of(size))
    root = merkle.root(leaves)
    for index in range(size):
        proof = merkle.inclusion_proof(leaves, index)
        for bit in (0, 77, 255):
            assert not merkle.verify_inclusion(leaves[index], index, size, proof, flip_bit(root, bit))
            assert not merkle.verify_inclusion(flip_bit(leaves[index], bit), index, size, proof, root)
            for position in range(len(proof)):
                damaged = proof[:position] + [flip_bit(proof[position], bit)] + proof[position + 1 :]
                assert not merkle.verify_inclusion(leaves[index], index, size, damaged, root)


def test_a_rewritten_history_fails_consistency():
    leaves = hashed(entries_of(20))
    for new_size in range(2, 21):
        for old_size in range(1, new_size):
            old_root = merkle.root(leaves[:old_size])
            for changed in range(old_size):
                rewritten = list(leaves[:new_size])
                rewritten[changed] = merkle.leaf_hash(b"backdated bid")
                proof = merkle.consistency_proof(rewritten, old_size)
                assert not merkle.verify_consistency(old_size, new_size, old_root, merkle.root(rewritten), proof)


def test_a_tampered_consistency_proof_fails():
    leaves = hashed(entries_of(20))
    roots = [merkle.root(leaves[:size]) for size in range(21)]
    for new_size in range(2, 21):
        for old_size in range(1, new_size):
            old_root, new_root = roots[old_size], roots[new_size]
            proof = merkle.consistency_proof(leaves[:new_size], old_size)
            assert not merkle.verify_consistency(old_size, new_size, flip_bit(old_root), new_root, proof)
            assert not merkle.verify_consistency(old_size, new_size, old_root, flip_bit(new_root, 200), proof)
            assert not merkle.verify_consistency(old_size, new_size, old_root, new_root, proof[:-1])
            assert not merkle.verify_consistency(old_size, new_size, old_root, new_root, proof[1:])
            assert not merkle.verify_consistency(old_size, new_size, old_root, new_root, [*proof, leaves[0]])
            assert not merkle.verify_consistency(new_size, old_size, new_root, old_root, proof)
            for position in range(len(proof)):
                damaged = proof[:position] + [flip_bit(proof[position], 9)] + proof[position + 1 :]
                assert not merkle.verify_consistency(old_size, new_size, old_root, new_root, damaged)
            # Heads of other sizes (each with its own root) are not what this proof links.
            if old_size > 1:
                assert not merkle.verify_consistency(old_size - 1, new_size, roots[old_size - 1], new_root, proof)
            if new_size < 20:
                assert not merkle.verify_consistency(old_size, new_size + 1, old_root, roots[new_size + 1], proof)


# ---------------------------------------------------------------------------------------------------------------
# Garbage in: verifiers answer False, builders and parsers raise ValueError.

GOOD = merkle.leaf_hash(b"x")


@pytest.mark.parametrize(
    ("leaf", "index", "size", "proof", "root"),
    [
        (GOOD, -1, 1, [], GOOD),
        (GOOD, 1, 1, [], GOOD),
        (GOOD, 0, 0, [], GOOD),
        (GOOD, 0, -3, [], GOOD),
        (GOOD, "0", 1, [], GOOD),
        (GOOD, 0.0, 1, [], GOOD),
        (GOOD, None, 1, [], GOOD),
        (GOOD, False, True, [], GOOD),
        (b"short", 0, 1, [], b"short"),
        (GOOD[:31], 0, 1, [], GOOD[:31]),
        ("not bytes", 0, 1, [], GOOD),
        (None, 0, 1, [], None),
        (GOOD, 0, 2, [b"short"], GOOD),
        (GOOD, 0, 2, None, GOOD),
        (GOOD, 0, 2, GOOD, GOOD),
        (GOOD, 0, 2, "ab" * 32, GOOD),
        (GOOD, 0, 2, [GOOD.hex()], GOOD),
        (GOOD, 0, 2, [None], GOOD),
        (GOOD, 0, 2**200, [GOOD] * 3, GOOD),
    ],
    ids=lambda value: repr(value)[:20],
)
def test_inclusion_verification_answers_false_on_garbage(leaf, index, size, proof, root):
    assert merkle.verify_inclusion(leaf, index, size, proof, root) is False


@pytest.mark.parametrize(
    ("old_size", "new_size", "old_root", "new_root", "proof"),
    [
        (-1, 2, GOOD, GOOD, [GOOD]),
        (3, 2, GOOD, GOOD, [GOOD]),
        (1, 2, GOOD, GOOD, []),
        (1, 2, GOOD, GOOD, None),
        (1, 2, GOOD, GOOD, GOOD),
        (1, 2, GOOD, GOOD, [b""]),
        (1, 2, GOOD, GOOD, [GOOD.hex()]),
        (1, 2, b"", GOOD, [GOOD]),
        (1, 2, GOOD, None, [GOOD]),
        ("1", 2, GOOD, GOOD, [GOOD]),
        (1, None, GOOD, GOOD, [GOOD]),
        (1.0, 2, GOOD, GOOD, [GOOD]),
        (1, 2**300, GOOD, GOOD, [GOOD] * 5),
        (0, 0, b"", b"", []),
    ],
    ids=lambda value: repr(value)[:20],
)
def test_consistency_verification_answers_false_on_garbage(old_size, new_size, old_root, new_root, proof):
    assert merkle.verify_consistency(old_size, new_size, old_root, new_root, proof) is False


def test_building_refuses_out_of_range_sizes_and_unhashed_leaves():
    leaves = hashed(entries_of(4))
    for index in (-1, 4):
        with pytest.raises(ValueError):
            merkle.inclusion_proof(leaves, index)
    with pytest.raises(ValueError):
        merkle.inclusion_proof([], 0)
    for old_size in (-1, 5):
        with pytest.raises(ValueError):
            merkle.consistency_proof(leaves, old_size)
    with pytest.raises(ValueError):
        merkle.root([b"raw receipt bytes, not a hash"])
    with pytest.raises(ValueError):
        merkle.inclusion_proof([*leaves, "a" * 32], 0)


def test_proofs_round_trip_through_hex_for_json():
    leaves = hashed(entries_of(13))
    proof = merkle.inclusion_proof(leaves, 6)
    as_hex = merkle.proof_to_hex(proof)
    assert all(isinstance(item, str) and len(item) == 64 for item in as_hex)
    assert merkle.proof_from_hex(as_hex) == proof
    assert merkle.proof_from_hex([item.upper() for item in as_hex]) == proof
    assert merkle.proof_to_hex([]) == []
    assert merkle.proof_from_hex([]) == []


@pytest.mark.parametrize(
    "items",
    [
        ["zz" * 32],
        ["ab" * 31],
        ["ab" * 33],
        ["ab" * 31 + " ab"],
        ["ab" * 32 + " "],
        [b"\xab" * 32],
        [None],
        [32],
        "ab" * 32,
        None,
        42,
    ],
)
def test_reading_a_proof_from_hex_rejects_anything_but_32_byte_hex_strings(items):
    with pytest.raises(ValueError):
        merkle.proof_from_hex(items)


# ---------------------------------------------------------------------------------------------------------------
# Scale and properties.


def test_a_log_of_one_hundred_thousand_bids_builds_roots_and_proofs_quickly():
    leaves = [hashlib.sha256(b"\x00%d" % i).digest() for i in range(100_000)]
    started = time.perf_counter()
    root = merkle.root(leaves)
    proof = merkle.inclusion_proof(leaves, 61_234)
    consistency = merkle.consistency_proof(leaves, 77_777)
    old_root = merkle.root(leaves[:77_777])
    elapsed = time.perf_counter() - started
    assert merkle.verify_inclusion(leaves[61_234], 61_234, 100_000, proof, root)
    assert merkle.verify_consistency(77_777, 100_000, old_root, root, consistency)
    assert len(proof) == 17
    # Linear work: well under a second on any machine; a quadratic build would take minutes.
    assert elapsed < 10


@settings(max_examples=60, deadline=None)
@given(size=st.integers(min_value=1, max_value=600), data=st.data())
def test_random_entries_in_random_trees_have_verifying_inclusion_proofs(size, data):
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    leaves = hashed(entries_of(size, tag=b"hyp"))
    root = merkle.root(leaves)
    proof = merkle.inclusion_proof(leaves, index)
    assert len(proof) <= (size - 1).bit_length()
    assert merkle.verify_inclusion(leaves[index], index, size, proof, root)
    other = data.draw(st.integers(min_value=0, max_value=size + 5).filter(lambda value: value != index))
    assert not merkle.verify_inclusion(leaves[index], other, size, proof, root)


@settings(max_examples=60, deadline=None)
@given(new_size=st.integers(min_value=1, max_value=600), data=st.data())
def test_random_earlier_trees_are_consistent_with_random_later_trees(new_size, data):
    old_size = data.draw(st.integers(min_value=1, max_value=new_size))
    leaves = hashed(entries_of(new_size, tag=b"hyp"))
    old_root, new_root = merkle.root(leaves[:old_size]), merkle.root(leaves)
    proof = merkle.consistency_proof(leaves, old_size)
    assert merkle.verify_consistency(old_size, new_size, old_root, new_root, proof)
    if old_size < new_size:
        assert not merkle.verify_consistency(old_size, new_size, flip_bit(old_root), new_root, proof)
        assert not merkle.verify_consistency(old_size, new_size, old_root, flip_bit(new_root), proof)


@settings(max_examples=60, deadline=None)
@given(entries=st.lists(st.binary(max_size=40), min_size=1, max_size=80), data=st.data())
def test_arbitrary_receipt_bytes_agree_with_the_naive_implementation(entries, data):
    index = data.draw(st.integers(min_value=0, max_value=len(entries) - 1))
    old_size = data.draw(st.integers(min_value=0, max_value=len(entries)))
    leaves = hashed(entries)
    assert merkle.root(leaves) == naive_mth(entries)
    assert merkle.inclusion_proof(leaves, index) == naive_path(index, entries)
    expected = naive_consistency(old_size, entries) if old_size else []
    assert merkle.consistency_proof(leaves, old_size) == expected


@settings(max_examples=200, deadline=None)
@given(
    leaf=st.binary(),
    index=st.integers(min_value=-(2**70), max_value=2**70),
    size=st.integers(min_value=-(2**70), max_value=2**70),
    proof=st.lists(st.binary(min_size=30, max_size=34), max_size=80),
    root=st.binary(min_size=30, max_size=34),
)
def test_inclusion_verification_never_raises_on_random_input(leaf, index, size, proof, root):
    assert merkle.verify_inclusion(leaf, index, size, proof, root) in (True, False)


@settings(max_examples=200, deadline=None)
@given(
    old_size=st.integers(min_value=-(2**70), max_value=2**70),
    new_size=st.integers(min_value=-(2**70), max_value=2**70),
    old_root=st.binary(min_size=30, max_size=34),
    new_root=st.binary(min_size=30, max_size=34),
    proof=st.lists(st.binary(min_size=30, max_size=34), max_size=80),
)
def test_consistency_verification_never_raises_on_random_input(old_size, new_size, old_root, new_root, proof):
    assert merkle.verify_consistency(old_size, new_size, old_root, new_root, proof) in (True, False)
