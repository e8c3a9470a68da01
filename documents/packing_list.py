"""The packing list: a shipment's `models.shipping.PackingList` as the PDF's layout
(`printing.packing_list.PackingListDocument`), rendered by printing/ (which knows nothing of models)."""

from __future__ import annotations

from models.lookup import plain
from models.shipping import PackingList
from printing import packing_list as layout
from printing.packing_list import PackedRow, PackingLine, PackingListDocument


def packing_list_pdf(listing: PackingList) -> bytes:
    """The packing list of a shipment as PDF bytes."""
    return layout.packing_list_pdf(packing_list_document(listing))


def packing_list_document(listing: PackingList) -> PackingListDocument:
    """The model's plain data in the printing module's terms."""
    rows = []
    for unit in listing.units:
        note = " · ".join(
            part
            for part in (unit.external_code, unit.expires_on.isoformat() if unit.expires_on else None)
            if part
        )
        rows.append(
            PackedRow(
                depth=unit.depth,
                code=unit.code,
                kind=unit.level or unit.kind,
                item_code=unit.item_code or "",
                quantity=plain(unit.quantity),
                uom=unit.uom,
                note=note,
            )
        )
    return PackingListDocument(
        shipment=listing.code,
        customer_code=listing.customer_code,
        customer_name_zh=listing.customer_name_zh,
        customer_name_en=listing.customer_name_en,
        reference=listing.reference,
        ordered_on=listing.ordered_on,
        shipped_on=listing.shipped_on,
        lines=[
            PackingLine(
                item_code=line.item_code,
                name_zh=line.item_name_zh,
                name_en=line.item_name_en,
                uom=line.uom,
                ordered=line.required,
                shipped=line.picked,
            )
            for line in listing.lines
        ],
        rows=rows,
    )
