"""GS1 element strings read as GS1's own Syntax Engine reads them, from GS1's Syntax Dictionary.

biip (which scan.py keeps for Digital Link URIs) matches each AI's value with a pattern, so a
variable-length value not ended by FNC1/GS is cut wherever the pattern allows and the rest is read as
another AI: a lot of 25 characters becomes a lot of 20 and a serial. GS1's engine never does that: a
variable-length value runs to the next GS or the end of the data and is refused when it is longer
than the AI allows. A misread label is worse than a refused one, so this module follows the engine:

- `split` cuts a transmitted element string the way the engine's gs1_processAIdata does;
- `check_value` applies the dictionary's specification of an AI to one value (length, character
  set, check digit, dates and the other linters that can be checked without GS1's registries);
- `check_associations` applies the dictionary's `req` and `ex` attributes to a set of AIs.

Refusals are DomainErrors: BAD_GS1 with `ai` and a stable `why` (and the limit it broke), and
BAD_CHECK_DIGIT for a GS1 key whose check digit is wrong, so a screen can say what is wrong.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache

from stdnum import ean

from models.errors import DomainError, ErrorCode
from models.gs1_dictionary import ENTRIES

__all__ = [
    "GS",
    "AiRule",
    "check_associations",
    "check_value",
    "decode_date",
    "refusal",
    "rule",
    "split",
]

GS = "\x1d"

# GS1 General Specifications figure 7.11-1: the AI encodable character set 82, set 39 and the
# base64url set (with "=" padding) of AI (8030).
_CHARSETS: Mapping[str, frozenset[str]] = {
    "N": frozenset("0123456789"),
    "X": frozenset("!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"),
    "Y": frozenset("#-/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
    "Z": frozenset("-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz="),
}
_COMPONENT = re.compile(r"(\[)?([NXYZ])(\d+|\.\.\d+)(\])?((?:,\w+)*)")


@dataclass(frozen=True)
class Component:
    """One part of an AI's value: its character set, its length and the linters that check it."""

    cset: str
    minimum: int
    maximum: int
    optional: bool
    linters: tuple[str, ...]


@dataclass(frozen=True)
class AiRule:
    """One AI as GS1's Syntax Dictionary defines it."""

    ai: str
    predefined_length: bool
    """Flag "*": the value has a fixed length and needs no FNC1/GS after it."""
    components: tuple[Component, ...]
    requires: tuple[tuple[tuple[str, ...], ...], ...]
    """Each `req=`: alternatives, each a set of AI patterns that must all be present."""
    excludes: tuple[str, ...]
    title: str

    @property
    def minimum(self) -> int:
        return sum(part.minimum for part in self.components if not part.optional)

    @property
    def maximum(self) -> int:
        return sum(part.maximum for part in self.components)


@cache
def _table() -> dict[str, AiRule]:
    rules: dict[str, AiRule] = {}
    for line in ENTRIES.splitlines():
        body, _, title = line.partition("#")
        words = body.split()
        ais, words = words[0], words[1:]
        flags = ""
        if words and not _COMPONENT.fullmatch(words[0]):
            flags, words = words[0], words[1:]
        components: list[Component] = []
        while words and (match := _COMPONENT.fullmatch(words[0])):
            optional, cset, length, _, linters = match.groups()
            low, high = (1, int(length[2:])) if length.startswith("..") else (int(length), int(length))
            components.append(
                Component(cset, low, high, bool(optional), tuple(filter(None, linters.split(","))))
            )
            words = words[1:]
        requires: list[tuple[tuple[str, ...], ...]] = []
        excludes: list[str] = []
        for attribute in words:
            key, _, value = attribute.partition("=")
            if key == "req":
                requires.append(tuple(tuple(option.split("+")) for option in value.split(",")))
            elif key == "ex":
                excludes.extend(value.split(","))
        first, _, last = ais.partition("-")
        for number in range(int(first), int(last or first) + 1):
            ai = str(number).zfill(len(first))
            rules[ai] = AiRule(
                ai, "*" in flags, tuple(components), tuple(requires), tuple(excludes), title.strip()
            )
    return rules


def refusal(raw: str, ai: str | None, why: str, detail: str, **params: object) -> DomainError:
    """BAD_GS1 with its stable parameters: the scan, the AI, why (a fixed word the screens
    translate), an English detail for the log, and what the reason needs (a limit, an AI)."""
    if ai is not None:
        params["ai"] = ai
    return DomainError(ErrorCode.BAD_GS1, text=raw, why=why, detail=detail, **params)


