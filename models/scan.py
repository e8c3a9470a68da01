"""What a barcode scan means, before anything is looked up.

A station receives one string per scan, whatever the symbol was: a GS1-128 or GS1 DataMatrix with
GS (ASCII 29) separators, a GS1 Digital Link URI in a QR code, the "(01)..." text an operator typed
from a label, or a plain internal code. Only the string tells them apart, so the rules here decide
once, for every screen, which scans must be GS1 (and are refused if they are not valid GS1) and
which are codes to look up as they are.

Element strings are read as GS1's own Syntax Engine reads them (models/gs1_syntax.py, from GS1's
Syntax Dictionary): a variable-length value runs to the next GS or the end and is refused when too
long, never split into another AI; every key's check digit, every date and the AIs' mandatory and
forbidden pairings are checked. biip still parses Digital Link URIs, and is lenient where GS1 is
strict (pads short GTINs, keeps the last of duplicated query parameters, ignores the host): each of
those is checked again here, and its values go through the same dictionary checks, because a
traceability record built on a misread identifier is worse than a refused scan.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from urllib.parse import parse_qsl, unquote, urlsplit

from biip import ParseConfig, ParseError
from biip.gs1_digital_link_uris import GS1DigitalLinkURI
from biip.gs1_messages import GS1Message
from biip.symbology import GS1Symbology, ISOSymbology
from stdnum import ean, gs1_128

from models import gs1_syntax
from models.errors import DomainError, ErrorCode

__all__ = [
    "Gs1Data",
    "ParsedScan",
    "check_label",
    "element_string",
    "encoded_element_string",
    "make_sscc",
    "normalize_gtin",
    "parse_scan",
]

GS = "\x1d"
"""What scanners transmit for the FNC1 separator that ends a variable-length GS1 field."""

_CONFIG = ParseConfig(separator_chars=(GS,), gs1_element_strings_verify_date=True)

# One scan is one symbol, and a GS1 logistic label carries its SSCC (00) in a symbol of its own
# (GS1 Logistic Label Guideline), with the content's (02)+(37) and its attributes in others; GS1's
# dictionary asks for pairings to be evaluated over all the carriers of the item. So a requirement
# that the SSCC meets ((37) "req=00", the ship-to AIs...) is left to the label; every other one
# must be met within the scan. check_label() checks a whole label of ours without that allowance.
_ON_ANOTHER_SYMBOL = ("00",)

Element = tuple[str, str]
"""(AI, value): one element string, its value exactly as encoded."""

# Symbologies whose data is a GS1 element string (FNC1 in first position): ]C1, ]e0, ]d2, ]Q3, ]J1.
_GS1_MESSAGE_SYMBOLOGIES = frozenset(GS1Symbology.with_gs1_messages())
# Of those, the ones that may also carry a Digital Link URI (]d2, ]Q3); the others never carry a URI.
_NO_URI_SYMBOLOGIES = _GS1_MESSAGE_SYMBOLOGIES - frozenset(GS1Symbology.with_gs1_digital_link_uri())
# EAN/UPC and ITF-14 symbols carry nothing but a GTIN, of these lengths. Eight digits under ]E0
# are a UPC-E (not a GTIN-8, which is ]E4), and ]E3 appends an add-on: neither is read as a GTIN.
_GTIN_LENGTHS_BY_SYMBOLOGY: dict[GS1Symbology, tuple[int, ...]] = {
    GS1Symbology.EAN_13: (12, 13),
    GS1Symbology.EAN_8: (8,),
    GS1Symbology.ITF_14: (14,),
}

# "]", a code character, one modifier character (ISO/IEC 15424).
_AIM_PREFIX = re.compile(r"\]([A-Za-z])([0-9A-Za-z])")
_AIM_CODE_CHARACTERS = frozenset(symbology.value for symbology in ISOSymbology) | {"J"}

_DIGITS = re.compile(r"[0-9]+")
_GTIN_LENGTHS = (8, 12, 13, 14)
_HRI_START = re.compile(r"\(\d{2,4}\)")
# An AI in brackets; "\(" is a literal bracket inside a value (the GS1 Syntax Engine's convention).
_HRI_AI = re.compile(r"(?<!\\)\((\d{2,4})\)")
# The GS1 keys TraceStation reads (SSCC, GTIN). A URL is a Digital Link when one is a path segment;
# an all-digit plain scan is read as GS1 only when it starts with one.
_KEY_AIS = frozenset({"00", "01"})
# Characters no scanner sends as data (GS is checked separately): controls, format characters,
# surrogates, private use, unassigned, line and paragraph separators.
_JUNK_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})

# GS1 General Specifications recommend keys first, then fixed-length data, then variable-length data
# with lot and serial last, so that the fewest separators are needed. Unlisted AIs sort by their
# own length type, between the two.
_LEADING_RANK = {"00": 0, "01": 1, "02": 2, "11": 3, "12": 3, "13": 3, "15": 3, "16": 3, "17": 3}
_COUNT_RANK = {"30": 4, "37": 4}
_TRAILING_RANK = {"10": 8, "21": 9}
_FIXED_RANK = 5
_VARIABLE_RANK = 6


@dataclass(frozen=True)
class Gs1Data:
    """The GS1 data of one scan, with every identifier's check digit already verified."""

    gtin: str | None
    lot: str | None
    serial: str | None
    sscc: str | None
    expiry: date | None
    best_before: date | None
    production_date: date | None
    quantity: Decimal | None
    element_string: str
    """Every AI of the scan in one canonical order, so the same data read from a GS1-128, a
    DataMatrix or a Digital Link compares and logs identically."""
    content_gtin: str | None = None
    """(02): the trade item a carton holds (with its count in (37)), not the carton itself."""


