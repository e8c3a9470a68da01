"""The recall report as a PDF: what a quality engineer hands a customer, an authority or a supplier.

One file says what was recalled (the scope), when the list was drawn, how many units are affected
and where they are (counts and a bar chart), which customers have them, then every unit. Headings
are in Chinese and English, like the recall workbook; the words in the cells come already chosen
for the reader's language (printing/ knows nothing of the domain: documents/recall.py maps the
recall to the plain rows here).

A recall can list a hundred thousand units, so the list is never one platypus Table and the story
is never built whole: the rows arrive batch by batch and become small tables of a few hundred rows,
which reportlab lays out and draws page by page while the next batch is still unread. The list's
column header is drawn by the list pages' template, so it is on every page however the small tables
fall. Text uses the CJK font of the labels (reportlab cannot embed CFF fonts such as Noto CJK;
TrueType collections such as WenQuanYi Micro Hei work, with their sub-font index).
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfdoc import PDFDictionary, PDFName, PDFStream
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from printing.render import find_font

PAGE = landscape(A4)
MARGIN = 12 * mm
LIST_FONT_SIZE = 7.5
# Rows per Table flowable: small enough that reportlab lays out a page without holding the list,
# large enough that a hundred thousand units are a few hundred flowables.
CHUNK_ROWS = 200
CELL_PADDING = 2.5

# (header, width in points) of the list's columns; the widths fill a landscape A4 page.
LIST_COLUMNS: tuple[tuple[str, float], ...] = (
    ("编码\nCode", 104),
    ("类型\nKind", 40),
    ("物料\nItem", 150),
    ("状态\nStatus", 62),
    ("位置\nPlace", 62),
    ("数量\nQuantity", 58),
    ("箱号 / 托盘\nCarton / pallet", 104),
    ("出货单\nShipment", 76),
    ("客户\nCustomer", 110),
)

TITLE_COLOUR = colors.HexColor("#1f2933")
RULE_COLOUR = colors.HexColor("#cbd2d9")
HEADER_FILL = colors.HexColor("#e4e7eb")
STRIPE_FILL = colors.HexColor("#f5f7fa")
# The chart's bars, in the order of the places the summary gives (production, stock, hold,
# shipped, consumed, out): shipped units, the ones to call back, stand out in red.
BAR_COLOURS = ("#0b69a3", "#0e7c3a", "#f0b429", "#b00020", "#9aa5b1", "#616e7c")


class ReportCancelled(Exception):
    """The caller's `cancel` said stop between two batches: nothing is saved."""


@dataclass(frozen=True)
class ReportHeader:
    title: str
    scope: str  # what the recall started from, in words
    generated_at: dt.datetime  # aware: shown with its offset


@dataclass(frozen=True)
class PlaceCount:
    place: str  # the place's name in the reader's language
    units: int


@dataclass(frozen=True)
class CustomerLine:
    code: str
    name: str
    units: int
    shipments: int


@dataclass(frozen=True)
class ReportSummary:
    seeds: int
    units: int
    containers: int
    shipments: int
    by_place: tuple[PlaceCount, ...]
    by_customer: tuple[CustomerLine, ...]

    @property
    def listed(self) -> int:
        """How many lines the list has: every affected unit, and the cartons and pallets."""
        return self.units + self.containers


@dataclass(frozen=True, slots=True)
class ReportRow:
    """One line of the list, as text (slotted: a list can be a hundred thousand of them)."""

    code: str
    kind: str
    item: str  # code and name (on two lines when they do not fit on one)
    status: str
    place: str
    quantity: str  # with its unit of measure
    container: str  # carton, and its pallet on a second line
    shipment: str
    customer: str


Cancel = Callable[[], bool]


def recall_report_pdf(
    path_or_stream: Path | str | BinaryIO,
    header: ReportHeader,
    summary: ReportSummary,
    rows: Iterable[list[ReportRow]],
    cancel: Cancel | None = None,
    *,
    font: Path | None = None,
) -> int:
    """Write the report; the number of list rows written. `cancel` is asked before each batch."""
    font_name = _register(find_font(font))
    styles = _Styles(font_name)
    written = 0

    def tables() -> Iterator[list[Flowable]]:
        nonlocal written
        for batch in rows:
            if cancel is not None and cancel():
                raise ReportCancelled
            cells = [_cells(row, font_name) for row in batch]
            written += len(cells)
            yield [
                Table(
                    cells[start : start + CHUNK_ROWS],
                    colWidths=styles.widths,
                    style=styles.list_style,
                    hAlign="LEFT",
                )
                for start in range(0, len(cells), CHUNK_ROWS)
            ]

    document = _Document(path_or_stream, header, summary, styles)
    story: list[Flowable] = [
        *_summary_page(header, summary, styles),
        NextPageTemplate("list"),
        PageBreak(),
    ]
    document.build(_Story(story, tables()), canvasmaker=_Canvas)
    return written


