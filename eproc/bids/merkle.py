"""RFC 6962 / RFC 9162 Merkle tree for the bid transparency log: tree heads, inclusion and consistency proofs.

Pure Python (no Django), so auditors can verify a receipt or a log checkpoint with this file alone. Leaves are
the canonical bytes of bid receipts; every function below except `leaf_hash` works on already-hashed leaves.
Building from a list of leaves is O(n) per call; the verifiers are O(log n) and never raise on malformed input.

The server does not rebuild its tree for every proof: it keeps the root of each complete subtree (2**h leaves from
position * 2**h on) as the leaf that completes it is appended (`completed_by`), and a proof or tree head reads the
O(log n) complete subtrees its ranges are made of (`inclusion_ranges`, `consistency_ranges`, `complete_parts`,
`range_root`). The lists of leaves below give the same hashes; the tests hold the two to each other.
"""

import hashlib
import hmac
from collections.abc import Callable, Iterable, Iterator, Sequence

HASH_SIZE = 32  # SHA-256 output length in bytes.

# RFC 6962 section 2.1 / RFC 9162 section 2.1.1: MTH({}) = HASH(), the hash of the empty string.
EMPTY_ROOT = hashlib.sha256(b"").digest()

_LEAF_PREFIX = b"\x00"  # RFC 6962 section 2.1: domain separation of leaves ...
_NODE_PREFIX = b"\x01"  # ... from interior nodes, so a leaf can never be passed off as a subtree (2nd preimage).


def leaf_hash(data: bytes) -> bytes:
    """MTH({d}) = SHA-256(0x00 || d): the hash of one log entry (RFC 6962 section 2.1)."""
    return hashlib.sha256(_LEAF_PREFIX + bytes(data)).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right): the hash of an interior node (RFC 6962 section 2.1)."""
    return hashlib.sha256(_NODE_PREFIX + bytes(left) + bytes(right)).digest()


def _split(n: int) -> int:
    """k, the largest power of two smaller than n (n > 1): where RFC 6962 section 2.1 splits a tree of n leaves."""
    return 1 << ((n - 1).bit_length() - 1)


def _check_leaves(leaf_hashes: Sequence[bytes]) -> None:
    """Refuse anything but 32-byte hashes, so raw receipt bytes passed by mistake fail loudly, not silently."""
    for position, item in enumerate(leaf_hashes):
        if not isinstance(item, bytes | bytearray) or len(item) != HASH_SIZE:
            raise ValueError(f"Leaf hash {position} is not {HASH_SIZE} bytes; hash entries with leaf_hash() first.")


def _subtree_root(leaf_hashes: Sequence[bytes], start: int, end: int) -> bytes:
    """MTH(D[start:end]) without copying subtrees recursively: hash level by level, promoting an odd last node
    unchanged. This gives the same tree as RFC 6962's split at the largest power of two, in O(end - start)."""
    if start == end:
        return EMPTY_ROOT
    level = [bytes(item) for item in leaf_hashes[start:end]]
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def root(leaf_hashes: Sequence[bytes]) -> bytes:
    """The Merkle Tree Hash MTH(D[n]) of already-hashed leaves (RFC 6962 section 2.1); EMPTY_ROOT for none."""
    _check_leaves(leaf_hashes)
    return _subtree_root(leaf_hashes, 0, len(leaf_hashes))


def inclusion_ranges(size: int, index: int) -> list[tuple[int, int]]:
    """The leaf ranges [start, end) whose subtree roots are PATH(index, D[size]) of RFC 6962 section 2.1.1, in the
    proof's order (the deepest sibling first)."""
    if not 0 <= index < size:
        raise ValueError(f"Index {index} is outside a tree of {size} leaves.")
    # Walk down from the root, noting the sibling at each split.
    siblings = []
    start, end = 0, size
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:  # PATH(m, D[0:k]) : MTH(D[k:n])
            siblings.append((start + k, end))
            end = start + k
        else:  # PATH(m - k, D[k:n]) : MTH(D[0:k])
            siblings.append((start, start + k))
            start += k
    siblings.reverse()  # RFC order is bottom-up: the deepest sibling first.
    return siblings