@dataclass(frozen=True)
class ParsedScan:
    """One scan, classified; the resolver decides what it identifies."""

    raw: str
    symbology: str | None
    internal_code: str | None
    """None when the scan is explicitly GS1: then it can only mean its GS1 data."""
    gs1: Gs1Data | None
    gs1_error: DomainError | None
    """A plain all-digit scan shaped like GS1 but with a wrong check digit. Not raised, because the
    digits may still be a valid internal code; the resolver raises it when no code matches."""


def parse_scan(text: str) -> ParsedScan:
    """Classify a scan; raise DomainError if it cannot be anything a station accepts.

    Explicit GS1 (a GS1 symbology identifier, a GS separator, the "(01)..." form, a Digital Link
    URI) must be valid GS1, so a damaged label is refused at the scan instead of being stored
    as an unknown code.
    """
    raw = text.rstrip("\r\n")
    symbology, gs1_symbology = _symbology_identifier(raw) or (None, None)
    payload = raw[len(symbology) :] if symbology else raw
    if not payload.strip():  # GS counts as whitespace: a lone FNC1 is no data either
        raise DomainError(ErrorCode.EMPTY_SCAN, text=raw)

    if gs1_symbology not in _NO_URI_SYMBOLOGIES and _is_digital_link(payload):
        _refuse_junk(raw, payload, ErrorCode.BAD_GS1)
        return _explicit(raw, symbology, _parse_digital_link(raw, payload))
    if gs1_symbology in _GS1_MESSAGE_SYMBOLOGIES or GS in payload:
        _refuse_junk(raw, payload, ErrorCode.BAD_GS1)
        return _explicit(raw, symbology, _parse_message(raw, payload))
    if _HRI_START.match(payload):
        _refuse_junk(raw, payload, ErrorCode.BAD_GS1)
        return _explicit(raw, symbology, _parse_hri(raw, payload))

    _refuse_junk(raw, payload, ErrorCode.BAD_INPUT)
    gs1, gs1_error = _plain_gs1(raw, payload, gs1_symbology)
    return ParsedScan(raw=raw, symbology=symbology, internal_code=payload, gs1=gs1, gs1_error=gs1_error)


