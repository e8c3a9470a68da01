"""The ESC/POS job carries the label exactly: its GS v 0 raster, read back here, scans like the label."""

from __future__ import annotations

import pytest
import zxingcpp
from PIL import Image

from printing.escpos import escpos_job
from printing.render import render
from printing.template import BUILT_IN, built_in
from tests.printing.test_render import EXPECTED, FIELDS


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
