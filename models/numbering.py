"""Numbering rules: turn a rule and where/when a unit is made into the codes printed on its label.

Two kinds of rule exist. A PATTERN rule mixes date tokens, the line and item codes and one counter,
e.g. ``L{YY}{MM}{DD}-{SEQ:4}`` or ``SN{YY}{JJJ}{LINE}{SEQ:6}``; its counter is a `NumberingCounter`
row per rule and reset period, locked in the caller's transaction, so two stations can never draw
the same number and a rolled-back action gives its numbers back (never max()+1, never a sequence:
the first duplicates under concurrency, the second leaves gaps on rollback). A RANDOM rule draws
codes from a CSPRNG, for serials that must not be guessable (EU FMD: the chance of guessing a
valid code must be below 1/10,000).

Check digits are computed by python-stdnum, never by hand. stdnum's functions are permissive
(several run each character through ``int()``, which accepts non-ASCII digits such as ``'٣'``;
ISO 7064 MOD 11-2 reads ``'X'`` as 10 anywhere in the number; bad characters raise a bare
ValueError), so every code is checked against the algorithm's own character set before stdnum
sees it.

Refusals are `DomainError`s. For BAD_NUMBERING_RULE the ``why`` parameter is a stable key (listed
in `Why`) that the rule editor can translate; other parameters say which token, character or
value was at fault.
"""

from __future__ import annotations

import datetime
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Table, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from stdnum import damm, ean, luhn, verhoeff
from stdnum.iso7064 import mod_11_2, mod_37_36

from models.errors import DomainError, ErrorCode
from models.schema import CheckDigit, NumberingCounter, NumberingRule, ResetPeriod, RuleKind, Unit

# What a code may contain: printable ASCII without the space. A keyboard-wedge scanner types ASCII
# only, and a space is trimmed or split by forms and spreadsheets, so a code with one would not
# scan back to itself.
SAFE_CHARACTERS = frozenset(chr(code) for code in range(0x21, 0x7F))
DIGITS = "0123456789"
ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# unit.code is where every code ends up: a longer one would be refused (PostgreSQL) or silently
# kept longer than the schema says (SQLite).
MAX_CODE_LENGTH: int = Unit.__table__.c.code.type.length  # type: ignore[attr-defined]
MIN_SEQ_WIDTH = 1
MAX_SEQ_WIDTH = 18  # 10**18 - 1 still fits the BIGINT counter (and its next_value 10**18 too)
# EU FMD (Delegated Regulation 2016/161, art. 4): guessing a serial must succeed with p < 1/10,000.
MAX_GUESS_DENOMINATOR = 10_000
# A RANDOM rule with p < 1/10,000 collides with an existing code less than once in 10,000 draws;
# this many draws without enough free codes means the rule's space is used up, not bad luck.
RANDOM_ATTEMPTS_PER_CODE = 100
# Candidate codes checked against unit.code per query (below SQLite's bound-parameter limit).
EXISTING_CODE_BATCH = 500


class Why(StrEnum):
    """Why a rule was refused: the stable ``why`` parameter of BAD_NUMBERING_RULE."""

    UNKNOWN_KIND = "unknown_kind"
    UNKNOWN_TOKEN = "unknown_token"
    UNBALANCED_BRACE = "unbalanced_brace"
    NO_SEQ = "no_seq"
    DUPLICATE_SEQ = "duplicate_seq"
    SEQ_WIDTH = "seq_width"
    NOT_ASCII = "not_ascii"
    RESET_NOT_IN_PATTERN = "reset_not_in_pattern"
    RANDOM_PARAMETER_MISSING = "random_parameter_missing"
    ALPHABET_DUPLICATE = "alphabet_duplicate"
    ALPHABET_NOT_ASCII = "alphabet_not_ascii"
    GUESS_PROBABILITY = "guess_probability"
    CHECK_DIGIT_CHARACTERS = "check_digit_characters"
    TOO_LONG = "too_long"
    NO_LINE = "no_line"
    NO_ITEM = "no_item"
    NOT_A_PATTERN_RULE = "not_a_pattern_rule"
    NOT_A_RANDOM_RULE = "not_a_random_rule"


@dataclass(frozen=True)
class NumberingContext:
    """Where and when the numbered units are made.

    ``local_date`` is the site's local date, not UTC's: a night shift in Shanghai must number its
    lots with the date the operators and the labels see, and reset its counters at local midnight.
    """

    local_date: datetime.date
    line_code: str | None = None
    item_code: str | None = None


