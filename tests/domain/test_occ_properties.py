"""Properties of the OCC parser over generated symbols, texts and objects.

The symbols come from ``legsync.testing.strategies``, the strategies we ship to users, so these
tests also check that what we ship generates only valid contracts.
"""

from __future__ import annotations

import string
from collections.abc import Iterator

from hypothesis import example, given
from hypothesis import strategies as st

import legsync.domain.occ as occ_module
from legsync.domain import InvalidOccSymbol, OccSymbol, parse_occ_symbol
from legsync.testing.strategies import occ_symbol_strings, occ_symbols

# Characters a corrupted symbol is likely to contain: the symbol's own alphabet, its near misses.
NEAR = string.ascii_letters + string.digits + " \t\n./-_\x00\u0660\u0665\uff10\u0405"


def outcome(text: object) -> OccSymbol | str:
    """The parsed symbol, or the rejection's message: anything else escapes and fails the test."""
    try:
        return parse_occ_symbol(text)  # type: ignore[arg-type]
    except InvalidOccSymbol as invalid:
        return str(invalid)


def near_symbols() -> st.SearchStrategy[str]:
    """Text with roughly the shape of a symbol: parts of the right kind, lengths slightly off."""
    part = st.text(alphabet=NEAR, min_size=0, max_size=9)
    digits = st.text(alphabet=string.digits, min_size=5, max_size=9)
    return st.builds(
        lambda *parts: "".join(parts),
        part,
        digits,
        st.sampled_from("CPcpX "),
        digits,
        st.text(alphabet=NEAR, max_size=2),
    )


def edits(text: str, alphabet: str = NEAR) -> Iterator[str]:
    """Every deletion, and every replacement and insertion of a character of ``alphabet``."""
    for index in range(len(text) + 1):
        if index < len(text):
            yield text[:index] + text[index + 1 :]
        for character in alphabet:
            if index < len(text) and character != text[index]:
                yield text[:index] + character + text[index + 1 :]
            yield text[:index] + character + text[index:]


# Round trips


@given(occ_symbols(), st.booleans())
def test_parsing_a_formatted_symbol_gives_it_back(symbol: OccSymbol, padded: bool) -> None:
    assert parse_occ_symbol(symbol.format(padded=padded)) == symbol


@given(occ_symbols())
def test_the_strategy_spells_strikes_as_the_parser_does(symbol: OccSymbol) -> None:
    assert str(parse_occ_symbol(symbol.format()).strike) == str(symbol.strike)


@given(occ_symbol_strings(padded=None))
def test_formatting_a_parsed_text_gives_it_back(text: str) -> None:
    parsed = parse_occ_symbol(text)
    assert parsed.format(padded=len(text) == 21) == text


@given(occ_symbol_strings(padded=True))
def test_the_padded_form_always_has_21_characters(text: str) -> None:
    assert len(text) == 21


@given(occ_symbol_strings())
def test_the_compact_form_has_no_spaces_and_is_str(text: str) -> None:
    assert " " not in text
    assert str(parse_occ_symbol(text)) == text


# Only InvalidOccSymbol, whatever the input


@given(st.text())
@example("")
@example("SPY240119C00450000\x00")
def test_any_text_parses_or_is_rejected_with_invalid_occ_symbol(text: str) -> None:
    result = outcome(text)
    if isinstance(result, OccSymbol):
        assert result.format(padded=len(text) == 21) == text


@given(near_symbols())
def test_text_near_the_shape_parses_exactly_when_it_is_a_symbol_spelling(text: str) -> None:
    result = outcome(text)
    if isinstance(result, OccSymbol):
        assert text in (result.format(), result.format(padded=True))
    else:
        assert repr(text)[:20] in result


@given(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        st.decimals(),
        st.binary(),
        st.lists(st.text(), max_size=3),
        st.dictionaries(st.text(), st.text(), max_size=2),
        occ_symbols(),
        occ_symbol_strings().map(str.encode),
        occ_symbol_strings().map(lambda text: [text]),
    )
)
def test_anything_but_a_str_is_rejected_with_invalid_occ_symbol(value: object) -> None:
    result = outcome(value)
    assert isinstance(result, str)
    assert f"expected a str, got {type(value).__name__}" in result


# Corrupting a symbol


@given(occ_symbol_strings(padded=None))
def test_a_single_edit_is_rejected_or_names_a_different_contract(text: str) -> None:
    """One character replaced, deleted or inserted: never silently the same contract.

    The one exception is not a corruption: with a five-character root, inserting or deleting the
    single padding space switches between the two spellings of the same contract.
    """
    original = parse_occ_symbol(text)
    for edited in edits(text):
        result = outcome(edited)
        if isinstance(result, OccSymbol):
            assert edited in (result.format(), result.format(padded=True)), edited
            if result == original:
                assert len(original.root) == 5, edited
                assert {edited, text} == {original.format(), original.format(padded=True)}
        else:
            assert repr(edited)[:20] in result


@given(occ_symbol_strings(padded=None), st.data())
def test_any_character_replaced_anywhere_is_rejected_or_a_different_contract(
    text: str, data: st.DataObject
) -> None:
    index = data.draw(st.integers(min_value=0, max_value=len(text) - 1), label="index")
    character = data.draw(st.characters().filter(lambda c: c != text[index]), label="character")
    edited = text[:index] + character + text[index + 1 :]
    result = outcome(edited)
    if isinstance(result, OccSymbol):
        assert result != parse_occ_symbol(text)
        assert edited in (result.format(), result.format(padded=True))


# Remembering parsed symbols


@given(st.lists(occ_symbol_strings(padded=None), min_size=1, max_size=5))
def test_a_remembered_parse_equals_a_first_parse(texts: list[str]) -> None:
    first = [occ_module._parse(text) for text in texts]
    again = [parse_occ_symbol(text) for text in texts]
    assert again == first
    assert [repr(symbol) for symbol in again] == [repr(symbol) for symbol in first]


@given(st.lists(occ_symbol_strings(padded=None), min_size=1, max_size=3), near_symbols())
def test_what_was_parsed_before_never_changes_an_answer(texts: list[str], text: str) -> None:
    """Each text's answer is the same whatever was parsed before it: valid symbols and near
    misses of them (a padding space too many, a digit too many), in any order."""
    moved = [valid.replace(" ", "", 1) + "0" for valid in texts]
    candidates = [text, *moved, *texts, *(edit for valid in texts for edit in edits(valid, " 0A"))]
    fresh = [fresh_outcome(candidate) for candidate in candidates]
    assert [outcome(candidate) for candidate in candidates] == fresh
    assert [outcome(candidate) for candidate in candidates] == fresh


def fresh_outcome(text: str) -> OccSymbol | str:
    try:
        return occ_module._parse(text)
    except InvalidOccSymbol as invalid:
        return str(invalid)
