"""The packing list document: a shipment's PackingList (models) in the PDF's layout (printing), no
database and no widgets: every row and line keeps its numbers, a lot's note is its supplier lot and
expiry, and the PDF it renders names them."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from pypdf import PdfReader

from documents.packing_list import packing_list_document, packing_list_pdf
from models.shipping import LineView, PackedUnit, PackingList
from printing.packing_list import PackedRow, PackingLine

LISTING = PackingList(
    code="SH-SAMPLE",
    status="SHIPPED",
    reference="PO-EC-2026-118",
    customer_code="CUS-EC",
    customer_name_zh="华东电力公司",
    customer_name_en="East China Power",
    ordered_on=dt.date(2026, 11, 20),
    shipped_on=dt.date(2026, 11, 22),
    lines=(LineView("PTG-200", "灌封胶", "Potting compound", "KG", Decimal(20), Decimal("12.500000")),),
    units=(
        PackedUnit(0, "095212340000000013", "CONTAINER", "CARTON", None, Decimal(1), "EA", None, None),
        PackedUnit(
            1,
            "LOT-SAMPLE1-01",
            "LOT",
            None,
            "PTG-200",
            Decimal("12.500000"),
            "KG",
            "HQ-77",
            dt.date(2027, 5, 1),
        ),
    ),
)


def test_the_listing_maps_to_the_layout_row_for_row() -> None:
    document = packing_list_document(LISTING)
    assert (document.shipment, document.customer_code, document.reference) == (
        "SH-SAMPLE",
        "CUS-EC",
        "PO-EC-2026-118",
    )
    assert (document.ordered_on, document.shipped_on) == (dt.date(2026, 11, 20), dt.date(2026, 11, 22))
    assert document.lines == [
        PackingLine("PTG-200", "灌封胶", "Potting compound", "KG", Decimal(20), Decimal("12.500000"))
    ]
    assert document.rows == [
        PackedRow(0, "095212340000000013", "CARTON", "", Decimal(1), "EA", ""),
        PackedRow(1, "LOT-SAMPLE1-01", "LOT", "PTG-200", Decimal("12.5"), "KG", "HQ-77 · 2027-05-01"),
    ]


def test_the_pdf_names_the_shipment_and_every_unit() -> None:
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(packing_list_pdf(LISTING))).pages)
    for expected in ("SH-SAMPLE", "095212340000000013", "LOT-SAMPLE1-01", "HQ-77"):
        assert expected in text