def check_label(symbols: Sequence[str]) -> None:
    """Refuse a label of ours whose GS1 symbols would not be read as one valid whole.

    Each symbol (its encoded element string, as a scanner transmits it) must parse as a scan does;
    the AIs of all of them together must then meet every mandatory and forbidden pairing of GS1's
    dictionary, which is how GS1 evaluates a label of several symbols.
    """
    every: list[str] = []
    for symbol in symbols:
        elements = _parse_message(symbol, symbol)
        _validated(symbol, elements)
        every.extend(ai for ai, _ in elements)
    gs1_syntax.check_associations(" ".join(symbols), every)


def normalize_gtin(text: str) -> str:
    """Give a GTIN its 14-digit form, the one GS1 element strings and the database compare."""
    if not _DIGITS.fullmatch(text) or len(text) not in _GTIN_LENGTHS:
        raise DomainError(ErrorCode.BAD_GTIN, text=text)
    expected = ean.calc_check_digit(text[:-1])
    if expected != text[-1]:
        raise DomainError(ErrorCode.BAD_CHECK_DIGIT, text=text, expected=expected, found=text[-1])
    return text.zfill(14)


def make_sscc(extension_digit: int, company_prefix: str, serial_reference: int) -> str:
    """Build the SSCC of a new carton or pallet from the site's GS1 company prefix."""
    if type(extension_digit) is not int or not 0 <= extension_digit <= 9:
        raise DomainError(ErrorCode.BAD_INPUT, field="extension_digit", text=str(extension_digit))
    if (
        not isinstance(company_prefix, str)
        or not _DIGITS.fullmatch(company_prefix)
        or not 6 <= len(company_prefix) <= 12
    ):
        raise DomainError(ErrorCode.BAD_INPUT, field="company_prefix", text=str(company_prefix))
    width = 16 - len(company_prefix)
    if type(serial_reference) is not int or not 0 <= serial_reference < 10**width:
        raise DomainError(ErrorCode.BAD_INPUT, field="serial_reference", text=str(serial_reference))
    payload = f"{extension_digit}{company_prefix}{serial_reference:0{width}d}"
    return payload + ean.calc_check_digit(payload)


def element_string(
    gtin: str | None = None,
    lot: str | None = None,
    serial: str | None = None,
    expiry: date | None = None,
    sscc: str | None = None,
    quantity: int | None = None,
    content_gtin: str | None = None,
) -> str:
    """The text printed under a GS1 barcode; parse_scan reads it back to the same data.

    A "(" inside a value is written "\\(" (as the GS1 Syntax Engine does), otherwise a lot such
    as "A(21)B" would read back as a lot and a serial. `content_gtin` with `quantity` is a
    carton's content ((02) and (37), the logistic label's way); `gtin` with `quantity` is a
    variable count of the item itself ((01) and (30)).
    """
    return _hri(_label_elements(gtin, lot, serial, expiry, sscc, quantity, content_gtin))


def digital_link(
    gtin: str,
    lot: str | None = None,
    serial: str | None = None,
    expiry: date | None = None,
    domain: str | None = None,
) -> str:
    """A GS1 Digital Link URI for a QR (a phone opens it; parse_scan reads it back to the same
    data). `domain` is the host of the brand's resolver ("id.example.cn"); GS1's own (id.gs1.org)
    when none is set."""
    elements = _label_elements(gtin, lot, serial, expiry, None, None)
    message = GS1Message.parse("".join(f"{ai}{value}{GS}" for ai, value in elements).rstrip(GS))
    return GS1DigitalLinkURI.from_element_strings(message.element_strings).as_uri(domain=domain)


def encoded_element_string(
    gtin: str | None = None,
    lot: str | None = None,
    serial: str | None = None,
    expiry: date | None = None,
    sscc: str | None = None,
    quantity: int | None = None,
    content_gtin: str | None = None,
) -> str:
    """The data to encode in a GS1 symbol (after its FNC1), as a scanner transmits it back."""
    elements = _label_elements(gtin, lot, serial, expiry, sscc, quantity, content_gtin)
    parts: list[str] = []
    for index, (ai, value) in enumerate(elements):
        last = index == len(elements) - 1
        parts.append(ai + value + ("" if last or _predefined_length(ai) else GS))
    return "".join(parts)