# --- the document ---------------------------------------------------------------------------------


class _Story(list[Flowable]):
    """The story platypus consumes from the front, refilled from the batches as it runs dry.

    BaseDocTemplate.build asks `len(story)` before each flowable it takes, so a list that pulls the
    next batch's tables only when it is empty lets a list of any length be laid out with one batch
    in memory at a time (platypus has no streaming story of its own).
    """

    def __init__(self, head: list[Flowable], more: Iterator[list[Flowable]]) -> None:
        super().__init__(head)
        self._more = more

    def __len__(self) -> int:
        while not super().__len__():
            following = next(self._more, None)
            if following is None:
                break
            self.extend(following)
        return super().__len__()


class _Canvas(Canvas):
    """Each finished page's drawing compressed at once, not when the file is saved.

    reportlab keeps every page's content stream as text until `save()` (about 1 KB per list row):
    a hundred thousand rows would hold some 100 MB. Compressed as each page is finished, it is a
    fifth of that; reportlab leaves a stream that already names its filter as it is.
    """

    def showPage(self) -> None:
        super().showPage()
        page = self._doc.Pages.pages[-1]  # type: ignore[attr-defined]  # reportlab's own, not in its stubs
        if page.stream and not page.Contents:
            content = page.stream.encode("utf8") if isinstance(page.stream, str) else page.stream
            page.Contents = PDFStream(
                PDFDictionary({"Filter": PDFName("FlateDecode")}), zlib.compress(content)
            )
            page.stream = None


class _Styles:
    def __init__(self, font_name: str) -> None:
        self.font = font_name
        base: dict[str, Any] = {"fontName": font_name, "wordWrap": "CJK", "textColor": TITLE_COLOUR}
        self.title = ParagraphStyle("title", fontSize=20, leading=26, spaceAfter=6, **base)
        self.heading = ParagraphStyle(
            "heading", fontSize=12, leading=16, spaceBefore=10, spaceAfter=4, **base
        )
        self.body = ParagraphStyle("body", fontSize=9.5, leading=13, **base)
        self.widths = [width for _, width in LIST_COLUMNS]
        self.list_style = TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font_name, LIST_FONT_SIZE, LIST_FONT_SIZE + 1.5),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
                ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("ALIGN", (5, 0), (5, -1), "RIGHT"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE_COLOUR),
                ("ROWBACKGROUNDS", (0, 0), (-1, -1), [colors.white, STRIPE_FILL]),
            ]
        )
        self.header_style = TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font_name, LIST_FONT_SIZE, LIST_FONT_SIZE + 2),
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
                ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
                ("ALIGN", (5, 0), (5, -1), "RIGHT"),
                ("BACKGROUND", (0, 0), (-1, -1), HEADER_FILL),
                ("LINEBELOW", (0, 0), (-1, -1), 0.8, TITLE_COLOUR),
            ]
        )
        self.small_table = TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font_name, 9.5, 12),
                ("FONTSIZE", (0, 0), (-1, 0), 8.5),
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, TITLE_COLOUR),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE_COLOUR),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )


