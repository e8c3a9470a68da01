"""GS1 scans read as GS1's own Syntax Engine reads them: a damaged label is refused, not misread.

The named cases are those of the issue "The station under real conditions", item 11; the properties
say that whatever we print reads back to itself, and that damage a scanner can deliver (a lost GS, an
overlong or truncated field, a wrong digit in a key) is refused rather than read as other data.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from stdnum import ean

from models import gs1_syntax
from models.errors import DomainError, ErrorCode
from models.scan import (
    ParsedScan,
    check_label,
    element_string,
    encoded_element_string,
    make_sscc,
    parse_scan,
)

GS = "\x1d"
GTIN = "09506000134352"
SSCC = "106141411234567897"
AI82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
TODAY = date.today()


def refused(text: str) -> DomainError:
    with pytest.raises(DomainError) as info:
        parse_scan(text)
    return info.value


def with_check_digit(body: str) -> str:
    return body + ean.calc_check_digit(body)


# --- The cases ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "ai", "length", "maximum"),
    [
        # biip read these as a 20-character lot (serial) and a serial (lot) "XYZ".
        (f"]C101{GTIN}10" + "A" * 20 + "21XYZ", "10", 25, 20),
        (f"]C101{GTIN}21" + "A" * 20 + "10XYZ", "21", 25, 20),
        # (7007) is a date or a date range (N6 [N6]): 12 digits at most.
        (f"]C101{GTIN}7007" + "260101260102" + "10A", "7007", 15, 12),
        (f"]d2{GS}01{GTIN}10" + "A" * 21, "10", 21, 20),
    ],
)
def test_a_variable_length_value_runs_to_the_separator_and_is_refused_when_too_long(
    text: str, ai: str, length: int, maximum: int
) -> None:
    error = refused(text)

    assert error.code is ErrorCode.BAD_GS1
    assert (error.params["ai"], error.params["why"]) == (ai, "too_long")
    assert (error.params["length"], error.params["maximum"]) == (length, maximum)


def test_the_same_data_with_its_separator_reads() -> None:
    gs1 = parse_scan(f"]C101{GTIN}10" + "A" * 20 + GS + "21XYZ").gs1

    assert gs1 is not None and (gs1.lot, gs1.serial) == ("A" * 20, "XYZ")


@pytest.mark.parametrize(
    ("ai", "body", "tail"),
    [
        ("00", "10614141123456789", ""),
        ("01", "0950600013435", ""),
        ("253", "950600013435", "ABC"),  # GDTI: N13 check digit, then an optional serial
        ("255", "950600013435", "12"),  # GCN
        ("402", "9506000134352000", ""),  # GSIN
        ("414", "950600013437", ""),  # GLN
        ("410", "950600013437", ""),
        ("8006", "0950600013435", "0102"),  # ITIP: GTIN, then piece 01 of 02
        ("8017", "95060001343520000", ""),  # GSRN provider
        ("8018", "95060001343520000", ""),  # GSRN recipient
        ("8003", "0950600013435", "X1"),  # GRAI: "0", N13 with its check digit, serial
    ],
)
def test_every_keys_check_digit_is_verified(ai: str, body: str, tail: str) -> None:
    good = with_check_digit(body)
    wrong = body + str((int(good[-1]) + 3) % 10)
    scan = f"]C1{ai}{good}{tail}"
    if ai in ("8006",):
        scan += f"{GS}10L1"  # (8006) alone needs nothing; with a lot it is still valid
    assert parse_scan(scan).gs1 is not None

    error = refused(f"]C1{ai}{wrong}{tail}")

    assert error.code is ErrorCode.BAD_CHECK_DIGIT
    assert (error.params["ai"], error.params["value"]) == (ai, wrong)
    assert (error.params["expected"], error.params["found"]) == (good[-1], wrong[-1])


@pytest.mark.parametrize(
    ("text", "ai", "needs"),
    [
        ("]C13710", "37", "(02) / (8026)"),
        (f"]C102{GTIN}", "02", "(37)"),
        ("]C121XYZ", "21", "(01) / (03) / (8006)"),
        ("]C110L1", "10", "(01) / (02) / (03) / (8006) / (8026)"),
        ("]C117261231", "17", "(01) / (02) / (03) / (255) / (8006) / (8026)"),
        ("]C13012", "30", "(01) / (02)"),
        (f"https://id.gs1.org/00/{SSCC}?17=261231", "17", "(01) / (02) / (03) / (255) / (8006) / (8026)"),
    ],
)
def test_a_requisite_ai_must_be_in_the_same_scan(text: str, ai: str, needs: str) -> None:
    error = refused(text)

    assert error.code is ErrorCode.BAD_GS1
    assert (error.params["ai"], error.params["why"], error.params["needs"]) == (ai, "missing", needs)


@pytest.mark.parametrize(
    ("text", "ai", "other"),
    [
        (f"]C101{GTIN}3710", "01", "37"),
        (f"]C101{GTIN}02{GTIN}", "02", "01"),
        (f"]C101{GTIN}255{with_check_digit('950600013435')}", "01", "255"),
        (
            f"]C18017{with_check_digit('95060001343520000')}{GS}8018{with_check_digit('95060001343520000')}",
            "8017",
            "8018",
        ),
        (f"]C102{GTIN}8026{with_check_digit('0950600013435')}0102{GS}3710", "8026", "02"),
    ],
)
def test_mutually_exclusive_ais_are_refused(text: str, ai: str, other: str) -> None:
    error = refused(text)

    assert error.code is ErrorCode.BAD_GS1
    assert (error.params["ai"], error.params["why"], error.params["other"]) == (ai, "excluded", other)


def test_a_carton_content_symbol_reads_alone_its_sscc_being_on_another_symbol() -> None:
    # (37) "req=00 req=02,8026": the SSCC is the label's other symbol (GS1 Logistic Label).
    gs1 = parse_scan(f"]C102{GTIN}17261231" + "3712" + GS + "10L1").gs1

    assert gs1 is not None and (gs1.content_gtin, gs1.quantity, gs1.lot) == (GTIN, 12, "L1")


def test_a_whole_label_must_meet_every_pairing() -> None:
    content = encoded_element_string(content_gtin=GTIN, quantity=12, lot="L1", expiry=date(2026, 12, 31))

    check_label([encoded_element_string(sscc=SSCC), content])
    with pytest.raises(DomainError) as info:
        check_label([content])  # (37) without the (00) of its label
    assert (info.value.params["ai"], info.value.params["why"], info.value.params["needs"]) == (
        "37",
        "missing",
        "(00)",
    )


@pytest.mark.parametrize(
    ("text", "ai", "why"),
    [
        (f"]C101{GTIN}17260230", "17", "bad_date"),
        (f"]C101{GTIN}17261301", "17", "bad_date"),
        (f"]C101{GTIN}11270229", "11", "bad_date"),  # 2027 is not a leap year
        (f"]C101{GTIN}7006260100", "7006", "bad_date"),  # yymmdd: no day 00 for (7006)
        (f"]C101{GTIN}172612", "17", "too_short"),
        (f"]C101{GTIN}1726123{GS}10A", "17", "too_short"),
        (f"]C101{GTIN}30123456789", "30", "too_long"),
        (f"]C101{GTIN}30A", "30", "not_numeric"),
        (f"]C101{GTIN}10A B", "10", "bad_character"),
        (f"]C101{GTIN}10A#B", "10", "bad_character"),  # "#" is CSET 39, not CSET 82
        (f"]C101{GTIN}8006{with_check_digit('0950600013435')}0302", "8006", "bad_value"),  # piece 3 of 2
        (f"]C101{GTIN}10A{GS}{GS}21B", None, "unknown_ai"),
        ("]C18912345", None, "unknown_ai"),  # no AI starts 89
    ],
)
def test_values_are_checked_against_the_dictionary(text: str, ai: str | None, why: str) -> None:
    error = refused(text)

    assert error.code is ErrorCode.BAD_GS1, error
    assert error.params["why"] == why, error
    if ai is not None:
        assert error.params["ai"] == ai


@pytest.mark.parametrize(("yymmdd", "day"), [("240229", date(2024, 2, 29)), ("260200", date(2026, 2, 28))])
def test_valid_dates_and_day_zero_where_gs1_allows_it(yymmdd: str, day: date) -> None:
    gs1 = parse_scan(f"]C101{GTIN}17{yymmdd}").gs1

    assert gs1 is not None and gs1.expiry == day


def test_a_gs_after_a_predefined_length_value_is_allowed_as_the_engine_allows_it() -> None:
    gs1 = parse_scan(f"]C101{GTIN}{GS}17261231{GS}10L1{GS}").gs1

    assert gs1 is not None and (gs1.gtin, gs1.lot) == (GTIN, "L1")


def test_the_bracketed_form_and_digital_links_meet_the_same_rules() -> None:
    assert refused(f"(01){GTIN}(10){'A' * 21}").params["why"] == "too_long"
    assert refused(f"(01){GTIN}(37)5").params["why"] == "excluded"
    assert refused(f"https://id.gs1.org/01/{GTIN}/10/{'A' * 21}").params["why"] == "too_long"
    assert refused(f"https://id.gs1.org/01/{GTIN}?17=260230").params["why"] == "bad_date"


def test_the_dictionary_is_read_whole() -> None:
    lot, gtin, weight = gs1_syntax.rule("10"), gs1_syntax.rule("01"), gs1_syntax.rule("3103")
    assert lot is not None and (lot.minimum, lot.maximum, lot.predefined_length) == (1, 20, False)
    assert gtin is not None and (gtin.minimum, gtin.maximum, gtin.predefined_length) == (14, 14, True)
    assert weight is not None and weight.predefined_length and gs1_syntax.rule("3106") is None
    assert gs1_syntax.rule("99") is not None and gs1_syntax.rule("9") is None


# --- Properties ----------------------------------------------------------------------------------


@st.composite
def gtins(draw: st.DrawFn) -> str:
    body = draw(st.text("0123456789", min_size=13, max_size=13))
    return with_check_digit(body)


@st.composite
def ssccs(draw: st.DrawFn) -> str:
    prefix = draw(st.text("0123456789", min_size=7, max_size=10))
    serial = draw(st.integers(0, 10 ** (16 - len(prefix)) - 1))
    return make_sscc(draw(st.integers(0, 9)), prefix, serial)


texts82 = st.text(AI82, min_size=1, max_size=20)
days = st.dates(date(TODAY.year - 40, 1, 1), date(TODAY.year + 40, 12, 31))
PREFIXES = ["]C1", "]d2", "]d2" + GS, "]Q3", "]e0"]


def reading(text: str) -> ParsedScan | DomainError:
    try:
        return parse_scan(text)
    except DomainError as error:
        return error


@settings(max_examples=200, deadline=None)
@given(
    gtin=gtins(),
    sscc=ssccs(),
    lot=st.none() | texts82,
    expiry=st.none() | days,
    count=st.integers(0, 99_999_999),
    prefix=st.sampled_from(PREFIXES),
)
def test_a_carton_label_we_make_reads_back_to_itself(
    gtin: str, sscc: str, lot: str | None, expiry: date | None, count: int, prefix: str
) -> None:
    content = encoded_element_string(content_gtin=gtin, quantity=count, lot=lot, expiry=expiry)
    check_label([encoded_element_string(sscc=sscc), content])

    gs1 = parse_scan(prefix + content).gs1
    assert gs1 is not None
    assert (gs1.content_gtin, gs1.quantity, gs1.lot, gs1.expiry) == (gtin, count, lot, expiry)
    assert gs1.element_string == element_string(content_gtin=gtin, quantity=count, lot=lot, expiry=expiry)
    sscc_scan = parse_scan(prefix + encoded_element_string(sscc=sscc)).gs1
    assert sscc_scan is not None and sscc_scan.sscc == sscc


@settings(max_examples=300, deadline=None)
@given(gtin=gtins(), lot=texts82, serial=texts82, prefix=st.sampled_from(PREFIXES))
def test_a_lost_separator_never_invents_an_ai(gtin: str, lot: str, serial: str, prefix: str) -> None:
    encoded = encoded_element_string(gtin=gtin, lot=lot, serial=serial)
    assert encoded.count(GS) == 1

    result = reading(prefix + encoded.replace(GS, ""))

    joined = lot + "21" + serial
    if len(joined) > 20:
        assert isinstance(result, DomainError) and result.params["why"] == "too_long"
    else:
        # What the symbol then encodes is one lot: GS1's engine reads it so, and so do we.
        assert isinstance(result, DomainError) or (
            result.gs1 and (result.gs1.lot, result.gs1.serial) == (joined, None)
        )


@settings(max_examples=300, deadline=None)
@given(
    gtin=gtins(), lot=texts82, extra=st.text(AI82, min_size=1, max_size=10), prefix=st.sampled_from(PREFIXES)
)
def test_an_overlong_variable_field_is_refused(gtin: str, lot: str, extra: str, prefix: str) -> None:
    long_lot = (lot + extra)[: max(21, len(lot))] if len(lot + extra) > 20 else lot + "X" * (21 - len(lot))
    assume(len(long_lot) > 20)

    error = reading(f"{prefix}01{gtin}10{long_lot}")

    assert isinstance(error, DomainError) and (error.params["ai"], error.params["why"]) == ("10", "too_long")


@settings(max_examples=300, deadline=None)
@given(gtin=gtins(), expiry=days, cut=st.integers(1, 5), lot=texts82, prefix=st.sampled_from(PREFIXES))
def test_a_truncated_fixed_length_field_is_refused(
    gtin: str, expiry: date, cut: int, lot: str, prefix: str
) -> None:
    yymmdd = expiry.strftime("%y%m%d")

    assert isinstance(reading(f"{prefix}01{gtin}17{yymmdd[:-cut]}"), DomainError)
    assert isinstance(reading(f"{prefix}01{gtin}17{yymmdd[:-cut]}{GS}10{lot}"), DomainError)
    assert isinstance(reading(f"{prefix}01{gtin[:-cut]}"), DomainError)


@settings(max_examples=300, deadline=None)
@given(
    key=st.sampled_from(["00", "01", "414", "8017", "253"]),
    digits=st.text("0123456789", min_size=17, max_size=17),
    position=st.integers(0, 16),
    change=st.integers(1, 9),
    prefix=st.sampled_from(PREFIXES),
)
def test_a_flipped_digit_in_a_key_is_refused(
    key: str, digits: str, position: int, change: int, prefix: str
) -> None:
    length = {"00": 18, "01": 14, "414": 13, "8017": 18, "253": 13}[key]
    good = with_check_digit(digits[: length - 1])
    assume(position < length)
    bad = good[:position] + str((int(good[position]) + change) % 10) + good[position + 1 :]
    tail = "3012" if key == "01" else ""  # a key with something after it
    assert isinstance(reading(f"{prefix}{key}{good}{tail}"), ParsedScan)

    error = reading(f"{prefix}{key}{bad}{tail}")

    assert isinstance(error, DomainError) and error.code is ErrorCode.BAD_CHECK_DIGIT
    assert error.params["ai"] == key
