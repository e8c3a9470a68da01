"""The ESC/POS job carries the label exactly: its GS v 0 raster, read back here, scans like the label;
in native mode its texts come back as the Chinese text and its QR command as the exact payload."""

from __future__ import annotations

import re

import pytest
import zxingcpp
from PIL import Image

from printing.escpos import escpos_job, escpos_native_job
from printing.render import Label, render
from printing.template import BUILT_IN, TextElement, built_in
from tests.printing.test_render import EXPECTED, FIELDS, scanned


def raster_from_escpos(job: bytes) -> Image.Image:
    """Every GS v 0 band of the job, stacked: what the printer's head would put on the label."""
    bands: list[Image.Image] = []
    position = 0
    while (start := job.find(b"\x1dv0", position)) >= 0:
        mode = job[start + 3]
        width_bytes = int.from_bytes(job[start + 4 : start + 6], "little")
        rows = int.from_bytes(job[start + 6 : start + 8], "little")
        assert mode == 0, "normal density, one dot per bit"
        data = job[start + 8 : start + 8 + width_bytes * rows]
        assert len(data) == width_bytes * rows, "a band cut short"
        # ESC/POS: bit set = black dot; Pillow's 1-bit images: bit set = white.
        bands.append(Image.frombytes("1", (width_bytes * 8, rows), bytes(255 - byte for byte in data)))
        position = start + 8 + len(data)
    assert bands, "no GS v 0 raster in the job"
    sheet = Image.new("1", (bands[0].width, sum(band.height for band in bands)), 1)
    top = 0
    for band in bands:
        sheet.paste(band, (0, top))
        top += band.height
    return sheet


@pytest.mark.parametrize("name", BUILT_IN)
def test_the_escpos_raster_scans_like_the_label(name: str) -> None:
    label = render(built_in(name), FIELDS[name], dpi=203)
    job = escpos_job(label, cut=True)
    assert job.endswith(b"\x1dVB\x00")  # cut at the label gap, no receipt feed before it
    printed = raster_from_escpos(job)
    assert printed.height == label.height and printed.width >= label.width
    assert printed.crop((0, 0, label.width, label.height)).tobytes() == label.tobytes()
    found = {
        (symbol.symbology_identifier, symbol.bytes) for symbol in zxingcpp.read_barcodes(printed.convert("L"))
    }
    assert found == EXPECTED[name]


def native_parts(job: bytes) -> tuple[list[str], list[str], list[Image.Image]]:
    """The texts (each inside the printer's Chinese mode, GB18030), the native QR payloads and the
    raster images (contiguous GS v 0 bands) of a native ESC/POS job."""
    texts = [text.decode("gb18030") for text in re.findall(rb"\x1c&(.*?)\x1c\.", job, re.S)]
    codes: list[str] = []
    for found in re.finditer(rb"\x1d\(k", job):
        start = found.start()
        size = int.from_bytes(job[start + 3 : start + 5], "little")
        parameters = job[start + 5 : start + 5 + size]
        if parameters[:3] == b"1P0":  # QR: store the data in the symbol storage area
            codes.append(parameters[3:].decode())
    images: list[Image.Image] = []
    position = 0
    while (start := job.find(b"\x1dv0", position)) >= 0:
        end = start
        while job.startswith(b"\x1dv0", end):  # one image: its bands follow each other directly
            width_bytes = int.from_bytes(job[end + 4 : end + 6], "little")
            end += 8 + width_bytes * int.from_bytes(job[end + 6 : end + 8], "little")
        images.append(raster_from_escpos(job[start:end]))
        position = end
    return texts, codes, images


# What native mode sends as the printer's own QR command: a plain QR only. A GS1 QR needs FNC1
# first, which the printer's QR command cannot say, so every GS1 symbol still goes as an image.
NATIVE_QR = {
    "material_lot": {"https://id.gs1.org/01/09521234000020/10/LOT-SAMPLE1?17=271122"},
    "serial": set(),
    "carton": set(),
    "pallet": {"095212340000000020"},
}


@pytest.mark.parametrize("name", BUILT_IN)
def test_native_mode_sends_chinese_text_in_chinese_mode_and_the_printers_own_qr(name: str) -> None:
    label = Label(built_in(name), FIELDS[name])
    job = escpos_native_job(label, cut=True)
    assert job.startswith(b"\x1b@") and job.endswith(b"\x1dVB\x00")
    texts, codes, images = native_parts(job)
    expected_texts = [label.text_of(e) for e in label.template.elements if isinstance(e, TextElement)]
    assert texts == [text for text in expected_texts if text]  # every text, in reading order
    assert any(re.search("[\u4e00-\u9fff]", text) for text in texts)  # the Chinese names among them
    assert job.count(b"\x1c&") == job.count(b"\x1c.") == len(texts)  # Chinese mode off after each
    assert set(codes) == NATIVE_QR[name]
    found = {symbol for image in images for symbol in scanned(image)}
    assert found | {("]Q1", code.encode()) for code in codes} == EXPECTED[name]


def test_chinese_punctuation_survives_native_mode() -> None:
    # python-escpos's own text() turns CJK punctuation (outside U+4E00..U+9FA5) into "??".
    fields = {**FIELDS["serial"], "item_name_zh": "电表（单相）・二号"}
    texts, _, _ = native_parts(escpos_native_job(Label(built_in("serial"), fields)))
    assert "电表（单相）・二号" in texts