# --- Classifying -------------------------------------------------------------------------------


def _symbology_identifier(raw: str) -> tuple[str, GS1Symbology | None] | None:
    """The AIM prefix, if the scanner sent one; a "]" that starts no valid prefix is data.

    Not biip's SymbologyIdentifier.extract: its code characters lack "J", so it never recognises
    GS1 DotCode (]J1), and it reads a variable number of modifiers after "]Y".
    """
    match = _AIM_PREFIX.match(raw)
    if match is None or match.group(1) not in _AIM_CODE_CHARACTERS:
        return None
    value = match.group(0)
    try:
        return value, GS1Symbology(value[1:])
    except ValueError:
        return value, None


def _is_digital_link(payload: str) -> bool:
    """A URL is a Digital Link when it has a key TraceStation reads; other URLs are plain codes."""
    try:
        parts = urlsplit(payload)
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return False
    return any(segment in _KEY_AIS for segment in parts.path.split("/"))


def _refuse_junk(raw: str, payload: str, code: ErrorCode) -> None:
    for char in payload:
        if char != GS and unicodedata.category(char) in _JUNK_CATEGORIES:
            raise DomainError(code, text=raw, char=f"U+{ord(char):04X}")


def _explicit(raw: str, symbology: str | None, elements: list[Element]) -> ParsedScan:
    gs1 = _validated(raw, elements)
    return ParsedScan(raw=raw, symbology=symbology, internal_code=None, gs1=gs1, gs1_error=None)


def _plain_gs1(
    raw: str, payload: str, gs1_symbology: GS1Symbology | None
) -> tuple[Gs1Data | None, DomainError | None]:
    """The GS1 reading of a plain scan, when its digits have one; a code may still match first."""
    if not _DIGITS.fullmatch(payload):
        return None, None
    try:
        if gs1_symbology is not None and gs1_symbology in _GTIN_LENGTHS_BY_SYMBOLOGY:
            if len(payload) not in _GTIN_LENGTHS_BY_SYMBOLOGY[gs1_symbology]:
                return None, None
            _verify_check_digit(raw, "01", payload)
            return _validated(raw, [("01", normalize_gtin(payload))]), None
        if payload.startswith(tuple(_KEY_AIS)):
            return _validated(raw, _parse_message(raw, payload)), None
    except DomainError as error:
        if error.code is ErrorCode.BAD_CHECK_DIGIT:
            return None, error
    return None, None


# --- GS1 syntaxes ------------------------------------------------------------------------------


def _parse_message(raw: str, payload: str) -> list[Element]:
    """Element strings as GS1-128, DataMatrix, QR, DataBar and DotCode transmit them."""
    message = payload.removeprefix(GS)  # FNC1 in first position, when the scanner sends it
    return gs1_syntax.split(raw, message)


def _parse_hri(raw: str, payload: str) -> list[Element]:
    """The bracketed form, read strictly: biip's own reader drops whitespace and stray text."""
    markers = list(_HRI_AI.finditer(payload))
    ends = [marker.start() for marker in markers[1:]] + [len(payload)]
    return [
        (marker.group(1), payload[marker.end() : end].replace("\\(", "("))
        for marker, end in zip(markers, ends, strict=True)
    ]


