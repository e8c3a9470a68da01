"""The packing list (装箱单) of a shipment as an A4 PDF: what the customer's goods-in checks against.

It travels with the goods, so it names everything that can be checked at the door: the shipment,
the customer, the order reference and dates, each ordered item with both its names and the ordered
and shipped quantities, then every scanned pallet, carton, serial and lot with what sits inside it,
down to the last serial. Headings are bilingual (Chinese first): the same sheet serves a domestic
and an export customer, whatever the language of the station that printed it.

Plain data in, bytes out: the screen fills a `PackingListDocument` (printing knows nothing of the
database), and the station renders it on its worker. The text is set in the CJK font the labels use
(WenQuanYi Micro Hei on Debian); reportlab embeds a subset of it, so the PDF shows and searches
Chinese wherever it is opened. A .ttc font holds several faces: the first (subfontIndex 0) is used.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from threading import Lock
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from printing.render import find_font

MARGIN = 15 * mm
INDENT = 5 * mm  # per level: a carton's serials sit under the carton, a pallet's cartons under it
GRID = colors.HexColor("#9aa5b1")
HEAD = colors.HexColor("#e4e7eb")

# What a unit is, in both languages (the unit kind, or a container's level).
KIND_WORDS = {
    "PALLET": "托盘 Pallet",
    "CARTON": "箱 Carton",
    "CONTAINER": "包装 Package",
    "SERIAL": "序列号 Serial",
    "LOT": "批次 Lot",
}


@dataclass(frozen=True)
class PackingLine:
    """An ordered item: what was ordered and what leaves."""

    item_code: str
    name_zh: str
    name_en: str
    uom: str
    ordered: Decimal
    shipped: Decimal


@dataclass(frozen=True)
class PackedRow:
    """A scanned unit (depth 0) or one inside it (depth 1, 2...), in the order they are stacked."""

    depth: int
    code: str
    kind: str  # PALLET, CARTON, SERIAL or LOT (see KIND_WORDS)
    item_code: str
    quantity: Decimal  # a container: the serials and lots inside it
    uom: str
    note: str = ""  # the supplier's lot, an expiry date


@dataclass(frozen=True)
class PackingListDocument:
    shipment: str
    customer_code: str
    customer_name_zh: str
    customer_name_en: str
    reference: str | None
    ordered_on: dt.date
    shipped_on: dt.date | None  # None: not shipped yet (a list printed while picking)
    lines: Sequence[PackingLine]
    rows: Sequence[PackedRow]


def packing_list_pdf(document: PackingListDocument, font: Path | None = None) -> bytes:
    """The packing list as PDF bytes (A4, as many pages as the units need, headers repeated)."""
    face = _register(find_font(font))
    styles = _Styles(face)
    out = io.BytesIO()
    pdf = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 6 * mm,
        title=f"Packing list {document.shipment}",
        author="TraceStation",
        invariant=True,  # the same shipment gives the same bytes (no creation time, fixed id)
    )
    width = A4[0] - 2 * MARGIN
    story = [
        Paragraph("装箱单 Packing list", styles.title),
        Spacer(1, 4 * mm),
        _header(document, styles, width),
        Spacer(1, 6 * mm),
        Paragraph("订购与出货 Ordered and shipped", styles.heading),
        Spacer(1, 2 * mm),
        _lines(document, styles, width),
        Spacer(1, 6 * mm),
        Paragraph("包装明细 What is packed where", styles.heading),
        Spacer(1, 2 * mm),
        _rows(document, styles, width),
    ]

    def footer(canvas: Canvas, _doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(face, 8)
        canvas.drawString(MARGIN, MARGIN, f"{document.shipment} · {document.customer_code}")
        canvas.drawRightString(
            A4[0] - MARGIN, MARGIN, f"第 {canvas.getPageNumber()} 页 Page {canvas.getPageNumber()}"
        )
        canvas.restoreState()

    pdf.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()


# --- the parts of the page -------------------------------------------------------------------------


def _header(document: PackingListDocument, styles: _Styles, width: float) -> Table:
    shipped = document.shipped_on.isoformat() if document.shipped_on else "未出货 Not shipped yet"
    customer = (
        f"{escape(document.customer_name_zh)}<br/>"
        f"{escape(document.customer_name_en)} ({escape(document.customer_code)})"
    )
    dates = f"订单 Ordered: {document.ordered_on.isoformat()}<br/>出货 Shipped: {escape(shipped)}"
    cells = [
        [
            styles.cell("出货单 Shipment"),
            styles.cell(document.shipment, strong=True),
            styles.cell("客户 Customer"),
            Paragraph(customer, styles.body),
        ],
        [
            styles.cell("订单参考 Reference"),
            styles.cell(document.reference or "—"),
            styles.cell("日期 Date"),
            Paragraph(dates, styles.body),
        ],
    ]
    table = Table(cells, colWidths=[0.21 * width, 0.26 * width, 0.15 * width, 0.38 * width])
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.75, GRID),
                ("INNERGRID", (0, 0), (-1, -1), 0.25, GRID),
                ("BACKGROUND", (0, 0), (0, -1), HEAD),
                ("BACKGROUND", (2, 0), (2, -1), HEAD),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return table


def _lines(document: PackingListDocument, styles: _Styles, width: float) -> Table:
    cells = [
        [
            styles.cell("物料 Item"),
            styles.cell("名称 Name"),
            styles.cell("单位 UoM"),
            styles.cell("订购 Ordered", right=True),
            styles.cell("出货 Shipped", right=True),
        ]
    ]
    for line in document.lines:
        cells.append(
            [
                styles.cell(line.item_code),
                Paragraph(f"{escape(line.name_zh)}<br/>{escape(line.name_en)}", styles.body),
                styles.cell(line.uom),
                styles.cell(_number(line.ordered), right=True),
                styles.cell(_number(line.shipped), right=True, strong=line.shipped != line.ordered),
            ]
        )
    return _table(cells, [0.17 * width, 0.39 * width, 0.12 * width, 0.16 * width, 0.16 * width])


def _rows(document: PackingListDocument, styles: _Styles, width: float) -> Table | Paragraph:
    if not document.rows:
        return Paragraph("尚未扫描任何包装 Nothing scanned yet", styles.body)
    cells = [
        [
            styles.cell("编码 Code"),
            styles.cell("类型 Kind"),
            styles.cell("物料 Item"),
            styles.cell("数量 Quantity", right=True),
            styles.cell("备注 Note"),
        ]
    ]
    tops: list[int] = []
    for row in document.rows:
        if row.depth == 0:
            tops.append(len(cells))
        cells.append(
            [
                styles.cell(row.code, indent=row.depth, strong=row.depth == 0),
                styles.cell(KIND_WORDS.get(row.kind, row.kind)),
                styles.cell(row.item_code),
                styles.cell(f"{_number(row.quantity)} {row.uom}", right=True),
                styles.cell(row.note),
            ]
        )
    table = _table(cells, [0.34 * width, 0.17 * width, 0.15 * width, 0.14 * width, 0.20 * width])
    # Each scanned unit starts a block: a rule above it, so a pallet and all it holds read as one.
    table.setStyle(TableStyle([("LINEABOVE", (0, top), (-1, top), 1, colors.black) for top in tops[1:]]))
    return table


def _table(cells: list[list[Paragraph]], widths: list[float]) -> Table:
    table = Table(cells, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.75, GRID),
                ("INNERGRID", (0, 0), (-1, -1), 0.25, GRID),
                ("BACKGROUND", (0, 0), (-1, 0), HEAD),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return table


# --- type ------------------------------------------------------------------------------------------


class _Styles:
    def __init__(self, face: str) -> None:
        self.face = face
        self.title = ParagraphStyle("title", fontName=face, fontSize=20, leading=26)
        self.heading = ParagraphStyle("heading", fontName=face, fontSize=13, leading=17)
        # CJK wrapping: Chinese breaks between any two characters, codes stay whole where they fit.
        self.body = ParagraphStyle("body", fontName=face, fontSize=9.5, leading=12.5, wordWrap="CJK")
        self.strong = ParagraphStyle("strong", parent=self.body, fontSize=11, leading=14)
        self.right = ParagraphStyle("right", parent=self.body, alignment=TA_RIGHT)
        self.strong_right = ParagraphStyle("strongRight", parent=self.strong, alignment=TA_RIGHT)

    def cell(self, text: str, *, strong: bool = False, right: bool = False, indent: int = 0) -> Paragraph:
        if right:
            style = self.strong_right if strong else self.right
        else:
            style = self.strong if strong else self.body
        if indent:
            style = ParagraphStyle(f"indent{indent}", parent=style, leftIndent=indent * INDENT)
        return Paragraph(escape(text), style)


_registered: dict[Path, str] = {}
_registering = Lock()  # documents render on the station's worker thread; tests render anywhere


def _register(path: Path) -> str:
    """The font's name for reportlab, registering it once per process."""
    with _registering:
        name = _registered.get(path)
        if name is None:
            name = f"TraceStationCJK{len(_registered)}"
            pdfmetrics.registerFont(TTFont(name, str(path), subfontIndex=0))
            _registered[path] = name
        return name


def _number(value: Decimal) -> str:
    """8, not 8.000000; 12.5, not 12.500000; never 1E+1."""
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return format(value.normalize(), "f")
