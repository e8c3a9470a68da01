"""The ZPL job, rendered by zplkit (a test-only ZPL renderer), is the label dot for dot and scans."""

from __future__ import annotations

import io

import pytest
import zplkit
import zxingcpp
from PIL import Image

from printing.render import render
from printing.template import BUILT_IN, built_in
from printing.zpl import zpl_job
from tests.printing.test_render import EXPECTED, FIELDS


@pytest.mark.parametrize("dpi", [203, 300])
@pytest.mark.parametrize("name", BUILT_IN)
def test_the_zpl_job_prints_the_label_dot_for_dot(name: str, dpi: int) -> None:
    label = render(built_in(name), FIELDS[name], dpi=dpi)
    job = zpl_job(label)
    document = zplkit.render(job, zplkit.Options(dpi=dpi, width=label.width, height=label.height))
    assert document.warnings == [] and len(document.labels) == 1
    printed = Image.open(io.BytesIO(document.labels[0].png())).convert("1")
    assert printed.size == label.size and printed.tobytes() == label.tobytes()
    found = {
        (symbol.symbology_identifier, symbol.bytes) for symbol in zxingcpp.read_barcodes(printed.convert("L"))
    }
    assert found == EXPECTED[name]
    raw_hex = label.width // 8 * label.height * 2
    assert len(job) < raw_hex / 4  # compressed: a serial line carries it in seconds, not minutes


def test_copies_and_darkness_are_the_printers_own_commands() -> None:
    label = render(built_in("serial"), FIELDS["serial"])
    job = zpl_job(label, copies=3, darkness=22).decode()
    assert job.startswith("~SD22^XA") and job.endswith("^PQ3^XZ")
    for bad in ({"copies": 0}, {"darkness": 31}):
        with pytest.raises(ValueError):
            zpl_job(label, **bad)


def test_the_padding_bits_of_a_row_stay_white() -> None:
    """A 9-dot-wide white label is 2 bytes a row; the 7 spare bits must not print black."""
    job = zpl_job(Image.new("1", (9, 2), 1)).decode()
    assert "^PW9^LL2" in job and "^GFA,4,4,2,,:^FS" in job