def _parse_digital_link(raw: str, payload: str) -> list[Element]:
    if any(char.isspace() for char in payload):
        # urlsplit drops some whitespace and biip ignores the host: a URI has none anywhere.
        raise DomainError(ErrorCode.BAD_GS1, text=raw, detail="whitespace in a URI")
    parts = urlsplit(payload)
    _precheck_digital_link(raw, parts.path, parts.query)
    try:
        uri = GS1DigitalLinkURI.parse(payload, config=_CONFIG)
    except ParseError as exc:
        raise DomainError(ErrorCode.BAD_GS1, text=raw, detail=str(exc)) from exc
    elements = [(element.ai.ai, element.value) for element in uri.element_strings]
    if elements and elements[0][0] == "01":
        # biip pads any digit string to 14; a GTIN is 8, 12, 13 or 14 digits, nothing else.
        segments = parts.path.split("/")
        written = unquote(segments[segments.index("01") + 1])
        if not _DIGITS.fullmatch(written) or len(written) not in _GTIN_LENGTHS:
            raise DomainError(ErrorCode.BAD_GS1, text=raw, detail=f"GTIN {written!r} in the path")
    seen: set[str] = set()
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if not _DIGITS.fullmatch(key):
            continue  # other parameters (linkType...) belong to the resolver, not to the data
        if gs1_syntax.rule(key) is None:
            raise DomainError(
                ErrorCode.BAD_GS1, text=raw, ai=key, why="unknown_ai", detail=f"unknown AI ({key})"
            )
        if key in seen:
            # biip silently keeps the last value; which one the label meant is unknowable.
            raise DomainError(
                ErrorCode.BAD_GS1, text=raw, ai=key, why="repeated", detail=f"AI ({key}) repeated"
            )
        if not value:
            raise DomainError(
                ErrorCode.BAD_GS1, text=raw, ai=key, why="empty", detail=f"AI ({key}) without a value"
            )
        seen.add(key)
    return elements


def _precheck_digital_link(raw: str, path: str, query: str) -> None:
    """The dictionary's checks on a URI's values before biip reads it, so that a refusal names the
    AI and why (biip's own refusal is a sentence in English about a regular expression)."""
    segments = [unquote(segment) for segment in path.split("/")]
    start = next((index for index, segment in enumerate(segments) if segment in _KEY_AIS), len(segments))
    pairs = list(zip(segments[start::2], segments[start + 1 :: 2], strict=False))
    pairs += [
        (key, value) for key, value in parse_qsl(query, keep_blank_values=True) if _DIGITS.fullmatch(key)
    ]
    for ai, value in pairs:
        if gs1_syntax.rule(ai) is None or not value:
            continue  # refused below, by biip or by the query's own checks
        if ai == "01" and _DIGITS.fullmatch(value) and len(value) in _GTIN_LENGTHS:
            value = value.zfill(14)
        gs1_syntax.check_value(raw, ai, value)


def _validated(raw: str, elements: list[Element]) -> Gs1Data:
    """Every value against GS1's dictionary, no AI twice, and the AIs' pairings within one symbol."""
    if not elements:
        raise DomainError(ErrorCode.BAD_GS1, text=raw, why="empty", detail="no element string")
    seen: set[str] = set()
    for ai, value in elements:
        if ai in seen:
            raise DomainError(
                ErrorCode.BAD_GS1, text=raw, ai=ai, why="repeated", detail=f"AI ({ai}) repeated"
            )
        seen.add(ai)
        gs1_syntax.check_value(raw, ai, value)
    gs1_syntax.check_associations(raw, seen, elsewhere=_ON_ANOTHER_SYMBOL)
    return _gs1_data(elements)


def _verify_check_digit(raw: str, ai: str, number: str) -> None:
    expected = ean.calc_check_digit(number[:-1])
    if expected != number[-1]:
        raise DomainError(
            ErrorCode.BAD_CHECK_DIGIT, text=raw, ai=ai, value=number, expected=expected, found=number[-1]
        )


def _gs1_data(elements: list[Element]) -> Gs1Data:
    by_ai = dict(elements)
    today = date.today()

    def day(ai: str) -> date | None:
        value = by_ai.get(ai)
        return gs1_syntax.decode_date(value, today) if value else None

    count = by_ai.get("30") or by_ai.get("37")
    ordered = sorted(elements, key=lambda element: _order_key(element[0]))
    return Gs1Data(
        gtin=by_ai.get("01"),
        lot=by_ai.get("10"),
        serial=by_ai.get("21"),
        sscc=by_ai.get("00"),
        expiry=day("17"),
        best_before=day("15"),
        production_date=day("11"),
        quantity=Decimal(count) if count else None,
        element_string=_hri(ordered),
        content_gtin=by_ai.get("02"),
    )