class _Document(BaseDocTemplate):
    """Summary pages, then list pages whose template draws the list's header at the top."""

    def __init__(
        self,
        target: Path | str | BinaryIO,
        header: ReportHeader,
        summary: ReportSummary,
        styles: _Styles,
    ) -> None:
        super().__init__(
            str(target) if isinstance(target, Path) else target,
            pagesize=PAGE,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=MARGIN,
            title=f"{header.title} — {header.scope}",
            author="TraceStation",
            subject=header.scope,
            pageCompression=1,
        )
        self.report_header = header
        self.styles = styles
        self.list_title = f"召回清单 Recall list — {summary.listed} 行 lines"
        self.column_header = Table(
            [[title for title, _ in LIST_COLUMNS]], colWidths=styles.widths, style=styles.header_style
        )
        _, self.column_header_height = self.column_header.wrap(self.width, self.height)
        footer = 8 * mm
        summary_frame = Frame(
            self.leftMargin, self.bottomMargin + footer, self.width, self.height - footer, id="summary"
        )
        heading = 7 * mm + self.column_header_height
        list_frame = Frame(
            self.leftMargin,
            self.bottomMargin + footer,
            self.width,
            self.height - footer - heading,
            id="list",
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
        )
        self.addPageTemplates(
            [
                PageTemplate("summary", [summary_frame], onPage=self._footer),
                PageTemplate("list", [list_frame], onPage=self._list_page),
            ]
        )

    def _footer(self, canvas: Canvas, _document: BaseDocTemplate) -> None:
        header = self.report_header
        canvas.saveState()
        canvas.setFont(self.styles.font, 8)
        canvas.setFillColor(colors.HexColor("#616e7c"))
        canvas.drawString(
            self.leftMargin,
            self.bottomMargin,
            _fit(f"{header.title} · {header.scope}", self.styles.font, 8, 520),
        )
        canvas.drawRightString(
            self.leftMargin + self.width,
            self.bottomMargin,
            f"{_stamp(header.generated_at)} · 第 {canvas.getPageNumber()} 页 Page {canvas.getPageNumber()}",
        )
        canvas.restoreState()

    def _list_page(self, canvas: Canvas, document: BaseDocTemplate) -> None:
        self._footer(canvas, document)
        top = self.bottomMargin + self.height
        canvas.saveState()
        canvas.setFont(self.styles.font, 11)
        canvas.setFillColor(TITLE_COLOUR)
        canvas.drawString(self.leftMargin, top - 11, self.list_title)
        canvas.restoreState()
        self.column_header.drawOn(canvas, self.leftMargin, top - 7 * mm - self.column_header_height)


def _summary_page(header: ReportHeader, summary: ReportSummary, styles: _Styles) -> list[Flowable]:
    counts = [
        ["汇总 Summary", "单元 Units"],
        ["起点 Starting units", str(summary.seeds)],
        ["受影响单元 Affected units", str(summary.units)],
        ["箱 / 托盘 Cartons, pallets", str(summary.containers)],
        ["出货单 Shipments", str(summary.shipments)],
        ["客户 Customers", str(len(summary.by_customer))],
        ["位置 Place", ""],
        *([place.place, str(place.units)] for place in summary.by_place),
    ]
    counts_table = Table(counts, colWidths=[170, 70], style=styles.small_table, hAlign="LEFT")
    counts_table.setStyle(
        TableStyle(
            [
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("BACKGROUND", (0, 6), (-1, 6), HEADER_FILL),
                ("FONTSIZE", (0, 6), (-1, 6), 8.5),
                ("LINEBELOW", (0, 6), (-1, 6), 0.8, TITLE_COLOUR),
            ]
        )
    )
    side_by_side = Table(
        [[counts_table, _chart(summary, styles.font)]],
        colWidths=[270, None],
        style=TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]),
        hAlign="LEFT",
    )
    story: list[Flowable] = [
        Paragraph(_escape(header.title), styles.title),
        Paragraph(f"范围 Scope: {_escape(header.scope)}", styles.body),
        Paragraph(f"生成时间 Generated at: {_stamp(header.generated_at)}", styles.body),
        Spacer(1, 8),
        side_by_side,
        Paragraph("客户 Customers (出货的单元 units shipped to them)", styles.heading),
    ]
    if summary.by_customer:
        customers = [
            ["客户 Customer", "名称 Name", "单元 Units", "出货单 Shipments"],
            *(
                [
                    customer.code,
                    _fit(customer.name, styles.font, 9.5, 290),
                    str(customer.units),
                    str(customer.shipments),
                ]
                for customer in summary.by_customer
            ),
        ]
        table = Table(customers, colWidths=[110, 300, 80, 90], style=styles.small_table, repeatRows=1)
        table.hAlign = "LEFT"
        table.setStyle(TableStyle([("ALIGN", (2, 0), (-1, -1), "RIGHT")]))
        story.append(table)
    else:
        story.append(
            Paragraph("无 None: 受影响的单元都没有出货 no affected unit has been shipped.", styles.body)
        )
    return story


