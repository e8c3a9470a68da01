"""Scan parsing: what each kind of barcode text turns into, and what is refused."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from urllib.parse import quote, urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import ean

from models.errors import DomainError, ErrorCode
from models.scan import (
    Gs1Data,
    ParsedScan,
    element_string,
    encoded_element_string,
    make_sscc,
    normalize_gtin,
    parse_scan,
)

GS = "\x1d"
GTIN = "09506000134352"  # GS1's example GTIN-13 9506000134352, padded
GTIN_BAD = "09506000134353"
SSCC = "106141411234567897"  # GS1's example SSCC
SSCC_BAD = "106141411234567898"

# GS1 AI encodable character set 82: what a lot or serial number may contain.
AI82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
TODAY = date.today()


def refused(text: str) -> DomainError:
    with pytest.raises(DomainError) as info:
        parse_scan(text)
    return info.value


def gs1_of(text: str) -> Gs1Data:
    scan = parse_scan(text)
    assert scan.gs1 is not None, scan
    return scan.gs1


# --- Explicit GS1: element strings ---------------------------------------------------------------


def test_gs1_128_with_aim_prefix_and_separators() -> None:
    text = f"]C101{GTIN}17261231" + "10ABC123" + GS + "21SN42"

    scan = parse_scan(text)

    assert scan == ParsedScan(
        raw=text,
        symbology="]C1",
        internal_code=None,
        gs1=Gs1Data(
            gtin=GTIN,
            lot="ABC123",
            serial="SN42",
            sscc=None,
            expiry=date(2026, 12, 31),
            best_before=None,
            production_date=None,
            quantity=None,
            element_string=f"(01){GTIN}(17)261231(10)ABC123(21)SN42",
        ),
        gs1_error=None,
    )


def test_gs1_datamatrix_with_leading_fnc1() -> None:
    scan = parse_scan(f"]d2{GS}01{GTIN}10LOT-7{GS}21S/1")

    assert scan.symbology == "]d2"
    assert scan.internal_code is None
    assert scan.gs1 is not None
    assert (scan.gs1.gtin, scan.gs1.lot, scan.gs1.serial) == (GTIN, "LOT-7", "S/1")


def test_gs1_qr_code() -> None:
    scan = parse_scan(f"]Q301{GTIN}21XYZ")

    assert scan.symbology == "]Q3"
    assert scan.gs1 is not None
    assert (scan.gs1.gtin, scan.gs1.serial) == (GTIN, "XYZ")


def test_gs1_databar_and_dotcode_identifiers_are_gs1() -> None:
    assert gs1_of(f"]e001{GTIN}").gtin == GTIN
    assert gs1_of(f"]J101{GTIN}").gtin == GTIN


def test_a_gs_separator_alone_makes_a_scan_gs1() -> None:
    scan = parse_scan(f"01{GTIN}10L1{GS}21S1")

    assert scan.symbology is None
    assert scan.internal_code is None
    assert scan.gs1 is not None
    assert (scan.gs1.lot, scan.gs1.serial) == ("L1", "S1")


def test_sscc_scan() -> None:
    scan = parse_scan(f"]C100{SSCC}\r\n")

    assert scan.raw == f"]C100{SSCC}"
    assert scan.gs1 is not None
    assert scan.gs1.sscc == SSCC
    assert scan.gs1.gtin is None
    assert scan.gs1.element_string == f"(00){SSCC}"


def test_dates_and_counts() -> None:
    gs1 = gs1_of(f"]C101{GTIN}11250102" + "15261130" + "3012")

    assert gs1.production_date == date(2025, 1, 2)
    assert gs1.best_before == date(2026, 11, 30)
    assert gs1.expiry is None
    assert gs1.quantity == Decimal(12)
    assert gs1_of(f"]C101{GTIN}3000000025").quantity == Decimal(25)


@pytest.mark.parametrize(
    ("yymmdd", "expected"),
    [("260200", date(2026, 2, 28)), ("280200", date(2028, 2, 29)), ("261200", date(2026, 12, 31))],
)
def test_expiry_day_00_is_the_last_day_of_the_month(yymmdd: str, expected: date) -> None:
    assert gs1_of(f"]C101{GTIN}17{yymmdd}").expiry == expected
    assert gs1_of(f"(01){GTIN}(17){yymmdd}").expiry == expected


def test_element_string_is_normalized_to_the_recommended_order() -> None:
    gs1 = gs1_of(f"]C121S9{GS}10L8{GS}3010{GS}17261231" + f"01{GTIN}")

    assert gs1.element_string == f"(01){GTIN}(17)261231(30)10(10)L8(21)S9"


# --- Explicit GS1: the bracketed form ------------------------------------------------------------


def test_parenthesised_form() -> None:
    scan = parse_scan(f"(01){GTIN}(17)261231(10)ABC(21)42")

    assert scan.symbology is None
    assert scan.internal_code is None
    assert scan.gs1 is not None
    assert (scan.gs1.gtin, scan.gs1.expiry, scan.gs1.lot, scan.gs1.serial) == (
        GTIN,
        date(2026, 12, 31),
        "ABC",
        "42",
    )


def test_parenthesised_form_after_a_plain_symbology_identifier() -> None:
    scan = parse_scan(f"]Q1(01){GTIN}(10)ABC")

    assert scan.symbology == "]Q1"
    assert scan.internal_code is None
    assert scan.gs1 is not None
    assert scan.gs1.lot == "ABC"


def test_parenthesised_form_brackets_inside_values() -> None:
    assert gs1_of(f"(01){GTIN}(10)A(B").lot == "A(B"
    assert gs1_of(f"(01){GTIN}(10)A\\(21)B").lot == "A(21)B"
    # Unescaped, "(21)" starts a serial: element_string() escapes for that reason.
    assert (gs1_of(f"(01){GTIN}(10)A(21)B").lot, gs1_of(f"(01){GTIN}(10)A(21)B").serial) == ("A", "B")


@pytest.mark.parametrize(
    "text",
    [
        f"(01){GTIN}(ab)",  # biip's reader would drop the unknown group
        f"(01){GTIN} (10)ABC",  # biip's reader would drop the space
        f"(01){GTIN}(10)",
        f"(011){GTIN}",
        "(0109)506000134352",  # biip would take the first two digits for AI (01)
        "(01)0950600013435",
        f"(01){GTIN}(17)261331",
    ],
)
def test_malformed_parenthesised_form_is_bad_gs1(text: str) -> None:
    assert refused(text).code is ErrorCode.BAD_GS1


# --- Explicit GS1: Digital Link ------------------------------------------------------------------


@pytest.mark.parametrize(
    "uri",
    [
        f"https://id.gs1.org/01/{GTIN}",
        "https://id.gs1.org/01/9506000134352",
        "http://example.com/some/prefix/01/9506000134352",
        "HTTPS://ID.GS1.ORG/01/09506000134352",
    ],
)
def test_digital_link_padded_and_unpadded(uri: str) -> None:
    scan = parse_scan(uri)

    assert scan.internal_code is None
    assert scan.gs1 is not None
    assert scan.gs1.gtin == GTIN
    assert scan.gs1.element_string == f"(01){GTIN}"


def test_digital_link_with_qualifiers_and_query() -> None:
    gs1 = gs1_of(f"https://id.gs1.org/01/{GTIN}/10/AB%2FC/21/S%251?17=261200&30=5&linkType=gs1:pip")

    assert (gs1.lot, gs1.serial, gs1.expiry, gs1.quantity) == ("AB/C", "S%1", date(2026, 12, 31), 5)
    assert gs1.element_string == f"(01){GTIN}(17)261200(30)5(10)AB/C(21)S%1"


def test_digital_link_gtin_8_and_sscc() -> None:
    assert gs1_of("https://id.gs1.org/01/96385074").gtin == "00000096385074"
    assert gs1_of(f"https://id.gs1.org/00/{SSCC}").sscc == SSCC


def test_digital_link_in_a_plain_qr_code() -> None:
    scan = parse_scan(f"]Q1https://id.gs1.org/01/{GTIN}/10/L1")

    assert scan.symbology == "]Q1"
    assert scan.internal_code is None
    assert scan.gs1 is not None
    assert scan.gs1.lot == "L1"


@pytest.mark.parametrize(
    "uri",
    [
        "https://id.gs1.org/01/123",  # biip pads it to 14 digits
        "https://id.gs1.org/01/95060001343",  # 11 digits
        "https://id.gs1.org/01/ABC",
        f"https://id.gs1.org/01/{GTIN}?17=261231&17=270101",  # biip keeps the last
        f"https://id.gs1.org/01/{GTIN}/10/A?10=B",  # the same AI in the path and the query
        f"https://id.gs1.org/01/{GTIN}?17=",
        f"https://id.gs1.org/01/{GTIN}?9999=1",
        f"https://id.gs1.org/01/{GTIN}/10/A B",
        f"https://id.gs1.org/01/{GTIN}/17/261231",  # not a qualifier of a GTIN
        f"https://exa{GS}mple.com/01/{GTIN}",  # biip ignores the host
    ],
)
def test_digital_link_is_strict_where_biip_is_lenient(uri: str) -> None:
    assert refused(uri).code is ErrorCode.BAD_GS1


def test_url_without_a_gs1_key_is_a_plain_code() -> None:
    scan = parse_scan("]Q1https://assets.example.com/tool/4711")

    assert scan.internal_code == "https://assets.example.com/tool/4711"
    assert scan.gs1 is None
    assert scan.gs1_error is None


# --- Check digits --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "ai", "value", "expected", "found"),
    [
        (f"]C101{GTIN_BAD}10ABC", "01", GTIN_BAD, "2", "3"),
        (f"]d2{GS}01{GTIN_BAD}", "01", GTIN_BAD, "2", "3"),
        (f"(01){GTIN_BAD}(10)ABC", "01", GTIN_BAD, "2", "3"),
        ("https://id.gs1.org/01/9506000134353", "01", GTIN_BAD, "2", "3"),
        (f"]C100{SSCC_BAD}", "00", SSCC_BAD, "7", "8"),
        (f"https://id.gs1.org/00/{SSCC_BAD}", "00", SSCC_BAD, "7", "8"),
        ("]C14149506000134377", "414", "9506000134377", "6", "7"),  # GLN
        ("]C1800309506000134353ABC", "8003", "09506000134353", "2", "3"),  # GRAI: biip skips it
    ],
)
def test_wrong_check_digit_on_an_explicit_scan(
    text: str, ai: str, value: str, expected: str, found: str
) -> None:
    assert refused(text) == DomainError(
        ErrorCode.BAD_CHECK_DIGIT, text=text, ai=ai, value=value, expected=expected, found=found
    )


@pytest.mark.parametrize(
    ("text", "ai", "value", "expected"),
    [
        (f"01{GTIN_BAD}", "01", GTIN_BAD, "2"),
        (f"01{GTIN_BAD}17261231", "01", GTIN_BAD, "2"),
        (f"00{SSCC_BAD}", "00", SSCC_BAD, "7"),
    ],
)
def test_wrong_check_digit_on_plain_digits_is_reported_not_raised(
    text: str, ai: str, value: str, expected: str
) -> None:
    scan = parse_scan(text)

    assert scan.internal_code == text
    assert scan.gs1 is None
    assert scan.gs1_error == DomainError(
        ErrorCode.BAD_CHECK_DIGIT, text=text, ai=ai, value=value, expected=expected, found=value[-1]
    )


def test_valid_grai_passes() -> None:
    assert gs1_of("]C1800309506000134352ABC").element_string == "(8003)09506000134352ABC"


# --- Plain scans ---------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["L20261125-0001", "SN-ABC123", "4711", "WO 2026/17", "批号-7"])
def test_plain_internal_code(code: str) -> None:
    assert parse_scan(code + "\r\n") == ParsedScan(
        raw=code, symbology=None, internal_code=code, gs1=None, gs1_error=None
    )


@pytest.mark.parametrize("identifier", ["]C0", "]Q1", "]d1", "]A0", "]z0", "]I0"])
def test_non_gs1_symbology_identifier_is_stripped(identifier: str) -> None:
    scan = parse_scan(identifier + "L20261125-0001")

    assert scan.symbology == identifier
    assert scan.internal_code == "L20261125-0001"
    assert scan.gs1 is None
    assert scan.gs1_error is None


def test_plain_digits_that_are_a_complete_element_string_are_read_as_gs1_too() -> None:
    scan = parse_scan(f"01{GTIN}17261231")

    assert scan.internal_code == f"01{GTIN}17261231"
    assert scan.gs1 is not None
    assert (scan.gs1.gtin, scan.gs1.expiry) == (GTIN, date(2026, 12, 31))
    assert gs1_of(f"00{SSCC}").sscc == SSCC


@pytest.mark.parametrize("text", ["0109506000134", "1712345678", "10123", "11250101", "123456789012"])
def test_plain_digits_that_are_not_a_gs1_key_stay_plain(text: str) -> None:
    scan = parse_scan(text)

    assert scan.internal_code == text
    assert (scan.gs1, scan.gs1_error) == (None, None)


@pytest.mark.parametrize(
    ("text", "gtin"),
    [
        ("]E05901234123457", "05901234123457"),
        ("]E0036000291452", "00036000291452"),
        ("]E496385074", "00000096385074"),
        ("]I115901234123454", "15901234123454"),
    ],
)
def test_ean_upc_and_itf_14_carry_a_gtin(text: str, gtin: str) -> None:
    scan = parse_scan(text)

    assert scan.internal_code == text[3:]
    assert scan.gs1 is not None
    assert scan.gs1.gtin == gtin


def test_ean_13_with_wrong_check_digit_is_reported() -> None:
    scan = parse_scan("]E05901234123458")

    assert scan.gs1 is None
    assert scan.gs1_error == DomainError(
        ErrorCode.BAD_CHECK_DIGIT,
        text="]E05901234123458",
        ai="01",
        value="5901234123458",
        expected="7",
        found="8",
    )


def test_upc_e_is_not_mistaken_for_a_gtin_8() -> None:
    scan = parse_scan("]E001234565")

    assert scan.internal_code == "01234565"
    assert (scan.gs1, scan.gs1_error) == (None, None)


def test_raw_keeps_everything_but_trailing_line_ends() -> None:
    assert parse_scan("  ABC \r\n\r\n").raw == "  ABC "
    assert parse_scan("  ABC \r\n").internal_code == "  ABC "


# --- Refused scans -------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", " ", "\r\n", "\t ", GS, "]C0", "]C1", f"]C1{GS}", "]Q1  \n"])
def test_empty_scan(text: str) -> None:
    assert refused(text).code is ErrorCode.EMPTY_SCAN


@pytest.mark.parametrize(
    ("text", "char"),
    [("AB\x07C", "U+0007"), ("AB\rC", "U+000D"), ("\u200bABC", "U+200B"), ("]C0A\x00", "U+0000")],
)
def test_control_characters_in_a_plain_scan_are_bad_input(text: str, char: str) -> None:
    assert refused(text) == DomainError(ErrorCode.BAD_INPUT, text=text, char=char)


@pytest.mark.parametrize(
    "text",
    [
        f"]C101{GTIN}\x0710ABC",
        f"01{GTIN}{GS}10A\x00",
        f"(01){GTIN}\x07",
        f"https://id.gs1.org/01/{GTIN}\t",
    ],
)
def test_control_characters_in_a_gs1_scan_are_bad_gs1(text: str) -> None:
    assert refused(text).code is ErrorCode.BAD_GS1


@pytest.mark.parametrize(
    "text",
    [
        "]C1ABC",
        "ABC" + GS + "DEF",
        f"]C1https://id.gs1.org/01/{GTIN}",  # a GS1-128 cannot carry a URI
        f"]C1 01{GTIN}",  # biip strips the space
        f"]C101{GTIN} ",
        f"]C110A{GS}10B",  # the same AI twice
        f"]C101{GTIN}30",  # AI 30 without digits: biip accepts it
        f"]C101{GTIN}17261332",
        "]C10109506000134",
    ],
)
def test_malformed_gs1_is_bad_gs1(text: str) -> None:
    error = refused(text)

    assert error.code is ErrorCode.BAD_GS1
    assert error.params["text"] == text


# --- normalize_gtin ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("96385074", "00000096385074"),
        ("036000291452", "00036000291452"),
        ("9506000134352", GTIN),
        ("15901234123454", "15901234123454"),
    ],
)
def test_normalize_gtin(text: str, expected: str) -> None:
    assert normalize_gtin(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "9506000134",
        "950600013435X",
        " 9506000134352",
        "9506000-134352",
        "٩٥٠٦٠٠٠١٣٤٣٥٢",
        "950600013435200",
    ],
)
def test_normalize_gtin_refuses_what_is_not_a_gtin(text: str) -> None:
    with pytest.raises(DomainError) as info:
        normalize_gtin(text)
    assert info.value == DomainError(ErrorCode.BAD_GTIN, text=text)


def test_normalize_gtin_refuses_a_wrong_check_digit() -> None:
    with pytest.raises(DomainError) as info:
        normalize_gtin("9506000134353")
    assert info.value == DomainError(ErrorCode.BAD_CHECK_DIGIT, text="9506000134353", expected="2", found="3")


# --- make_sscc -----------------------------------------------------------------------------------


def test_make_sscc_gs1_example() -> None:
    sscc = make_sscc(1, "0614141", 123456789)

    assert sscc == "106141411234567897"
    assert ean.calc_check_digit(sscc[:-1]) == sscc[-1]


def test_make_sscc_pads_the_serial_reference() -> None:
    assert make_sscc(0, "123456789012", 42)[:17] == "01234567890120042"
    assert make_sscc(9, "123456", 0)[:17] == "91234560000000000"


@pytest.mark.parametrize(
    ("extension", "prefix", "serial", "field"),
    [
        (10, "0614141", 1, "extension_digit"),
        (-1, "0614141", 1, "extension_digit"),
        (1, "12345", 1, "company_prefix"),
        (1, "1234567890123", 1, "company_prefix"),
        (1, "06141A1", 1, "company_prefix"),
        (1, "0614141", 10**9, "serial_reference"),
        (1, "123456789012", 10_000, "serial_reference"),
        (1, "0614141", -1, "serial_reference"),
    ],
)
def test_make_sscc_refuses_what_does_not_fit(extension: int, prefix: str, serial: int, field: str) -> None:
    with pytest.raises(DomainError) as info:
        make_sscc(extension, prefix, serial)
    assert info.value.code is ErrorCode.BAD_INPUT
    assert info.value.params["field"] == field


# --- Building element strings --------------------------------------------------------------------


def test_element_string_and_encoded_form() -> None:
    data = {"gtin": "9506000134352", "lot": "ABC", "serial": "S1", "expiry": date(2026, 12, 31)}

    assert element_string(**data) == f"(01){GTIN}(17)261231(10)ABC(21)S1"
    assert encoded_element_string(**data) == f"01{GTIN}17261231" + "10ABC" + GS + "21S1"


def test_element_string_with_quantity_and_sscc() -> None:
    assert element_string(sscc=SSCC, gtin=GTIN, quantity=25, lot="L") == f"(00){SSCC}(01){GTIN}(30)25(10)L"
    assert encoded_element_string(sscc=SSCC, gtin=GTIN, quantity=25, lot="L") == (
        f"00{SSCC}01{GTIN}3025" + GS + "10L"
    )
    assert encoded_element_string(sscc=SSCC) == f"00{SSCC}"
    assert encoded_element_string(gtin=GTIN, quantity=7) == f"01{GTIN}307"


def test_element_string_escapes_brackets_in_values() -> None:
    text = element_string(gtin=GTIN, lot="A(21)B")

    assert text == f"(01){GTIN}(10)A\\(21)B"
    assert gs1_of(text).lot == "A(21)B"
    assert gs1_of(text).serial is None


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({}, ErrorCode.BAD_INPUT),
        ({"gtin": GTIN, "lot": ""}, ErrorCode.BAD_INPUT),
        ({"gtin": GTIN, "lot": "A B"}, ErrorCode.BAD_INPUT),
        ({"gtin": GTIN, "lot": "A" * 21}, ErrorCode.BAD_INPUT),
        ({"gtin": GTIN, "serial": "A" + GS + "B"}, ErrorCode.BAD_INPUT),
        ({"gtin": GTIN_BAD}, ErrorCode.BAD_CHECK_DIGIT),
        ({"gtin": "95060001343"}, ErrorCode.BAD_GTIN),
        ({"sscc": SSCC_BAD}, ErrorCode.BAD_CHECK_DIGIT),
        ({"sscc": SSCC[:-1]}, ErrorCode.BAD_INPUT),
        ({"gtin": GTIN, "quantity": -1}, ErrorCode.BAD_QUANTITY),
        ({"gtin": GTIN, "quantity": 100_000_000}, ErrorCode.BAD_QUANTITY),
        ({"gtin": GTIN, "expiry": date(TODAY.year + 60, 1, 1)}, ErrorCode.BAD_DATE),
    ],
)
def test_builders_refuse_what_would_not_scan_back(kwargs: dict[str, object], code: ErrorCode) -> None:
    for build in (element_string, encoded_element_string):
        with pytest.raises(DomainError) as info:
            build(**kwargs)  # type: ignore[arg-type]
        assert info.value.code is code


# --- Properties ----------------------------------------------------------------------------------

ALLOWED_CODES = {
    ErrorCode.EMPTY_SCAN,
    ErrorCode.BAD_INPUT,
    ErrorCode.BAD_GS1,
    ErrorCode.BAD_CHECK_DIGIT,
    ErrorCode.BAD_GTIN,
}
SCANNER_FRAGMENTS = st.sampled_from(
    [
        *"0123456789",
        *[GS, "(", ")", "\\(", "/", "?", "=", "&", "%", " ", "\r", "\n", "\x00", "A", "]"],
        *["]C1", "]d2", "]Q3", "]Q1", "]E0", "]J1", "]Y", "https://x/01/", "http://h/p/00/", "?17=", "&10="],
        *["01", "00", "10", "17", "21", "30", "37", "8003", "414", "(01)", "(10)", GTIN, SSCC],
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(), st.lists(SCANNER_FRAGMENTS, max_size=20).map("".join)))
def test_any_text_is_parsed_or_refused_with_a_domain_error(text: str) -> None:
    try:
        scan = parse_scan(text)
    except DomainError as error:
        assert error.code in ALLOWED_CODES
    else:
        assert isinstance(scan, ParsedScan)
        assert scan.raw == text.rstrip("\r\n")
        assert scan.gs1 is None or scan.gs1_error is None
        assert scan.internal_code is not None or scan.gs1 is not None


@st.composite
def gtins(draw: st.DrawFn) -> str:
    length = draw(st.sampled_from([8, 12, 13, 14]))
    body = draw(st.text("0123456789", min_size=length - 1, max_size=length - 1))
    return body + ean.calc_check_digit(body)


texts82 = st.text(AI82, min_size=1, max_size=20)
expiries = st.none() | st.dates(date(TODAY.year - 40, 1, 1), date(TODAY.year + 40, 12, 31))
quantities = st.none() | st.integers(0, 99_999_999)


def digital_link(
    host: str, gtin: str, lot: str | None, serial: str | None, expiry: date | None, quantity: int | None
) -> str:
    path = f"/01/{gtin}"
    if lot is not None:
        path += f"/10/{quote(lot, safe='')}"
    if serial is not None:
        path += f"/21/{quote(serial, safe='')}"
    query = {}
    if expiry is not None:
        query["17"] = expiry.strftime("%y%m%d")
    if quantity is not None:
        query["30"] = str(quantity)
    return host + path + (f"?{urlencode(query)}" if query else "")


@settings(max_examples=300, deadline=None)
@given(
    gtin=gtins(),
    lot=st.none() | texts82,
    serial=st.none() | texts82,
    expiry=expiries,
    quantity=quantities,
    data=st.data(),
)
def test_round_trip(
    gtin: str,
    lot: str | None,
    serial: str | None,
    expiry: date | None,
    quantity: int | None,
    data: st.DataObject,
) -> None:
    fields = {"gtin": gtin, "lot": lot, "serial": serial, "expiry": expiry, "quantity": quantity}
    encoded = encoded_element_string(**fields)
    host = data.draw(st.sampled_from(["https://id.gs1.org", "http://example.com/dl", "HTTPS://X.COM"]))
    scans = [
        prefix + encoded for prefix in ["", GS, "]C1", "]C1" + GS, "]d2", "]d2" + GS, "]Q3", "]e0", "]J1"]
    ]
    scans += [prefix + element_string(**fields) for prefix in ["", "]C0", "]Q1", "]d1"]]
    link = digital_link(host, gtin, lot, serial, expiry, quantity)
    scans += [prefix + link for prefix in ["", "]Q1", "]d1", "]Q3", "]d2"]]

    expected = (normalize_gtin(gtin), lot, serial, expiry, None if quantity is None else Decimal(quantity))
    for text in scans:
        scan = parse_scan(text)
        plain = text == encoded and GS not in encoded
        if plain and not encoded.isdigit():
            # No GS1 marker and not all digits: only a code to look up.
            assert (scan.internal_code, scan.gs1, scan.gs1_error) == (encoded, None, None)
            continue
        assert scan.gs1 is not None, text
        assert scan.internal_code == (text if plain else None)
        assert scan.gs1_error is None
        got = (scan.gs1.gtin, scan.gs1.lot, scan.gs1.serial, scan.gs1.expiry, scan.gs1.quantity)
        assert got == expected, text
        assert scan.gs1.sscc is None
        assert scan.gs1.element_string == element_string(**fields)


@settings(max_examples=200, deadline=None)
@given(gtin=gtins(), wrong=st.integers(1, 9), lot=st.none() | texts82, expiry=expiries, data=st.data())
def test_a_changed_gtin_check_digit_is_always_refused(
    gtin: str, wrong: int, lot: str | None, expiry: date | None, data: st.DataObject
) -> None:
    bad = gtin[:-1] + str((int(gtin[-1]) + wrong) % 10)
    padded = bad.zfill(14)
    tail = "" if expiry is None else "17" + expiry.strftime("%y%m%d")
    hri_tail = "" if expiry is None else "(17)" + expiry.strftime("%y%m%d")
    if lot is not None:
        tail += "10" + lot
        hri_tail += "(10)" + lot.replace("(", "\\(")
    identifier = data.draw(st.sampled_from(["]C1", "]d2", "]Q3", "]e0", "]J1", GS]))
    scans = [
        f"{identifier}01{padded}{tail}",
        f"(01){padded}{hri_tail}",
        digital_link("https://id.gs1.org", bad, lot, None, expiry, None),
    ]
    for text in scans:
        error = refused(text)
        assert error.code is ErrorCode.BAD_CHECK_DIGIT, text
        assert (error.params["expected"], error.params["found"]) == (gtin[-1], bad[-1])


@settings(max_examples=200, deadline=None)
@given(
    extension=st.integers(0, 9),
    prefix=st.text("0123456789", min_size=6, max_size=12),
    data=st.data(),
)
def test_every_made_sscc_scans_back(extension: int, prefix: str, data: st.DataObject) -> None:
    serial = data.draw(st.integers(0, 10 ** (16 - len(prefix)) - 1))
    sscc = make_sscc(extension, prefix, serial)

    assert len(sscc) == 18
    assert sscc.startswith(f"{extension}{prefix}")
    assert int(sscc[1 + len(prefix) : 17]) == serial
    assert gs1_of(f"]C100{sscc}").sscc == sscc
    assert gs1_of(f"00{sscc}").sscc == sscc
    assert gs1_of(element_string(sscc=sscc)).sscc == sscc


def test_a_digital_link_reads_back_to_its_data_and_names_the_brands_resolver() -> None:
    from models.scan import digital_link

    link = digital_link("06901234000016", serial="SM(1)X/2")
    assert link.startswith("https://id.gs1.org/01/06901234000016/21/")
    scan = parse_scan(link)
    assert scan.gs1 is not None and (scan.gs1.gtin, scan.gs1.serial) == ("06901234000016", "SM(1)X/2")
    assert digital_link("06901234000016", lot="L1", domain="id.example.cn").startswith(
        "https://id.example.cn/01/06901234000016/10/L1"
    )


def test_a_cartons_content_is_02_with_37_and_never_mixed_with_01() -> None:
    from models.scan import element_string

    text = element_string(content_gtin="06901234000016", quantity=10, lot="WO-1")
    assert text == "(02)06901234000016(37)10(10)WO-1"
    scan = parse_scan(text).gs1
    assert scan is not None and (scan.content_gtin, scan.gtin, scan.quantity) == ("06901234000016", None, 10)
    with pytest.raises(DomainError) as both:
        element_string(gtin="06901234000016", content_gtin="06901234000016")
    assert both.value.code is ErrorCode.BAD_INPUT
