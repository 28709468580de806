import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eproc.core.terbilang import MAX_AMOUNT, terbilang


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "nol rupiah"),
        (1, "satu rupiah"),
        (10, "sepuluh rupiah"),
        (11, "sebelas rupiah"),
        (19, "sembilan belas rupiah"),
        (21, "dua puluh satu rupiah"),
        (100, "seratus rupiah"),
        (111, "seratus sebelas rupiah"),
        (1000, "seribu rupiah"),
        (1011, "seribu sebelas rupiah"),
        (11_000, "sebelas ribu rupiah"),
        (101_000, "seratus satu ribu rupiah"),
        (1_000_000, "satu juta rupiah"),
        (100_000_000, "seratus juta rupiah"),
        (1_250_000_000, "satu miliar dua ratus lima puluh juta rupiah"),
        (1_000_000_000_000, "satu triliun rupiah"),
        (10**15, "satu kuadriliun rupiah"),
    ],
)
def test_it_spells_whole_rupiah(amount, words):
    assert terbilang(amount) == words


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (1_001_000, "satu juta seribu rupiah"),
        (2_001_001, "dua juta seribu satu rupiah"),
        (1_000_001_000, "satu miliar seribu rupiah"),
        (1_001_001_001, "satu miliar satu juta seribu satu rupiah"),
        (1_000_000_001_100, "satu triliun seribu seratus rupiah"),
    ],
)
def test_it_says_seribu_where_num2words_says_satu_ribu(amount, words):
    assert terbilang(amount) == words


def test_it_adds_sen_after_rupiah():
    assert terbilang(Decimal("1250000.50")) == "satu juta dua ratus lima puluh ribu rupiah lima puluh sen"
    assert terbilang(Decimal("100.05")) == "seratus rupiah lima sen"
    assert terbilang(Decimal("1.10")) == "satu rupiah sepuluh sen"


def test_it_says_only_sen_below_one_rupiah():
    assert terbilang(Decimal("0.50")) == "lima puluh sen"
    assert terbilang(Decimal("0.01")) == "satu sen"


def test_it_ignores_trailing_zero_sen():
    assert terbilang(Decimal("100000000.00")) == "seratus juta rupiah"
    assert terbilang(Decimal("0.00")) == "nol rupiah"


def test_it_capitalises_every_word_for_documents():
    assert terbilang(100_000_000, capitalize=True) == "Seratus Juta Rupiah"
    assert terbilang(Decimal("1000.50"), capitalize=True) == "Seribu Rupiah Lima Puluh Sen"


def test_it_refuses_floats():
    with pytest.raises(TypeError, match="float"):
        terbilang(1.5)  # type: ignore[arg-type]


@pytest.mark.parametrize("not_money", [True, "100", None])
def test_it_refuses_values_that_are_not_money(not_money):
    with pytest.raises(TypeError):
        terbilang(not_money)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "amount",
    [-1, Decimal("-0.01"), Decimal("1.005"), Decimal("NaN"), Decimal("Infinity"), MAX_AMOUNT],
)
def test_it_refuses_amounts_that_cannot_be_on_a_document(amount):
    with pytest.raises(ValueError):
        terbilang(amount)


@given(st.integers(min_value=0, max_value=int(MAX_AMOUNT) - 1))
def test_it_never_writes_satu_ribu_after_a_larger_scale_word(amount):
    words = terbilang(amount)

    assert words.endswith(" rupiah")
    assert not re.search(r"\b(juta|miliar|triliun|kuadriliun) satu ribu\b", words)
    assert "  " not in words