def rule(ai: str) -> AiRule | None:
    """The dictionary's rule of an AI, or None for an AI GS1 has not defined."""
    return _table().get(ai)


def _ai_at(raw: str, data: str, start: int) -> AiRule:
    """The AI that starts at `start`: GS1's AIs are a prefix code, so at most one length matches."""
    for length in (2, 3, 4):
        found = rule(data[start : start + length])
        if found is not None and len(found.ai) == length:
            return found
    head = data[start : start + 4]
    raise DomainError(ErrorCode.BAD_GS1, text=raw, ai=head, why="unknown_ai", detail=f"no AI at {head!r}")


def split(raw: str, data: str) -> list[tuple[str, str]]:
    """(AI, value) pairs of a transmitted element string (GS between fields, no FNC1 in first).

    As the engine: a predefined-length AI takes its length (or less, up to a GS, and is then
    refused as too short); any other AI takes everything up to the next GS or the end, and is
    refused if that is too long. A GS after a predefined-length value is allowed and skipped.
    """
    if not data:
        raise DomainError(ErrorCode.BAD_GS1, text=raw, why="empty", detail="no element string")
    pairs: list[tuple[str, str]] = []
    position = 0
    while position < len(data):
        found = _ai_at(raw, data, position)
        start = position + len(found.ai)
        end = data.find(GS, start)
        end = len(data) if end < 0 else end
        if found.predefined_length:
            end = min(end, start + found.maximum)
        value = data[start:end]
        check_value(raw, found.ai, value)
        pairs.append((found.ai, value))
        position = end
        if position < len(data) and data[position] == GS:
            position += 1
            if position == len(data):
                break  # a trailing FNC1 ends the data, as the engine reads it
    return pairs


def check_value(raw: str, ai: str, value: str) -> None:
    """Refuse a value that GS1's specification of its AI does not allow."""
    found = rule(ai)
    if found is None:
        raise DomainError(ErrorCode.BAD_GS1, text=raw, ai=ai, why="unknown_ai", detail=f"unknown AI ({ai})")
    if not value:
        raise DomainError(
            ErrorCode.BAD_GS1, text=raw, ai=ai, why="empty", detail=f"AI ({ai}) without a value"
        )
    position = 0
    for part in found.components:
        rest = len(value) - position
        if rest == 0 and part.optional:
            break
        length = min(rest, part.maximum)
        if length < part.minimum:
            _length_error(raw, found, value, "too_short")
        piece = value[position : position + length]
        for char in piece:
            if char not in _CHARSETS[part.cset]:
                why = "not_numeric" if part.cset == "N" else "bad_character"
                raise DomainError(
                    ErrorCode.BAD_GS1,
                    text=raw,
                    ai=ai,
                    why=why,
                    char=char if char.isprintable() else f"U+{ord(char):04X}",
                    detail=f"AI ({ai}): {char!r} is not allowed",
                )
        for linter in part.linters:
            _lint(raw, ai, linter, value[: position + length], piece)
        position += length
    if position < len(value):
        _length_error(raw, found, value, "too_long")


def _length_error(raw: str, found: AiRule, value: str, why: str) -> None:
    raise DomainError(
        ErrorCode.BAD_GS1,
        text=raw,
        ai=found.ai,
        why=why,
        length=len(value),
        minimum=found.minimum,
        maximum=found.maximum,
        detail=f"AI ({found.ai}) has {len(value)} characters, {found.minimum} to {found.maximum} allowed",
    )


# --- Linters -------------------------------------------------------------------------------------
# GS1's reference linters that can be checked without GS1's registries. Those that need a registry
# or a code list (gcppos1/2: the GS1 Company Prefix table; iso3166, iso4217, iban, packagetype...)
# are left to the party that holds it: their values still pass the length and character checks.


def _lint(raw: str, ai: str, linter: str, upto: str, piece: str) -> None:
    if linter == "csum":
        expected = ean.calc_check_digit(upto[:-1])
        if expected != upto[-1]:
            raise DomainError(
                ErrorCode.BAD_CHECK_DIGIT, text=raw, ai=ai, value=upto, expected=expected, found=upto[-1]
            )
        return
    check = _LINTERS.get(linter)
    if check is not None and not check(piece):
        why = "bad_date" if linter in _DATE_LINTERS else "bad_value"
        raise DomainError(
            ErrorCode.BAD_GS1, text=raw, ai=ai, why=why, detail=f"AI ({ai}): {piece!r} fails {linter}"
        )