# --- Patterns --------------------------------------------------------------------------------------

_BRACED = re.compile(r"\{([^{}]*)\}")
_SEQ = re.compile(r"SEQ:([0-9]+)")
_DATE_TOKENS = frozenset({"YYYY", "YY", "MM", "DD", "JJJ"})
_SIMPLE_TOKENS = _DATE_TOKENS | {"LINE", "ITEM"}
# The digits each token always renders to (LINE and ITEM have no fixed length).
_TOKEN_WIDTH = {"YYYY": 4, "YY": 2, "MM": 2, "DD": 2, "JJJ": 3}


@dataclass(frozen=True)
class _Part:
    """One piece of a parsed pattern: literal text, a token name, or the counter with its width."""

    literal: str = ""
    token: str = ""
    width: int = 0


def _rule_kind(rule: NumberingRule) -> RuleKind:
    try:
        return RuleKind(rule.kind)
    except ValueError:
        raise DomainError(
            ErrorCode.BAD_NUMBERING_RULE, rule=rule.code, why=Why.UNKNOWN_KIND, kind=rule.kind
        ) from None


def _reset(rule: NumberingRule) -> ResetPeriod:
    # A rule not flushed yet (a rule editor's preview) has None where the column default applies.
    return ResetPeriod.NEVER if rule.reset is None else ResetPeriod(rule.reset)


def _check_digit(rule: NumberingRule) -> CheckDigit:
    return CheckDigit.NONE if rule.check_digit is None else CheckDigit(rule.check_digit)


def _bad(rule: NumberingRule, why: Why, **detail: Any) -> DomainError:
    return DomainError(ErrorCode.BAD_NUMBERING_RULE, rule=rule.code, why=why, **detail)


def _parse(rule: NumberingRule) -> tuple[_Part, ...]:
    """Split a PATTERN rule into parts, refusing anything `render` could not turn into a code."""
    pattern = rule.pattern or ""
    parts: list[_Part] = []
    position = 0
    for match in _BRACED.finditer(pattern):
        parts.extend(_literal(rule, pattern[position : match.start()]))
        parts.append(_token(rule, match.group(1)))
        position = match.end()
    parts.extend(_literal(rule, pattern[position:]))
    seq_count = sum(1 for part in parts if part.width)
    if seq_count == 0:
        raise _bad(rule, Why.NO_SEQ)
    if seq_count > 1:
        raise _bad(rule, Why.DUPLICATE_SEQ, count=seq_count)
    return tuple(parts)


def _literal(rule: NumberingRule, text: str) -> list[_Part]:
    if "{" in text or "}" in text:
        raise _bad(rule, Why.UNBALANCED_BRACE, text=text)
    for character in text:
        if character not in SAFE_CHARACTERS:
            raise _bad(rule, Why.NOT_ASCII, character=character)
    return [_Part(literal=text)] if text else []


def _token(rule: NumberingRule, name: str) -> _Part:
    if name in _SIMPLE_TOKENS:
        return _Part(token=name)
    seq = _SEQ.fullmatch(name)
    if seq is None:
        raise _bad(rule, Why.UNKNOWN_TOKEN, token="{" + name + "}")
    width = int(seq.group(1))
    if not MIN_SEQ_WIDTH <= width <= MAX_SEQ_WIDTH:
        raise _bad(rule, Why.SEQ_WIDTH, width=width)
    return _Part(token="SEQ", width=width)


def _seq_width(parts: Sequence[_Part]) -> int:
    return next(part.width for part in parts if part.width)


def _check_reset_in_pattern(rule: NumberingRule, parts: Sequence[_Part]) -> None:
    """A counter that restarts must restart under a new date in the code, or codes repeat.

    With a DAILY reset and no day in the pattern, tomorrow's first code is today's first code:
    the unique index on unit.code would refuse it and the line would stop.
    """
    tokens = {part.token for part in parts}
    has_year = bool(tokens & {"YYYY", "YY"})
    has_day = "JJJ" in tokens or {"MM", "DD"} <= tokens
    has_month = "JJJ" in tokens or "MM" in tokens
    needed = {
        ResetPeriod.NEVER: True,
        ResetPeriod.YEARLY: has_year,
        ResetPeriod.MONTHLY: has_year and has_month,
        ResetPeriod.DAILY: has_year and has_day,
    }[_reset(rule)]
    if not needed:
        raise _bad(rule, Why.RESET_NOT_IN_PATTERN, reset=_reset(rule).value)