def consistency_ranges(size: int, old_size: int) -> list[tuple[int, int]]:
    """The leaf ranges [start, end) whose subtree roots are PROOF(old_size, D[size]) of RFC 6962 section 2.1.2, in
    the proof's order. Empty when old_size is 0 or the whole tree (nothing to prove)."""
    if not 0 <= old_size <= size:
        raise ValueError(f"Old size {old_size} is outside 0..{size}.")
    if old_size in (0, size):
        return []
    # SUBPROOF(m, D[start:end], b), unrolled: each step records one subtree, collected top-down.
    ranges = []
    m, start, end, complete = old_size, 0, size, True
    while m != end - start:
        k = _split(end - start)
        if m <= k:  # SUBPROOF(m, D[0:k], b) : MTH(D[k:n])
            ranges.append((start + k, end))
            end = start + k
        else:  # SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])
            ranges.append((start, start + k))
            start += k
            m -= k
            complete = False
    if not complete:  # SUBPROOF(m, D[m], false) = {MTH(D[m])}; with b true the old root is known to the verifier.
        ranges.append((start, end))
    ranges.reverse()  # RFC order: the innermost subtree first.
    return ranges


def inclusion_proof(leaf_hashes: Sequence[bytes], index: int) -> list[bytes]:
    """PATH(m, D[n]) of RFC 6962 section 2.1.1: the sibling subtree roots, leaf upwards, proving entry `index`."""
    _check_leaves(leaf_hashes)
    return [_subtree_root(leaf_hashes, start, end) for start, end in inclusion_ranges(len(leaf_hashes), index)]


def consistency_proof(leaf_hashes: Sequence[bytes], old_size: int) -> list[bytes]:
    """PROOF(m, D[n]) of RFC 6962 section 2.1.2: proves the first `old_size` leaves are a prefix of this tree.
    Empty when old_size is 0 or the whole tree (nothing to prove)."""
    _check_leaves(leaf_hashes)
    ranges = consistency_ranges(len(leaf_hashes), old_size)
    return [_subtree_root(leaf_hashes, start, end) for start, end in ranges]


def _is_complete(start: int, end: int) -> bool:
    """Whether D[start:end] is one complete subtree: a power of two of leaves, starting at a multiple of it."""
    n = end - start
    return n > 0 and n & (n - 1) == 0 and start % n == 0


def complete_parts(start: int, end: int) -> list[tuple[int, int]]:
    """The complete subtrees, as (height, position), that MTH(D[start:end]) is computed from (range_root): one for a
    complete range, O(log n) for the ranges of a proof or a tree head. Height 0 is a leaf."""
    if start >= end:
        return []
    if _is_complete(start, end):
        height = (end - start).bit_length() - 1
        return [(height, start >> height)]
    k = _split(end - start)
    return complete_parts(start, start + k) + complete_parts(start + k, end)


def range_root(start: int, end: int, complete_root: Callable[[int, int], bytes]) -> bytes:
    """MTH(D[start:end]) from the roots of its complete subtrees: `complete_root(height, position)`."""
    if start >= end:
        return EMPTY_ROOT
    if _is_complete(start, end):
        height = (end - start).bit_length() - 1
        return complete_root(height, start >> height)
    k = _split(end - start)
    return node_hash(range_root(start, start + k, complete_root), range_root(start + k, end, complete_root))


def complete_subtrees(leaf_hashes: Iterable[bytes]) -> Iterator[tuple[int, int, bytes]]:
    """(height, position, root) of every complete subtree above these leaves, in the order that appending them one
    by one completes them; O(log n) memory, so a whole log can be streamed through it."""
    frontier: list[bytes] = []  # roots of the complete subtrees not yet paired, the lowest last
    for index, leaf in enumerate(leaf_hashes):
        node = leaf
        for height, position in completed_by(index):
            node = node_hash(frontier.pop(), node)
            yield height, position, node
        frontier.append(node)


def completed_by(index: int) -> list[tuple[int, int]]:
    """The complete subtrees above the leaf, as (height, position), that appending the leaf at `index` completes,
    lowest first: each is node_hash(its left half, stored earlier, and its right half, the one before it here or
    the leaf)."""
    completed = []
    height = 1
    while (index + 1) % (1 << height) == 0:
        completed.append((height, index >> height))
        height += 1
    return completed