def _yymmdd(piece: str, day_zero: bool) -> bool:
    month, day = int(piece[2:4]), int(piece[4:6])
    if not 1 <= month <= 12:
        return False
    if day == 0:
        return day_zero
    # A leap year when YY is divisible by 4: true of every year in the -49..+50 window around any
    # year of this century that GS1 reads YY in (2000 was a leap year; 2100 is past the window).
    days = 29 if month == 2 and int(piece[:2]) % 4 == 0 else calendar.monthrange(2001, month)[1]
    return day <= days


def _yyyymmdd(piece: str) -> bool:
    try:
        date(int(piece[:4]), int(piece[4:6]), int(piece[6:8]))
    except ValueError:
        return False
    return True


def _piece_of_total(piece: str) -> bool:
    number, total = int(piece[:2]), int(piece[2:4])
    return 1 <= number <= total


_LINTERS = {
    "yymmd0": lambda piece: _yymmdd(piece, day_zero=True),
    "yymmdd": lambda piece: _yymmdd(piece, day_zero=False),
    "yyyymmdd": _yyyymmdd,
    "hhmi": lambda piece: int(piece[:2]) <= 23 and int(piece[2:4]) <= 59,
    "hh": lambda piece: int(piece) <= 23,
    "mi": lambda piece: int(piece) <= 59,
    "ss": lambda piece: int(piece) <= 59,
    "zero": lambda piece: piece == "0",
    "nonzero": lambda piece: int(piece) != 0,
    "nozeroprefix": lambda piece: piece == "0" or not piece.startswith("0"),
    "hasnondigit": lambda piece: not piece.isdigit(),
    "pieceoftotal": _piece_of_total,
    "yesno": lambda piece: piece in ("0", "1"),
    "iso5218": lambda piece: piece in ("0", "1", "2", "9"),
    "winding": lambda piece: piece in ("0", "1", "9"),
    "hyphen": lambda piece: piece == "-",
}
_DATE_LINTERS = frozenset({"yymmd0", "yymmdd", "yyyymmdd", "hhmi", "hh", "mi", "ss"})


def decode_date(yymmdd: str, today: date) -> date:
    """The date of a checked YYMMDD value: the century that puts it within -49..+50 years of
    today (GS1 General Specifications 7.12), and day 00 the last day of its month."""
    year = int(yymmdd[:2])
    difference = year - today.year % 100
    century = today.year // 100 + (1 if difference <= -50 else -1 if difference >= 51 else 0)
    full_year, month, day = century * 100 + year, int(yymmdd[2:4]), int(yymmdd[4:6])
    return date(full_year, month, day or calendar.monthrange(full_year, month)[1])


# --- Associations --------------------------------------------------------------------------------


def _matches(ai: str, pattern: str) -> bool:
    return len(ai) == len(pattern) and all(p in ("n", a) for a, p in zip(ai, pattern, strict=True))


def check_associations(raw: str, ais: Collection[str], elsewhere: Iterable[str] = ()) -> None:
    """The dictionary's `ex` and `req` attributes over the AIs of one message.

    `elsewhere`: AIs taken as present for `req` only, because the data of a label is spread over
    several symbols and this message is one of them (GS1: pairings are evaluated over all the
    carriers marking an item). An exclusion is never excused: two AIs that may not stand together
    in the whole cannot stand together in a part.
    """
    present = set(ais)
    for ai in sorted(present):
        found = rule(ai)
        if found is None:
            continue
        for pattern in found.excludes:
            for other in sorted(present - {ai}):
                if _matches(other, pattern):
                    raise DomainError(
                        ErrorCode.BAD_GS1,
                        text=raw,
                        ai=ai,
                        why="excluded",
                        other=other,
                        detail=f"AI ({ai}) cannot stand with ({other})",
                    )
    available = present | set(elsewhere)
    for ai in sorted(present):
        found = rule(ai)
        if found is None:
            continue
        for alternatives in found.requires:
            if not any(
                all(any(_matches(have, pattern) for have in available) for pattern in option)
                for option in alternatives
            ):
                needs = " / ".join("".join(f"({pattern})" for pattern in option) for option in alternatives)
                raise DomainError(
                    ErrorCode.BAD_GS1,
                    text=raw,
                    ai=ai,
                    why="missing",
                    needs=needs,
                    detail=f"AI ({ai}) needs {needs}",
                )
