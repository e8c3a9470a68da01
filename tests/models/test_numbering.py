"""Numbering rules: rendering, check digits, rule validation, and counters locked in transactions."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import event, select
from stdnum import damm, ean, luhn, verhoeff
from stdnum.iso7064 import mod_11_2, mod_37_36

from models import numbering
from models.db import Database
from models.errors import DomainError, ErrorCode
from models.numbering import (
    ALPHANUMERIC,
    DIGITS,
    MAX_CODE_LENGTH,
    SAFE_CHARACTERS,
    NumberingContext,
    Why,
    allocate,
    guess_probability,
    period_key,
    render,
    validate_rule,
    verify_check_digit,
)
from models.schema import (
    CheckDigit,
    NumberingCounter,
    NumberingRule,
    ResetPeriod,
    RuleKind,
    Site,
    Unit,
    UnitKind,
    UnitStatus,
)

DAY = dt.date(2026, 2, 1)
CONTEXT = NumberingContext(local_date=DAY, line_code="L3", item_code="ITEM-9")


def pattern_rule(
    pattern: str,
    reset: ResetPeriod = ResetPeriod.NEVER,
    check_digit: CheckDigit = CheckDigit.NONE,
    code: str = "LOT",
) -> NumberingRule:
    return NumberingRule(
        code=code, name=code, kind=RuleKind.PATTERN, pattern=pattern, reset=reset, check_digit=check_digit
    )


def random_rule(
    length: int | None = 12,
    alphabet: str | None = ALPHANUMERIC,
    capacity: int | None = 10**9,
    check_digit: CheckDigit = CheckDigit.NONE,
    code: str = "RND",
) -> NumberingRule:
    return NumberingRule(
        code=code,
        name=code,
        kind=RuleKind.RANDOM,
        pattern="",
        reset=ResetPeriod.NEVER,
        check_digit=check_digit,
        random_length=length,
        random_alphabet=alphabet,
        random_capacity=capacity,
    )


def bad_rule(rule: NumberingRule, why: Why, **detail: Any) -> DomainError:
    return DomainError(ErrorCode.BAD_NUMBERING_RULE, rule=rule.code, why=why, **detail)


# --- Tokens and periods ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("{YYYY}{SEQ:1}", 1, "20261"),
        ("{YY}{SEQ:1}", 1, "261"),
        ("{MM}{SEQ:1}", 1, "021"),
        ("{DD}{SEQ:1}", 1, "011"),
        ("{JJJ}{SEQ:1}", 1, "0321"),
        ("{LINE}{SEQ:1}", 1, "L31"),
        ("{ITEM}{SEQ:1}", 1, "ITEM-91"),
        ("{SEQ:4}", 7, "0007"),
        ("{SEQ:18}", 10**18 - 1, "9" * 18),
        ("L{YY}{MM}{DD}-{SEQ:4}", 42, "L260201-0042"),
        ("SN{YY}{JJJ}{LINE}{SEQ:6}", 42, "SN26032L3000042"),
        ("{ITEM}/{LINE}/{YYYY}{MM}{DD}/{SEQ:3}", 5, "ITEM-9/L3/20260201/005"),
    ],
)
def test_each_token_renders(pattern: str, value: int, expected: str) -> None:
    assert render(pattern_rule(pattern), CONTEXT, value) == expected


@pytest.mark.parametrize(
    ("day", "julian"),
    [
        (dt.date(2026, 1, 1), "001"),
        (dt.date(2026, 2, 1), "032"),
        (dt.date(2025, 12, 31), "365"),
        (dt.date(2024, 2, 29), "060"),
        (dt.date(2024, 12, 31), "366"),
    ],
)
def test_julian_day_is_the_day_of_the_year(day: dt.date, julian: str) -> None:
    assert render(pattern_rule("{JJJ}{SEQ:1}"), NumberingContext(day), 0) == julian + "0"


def test_years_are_zero_padded() -> None:
    assert render(pattern_rule("{YYYY}{YY}{SEQ:1}"), NumberingContext(dt.date(5, 1, 1)), 0) == "0005050"


@pytest.mark.parametrize(
    ("reset", "day", "key"),
    [
        (ResetPeriod.NEVER, dt.date(2026, 2, 1), ""),
        (ResetPeriod.DAILY, dt.date(2026, 2, 1), "20260201"),
        (ResetPeriod.MONTHLY, dt.date(2026, 2, 1), "202602"),
        (ResetPeriod.YEARLY, dt.date(2026, 2, 1), "2026"),
        (ResetPeriod.DAILY, dt.date(987, 12, 31), "09871231"),
    ],
)
def test_period_keys(reset: ResetPeriod, day: dt.date, key: str) -> None:
    assert period_key(reset, day) == key


def test_a_rule_not_yet_flushed_uses_the_column_defaults() -> None:
    # reset and check_digit are None until the INSERT applies their defaults (NEVER, NONE).
    rule = NumberingRule(code="NEW", name="new", kind=RuleKind.PATTERN, pattern="N{SEQ:3}")
    assert render(rule, CONTEXT, 12) == "N012"


# --- Check digits ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("check_digit", "pattern", "value", "expected", "validate"),
    [
        # Known answers from the algorithms' own literature, then stdnum's validate() on the result.
        (CheckDigit.LUHN, "79927398{SEQ:2}", 71, "79927398713", luhn.validate),
        (CheckDigit.GS1_MOD10, "4006381333{SEQ:2}", 93, "4006381333931", ean.validate),
        (CheckDigit.ISO7064_MOD_11_2, "0{SEQ:2}", 79, "079X", mod_11_2.validate),
        (CheckDigit.ISO7064_MOD_37_36, "A12425GABC12340{SEQ:2}", 2, "A12425GABC1234002M", mod_37_36.validate),
        (CheckDigit.VERHOEFF, "2{SEQ:2}", 36, "2363", verhoeff.validate),
        (CheckDigit.DAMM, "5{SEQ:2}", 72, "5724", damm.validate),
    ],
)
def test_check_digits_are_stdnums(
    check_digit: CheckDigit, pattern: str, value: int, expected: str, validate: Callable[[str], str]
) -> None:
    rule = pattern_rule(pattern, check_digit=check_digit)
    code = render(rule, CONTEXT, value)
    assert code == expected
    assert validate(code) == code
    assert verify_check_digit(rule, code)
    assert not verify_check_digit(rule, code[:-1] + ("1" if code[-1] != "1" else "2"))


@pytest.mark.parametrize(
    ("check_digit", "validate"),
    [
        (CheckDigit.LUHN, luhn.validate),
        (CheckDigit.GS1_MOD10, ean.validate),  # 13 digits: stdnum's ean only takes 8/12/13/14
        (CheckDigit.ISO7064_MOD_11_2, mod_11_2.validate),
        (CheckDigit.ISO7064_MOD_37_36, mod_37_36.validate),
        (CheckDigit.VERHOEFF, verhoeff.validate),
        (CheckDigit.DAMM, damm.validate),
    ],
)
def test_dated_codes_validate_with_stdnum(check_digit: CheckDigit, validate: Callable[[str], str]) -> None:
    rule = pattern_rule("{YY}{JJJ}{SEQ:7}", ResetPeriod.DAILY, check_digit)
    for value in (1, 2, 99, 1234567, 9999999):
        code = render(rule, CONTEXT, value)
        assert len(code) == 13
        assert validate(code) == code


def test_a_rule_without_check_digit_verifies_anything() -> None:
    assert verify_check_digit(pattern_rule("{SEQ:3}"), "whatever")


@pytest.mark.parametrize(
    ("check_digit", "code"),
    [
        (CheckDigit.LUHN, ""),
        (CheckDigit.LUHN, "0"),
        # int() reads Arabic-Indic digits, so stdnum alone would accept these.
        (CheckDigit.DAMM, "٥٧٢" + damm.calc_check_digit("٥٧٢")),
        (CheckDigit.VERHOEFF, "٢٣٦" + verhoeff.calc_check_digit("٢٣٦")),
        # stdnum's MOD 11-2 reads 'X' as 10 anywhere, not only as the check character.
        (CheckDigit.ISO7064_MOD_11_2, "1X3" + mod_11_2.calc_check_digit("1X3")),
        (CheckDigit.ISO7064_MOD_37_36, "a12425gabc1234002M"),
        (CheckDigit.GS1_MOD10, "4006381-33931"),
    ],
)
def test_verify_refuses_characters_outside_the_algorithm(check_digit: CheckDigit, code: str) -> None:
    assert not verify_check_digit(pattern_rule("{SEQ:3}", check_digit=check_digit), code)


def test_digit_check_on_a_letter_line_code_is_refused() -> None:
    rule = pattern_rule("{LINE}{SEQ:4}", check_digit=CheckDigit.LUHN)
    with pytest.raises(DomainError) as refused:
        render(rule, CONTEXT, 1)
    assert refused.value == bad_rule(rule, Why.CHECK_DIGIT_CHARACTERS, check_digit="LUHN", character="L")
    assert render(rule, NumberingContext(DAY, line_code="07"), 1) == "070001" + luhn.calc_check_digit(
        "070001"
    )


# --- Counter exhausted and bad rules ------------------------------------------------------------


def test_a_value_wider_than_seq_is_counter_exhausted() -> None:
    rule = pattern_rule("L{YY}{MM}{DD}-{SEQ:2}", ResetPeriod.DAILY)
    assert render(rule, CONTEXT, 99) == "L260201-99"
    with pytest.raises(DomainError) as refused:
        render(rule, CONTEXT, 100)
    assert refused.value == DomainError(ErrorCode.COUNTER_EXHAUSTED, rule="LOT", period="20260201")


def test_a_negative_value_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        render(pattern_rule("{SEQ:2}"), CONTEXT, -1)


@pytest.mark.parametrize(
    ("pattern", "reset", "check_digit", "why", "detail"),
    [
        ("L{FOO}{SEQ:4}", ResetPeriod.NEVER, CheckDigit.NONE, Why.UNKNOWN_TOKEN, {"token": "{FOO}"}),
        ("L{yy}{SEQ:4}", ResetPeriod.NEVER, CheckDigit.NONE, Why.UNKNOWN_TOKEN, {"token": "{yy}"}),
        ("L{SEQ}", ResetPeriod.NEVER, CheckDigit.NONE, Why.UNKNOWN_TOKEN, {"token": "{SEQ}"}),
        ("L{SEQ:x}", ResetPeriod.NEVER, CheckDigit.NONE, Why.UNKNOWN_TOKEN, {"token": "{SEQ:x}"}),
        ("L{ SEQ:4 }", ResetPeriod.NEVER, CheckDigit.NONE, Why.UNKNOWN_TOKEN, {"token": "{ SEQ:4 }"}),
        ("L{}{SEQ:4}", ResetPeriod.NEVER, CheckDigit.NONE, Why.UNKNOWN_TOKEN, {"token": "{}"}),
        ("L{SEQ:4", ResetPeriod.NEVER, CheckDigit.NONE, Why.UNBALANCED_BRACE, {"text": "L{SEQ:4"}),
        ("L}{SEQ:4}", ResetPeriod.NEVER, CheckDigit.NONE, Why.UNBALANCED_BRACE, {"text": "L}"}),
        ("{{SEQ:4}}", ResetPeriod.NEVER, CheckDigit.NONE, Why.UNBALANCED_BRACE, {"text": "{"}),
        ("L{YY}{MM}{DD}", ResetPeriod.NEVER, CheckDigit.NONE, Why.NO_SEQ, {}),
        ("", ResetPeriod.NEVER, CheckDigit.NONE, Why.NO_SEQ, {}),
        ("{SEQ:2}-{SEQ:3}", ResetPeriod.NEVER, CheckDigit.NONE, Why.DUPLICATE_SEQ, {"count": 2}),
        ("L{SEQ:0}", ResetPeriod.NEVER, CheckDigit.NONE, Why.SEQ_WIDTH, {"width": 0}),
        ("L{SEQ:19}", ResetPeriod.NEVER, CheckDigit.NONE, Why.SEQ_WIDTH, {"width": 19}),
        ("批{SEQ:4}", ResetPeriod.NEVER, CheckDigit.NONE, Why.NOT_ASCII, {"character": "批"}),
        ("L {SEQ:4}", ResetPeriod.NEVER, CheckDigit.NONE, Why.NOT_ASCII, {"character": " "}),
        ("L\t{SEQ:4}", ResetPeriod.NEVER, CheckDigit.NONE, Why.NOT_ASCII, {"character": "\t"}),
        ("L{SEQ:4}", ResetPeriod.DAILY, CheckDigit.NONE, Why.RESET_NOT_IN_PATTERN, {"reset": "DAILY"}),
        (
            "L{MM}{DD}{SEQ:4}",
            ResetPeriod.DAILY,
            CheckDigit.NONE,
            Why.RESET_NOT_IN_PATTERN,
            {"reset": "DAILY"},
        ),
        (
            "L{YY}{MM}{SEQ:4}",
            ResetPeriod.DAILY,
            CheckDigit.NONE,
            Why.RESET_NOT_IN_PATTERN,
            {"reset": "DAILY"},
        ),
        (
            "L{YYYY}{SEQ:4}",
            ResetPeriod.MONTHLY,
            CheckDigit.NONE,
            Why.RESET_NOT_IN_PATTERN,
            {"reset": "MONTHLY"},
        ),
        ("L{MM}{SEQ:4}", ResetPeriod.YEARLY, CheckDigit.NONE, Why.RESET_NOT_IN_PATTERN, {"reset": "YEARLY"}),
        (
            "L{SEQ:4}",
            ResetPeriod.NEVER,
            CheckDigit.LUHN,
            Why.CHECK_DIGIT_CHARACTERS,
            {"check_digit": "LUHN", "character": "L"},
        ),
        (
            "l{SEQ:4}",
            ResetPeriod.NEVER,
            CheckDigit.ISO7064_MOD_37_36,
            Why.CHECK_DIGIT_CHARACTERS,
            {"check_digit": "ISO7064_MOD_37_36", "character": "l"},
        ),
        ("A" * 59 + "{SEQ:6}", ResetPeriod.NEVER, CheckDigit.NONE, Why.TOO_LONG, {"length": 65, "limit": 64}),
        ("1" * 58 + "{SEQ:6}", ResetPeriod.NEVER, CheckDigit.DAMM, Why.TOO_LONG, {"length": 65, "limit": 64}),
    ],
)
def test_bad_pattern_rules_are_refused(
    pattern: str, reset: ResetPeriod, check_digit: CheckDigit, why: Why, detail: dict[str, Any]
) -> None:
    rule = pattern_rule(pattern, reset, check_digit)
    with pytest.raises(DomainError) as refused:
        validate_rule(rule)
    assert refused.value == bad_rule(rule, why, **detail)
    with pytest.raises(DomainError) as refused_again:
        render(rule, CONTEXT, 1)
    assert refused_again.value == refused.value


@pytest.mark.parametrize(
    ("pattern", "reset"),
    [
        ("L{YY}{MM}{DD}-{SEQ:4}", ResetPeriod.DAILY),
        ("L{YYYY}{JJJ}{SEQ:4}", ResetPeriod.DAILY),
        ("L{YY}{JJJ}{SEQ:4}", ResetPeriod.MONTHLY),
        ("L{YYYY}{MM}{SEQ:4}", ResetPeriod.MONTHLY),
        ("L{YY}{SEQ:4}", ResetPeriod.YEARLY),
        ("L{SEQ:4}", ResetPeriod.NEVER),
        ("A" * 58 + "{SEQ:6}", ResetPeriod.NEVER),
    ],
)
def test_good_pattern_rules_pass(pattern: str, reset: ResetPeriod) -> None:
    validate_rule(pattern_rule(pattern, reset))


@pytest.mark.parametrize(
    ("context", "why", "detail"),
    [
        (NumberingContext(DAY, item_code="I"), Why.NO_LINE, {}),
        (NumberingContext(DAY, line_code="", item_code="I"), Why.NO_LINE, {}),
        (NumberingContext(DAY, line_code="L"), Why.NO_ITEM, {}),
        (NumberingContext(DAY, line_code="线一", item_code="I"), Why.NOT_ASCII, {"character": "线"}),
        (NumberingContext(DAY, line_code="L", item_code="A B"), Why.NOT_ASCII, {"character": " "}),
        (NumberingContext(DAY, line_code="L", item_code="I" * 61), Why.TOO_LONG, {"length": 65, "limit": 64}),
    ],
)
def test_line_and_item_must_be_in_the_context(
    context: NumberingContext, why: Why, detail: dict[str, Any]
) -> None:
    rule = pattern_rule("{LINE}{ITEM}{SEQ:3}")
    with pytest.raises(DomainError) as refused:
        render(rule, context, 1)
    assert refused.value == bad_rule(rule, why, **detail)


def test_render_is_for_pattern_rules_only() -> None:
    rule = random_rule()
    with pytest.raises(DomainError) as refused:
        render(rule, CONTEXT, 1)
    assert refused.value == bad_rule(rule, Why.NOT_A_PATTERN_RULE)


def test_an_unknown_rule_kind_is_refused() -> None:
    rule = pattern_rule("{SEQ:3}")
    rule.kind = "SEQUENCE"  # type: ignore[assignment]  # a row edited by hand
    with pytest.raises(DomainError) as refused:
        validate_rule(rule)
    assert refused.value == bad_rule(rule, Why.UNKNOWN_KIND, kind="SEQUENCE")


@pytest.mark.parametrize(
    ("rule", "why", "detail"),
    [
        (random_rule(length=None), Why.RANDOM_PARAMETER_MISSING, {"parameter": "random_length"}),
        (random_rule(length=0), Why.RANDOM_PARAMETER_MISSING, {"parameter": "random_length"}),
        (random_rule(alphabet=None), Why.RANDOM_PARAMETER_MISSING, {"parameter": "random_alphabet"}),
        (random_rule(alphabet=""), Why.RANDOM_PARAMETER_MISSING, {"parameter": "random_alphabet"}),
        (random_rule(capacity=None), Why.RANDOM_PARAMETER_MISSING, {"parameter": "random_capacity"}),
        (random_rule(capacity=0), Why.RANDOM_PARAMETER_MISSING, {"parameter": "random_capacity"}),
        (random_rule(alphabet="0123456789A1"), Why.ALPHABET_DUPLICATE, {"character": "1"}),
        (random_rule(alphabet=ALPHANUMERIC + "\x01"), Why.ALPHABET_NOT_ASCII, {"character": "\x01"}),
        (random_rule(alphabet=ALPHANUMERIC + " "), Why.ALPHABET_NOT_ASCII, {"character": " "}),
        (random_rule(alphabet=ALPHANUMERIC + "\x7f"), Why.ALPHABET_NOT_ASCII, {"character": "\x7f"}),
        (random_rule(alphabet=ALPHANUMERIC + "É"), Why.ALPHABET_NOT_ASCII, {"character": "É"}),
        (
            random_rule(alphabet=DIGITS + "AB", check_digit=CheckDigit.LUHN),
            Why.CHECK_DIGIT_CHARACTERS,
            {"check_digit": "LUHN", "character": "A"},
        ),
        (
            random_rule(alphabet=ALPHANUMERIC + "-", check_digit=CheckDigit.ISO7064_MOD_37_36),
            Why.CHECK_DIGIT_CHARACTERS,
            {"check_digit": "ISO7064_MOD_37_36", "character": "-"},
        ),
        (random_rule(length=65), Why.TOO_LONG, {"length": 65, "limit": 64}),
        (
            random_rule(length=64, alphabet=DIGITS, check_digit=CheckDigit.DAMM),
            Why.TOO_LONG,
            {"length": 65, "limit": 64},
        ),
        # EU FMD: 10**3 codes out of 10**4 possible is a 1 in 10 guess.
        (
            random_rule(length=4, alphabet=DIGITS, capacity=10**3),
            Why.GUESS_PROBABILITY,
            {"probability": 0.1},
        ),
        # Exactly 1/10,000 is not below it.
        (
            random_rule(length=8, alphabet=DIGITS, capacity=10**4),
            Why.GUESS_PROBABILITY,
            {"probability": 1e-4},
        ),
        (random_rule(length=1, alphabet="A", capacity=1), Why.GUESS_PROBABILITY, {"probability": 1.0}),
    ],
)
def test_bad_random_rules_are_refused(rule: NumberingRule, why: Why, detail: dict[str, Any]) -> None:
    with pytest.raises(DomainError) as refused:
        validate_rule(rule)
    assert refused.value == bad_rule(rule, why, **detail)


def test_eu_fmd_bound() -> None:
    passes = random_rule(length=12, alphabet=ALPHANUMERIC, capacity=10**9)
    validate_rule(passes)
    assert guess_probability(passes) == pytest.approx(10**9 / 36**12)
    assert guess_probability(passes) < 1 / 10_000
    just_below = random_rule(length=8, alphabet=DIGITS, capacity=10**4 - 1)
    validate_rule(just_below)
    fails = random_rule(length=4, alphabet=DIGITS, capacity=10**3)
    assert guess_probability(fails) == pytest.approx(0.1)
    with pytest.raises(DomainError):
        validate_rule(fails)


def test_the_check_digit_adds_nothing_to_the_guess() -> None:
    plain = random_rule(length=10, alphabet=DIGITS, capacity=10**5)
    checked = random_rule(length=10, alphabet=DIGITS, capacity=10**5, check_digit=CheckDigit.DAMM)
    assert guess_probability(plain) == guess_probability(checked) == pytest.approx(1e-5)


def test_guess_probability_is_for_random_rules_only() -> None:
    rule = pattern_rule("{SEQ:4}")
    with pytest.raises(DomainError) as refused:
        guess_probability(rule)
    assert refused.value == bad_rule(rule, Why.NOT_A_RANDOM_RULE)


# --- Properties ------------------------------------------------------------------------------------

LITERAL_CHARACTERS = "".join(sorted(SAFE_CHARACTERS - {"{", "}"}))
literals = st.text(alphabet=LITERAL_CHARACTERS, min_size=1, max_size=4)
context_codes = st.text(alphabet="".join(sorted(SAFE_CHARACTERS)), min_size=1, max_size=4)
simple_tokens = st.sampled_from(["YYYY", "YY", "MM", "DD", "JJJ", "LINE", "ITEM"])


@st.composite
def patterns(
    draw: st.DrawFn, literal: st.SearchStrategy[str] = literals
) -> tuple[list[tuple[str, str]], int]:
    """(kind, text) pieces with exactly one SEQ, and the SEQ width."""
    # At most 6 pieces of at most 4 characters and an 18-digit counter: always within unit.code.
    pieces: list[tuple[str, str]] = draw(
        st.lists(
            st.one_of(literal.map(lambda t: ("literal", t)), simple_tokens.map(lambda t: ("token", t))),
            max_size=6,
        )
    )
    width = draw(st.integers(1, 18))
    pieces.insert(draw(st.integers(0, len(pieces))), ("seq", str(width)))
    return pieces, width


def pattern_text(pieces: list[tuple[str, str]]) -> str:
    return "".join(
        text if kind == "literal" else "{" + text + "}" if kind == "token" else "{SEQ:" + text + "}"
        for kind, text in pieces
    )


def expected_code(pieces: list[tuple[str, str]], context: NumberingContext, value: int) -> str:
    """An independent rendering: what each piece should become."""
    day = context.local_date
    token_values = {
        "YYYY": f"{day.year:04d}",
        "YY": f"{day.year % 100:02d}",
        "MM": f"{day.month:02d}",
        "DD": f"{day.day:02d}",
        "JJJ": f"{(day - dt.date(day.year, 1, 1)).days + 1:03d}",
        "LINE": context.line_code or "",
        "ITEM": context.item_code or "",
    }
    return "".join(
        text if kind == "literal" else token_values[text] if kind == "token" else str(value).zfill(int(text))
        for kind, text in pieces
    )


@given(
    pattern=patterns(),
    day=st.dates(),
    line=context_codes,
    item=context_codes,
    data=st.data(),
)
def test_property_render_follows_the_pattern(
    pattern: tuple[list[tuple[str, str]], int], day: dt.date, line: str, item: str, data: st.DataObject
) -> None:
    pieces, width = pattern
    context = NumberingContext(day, line_code=line, item_code=item)
    rule = pattern_rule(pattern_text(pieces))
    first = data.draw(st.integers(0, 10**width - 1))
    second = data.draw(st.integers(0, 10**width - 1).filter(lambda value: value != first))
    code = render(rule, context, first)
    assert code == expected_code(pieces, context, first)
    assert str(first).zfill(width) in code
    tokens = {text for kind, text in pieces if kind == "token"}
    for token, part in [("YYYY", f"{day.year:04d}"), ("MM", f"{day.month:02d}"), ("DD", f"{day.day:02d}")]:
        if token in tokens:
            assert part in code
    assert render(rule, context, second) != code


@given(
    pattern=st.text(max_size=40),
    day=st.dates(),
    value=st.integers(0, 10**20),
    line=st.none() | st.text(max_size=8),
    item=st.none() | st.text(max_size=8),
    reset=st.sampled_from(ResetPeriod),
    check_digit=st.sampled_from(CheckDigit),
)
def test_property_render_only_ever_refuses_with_a_domain_error(
    pattern: str,
    day: dt.date,
    value: int,
    line: str | None,
    item: str | None,
    reset: ResetPeriod,
    check_digit: CheckDigit,
) -> None:
    rule = pattern_rule(pattern, reset, check_digit)
    try:
        code = render(rule, NumberingContext(day, line_code=line, item_code=item), value)
    except DomainError as refused:
        assert refused.code in (ErrorCode.BAD_NUMBERING_RULE, ErrorCode.COUNTER_EXHAUSTED)
    else:
        assert 0 < len(code) <= MAX_CODE_LENGTH
        assert set(code) <= SAFE_CHARACTERS
        assert verify_check_digit(rule, code)


ALGORITHM_CHARACTERS = {
    CheckDigit.LUHN: DIGITS,
    CheckDigit.GS1_MOD10: DIGITS,
    CheckDigit.ISO7064_MOD_11_2: DIGITS,
    CheckDigit.ISO7064_MOD_37_36: ALPHANUMERIC,
    CheckDigit.VERHOEFF: DIGITS,
    CheckDigit.DAMM: DIGITS,
}


@given(check_digit=st.sampled_from(sorted(ALGORITHM_CHARACTERS)), day=st.dates(), data=st.data())
def test_property_check_digit_catches_any_single_substitution(
    check_digit: CheckDigit, day: dt.date, data: st.DataObject
) -> None:
    characters = ALGORITHM_CHARACTERS[check_digit]
    pieces, width = data.draw(patterns(st.text(alphabet=characters, min_size=1, max_size=4)))
    context = NumberingContext(
        day, line_code=data.draw(st.text(characters, min_size=1, max_size=3)), item_code="7"
    )
    rule = pattern_rule(pattern_text(pieces), check_digit=check_digit)
    code = render(rule, context, data.draw(st.integers(0, 10**width - 1)))
    assert verify_check_digit(rule, code)
    position = data.draw(st.integers(0, len(code) - 1))
    replacement = data.draw(st.sampled_from(sorted(SAFE_CHARACTERS - {code[position]})))
    changed = code[:position] + replacement + code[position + 1 :]
    assert changed != code
    assert not verify_check_digit(rule, changed)


# --- Allocation in the database ----------------------------------------------------------------


def saved(db: Database, rule: NumberingRule) -> NumberingRule:
    with db.session() as session:
        session.add(rule)
        session.commit()
    return rule


def next_value(db: Database, rule: NumberingRule, period: str = "") -> int | None:
    with db.session() as session:
        counter = session.get(NumberingCounter, {"rule_id": rule.id, "period": period})
        return None if counter is None else counter.next_value


def draw(db: Database, rule: NumberingRule, context: NumberingContext = CONTEXT, count: int = 1) -> list[str]:
    with db.session() as session:
        codes = allocate(session, rule, context, count)
        session.commit()
    return codes


def test_allocate_returns_consecutive_codes(db: Database) -> None:
    rule = saved(db, pattern_rule("L{YY}{MM}{DD}-{SEQ:4}", ResetPeriod.DAILY))
    with db.session() as session:
        first = allocate(session, rule, CONTEXT)
        second = allocate(session, rule, CONTEXT)
        third = allocate(session, rule, CONTEXT)
        session.commit()
    assert first + second + third == ["L260201-0001", "L260201-0002", "L260201-0003"]
    assert next_value(db, rule, "20260201") == 4


def test_the_counter_persists_across_transactions(db: Database) -> None:
    rule = saved(db, pattern_rule("SN{YY}{JJJ}{LINE}{SEQ:6}"))
    assert draw(db, rule, count=2) == ["SN26032L3000001", "SN26032L3000002"]
    assert draw(db, rule, count=2) == ["SN26032L3000003", "SN26032L3000004"]
    # A NEVER reset keeps counting across days.
    assert draw(db, rule, NumberingContext(dt.date(2026, 2, 2), line_code="L3")) == ["SN26033L3000005"]
    assert next_value(db, rule) == 6


def test_a_rolled_back_transaction_gives_its_numbers_back(db: Database) -> None:
    rule = saved(db, pattern_rule("L{SEQ:4}"))
    with db.session() as session:
        assert allocate(session, rule, CONTEXT, 3) == ["L0001", "L0002", "L0003"]
        session.rollback()
    assert next_value(db, rule) is None
    assert draw(db, rule) == ["L0001"]
    with db.session() as session:
        assert allocate(session, rule, CONTEXT, 2) == ["L0002", "L0003"]
        session.rollback()
    assert draw(db, rule) == ["L0002"]
    assert next_value(db, rule) == 3


def test_a_daily_reset_starts_at_one_on_a_new_day(db: Database) -> None:
    rule = saved(db, pattern_rule("L{YY}{MM}{DD}-{SEQ:4}", ResetPeriod.DAILY))
    tomorrow = NumberingContext(dt.date(2026, 2, 2))
    assert draw(db, rule, count=2) == ["L260201-0001", "L260201-0002"]
    assert draw(db, rule, tomorrow) == ["L260202-0001"]
    assert draw(db, rule) == ["L260201-0003"]  # a late booking on yesterday's date
    assert next_value(db, rule, "20260201") == 4
    assert next_value(db, rule, "20260202") == 2


@pytest.mark.parametrize(
    ("reset", "pattern", "later", "restarts"),
    [
        (ResetPeriod.MONTHLY, "L{YY}{MM}{SEQ:3}", dt.date(2026, 2, 28), False),
        (ResetPeriod.MONTHLY, "L{YY}{MM}{SEQ:3}", dt.date(2026, 3, 1), True),
        (ResetPeriod.YEARLY, "L{YYYY}{SEQ:3}", dt.date(2026, 12, 31), False),
        (ResetPeriod.YEARLY, "L{YYYY}{SEQ:3}", dt.date(2027, 1, 1), True),
    ],
)
def test_monthly_and_yearly_resets(
    db: Database, reset: ResetPeriod, pattern: str, later: dt.date, restarts: bool
) -> None:
    rule = saved(db, pattern_rule(pattern, reset))
    draw(db, rule, count=5)
    (code,) = draw(db, rule, NumberingContext(later))
    assert code.endswith("001" if restarts else "006")


def test_block_allocation_takes_one_lock(db: Database) -> None:
    rule = saved(db, pattern_rule("B{SEQ:5}"))
    draw(db, rule)  # the counter row exists from here on
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "numbering_counter" in statement:
            statements.append(" ".join(statement.split()).upper())

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        codes = draw(db, rule, count=50)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert codes == [f"B{value:05d}" for value in range(2, 52)]
    # One UPDATE ... RETURNING: the row lock and the new value in a single round trip.
    assert [statement.split()[0] for statement in statements] == ["UPDATE"]
    assert "RETURNING" in statements[0]
    assert next_value(db, rule) == 52


def test_a_block_that_does_not_fit_takes_nothing(db: Database) -> None:
    rule = saved(db, pattern_rule("{SEQ:1}"))
    assert draw(db, rule, count=7) == [str(value) for value in range(1, 8)]
    with db.session() as session, pytest.raises(DomainError) as refused:
        allocate(session, rule, CONTEXT, 3)
    assert refused.value == DomainError(ErrorCode.COUNTER_EXHAUSTED, rule="LOT", period="")
    assert next_value(db, rule) == 8
    assert draw(db, rule, count=2) == ["8", "9"]
    with db.session() as session, pytest.raises(DomainError) as refused:
        allocate(session, rule, CONTEXT)
    assert refused.value.code is ErrorCode.COUNTER_EXHAUSTED
    assert next_value(db, rule) == 10


@pytest.mark.parametrize("count", [0, -1])
def test_allocating_nothing_is_a_bad_quantity(db: Database, count: int) -> None:
    rule = saved(db, pattern_rule("{SEQ:3}"))
    with db.session() as session, pytest.raises(DomainError) as refused:
        allocate(session, rule, CONTEXT, count)
    assert refused.value == DomainError(ErrorCode.BAD_QUANTITY, count=count)
    assert next_value(db, rule) is None


def test_a_bad_rule_or_context_refuses_before_touching_the_counter(db: Database) -> None:
    broken = saved(db, pattern_rule("L{SEQ:4}", ResetPeriod.DAILY, code="BROKEN"))
    with db.session() as session, pytest.raises(DomainError) as refused:
        allocate(session, broken, CONTEXT)
    assert refused.value == bad_rule(broken, Why.RESET_NOT_IN_PATTERN, reset="DAILY")
    lined = saved(db, pattern_rule("{LINE}{SEQ:4}", code="LINED"))
    with db.session() as session, pytest.raises(DomainError) as refused:
        allocate(session, lined, NumberingContext(DAY))
        session.commit()
    assert refused.value == bad_rule(lined, Why.NO_LINE)
    assert next_value(db, broken, "20260201") is None
    assert next_value(db, lined) is None


def serial(site: Site, code: str) -> Unit:
    return Unit(
        code=code,
        kind=UnitKind.SERIAL,
        status=UnitStatus.RELEASED,
        quantity=Decimal(1),
        initial_quantity=Decimal(1),
        site_id=site.id,
        created_at=dt.datetime.now(dt.UTC),
    )


def add_unit(db: Database, code: str) -> None:
    with db.session() as session:
        site = session.scalar(select(Site).where(Site.code == "S1"))
        if site is None:
            site = Site(code="S1", name_zh="一厂", name_en="Plant 1")
            session.add(site)
            session.flush()
        session.add(serial(site, code))
        session.commit()


def test_random_codes_are_unique_and_carry_their_check_digit(db: Database) -> None:
    rule = saved(db, random_rule(length=12, capacity=10**9, check_digit=CheckDigit.ISO7064_MOD_37_36))
    codes = draw(db, rule, count=500) + draw(db, rule, count=500)
    assert len(set(codes)) == 1000
    for code in codes:
        assert len(code) == 13
        assert set(code[:-1]) <= set(ALPHANUMERIC)
        assert mod_37_36.validate(code) == code
    assert next_value(db, rule) is None  # random rules have no counter


@pytest.fixture
def scripted_choice(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """Make secrets.choice return the given characters in order, to script collisions."""

    def script(characters: str) -> None:
        feed: Iterator[str] = iter(characters)
        monkeypatch.setattr(numbering.secrets, "choice", lambda alphabet: next(feed))

    return script


def test_random_codes_skip_existing_units_and_repeats(
    db: Database, scripted_choice: Callable[[str], None]
) -> None:
    rule = saved(db, random_rule(length=8, alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ", capacity=10**6))
    add_unit(db, "AAAAAAAA")
    scripted_choice("AAAAAAAA" + "BBBBBBBB" + "BBBBBBBB" + "CCCCCCCC")
    assert draw(db, rule, count=2) == ["BBBBBBBB", "CCCCCCCC"]


def test_random_codes_skip_units_of_the_same_transaction(
    db: Database, scripted_choice: Callable[[str], None]
) -> None:
    rule = saved(db, random_rule(length=5, alphabet=DIGITS, capacity=1, check_digit=CheckDigit.DAMM))
    add_unit(db, "000000")
    scripted_choice("00000" + "12345" + "56789")
    with db.session() as session:
        (first,) = allocate(session, rule, CONTEXT)
        assert first == "12345" + damm.calc_check_digit("12345")
        site = session.scalar(select(Site).where(Site.code == "S1"))
        assert site is not None
        session.add(serial(site, first))
        scripted_choice("12345" + "56789")
        assert allocate(session, rule, CONTEXT) == ["56789" + damm.calc_check_digit("56789")]
        session.commit()


def test_a_random_rule_that_cannot_find_a_free_code_says_so(
    db: Database, scripted_choice: Callable[[str], None]
) -> None:
    rule = saved(db, random_rule(length=8, alphabet=DIGITS, capacity=1))
    add_unit(db, "00000000")
    scripted_choice("0" * 8 * numbering.RANDOM_ATTEMPTS_PER_CODE)
    with db.session() as session, pytest.raises(DomainError) as refused:
        allocate(session, rule, CONTEXT)
    assert refused.value == DomainError(ErrorCode.COUNTER_EXHAUSTED, rule="RND", period="")


# --- PostgreSQL: stations drawing at the same time ------------------------------------------------


@pytest.mark.postgres_only
def test_concurrent_stations_never_draw_the_same_number(pg_db: Database) -> None:
    rule = saved(pg_db, pattern_rule("C{YY}{JJJ}{SEQ:6}", ResetPeriod.DAILY))
    threads, draws = 8, 200
    start = threading.Barrier(threads)
    results: list[list[str]] = [[] for _ in range(threads)]
    errors: list[BaseException] = []

    def station(index: int) -> None:
        try:
            start.wait()
            for _ in range(draws):
                with pg_db.session() as session:
                    own_rule = session.get(NumberingRule, rule.id)
                    assert own_rule is not None
                    results[index].extend(allocate(session, own_rule, CONTEXT))
                    session.commit()
        except BaseException as error:  # reported below: a thread's exception is otherwise lost
            errors.append(error)

    workers = [threading.Thread(target=station, args=(index,)) for index in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    codes = [code for result in results for code in result]
    assert len(codes) == len(set(codes)) == threads * draws
    assert sorted(codes) == [f"C26032{value:06d}" for value in range(1, threads * draws + 1)]
    for result in results:
        assert result == sorted(result)  # each station sees its numbers grow
    assert next_value(pg_db, rule, "20260201") == threads * draws + 1


@pytest.mark.postgres_only
def test_the_lock_is_held_until_the_caller_commits(pg_db: Database) -> None:
    rule = saved(pg_db, pattern_rule("W{SEQ:4}"))
    draw(pg_db, rule)
    other: list[str] = []
    with pg_db.session() as holder:
        assert allocate(holder, rule, CONTEXT, 5) == ["W0002", "W0003", "W0004", "W0005", "W0006"]
        waiter = threading.Thread(target=lambda: other.extend(draw(pg_db, rule)))
        waiter.start()
        waiter.join(timeout=0.5)
        assert waiter.is_alive() and other == []  # blocked on the row lock
        holder.commit()
    waiter.join(timeout=30)
    assert other == ["W0007"]