# --- Check digits -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Algorithm:
    """A stdnum check digit function with the characters it is defined over."""

    characters: str
    calc: Callable[[str], str]


_ALGORITHMS: dict[CheckDigit, _Algorithm] = {
    # Luhn over digits only. stdnum's luhn takes an alphabet (Luhn mod N), but a verifier must then
    # know that alphabet, and with an odd-sized one it misses single substitutions; alphanumeric
    # codes use ISO 7064 MOD 37-36, which is standard and catches them all.
    CheckDigit.LUHN: _Algorithm(DIGITS, luhn.calc_check_digit),
    # GS1 mod 10 as in GTIN and SSCC; ean.calc_check_digit works for any length.
    CheckDigit.GS1_MOD10: _Algorithm(DIGITS, ean.calc_check_digit),
    CheckDigit.ISO7064_MOD_11_2: _Algorithm(DIGITS, mod_11_2.calc_check_digit),
    CheckDigit.ISO7064_MOD_37_36: _Algorithm(ALPHANUMERIC, mod_37_36.calc_check_digit),
    CheckDigit.VERHOEFF: _Algorithm(DIGITS, verhoeff.calc_check_digit),
    CheckDigit.DAMM: _Algorithm(DIGITS, damm.calc_check_digit),
}


def _with_check_digit(rule: NumberingRule, body: str) -> str:
    algorithm = _ALGORITHMS.get(_check_digit(rule))
    if algorithm is None:
        return body
    for character in body:
        if character not in algorithm.characters:
            raise _bad(
                rule,
                Why.CHECK_DIGIT_CHARACTERS,
                check_digit=_check_digit(rule).value,
                character=character,
            )
    return body + algorithm.calc(body)


def verify_check_digit(rule: NumberingRule, code: str) -> bool:
    """Whether ``code`` ends with the right check character for the rule's algorithm.

    A rule without a check digit has nothing to verify: every code passes. Characters outside the
    algorithm's set make the code invalid (stdnum alone would accept ``'٣'`` or an ``'X'`` inside
    an ISO 7064 MOD 11-2 number).
    """
    algorithm = _ALGORITHMS.get(_check_digit(rule))
    if algorithm is None:
        return True
    if len(code) < 2:
        return False
    body, check = code[:-1], code[-1]
    if any(character not in algorithm.characters for character in body):
        return False
    return algorithm.calc(body) == check


# --- Rules ------------------------------------------------------------------------------------


def validate_rule(rule: NumberingRule) -> None:
    """Refuse a rule that could ever produce a bad, clashing or guessable code.

    Checked when a rule is saved and again before each allocation, so a rule edited in the
    database by hand cannot number units it should not.
    """
    kind = _rule_kind(rule)
    if kind is RuleKind.PATTERN:
        _validate_pattern(rule)
    else:
        _validate_random(rule)


def _validate_pattern(rule: NumberingRule) -> None:
    parts = _parse(rule)
    _check_reset_in_pattern(rule, parts)
    algorithm = _ALGORITHMS.get(_check_digit(rule))
    if algorithm is not None:
        # Date tokens and the counter are digits, which every algorithm accepts; LINE and ITEM are
        # only known at render time and checked there.
        for part in parts:
            for character in part.literal:
                if character not in algorithm.characters:
                    raise _bad(
                        rule,
                        Why.CHECK_DIGIT_CHARACTERS,
                        check_digit=_check_digit(rule).value,
                        character=character,
                    )
    shortest = sum(len(part.literal) + part.width + _TOKEN_WIDTH.get(part.token, 0) for part in parts)
    shortest += 1 if algorithm is not None else 0
    if shortest > MAX_CODE_LENGTH:
        raise _bad(rule, Why.TOO_LONG, length=shortest, limit=MAX_CODE_LENGTH)


