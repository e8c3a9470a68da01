"""Every built-in label renders at 203 and 300 dpi and its barcodes scan back to exactly their data.

The decoder is zxing-cpp's reader, run on the rendered raster (the image every driver sends and the
preview shows). GS1 symbols must come back as GS1, with the symbology identifier a scanner sends
(]C1 GS1-128, ]d2 GS1 Data Matrix) and the GS separator after a variable-length field.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from printing.render import LabelError, render
from printing.samples import SAMPLES
from printing.template import BUILT_IN, TemplateError, built_in, parse

GS = "\x1d"

FIELDS = SAMPLES

# (symbology identifier, the bytes a scanner sends after it) for each built-in label.
EXPECTED: dict[str, set[tuple[str, bytes]]] = {
    "material_lot": {
        ("]Q1", b"https://id.gs1.org/01/09521234000020/10/LOT-SAMPLE1?17=271122"),
        ("]C1", b"01095212340000201727112210LOT-SAMPLE1"),
    },
    "serial": {("]d2", b"0109521234000013" + b"21SAMPLE00001")},
    "carton": {
        ("]C1", f"02095212340000133710{GS}10WO-SAMPLE".encode()),
        ("]C1", b"00095212340000000013"),
    },
    "pallet": {("]Q1", b"095212340000000020"), ("]C1", b"00095212340000000020")},
}


def scanned(image: Image.Image) -> set[tuple[str, bytes]]:
    return {(found.symbology_identifier, found.bytes) for found in zxingcpp.read_barcodes(image.convert("L"))}


@pytest.mark.parametrize("dpi", [203, 300])
@pytest.mark.parametrize("name", BUILT_IN)
def test_every_built_in_label_scans_back_to_its_data(name: str, dpi: int) -> None:
    image = render(built_in(name), FIELDS[name], dpi=dpi)
    template = built_in(name)
    assert image.mode == "1"
    assert image.size == (round(template.width * dpi / 25.4), round(template.height * dpi / 25.4))
    assert scanned(image) == EXPECTED[name]


def test_gs1_data_matrix_is_square_and_plain_codes_are_not_gs1() -> None:
    fields = {**FIELDS["serial"], "barcode": "SAMPLE00001", "barcode_gs1": False, "barcode_text": ""}
    assert scanned(render(built_in("serial"), fields)) == {("]d1", b"SAMPLE00001")}
    [symbol] = zxingcpp.read_barcodes(render(built_in("serial"), FIELDS["serial"]).convert("L"))
    corners = symbol.position
    width = abs(corners.top_right.x - corners.top_left.x)
    height = abs(corners.bottom_left.y - corners.top_left.y)
    assert abs(width - height) <= 2  # square: older scanners misread the rectangular GS1 default
    lot = {**FIELDS["material_lot"], "barcode": "LOT-SAMPLE1", "barcode_gs1": False}
    assert ("]C0", b"LOT-SAMPLE1") in scanned(render(built_in("material_lot"), lot))


def test_what_cannot_be_printed_right_is_refused() -> None:
    serial = built_in("serial")
    with pytest.raises(LabelError, match="needs the fields"):
        render(serial, {key: value for key, value in FIELDS["serial"].items() if key != "serial"})
    with pytest.raises(LabelError, match="does not fit"):
        render(serial, {**FIELDS["serial"], "item_name_zh": "单相智能电表" * 4})
    with pytest.raises(LabelError, match="does not fit"):
        render(serial, {**FIELDS["serial"], "barcode": "X" * 1200, "barcode_gs1": False})
    with pytest.raises(LabelError, match="cannot encode"):
        render(serial, {**FIELDS["serial"], "barcode": "(01)123", "barcode_gs1": True})
    with pytest.raises(LabelError, match="dpi"):
        render(serial, FIELDS["serial"], dpi=600)
    with pytest.raises(LabelError, match="does not exist"):
        render(serial, FIELDS["serial"], font=Path("/nonexistent/font.ttf"))


def test_a_template_with_a_mistake_names_it() -> None:
    outside = {"name": "x", "width_mm": 50, "height_mm": 30, "elements": [
        {"type": "text", "x": 40, "y": 1, "width": 20, "height": 5, "text": "{a}", "size": 3}
    ]}  # fmt: skip
    with pytest.raises(TemplateError, match=r"plant\.json: .*outside the 50\.0 x 30\.0 mm label"):
        parse(outside, origin="plant.json")
    unknown = {"name": "x", "width_mm": 50, "height_mm": 30, "elements": [{"type": "logo", "x": 1, "y": 1}]}
    with pytest.raises(TemplateError, match="unknown element type 'logo'"):
        parse(unknown, origin="plant.json")
    with pytest.raises(TemplateError, match="no built-in label template 'box'"):
        built_in("box")
    assert built_in("carton").fields() == set(FIELDS["carton"]) - {"content_barcode_gs1", "barcode_gs1"}


def test_the_demo_gs1_data_is_valid_gs1() -> None:
    """zxing-cpp encodes a wrong check digit without a word: the data the labels carry is checked
    by the project's own GS1 parser, the one the stations scan with."""
    from models.scan import parse_scan

    for fields in FIELDS.values():
        for name, value in fields.items():
            if fields.get(f"{name}_gs1"):
                assert parse_scan(value).gs1 is not None, (name, value)


def test_a_bracket_inside_a_gs1_value_is_data_not_the_start_of_an_ai() -> None:
    """The element string escapes "(" inside a value ("\\("); the symbol carries the bracket."""
    lot = {**FIELDS["material_lot"], "barcode": "(01)09521234000020(10)A\\(1)B", "barcode_gs1": True}
    image = render(built_in("material_lot"), lot)
    found = {symbol.bytes for symbol in zxingcpp.read_barcodes(image.convert("L"))}
    assert b"010952123400002010A(1)B" in found


def test_a_title_with_nothing_under_it_is_not_printed() -> None:
    """A carton without an expiry date prints no "有效期 EXPIRY" line: a title alone reads as a
    date missing by mistake. A line with one of its fields filled keeps its title."""
    from printing.render import Label

    template = built_in("carton")
    expiry = next(e for e in template.elements if getattr(e, "text", "").startswith("有效期"))
    made = next(e for e in template.elements if getattr(e, "text", "").startswith("生产"))
    fields = dict(SAMPLES["carton"])
    label = Label(template, {**fields, "expires_on": None, "manufactured_on": "2026-11-23"})
    assert label.text_of(expiry) == ""
    assert label.text_of(made) == "生产 PROD  2026-11-23"
    dated = Label(template, {**fields, "expires_on": "2027-11-22"})
    assert label.text_of(expiry) == "" and dated.text_of(expiry).endswith("2027-11-22")