def _predefined_length(ai: str) -> bool:
    found = gs1_syntax.rule(ai)
    return found is not None and found.predefined_length


def _order_key(ai: str) -> tuple[int, str]:
    for ranks in (_LEADING_RANK, _COUNT_RANK, _TRAILING_RANK):
        if ai in ranks:
            return ranks[ai], ai
    return (_FIXED_RANK if _predefined_length(ai) else _VARIABLE_RANK), ai


def _hri(elements: Iterable[tuple[str, str]]) -> str:
    return "".join(f"({ai}){_escape_bracket(value)}" for ai, value in elements)


def _escape_bracket(value: str) -> str:
    return value.replace("(", "\\(")


# --- Building ----------------------------------------------------------------------------------


def _label_elements(
    gtin: str | None,
    lot: str | None,
    serial: str | None,
    expiry: date | None,
    sscc: str | None,
    quantity: int | None,
    content_gtin: str | None = None,
) -> list[tuple[str, str]]:
    """Validated (AI, value) pairs in the recommended order; refuse what would not scan back."""
    elements: list[tuple[str, str]] = []
    if sscc is not None:
        elements.append(("00", _checked_sscc(sscc)))
    if gtin is not None and content_gtin is not None:
        raise DomainError(ErrorCode.BAD_INPUT, field="element_string", text="(01) and (02) together")
    if gtin is not None:
        elements.append(("01", normalize_gtin(gtin)))
    if content_gtin is not None:
        elements.append(("02", normalize_gtin(content_gtin)))
    if expiry is not None:
        elements.append(("17", _encoded_date("17", expiry)))
    if quantity is not None:
        # (30) counts the item of (01); (37) counts the content of (02).
        if type(quantity) is not int or not 0 <= quantity <= 99_999_999:
            raise DomainError(ErrorCode.BAD_QUANTITY, text=str(quantity))
        elements.append(("37" if content_gtin is not None else "30", str(quantity)))
    if lot is not None:
        elements.append(("10", _checked_text("10", "lot", lot)))
    if serial is not None:
        elements.append(("21", _checked_text("21", "serial", serial)))
    if not elements:
        raise DomainError(ErrorCode.BAD_INPUT, field="element_string", text="")
    ordered = sorted(elements, key=lambda pair: _order_key(pair[0]))
    # The same rules a scan of it meets: what we print, our stations must read back.
    _validated(_hri(ordered), ordered)
    return ordered


def _checked_sscc(sscc: str) -> str:
    if not isinstance(sscc, str) or not _DIGITS.fullmatch(sscc) or len(sscc) != 18:
        raise DomainError(ErrorCode.BAD_INPUT, field="sscc", text=str(sscc))
    expected = ean.calc_check_digit(sscc[:-1])
    if expected != sscc[-1]:
        raise DomainError(ErrorCode.BAD_CHECK_DIGIT, text=sscc, expected=expected, found=sscc[-1])
    return sscc


def _encoded_date(ai: str, value: date) -> str:
    """YYMMDD; refused when the two-digit year would read back in another century."""
    if type(value) is not date:  # a datetime would lose its time without a word
        raise DomainError(ErrorCode.BAD_DATE, text=str(value))
    encoded = gs1_128.encode({ai: value})[len(ai) :]
    if gs1_syntax.decode_date(encoded, date.today()) != value:
        raise DomainError(ErrorCode.BAD_DATE, text=str(value))
    return encoded


def _checked_text(ai: str, field: str, value: str) -> str:
    """Lot and serial: 1-20 characters of the GS1 AI encodable set 82 (no space)."""
    if not isinstance(value, str):
        raise DomainError(ErrorCode.BAD_INPUT, field=field, text=str(value))
    try:
        gs1_syntax.check_value(value, ai, value)
    except DomainError as exc:
        raise DomainError(ErrorCode.BAD_INPUT, field=field, text=value) from exc
    return value