def _validate_random(rule: NumberingRule) -> None:
    length, alphabet, capacity = rule.random_length, rule.random_alphabet, rule.random_capacity
    if length is None or length < 1:
        raise _bad(rule, Why.RANDOM_PARAMETER_MISSING, parameter="random_length")
    if not alphabet:
        raise _bad(rule, Why.RANDOM_PARAMETER_MISSING, parameter="random_alphabet")
    if capacity is None or capacity < 1:
        raise _bad(rule, Why.RANDOM_PARAMETER_MISSING, parameter="random_capacity")
    seen: set[str] = set()
    for character in alphabet:
        if character not in SAFE_CHARACTERS:
            raise _bad(rule, Why.ALPHABET_NOT_ASCII, character=character)
        if character in seen:
            raise _bad(rule, Why.ALPHABET_DUPLICATE, character=character)
        seen.add(character)
    algorithm = _ALGORITHMS.get(_check_digit(rule))
    if algorithm is not None:
        outside = sorted(seen - set(algorithm.characters))
        if outside:
            raise _bad(
                rule,
                Why.CHECK_DIGIT_CHARACTERS,
                check_digit=_check_digit(rule).value,
                character=outside[0],
            )
    total = length + (1 if algorithm is not None else 0)
    if total > MAX_CODE_LENGTH:
        raise _bad(rule, Why.TOO_LONG, length=total, limit=MAX_CODE_LENGTH)
    # Exact integers: a float comparison could wave through a rule sitting right at the bound.
    if capacity * MAX_GUESS_DENOMINATOR >= len(alphabet) ** length:
        raise _bad(rule, Why.GUESS_PROBABILITY, probability=capacity / len(alphabet) ** length)


def guess_probability(rule: NumberingRule) -> float:
    """The chance that one made-up code is a valid one: capacity / len(alphabet) ** length.

    The check digit does not count: it is computed from the other characters, so it adds no
    uncertainty for whoever guesses. Only RANDOM rules have one; a counter is guessed by adding 1.
    """
    if _rule_kind(rule) is not RuleKind.RANDOM:
        raise _bad(rule, Why.NOT_A_RANDOM_RULE)
    length, alphabet, capacity = rule.random_length, rule.random_alphabet, rule.random_capacity
    if length is None or length < 1:
        raise _bad(rule, Why.RANDOM_PARAMETER_MISSING, parameter="random_length")
    if not alphabet:
        raise _bad(rule, Why.RANDOM_PARAMETER_MISSING, parameter="random_alphabet")
    if capacity is None or capacity < 1:
        raise _bad(rule, Why.RANDOM_PARAMETER_MISSING, parameter="random_capacity")
    return capacity / len(alphabet) ** length


def period_key(reset: ResetPeriod, local_date: datetime.date) -> str:
    """The counter row a draw on ``local_date`` uses: a new key is a counter starting again at 1."""
    match ResetPeriod(reset):
        case ResetPeriod.NEVER:
            return ""
        case ResetPeriod.DAILY:
            return f"{local_date.year:04d}{local_date.month:02d}{local_date.day:02d}"
        case ResetPeriod.MONTHLY:
            return f"{local_date.year:04d}{local_date.month:02d}"
        case ResetPeriod.YEARLY:
            return f"{local_date.year:04d}"
    raise AssertionError(f"unhandled reset period {reset!r}")  # pragma: no cover


def render(rule: NumberingRule, context: NumberingContext, value: int) -> str:
    """The code a PATTERN rule gives counter ``value`` in ``context``: pure, no database.

    The label preview in the rule editor shows exactly what `allocate` would issue.
    """
    if _rule_kind(rule) is not RuleKind.PATTERN:
        raise _bad(rule, Why.NOT_A_PATTERN_RULE)
    validate_rule(rule)
    return _render(rule, _parse(rule), context, value)


def _render(rule: NumberingRule, parts: Sequence[_Part], context: NumberingContext, value: int) -> str:
    if value < 0:
        # Counters start at 1 and only grow: a negative value is the caller's bug, not a rule's.
        raise ValueError(f"a counter value is never negative: {value}")
    width = _seq_width(parts)
    if value >= 10**width:
        raise DomainError(
            ErrorCode.COUNTER_EXHAUSTED, rule=rule.code, period=period_key(_reset(rule), context.local_date)
        )
    day = context.local_date
    pieces: list[str] = []
    for part in parts:
        match part.token:
            case "":
                pieces.append(part.literal)
            case "YYYY":
                pieces.append(f"{day.year:04d}")
            case "YY":
                pieces.append(f"{day.year % 100:02d}")
            case "MM":
                pieces.append(f"{day.month:02d}")
            case "DD":
                pieces.append(f"{day.day:02d}")
            case "JJJ":
                pieces.append(f"{day.timetuple().tm_yday:03d}")
            case "LINE":
                pieces.append(_context_code(rule, context.line_code, Why.NO_LINE))
            case "ITEM":
                pieces.append(_context_code(rule, context.item_code, Why.NO_ITEM))
            case "SEQ":
                pieces.append(f"{value:0{width}d}")
    code = _with_check_digit(rule, "".join(pieces))
    if len(code) > MAX_CODE_LENGTH:
        raise _bad(rule, Why.TOO_LONG, length=len(code), limit=MAX_CODE_LENGTH)
    return code