def _chart(summary: ReportSummary, font_name: str) -> Drawing:
    """Units by place as bars, drawn with reportlab's own graphics (no Qt in a document)."""
    drawing = Drawing(440, 230)
    drawing.add(
        String(10, 214, "受影响单元的位置 Where the affected units are", fontName=font_name, fontSize=11)
    )
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 45, 32, 380, 165
    values = [place.units for place in summary.by_place] or [0]
    chart.data = [values]
    chart.categoryAxis.categoryNames = [place.place for place in summary.by_place] or [""]
    chart.categoryAxis.labels.fontName = font_name
    chart.categoryAxis.labels.fontSize = 8.5
    chart.categoryAxis.labels.dy = -4
    chart.valueAxis.labels.fontName = font_name
    chart.valueAxis.labels.fontSize = 8
    chart.valueAxis.valueMin = 0
    top = max(values)
    chart.valueAxis.valueMax = max(top * 1.15, 1)
    chart.valueAxis.valueStep = _step(chart.valueAxis.valueMax)
    chart.valueAxis.labelTextFormat = "%d"
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = font_name
    chart.barLabels.fontSize = 8.5
    chart.barLabels.nudge = 7
    chart.bars.strokeColor = None
    for number in range(len(values)):
        chart.bars[(0, number)].fillColor = colors.HexColor(BAR_COLOURS[number % len(BAR_COLOURS)])
    drawing.add(chart)
    drawing.add(String(45, 2, "单元 Units", fontName=font_name, fontSize=8))
    return drawing


def _step(maximum: float) -> int:
    """A round step (1, 2 or 5 times a power of ten) giving at most eight gridlines."""
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            if maximum / (factor * magnitude) <= 8:
                return factor * magnitude
        magnitude *= 10


# --- cells ----------------------------------------------------------------------------------------


# The columns whose words may take a second line (an item's or a customer's name) rather than be cut.
WRAPPED_COLUMNS = frozenset({2, 8})
# The columns of codes (the unit, its container, its shipment): never shortened, since a recall list
# must name every unit exactly; a code longer than its column breaks across lines instead.
CODE_COLUMNS = frozenset({0, 6, 7})


def _cells(row: ReportRow, font_name: str) -> list[str]:
    values = (
        row.code,
        row.kind,
        row.item,
        row.status,
        row.place,
        row.quantity,
        row.container,
        row.shipment,
        row.customer,
    )
    cells = []
    for column, (value, (_, width)) in enumerate(zip(values, LIST_COLUMNS, strict=True)):
        room = width - 2 * CELL_PADDING
        lines = value.split("\n")
        if column in CODE_COLUMNS:
            cells.append("\n".join(piece for line in lines for piece in _broken(line, font_name, room)))
            continue
        if column in WRAPPED_COLUMNS and len(lines) == 1:
            lines = _wrapped(value, font_name, LIST_FONT_SIZE, room)
        cells.append("\n".join(_fit(line, font_name, LIST_FONT_SIZE, room) for line in lines))
    return cells


def _broken(text: str, font_name: str, width: float) -> list[str]:
    """A code in as many lines as it needs, broken between characters, every character kept."""
    if pdfmetrics.stringWidth(text, font_name, LIST_FONT_SIZE) <= width:
        return [text]
    lines, current = [], ""
    for char in text:
        if current and pdfmetrics.stringWidth(current + char, font_name, LIST_FONT_SIZE) > width:
            lines.append(current)
            current = char
        else:
            current += char
    lines.append(current)
    return lines


def _wrapped(text: str, font_name: str, size: float, width: float) -> list[str]:
    """One line, or two broken at the last space that fits (the second is cut if still too long)."""
    if len(text) * size <= width or pdfmetrics.stringWidth(text, font_name, size) <= width:
        return [text]
    words = text.split(" ")
    for count in range(len(words) - 1, 0, -1):
        head = " ".join(words[:count])
        if pdfmetrics.stringWidth(head, font_name, size) <= width:
            return [head, " ".join(words[count:])]
    return [text]


def _fit(text: str, font_name: str, size: float, width: float) -> str:
    """The text cut to the column with an ellipsis: a cell never runs into its neighbour."""
    if len(text) * size <= width:  # no glyph is wider than 1 em: it fits without measuring
        return text
    if pdfmetrics.stringWidth(text, font_name, size) <= width:
        return text
    ellipsis = pdfmetrics.stringWidth("…", font_name, size)
    while text and pdfmetrics.stringWidth(text, font_name, size) + ellipsis > width:
        text = text[:-1]
    return text + "…"


def _stamp(moment: dt.datetime) -> str:
    offset = moment.strftime("%z")  # +0800
    return moment.strftime("%Y-%m-%d %H:%M") + f" UTC{offset[:3]}:{offset[3:]}"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@cache
def _register(path: Path) -> str:
    """The font registered once per process under a name of its own (a .ttc: its first face)."""
    name = f"TraceCJK-{zlib.crc32(str(path).encode()):08x}"
    options: dict[str, Any] = {"subfontIndex": 0} if path.suffix.lower() == ".ttc" else {}
    pdfmetrics.registerFont(TTFont(name, str(path), **options))
    return name