def _is_size(value) -> bool:
    """A tree size or index: a non-negative int (bool excluded), so verifiers can refuse garbage without raising."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_hash(value) -> bool:
    """A SHA-256 value: exactly 32 bytes."""
    return isinstance(value, bytes | bytearray) and len(value) == HASH_SIZE


def _is_proof(proof) -> bool:
    """A list or tuple of SHA-256 values (not a bytes or str, which are sequences too)."""
    return isinstance(proof, Sequence) and not isinstance(proof, str | bytes | bytearray) and all(map(_is_hash, proof))


def verify_inclusion(leaf_hash: bytes, index: int, tree_size: int, proof: Sequence[bytes], root: bytes) -> bool:
    """Does `proof` show the leaf hash at `index` in the tree of `tree_size` leaves with this `root`?
    RFC 9162 section 2.1.3.2, step by step; any malformed argument gives False rather than an exception."""
    if not (_is_hash(leaf_hash) and _is_size(index) and _is_size(tree_size) and _is_proof(proof) and _is_hash(root)):
        return False
    if index >= tree_size:  # Step 1.
        return False
    fn, sn = index, tree_size - 1  # Step 2.
    r = bytes(leaf_hash)  # Step 3.
    for p in proof:  # Step 4.
        if sn == 0:  # 4a: the proof is longer than the path.
            return False
        if fn & 1 or fn == sn:  # 4b: p is a left sibling.
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:  # Skip levels where this node was promoted without hashing.
                fn >>= 1
                sn >>= 1
        else:  # 4b otherwise: p is a right sibling.
            r = node_hash(r, p)
        fn >>= 1  # 4c.
        sn >>= 1
    return sn == 0 and hmac.compare_digest(r, bytes(root))  # Step 5: no path left over, and the roots agree.


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]) -> bool:
    """Does `proof` show the tree (old_size, old_root) is a prefix of (new_size, new_root)? RFC 9162 section 2.1.4.2.
    Equal sizes need equal roots and an empty proof; the empty tree (whose root must be EMPTY_ROOT) is a prefix of
    every tree with an empty proof. Any malformed argument gives False rather than an exception."""
    if not (_is_size(old_size) and _is_size(new_size) and _is_hash(old_root) and _is_hash(new_root)):
        return False
    if not _is_proof(proof) or old_size > new_size:
        return False
    old_root, new_root = bytes(old_root), bytes(new_root)
    if old_size == 0:
        # Nothing to prove about the new tree, but an old checkpoint claiming size 0 must carry the empty root.
        empty_new_ok = new_size > 0 or hmac.compare_digest(new_root, EMPTY_ROOT)
        return not proof and hmac.compare_digest(old_root, EMPTY_ROOT) and empty_new_ok
    if old_size == new_size:
        return not proof and hmac.compare_digest(old_root, new_root)
    if not proof:  # Step 1.
        return False
    path = [bytes(item) for item in proof]
    if old_size & (old_size - 1) == 0:  # Step 2: old tree is a complete subtree, so its root starts the path.
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1  # Step 3.
    while fn & 1:  # Step 4: climb past levels where the old tree's last node is a right child.
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]  # Step 5.
    for c in path[1:]:  # Step 6.
        if sn == 0:  # 6a: the proof is longer than needed.
            return False
        if fn & 1 or fn == sn:  # 6b: c is a left sibling, inside both trees.
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:  # Skip levels where this node was promoted without hashing.
                fn >>= 1
                sn >>= 1
        else:  # 6b otherwise: c is a right sibling, only in the new tree.
            sr = node_hash(sr, c)
        fn >>= 1  # 6c.
        sn >>= 1
    # Step 7: both roots rebuilt and the whole new path consumed.
    return sn == 0 and hmac.compare_digest(fr, old_root) and hmac.compare_digest(sr, new_root)


def proof_to_hex(proof: Sequence[bytes]) -> list[str]:
    """A proof as lowercase hex strings, for JSON receipts and API answers."""
    return [bytes(item).hex() for item in proof]


def proof_from_hex(items: Sequence[str]) -> list[bytes]:
    """The inverse of proof_to_hex; ValueError on anything but a list of 64-digit hex strings."""
    if isinstance(items, str | bytes | bytearray) or not isinstance(items, Sequence):
        raise ValueError("A proof is a list of hex strings.")
    result = []
    for position, item in enumerate(items):
        if not isinstance(item, str):
            raise ValueError(f"Proof item {position} is not a string.")
        try:
            value = bytes.fromhex(item)
        except ValueError:
            raise ValueError(f"Proof item {position} is not hex.") from None
        if len(value) != HASH_SIZE or len(item) != 2 * HASH_SIZE:
            raise ValueError(f"Proof item {position} is not {HASH_SIZE} bytes.")
        result.append(value)
    return result