def _context_code(rule: NumberingRule, code: str | None, missing: Why) -> str:
    if not code:
        raise _bad(rule, missing)
    for character in code:
        if character not in SAFE_CHARACTERS:
            raise _bad(rule, Why.NOT_ASCII, character=character)
    return code


# --- Allocation -------------------------------------------------------------------------------


def allocate(session: Session, rule: NumberingRule, context: NumberingContext, count: int = 1) -> list[str]:
    """Draw ``count`` codes inside the caller's transaction; the caller commits or rolls back.

    PATTERN rules take consecutive counter values under one row lock for the whole block, held
    until the caller's transaction ends: the numbers are only spent if the units they number are
    committed, and no other station can draw them meanwhile. RANDOM rules skip codes already on a
    unit; a concurrent transaction drawing the very same random code is left to the unique index
    on unit.code (p < 1/10,000 per guess makes it vanishingly rare).
    """
    if count < 1:
        raise DomainError(ErrorCode.BAD_QUANTITY, count=count)
    validate_rule(rule)
    if _rule_kind(rule) is RuleKind.PATTERN:
        return _allocate_pattern(session, rule, context, count)
    return _allocate_random(session, rule, count)


def _allocate_pattern(
    session: Session, rule: NumberingRule, context: NumberingContext, count: int
) -> list[str]:
    parts = _parse(rule)
    period = period_key(_reset(rule), context.local_date)
    # Fail before taking the lock when the context cannot render (no line for {LINE}...).
    _render(rule, parts, context, 0)
    following = _advance_counter(session, rule.id, period, count)
    first, last = following - count, following - 1
    if last >= 10 ** _seq_width(parts):
        # Raised inside the caller's transaction: its rollback undoes the advance.
        raise DomainError(ErrorCode.COUNTER_EXHAUSTED, rule=rule.code, period=period)
    return [_render(rule, parts, context, value) for value in range(first, last + 1)]


def _advance_counter(session: Session, rule_id: int, period: str, count: int) -> int:
    """Move the counter on by `count` and return its new next value, holding its row lock.

    One UPDATE ... RETURNING: it takes the row lock (held until the caller's transaction ends) and
    reads the value in one round trip, which is what caps a hot counter's draws per second. A
    period with no row yet gets one first; two stations opening the same period both try the
    insert, and ON CONFLICT DO NOTHING makes the second wait for the first's row instead of
    failing. On SQLite the transaction already holds the database's write lock (BEGIN IMMEDIATE).
    """
    table = NumberingCounter.__table__
    assert isinstance(table, Table)  # a declarative class's table (typed as any FromClause)
    advance = (
        update(table)
        .where(table.c.rule_id == rule_id, table.c.period == period)
        .values(next_value=table.c.next_value + count)
        .returning(table.c.next_value)
    )
    following = session.execute(advance).scalar()
    if following is not None:
        return int(following)
    dialect = session.connection().dialect.name
    if dialect not in ("postgresql", "sqlite"):
        raise RuntimeError(f"TraceStation numbers units on PostgreSQL or SQLite, not {dialect}")
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(NumberingCounter)
        .values(rule_id=rule_id, period=period, next_value=1)
        .on_conflict_do_nothing(index_elements=["rule_id", "period"])
    )
    following = session.execute(advance).scalar()
    if following is None:  # pragma: no cover - the row was just inserted or committed by another
        raise RuntimeError(f"numbering counter {rule_id}/{period} vanished after its insert")
    return int(following)


def _allocate_random(session: Session, rule: NumberingRule, count: int) -> list[str]:
    alphabet = rule.random_alphabet or ""
    length = rule.random_length or 0
    issued: list[str] = []
    drawn: set[str] = set()
    attempts_left = RANDOM_ATTEMPTS_PER_CODE * count
    while len(issued) < count:
        wanted = min(count - len(issued), EXISTING_CODE_BATCH)
        candidates: list[str] = []
        while len(candidates) < wanted:
            if attempts_left <= 0:
                raise DomainError(ErrorCode.COUNTER_EXHAUSTED, rule=rule.code, period="")
            attempts_left -= 1
            body = "".join(secrets.choice(alphabet) for _ in range(length))
            code = _with_check_digit(rule, body)
            if code not in drawn:
                drawn.add(code)
                candidates.append(code)
        existing = set(session.scalars(select(Unit.code).where(Unit.code.in_(candidates))))
        issued.extend(code for code in candidates if code not in existing)
    return issued
