"""The packing list PDF, read back with pypdf (an independent reader): every code and both names
of every item are in its text, quantities as people write them, and it runs onto more pages when
the goods do, headers repeated."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from printing.packing_list import PackedRow, PackingLine, PackingListDocument, packing_list_pdf
from printing.render import LabelError


def document(serials: int = 4) -> PackingListDocument:
    meters = [f"SN-SAMPLE{number:05d}" for number in range(1, serials + 1)]
    rows = [PackedRow(0, "095212340000000013", "PALLET", "DDZY-102", Decimal(serials), "EA")]
    for carton, start in enumerate(range(0, serials, 10)):
        rows.append(PackedRow(1, f"09521234000000{carton + 2:04d}", "CARTON", "DDZY-102", Decimal(10), "EA"))
        rows += [PackedRow(2, meter, "SERIAL", "DDZY-102", Decimal(1), "EA") for meter in meters[start:][:10]]
    rows.append(
        PackedRow(0, "LOT-SAMPLE1-01", "LOT", "PTG-200", Decimal("12.500000"), "KG", "HQ-77 · 2027-05-01")
    )
    return PackingListDocument(
        shipment="SH-SAMPLE",
        customer_code="CUS-EC",
        customer_name_zh="华东电力公司",
        customer_name_en="East China Power",
        reference="PO-EC-2026-118",
        ordered_on=dt.date(2026, 11, 20),
        shipped_on=None,
        lines=[
            PackingLine(
                "DDZY-102", "单相智能电表", "Single-phase smart meter", "EA", Decimal(30), Decimal(serials)
            ),
            PackingLine(
                "PTG-200", "电表灌封胶", "Meter potting compound", "KG", Decimal("12.5"), Decimal("12.5")
            ),
        ],
        rows=rows,
    )


def text_of(pdf: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def test_the_packing_list_names_the_shipment_the_customer_and_every_unit() -> None:
    sample = document()
    pdf = packing_list_pdf(sample)
    assert pdf.startswith(b"%PDF-")
    pages, text = text_of(pdf)
    assert pages == 1
    for expected in (
        "SH-SAMPLE",
        "CUS-EC",
        "华东电力公司",
        "East China Power",
        "PO-EC-2026-118",
        "2026-11-20",
        "单相智能电表",
        "Single-phase smart meter",
        "电表灌封胶",
        "装箱单",
        "Not shipped yet",
        "12.5 KG",
        "HQ-77",
    ):
        assert expected in text, expected
    for row in sample.rows:
        assert row.code in text, row.code
    assert "12.500000" not in text
    assert packing_list_pdf(sample) == pdf  # the same list, the same bytes


def test_a_long_list_runs_onto_more_pages_with_its_headers() -> None:
    sample = document(serials=120)
    pages, text = text_of(packing_list_pdf(sample))
    assert pages > 1
    assert text.count("Quantity") == pages  # the table's header on every page
    for row in sample.rows:
        assert row.code in text


def test_a_shipped_list_shows_its_date_and_an_empty_one_says_so() -> None:
    sample = document()
    shipped = PackingListDocument(**{**sample.__dict__, "shipped_on": dt.date(2026, 11, 21), "rows": []})
    _, text = text_of(packing_list_pdf(shipped))
    assert "2026-11-21" in text and "Not shipped yet" not in text
    assert "Nothing scanned yet" in text


def test_a_missing_font_is_an_error_not_boxes(tmp_path: Path) -> None:
    with pytest.raises(LabelError):
        packing_list_pdf(document(), font=tmp_path / "nope.ttf")
