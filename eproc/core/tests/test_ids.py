import re

from hypothesis import given
from hypothesis import strategies as st

from eproc.core.ids import CROCKFORD_ALPHABET, PUBLIC_ID_LENGTH, PUBLIC_ID_REGEX, is_public_id, new_public_id


def test_it_makes_ids_of_fixed_length_from_the_lower_case_crockford_alphabet():
    public_id = new_public_id()

    assert len(public_id) == PUBLIC_ID_LENGTH == 16
    assert set(public_id) <= set(CROCKFORD_ALPHABET)
    assert public_id == public_id.lower()


def test_it_never_uses_look_alike_letters():
    assert not {"i", "l", "o", "u"} & set(CROCKFORD_ALPHABET)
    assert len(CROCKFORD_ALPHABET) == 32


def test_it_does_not_repeat_ids():
    ids = {new_public_id() for _ in range(10_000)}

    assert len(ids) == 10_000


def test_it_spreads_ids_over_the_whole_alphabet_rather_than_counting_up():
    first_characters = {new_public_id()[0] for _ in range(2_000)}

    assert first_characters == set(CROCKFORD_ALPHABET)


def test_it_recognises_its_own_ids():
    assert all(is_public_id(new_public_id()) for _ in range(100))


def test_it_rejects_anything_that_is_not_a_canonical_id():
    valid = "0123456789abcdef"

    assert is_public_id(valid)
    assert not is_public_id(valid.upper())
    assert not is_public_id(valid[:-1])
    assert not is_public_id(valid + "0")
    assert not is_public_id("o" * PUBLIC_ID_LENGTH)
    assert not is_public_id("12345")
    assert not is_public_id("")
    assert not is_public_id(None)
    assert not is_public_id(1234567890123456)


@given(st.text(max_size=20))
def test_it_agrees_with_the_published_regex(candidate):
    assert is_public_id(candidate) == bool(re.fullmatch(PUBLIC_ID_REGEX, candidate))


def test_the_regex_matches_generated_ids():
    assert re.fullmatch(PUBLIC_ID_REGEX, new_public_id())
