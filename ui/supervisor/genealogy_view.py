"""The genealogy picture: a unit in the middle, what it came from on the left, where it went on the
right, drawn as boxes and arrows a supervisor can zoom, pan and export.

A view only: it is handed the traces (models.trace.backward / forward, already run off the GUI
thread) and draws what ui/supervisor/genealogy_layout.py laid out; the layout, and the summary of a trace too
big to draw unit by unit, are pure functions tested on their own. Boxes carry the code (bold), the
item's name in the station's language, a detail line, the status in its colour and the kind's
letter; arrows follow the material, solid where it is certain (unit-level links, containment) and
dashed where it is lot-level ("may contain"). A summarised picture says so on itself, so a PNG of
it cannot pass for the whole story.

Keyboard alone: Ctrl+plus / Ctrl+minus zoom, Ctrl+0 fits the picture, the arrow keys and Page
Up/Down pan; with a mouse, drag pans and Ctrl+wheel zooms.

Export renders the scene, not the screen (the zoom does not matter): `png_bytes` / `svg_bytes` give
the file's bytes for the caller to write (a runner's `save_document`), and `export_png` /
`export_svg` write them to a path at once, on the GUI thread: a summarised picture is small (at
most a few megabytes, see `MAX_EXPORT_PIXELS`).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QEvent, QIODevice, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsPathItem,
    QGraphicsPolygonItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QWidget,
)

from models.trace import Precision, Trace
from ui.messages import status_names
from ui.supervisor.genealogy_layout import BOX_HEIGHT, BOX_WIDTH, LIMIT, Box, Picture, Route, lay_out
from ui.supervisor.trace_model import Words

# Status colours: (accent for the border, band and status text; fill of the box).
STATUS_COLOURS: dict[str, tuple[str, str]] = {
    "QUARANTINE": ("#cb6e17", "#fff1e6"),
    "REJECTED": ("#b00020", "#ffe3e3"),
    "FAILED": ("#b00020", "#ffe3e3"),
    "ON_HOLD": ("#b07d00", "#fff3c4"),  # amber
    "SHIPPED": ("#0b69a3", "#dceefb"),
    "SCRAPPED": ("#7b8794", "#e4e7eb"),
    "RELEASED": ("#0e7c3a", "#e3f9e5"),
    "WIP": ("#6b46c1", "#eee8fb"),
    "OPEN": ("#6b46c1", "#eee8fb"),
    "CLOSED": ("#3e4c59", "#f5f7fa"),
    "PACKED": ("#3e4c59", "#f5f7fa"),
    "CONSUMED": ("#52606d", "#f5f7fa"),
}
MIXED_COLOURS = ("#52606d", "#ffffff")
INK = "#1f2933"
ARROW_INK = "#52606d"
NOTE_INK = "#8d2b0b"  # the summary note: it must not be missed

ZOOM_STEP = 1.25
MIN_ZOOM = 0.05
MAX_ZOOM = 4.0
MAX_FIT = 1.25  # a small picture is not blown up beyond this by "fit"
READABLE = 0.45  # below this the text cannot be read: the first view shows the start instead
MARGIN = 24.0
MAX_EXPORT_PIXELS = 16_000_000  # a PNG bigger than this is rendered at a smaller scale
PADDING = 16.0
LINE = 19.0
BADGE = 22.0

Rect = tuple[float, float, float, float]  # x, y, width, height of an arrow's end (Picture.anchor)


def grouped(number: int) -> str:
    """1234567 -> "1 234 567": a count a supervisor reads at a glance, in either language."""
    return f"{number:,}".replace(",", " ")


def _font(pixels: int, bold: bool = False) -> QFont:
    font = QFont()
    font.setPixelSize(pixels)
    font.setBold(bold)
    return font


class BoxItem(QGraphicsPathItem):
    """One box of the picture; `lines` are its texts as shown (elided to the box)."""

    def __init__(self, box: Box, lines: list[str], letter: str, tooltip: str) -> None:
        super().__init__()
        self.box = box
        self.lines = lines
        accent, fill = STATUS_COLOURS.get(box.status or "", MIXED_COLOURS)
        outline = QPainterPath()
        outline.addRoundedRect(QRectF(0, 0, box.width, box.height), 10, 10)
        self.setPath(outline)
        self.setPos(box.x, box.y)
        self.setBrush(QColor(fill))
        root = box.column == 0
        self.setPen(QPen(QColor(INK if root else accent), 4 if root else 2))
        self.setToolTip(tooltip)
        self.setZValue(2)

        band = QPainterPath()
        band.addRect(QRectF(0, 0, 8, box.height))
        band_item = QGraphicsPathItem(outline.intersected(band), self)
        band_item.setBrush(QColor(accent))
        band_item.setPen(Qt.PenStyle.NoPen)

        badge = QGraphicsEllipseItem(box.width - BADGE - 8, 6, BADGE, BADGE, self)
        badge.setBrush(QColor(INK))
        badge.setPen(Qt.PenStyle.NoPen)
        letter_item = QGraphicsSimpleTextItem(letter, badge)
        letter_item.setFont(_font(13, bold=True))
        letter_item.setBrush(QColor("#ffffff"))
        size = letter_item.boundingRect()
        letter_item.setPos(
            box.width - BADGE - 8 + (BADGE - size.width()) / 2, 6 + (BADGE - size.height()) / 2
        )

        fonts = (_font(16, bold=True), _font(14), _font(14), _font(14, bold=True))
        inks = (INK, INK, "#52606d", accent)
        for number, (text, font, ink) in enumerate(zip(lines, fonts, inks, strict=False)):
            item = QGraphicsSimpleTextItem(text, self)
            item.setFont(font)
            item.setBrush(QColor(ink))
            item.setPos(PADDING, 8 + number * LINE + (1 if number else 0))


class ArrowItem(QGraphicsPathItem):
    """Material went from one box (or wrapped column) into another: solid when certain, dashed when
    lot-level; thicker the more edges it stands for."""

    def __init__(self, route: Route, source: Rect, target: Rect, leave: float, arrive: float) -> None:
        super().__init__()
        self.route = route
        start = QPointF(source[0] + source[2], leave)
        end = QPointF(target[0] - 10, arrive)
        reach = max(40.0, abs(end.x() - start.x()) / 2)
        path = QPainterPath(start)
        path.cubicTo(start + QPointF(reach, 0), end - QPointF(reach, 0), end)
        self.setPath(path)
        width = 2.0 + min(2.0, math.log10(route.count)) if route.count > 1 else 2.0
        pen = QPen(QColor(ARROW_INK), width)
        pen.setCapStyle(Qt.PenCapStyle.FlatCap)
        if route.precision is Precision.MAY_CONTAIN:
            pen.setStyle(Qt.PenStyle.DashLine)
        self.setPen(pen)
        self.setZValue(0)
        tip = QPointF(target[0], arrive)
        self.head = QGraphicsPolygonItem(
            QPolygonF([tip, tip + QPointF(-12, -6), tip + QPointF(-12, 6)]), self
        )
        self.head.setBrush(QColor(ARROW_INK))
        self.head.setPen(Qt.PenStyle.NoPen)

    @property
    def dashed(self) -> bool:
        return self.pen().style() == Qt.PenStyle.DashLine


class GenealogyView(QGraphicsView):
    """Draws the traces it is handed (`show_traces`); zooms, pans and exports what it drew."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("genealogyView")
        self._scene = QGraphicsScene(self)
        self._scene.setBackgroundBrush(QColor("#ffffff"))
        self.setScene(self._scene)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._words = Words()
        self.picture: Picture | None = None
        self.box_items: list[BoxItem] = []
        self.arrow_items: list[ArrowItem] = []
        self.notes: list[QGraphicsSimpleTextItem] = []  # title, legend and summary, as drawn
        self._fresh = True  # nobody zoomed since the traces came: resizing refits
        self.retranslate()

    # --- what it is told -------------------------------------------------------------------------

    def show_traces(self, backward: Trace | None, forward: Trace | None, language: str = "zh_CN") -> None:
        """Lay out and draw; the first view fits the picture, or shows the start readable."""
        self.show_picture(lay_out(backward, forward, limit=LIMIT), language)

    def show_picture(self, picture: Picture, language: str = "zh_CN") -> None:
        """Draw a picture laid out elsewhere: `lay_out` is pure, so a caller with a trace of a
        hundred thousand units can run it on the database worker with the trace (about a second)."""
        self._words.chinese = language.startswith("zh")
        self.picture = picture
        self._draw()
        self._fresh = True
        self._first_view()

    def set_language(self, language: str) -> None:
        """Item names in the station's language ("zh_CN" or "en_US")."""
        self._words.chinese = language.startswith("zh")
        self._draw()

    def clear(self) -> None:
        self.picture = None
        self._draw()

    def retranslate(self) -> None:
        words = self._words
        words.kinds = {
            "LOT": self.tr("lot"),
            "SERIAL": self.tr("serial"),
            "CONTAINER": self.tr("container"),
        }
        self._letters = {
            "LOT": self.tr("L"),
            "SERIAL": self.tr("S"),
            "CONTAINER": self.tr("C"),
        }
        words.statuses = status_names()
        words.precisions = {"CONTAINS": self.tr("contains"), "MAY_CONTAIN": self.tr("may contain")}
        self.setToolTip(self.tr("Drag to pan; Ctrl+wheel or Ctrl+plus/minus to zoom; Ctrl+0 to fit."))
        self._draw()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # --- zoom and pan ----------------------------------------------------------------------------

    @property
    def zoom(self) -> float:
        return self.transform().m11()

    def zoom_in(self) -> None:
        self._zoom_by(ZOOM_STEP)

    def zoom_out(self) -> None:
        self._zoom_by(1 / ZOOM_STEP)

    def fit(self) -> None:
        """The whole picture in the window (a small one no bigger than `MAX_FIT`)."""
        if self.picture is None:
            return
        self.fitInView(self._scene.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom > MAX_FIT:
            self._set_zoom(MAX_FIT)
            self.centerOn(self._scene.sceneRect().center())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            key = event.key()
            if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
                self._fresh = False
                self.zoom_in()
                return
            if key in (Qt.Key.Key_Minus, Qt.Key.Key_Underscore):
                self._fresh = False
                self.zoom_out()
                return
            if key == Qt.Key.Key_0:
                self._fresh = False
                self.fit()
                return
        self._fresh = False  # the arrow keys and Page Up/Down pan: a resize must not undo that
        super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._fresh = False  # a drag pans
        super().mousePressEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            steps = event.angleDelta().y() / 120
            if steps:
                self._fresh = False
                self._zoom_by(ZOOM_STEP**steps)
            event.accept()
            return
        super().wheelEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._fresh:
            self._first_view()

    # --- export ----------------------------------------------------------------------------------

    def png_bytes(self, scale: float = 2.0) -> bytes:
        """The picture as a PNG, `scale` pixels per scene pixel (less for a huge picture)."""
        return _encoded(self._image(scale))

    def png_encoder(self, scale: float = 2.0) -> Callable[[], bytes]:
        """The picture drawn now (the scene lives on this thread), and what compresses it to PNG:
        a QImage is safe to read from another thread, so the slow part can run on the worker."""
        return functools.partial(_encoded, self._image(scale))

    def _image(self, scale: float) -> QImage:
        source = self._scene.sceneRect()
        scale = min(scale, math.sqrt(MAX_EXPORT_PIXELS / max(1.0, source.width() * source.height())))
        size = QSize(max(1, int(source.width() * scale)), max(1, int(source.height() * scale)))
        image = QImage(size, QImage.Format.Format_RGB32)
        image.fill(QColor("#ffffff"))
        painter = QPainter(image)
        painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self._scene.render(painter, QRectF(0, 0, size.width(), size.height()), source)
        painter.end()
        return image

    def svg_bytes(self) -> bytes:
        """The picture as SVG: texts stay text (the codes can be searched), with a title and a
        description of what the arrows mean."""
        source = self._scene.sceneRect()
        width, height = math.ceil(source.width()), math.ceil(source.height())
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        generator = QSvgGenerator()
        generator.setOutputDevice(buffer)
        generator.setSize(QSize(width, height))
        generator.setViewBox(QRectF(0, 0, width, height))
        generator.setTitle(self._title())
        generator.setDescription(self._description())
        painter = QPainter(generator)
        painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self._scene.render(painter, QRectF(0, 0, width, height), source)
        painter.end()
        buffer.close()
        return bytes(buffer.data().data())

    def export_png(self, path: str | Path, scale: float = 2.0) -> Path:
        target = Path(path)
        target.write_bytes(self.png_bytes(scale))
        return target

    def export_svg(self, path: str | Path) -> Path:
        target = Path(path)
        target.write_bytes(self.svg_bytes())
        return target

    # --- drawing ---------------------------------------------------------------------------------

    def _draw(self) -> None:
        self._scene.clear()
        self.box_items, self.arrow_items, self.notes = [], [], []
        picture = self.picture
        if picture is None or not picture.boxes:
            hint = self._note(self.tr("Trace a code to see its genealogy."), _font(18), "#52606d")
            hint.setPos(0, 0)
            self._scene.setSceneRect(hint.sceneBoundingRect().adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN))
            return
        for frame in picture.frames:  # a wrapped column: one outline, the arrows go to it
            outline = QPainterPath()
            outline.addRoundedRect(QRectF(frame.x, frame.y, frame.width, frame.height), 14, 14)
            frame_item = self._scene.addPath(outline, QPen(QColor("#9aa5b1"), 2), QColor("#f5f7fa"))
            frame_item.setZValue(-1)
        leave, arrive = _ports(picture)
        for number, route in enumerate(picture.routes):
            source, target = picture.anchor(route.source), picture.anchor(route.target)
            item = ArrowItem(route, source, target, leave[number], arrive[number])
            self._scene.addItem(item)
            self.arrow_items.append(item)
        for box in picture.boxes:
            if box.grouped:  # a pile: two edges behind it say "more than one"
                for offset in (8.0, 4.0):
                    sheet = QGraphicsPathItem()
                    outline = QPainterPath()
                    outline.addRoundedRect(QRectF(0, 0, box.width, box.height), 10, 10)
                    sheet.setPath(outline)
                    sheet.setPos(box.x + offset, box.y + offset)
                    sheet.setBrush(QColor("#ffffff"))
                    sheet.setPen(QPen(QColor(STATUS_COLOURS.get(box.status or "", MIXED_COLOURS)[0]), 1.5))
                    sheet.setZValue(1)
                    self._scene.addItem(sheet)
            item = BoxItem(box, self._lines(box), self._letters.get(box.kind, "?"), self._tooltip(box))
            self._scene.addItem(item)
            self.box_items.append(item)
        self._draw_header(picture)
        bounds = self._scene.itemsBoundingRect()
        self._scene.setSceneRect(bounds.adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN))

    def _draw_header(self, picture: Picture) -> None:
        """Title, the summary note and the legend above the boxes: they go into every export."""
        lines = [self._note(self._title(), _font(24, bold=True), INK)]
        if picture.summarised:
            note = self.tr("Summarised: {0} units in {1} groups").format(
                grouped(picture.units), grouped(len(picture.boxes))
            )
            if picture.hidden:
                note += " " + self.tr("({0} units further away are not drawn)").format(
                    grouped(picture.hidden)
                )
            lines.append(self._note(note, _font(18, bold=True), NOTE_INK))
        legend_height = 24.0
        height = sum(item.boundingRect().height() + 6 for item in lines) + legend_height
        y = picture.top - 36.0 - height
        for item in lines:
            item.setPos(picture.left, y)
            y += item.boundingRect().height() + 6
        # The legend: a sample of each arrow with what it means, and which way the material went.
        x = picture.left
        for precision in (Precision.CONTAINS, Precision.MAY_CONTAIN):
            pen = QPen(QColor(ARROW_INK), 2)
            if precision is Precision.MAY_CONTAIN:
                pen.setStyle(Qt.PenStyle.DashLine)
            path = QPainterPath(QPointF(x, y + 11))
            path.lineTo(x + 48, y + 11)
            sample = self._scene.addPath(path, pen)
            sample.setZValue(0)
            text = (
                self.tr("contains (unit level)")
                if precision is Precision.CONTAINS
                else self.tr("may contain (lot level)")
            )
            label = self._note(text, _font(15), INK)
            label.setPos(x + 56, y)
            x += 56 + label.boundingRect().width() + 36
        flow = self._note(self.tr("← came from · went to →"), _font(15), "#52606d")
        flow.setPos(x, y)

    def _note(self, text: str, font: QFont, ink: str) -> QGraphicsSimpleTextItem:
        item = QGraphicsSimpleTextItem(text)
        item.setFont(font)
        item.setBrush(QColor(ink))
        self._scene.addItem(item)
        self.notes.append(item)
        return item

    def _lines(self, box: Box) -> list[str]:
        """Code, item, detail and status, each elided to the box's width."""
        words = self._words
        kind = words.kinds.get(box.kind, box.kind)
        name = box.item_name_zh if words.chinese else box.item_name_en
        if box.mixed_items:
            item = self.tr("mixed items")
        elif box.item_code is None:
            item = kind
        else:
            item = f"{box.item_code} {name or ''}".strip()
        if box.grouped:
            title = f"{grouped(box.count)} × {box.item_code or kind}"
            item = (name or item) if box.item_code else item
            detail = f"{box.first_code} … {box.last_code}"
        else:
            title = box.code or ""
            detail = box.quantity or (box.work_order_code or "")
        status = (
            self.tr("mixed statuses") if box.status is None else words.statuses.get(box.status, box.status)
        )
        if box.shipments:
            ref = box.shipments[0]
            status += f" · {ref.code} → {ref.customer_code}"
            if len(box.shipments) > 1:
                status += f" +{len(box.shipments) - 1}"
        width = box.width - PADDING - 8
        elide = Qt.TextElideMode.ElideRight
        return [
            QFontMetricsF(_font(16, bold=True)).elidedText(
                title, Qt.TextElideMode.ElideMiddle, width - BADGE - 8
            ),
            QFontMetricsF(_font(14)).elidedText(item, elide, width),
            QFontMetricsF(_font(14)).elidedText(detail, Qt.TextElideMode.ElideMiddle, width),
            QFontMetricsF(_font(14, bold=True)).elidedText(status, elide, width),
        ]

    def _tooltip(self, box: Box) -> str:
        words = self._words
        name = box.item_name_zh if words.chinese else box.item_name_en
        lines = [box.code or f"{grouped(box.count)} × {box.first_code} … {box.last_code}"]
        if box.item_code:
            lines.append(f"{box.item_code} {name or ''}".strip())
        if box.status is not None:
            lines.append(words.statuses.get(box.status, box.status))
        if box.precision is not None:
            lines.append(words.precisions.get(box.precision, box.precision))
        if box.work_order_code:
            lines.append(box.work_order_code)
        for ref in box.shipments[:10]:
            customer = ref.customer_name_zh if words.chinese else ref.customer_name_en
            lines.append(f"{ref.code} → {ref.customer_code} {customer or ''}".strip())
        return "\n".join(lines)

    def _title(self) -> str:
        picture = self.picture
        if picture is None or not picture.boxes:
            return self.tr("Genealogy")
        roots = picture.roots
        if len(roots) == 1 and not roots[0].grouped:
            return self.tr("Genealogy of {0}").format(roots[0].code)
        starts = sum(box.count for box in roots)
        return self.tr("Genealogy of {0} units").format(grouped(starts))

    def _description(self) -> str:
        picture = self.picture
        units = 0 if picture is None else picture.units
        boxes = 0 if picture is None else len(picture.boxes)
        return " ".join(
            (
                self.tr("TraceStation genealogy: {0} units in {1} boxes.").format(
                    grouped(units), grouped(boxes)
                ),
                self.tr("Left: where it came from; right: where it went."),
                self.tr("Solid arrows: contains (unit level); dashed arrows: may contain (lot level)."),
            )
        )

    def _first_view(self) -> None:
        picture = self.picture
        if picture is None or not picture.boxes:
            self.resetTransform()
            return
        rect = self._scene.sceneRect()
        viewport = self.viewport().size()
        fits = min(viewport.width() / max(1.0, rect.width()), viewport.height() / max(1.0, rect.height()))
        if fits >= READABLE:
            self.fit()
            return
        self._set_zoom(READABLE)
        root = picture.roots[0]
        self.centerOn(QPointF(root.x + BOX_WIDTH / 2, root.y + BOX_HEIGHT / 2))

    def _zoom_by(self, factor: float) -> None:
        self._set_zoom(self.zoom * factor)

    def _set_zoom(self, zoom: float) -> None:
        zoom = min(MAX_ZOOM, max(MIN_ZOOM, zoom))
        current = self.zoom or 1.0
        self.scale(zoom / current, zoom / current)


def _ports(picture: Picture) -> tuple[list[float], list[float]]:
    """Where each route leaves its source and reaches its target: spread along the edge in the
    order of the other ends' heights, so a fan of arrows does not start as one blot."""
    routes = picture.routes
    leave = [0.0] * len(routes)
    arrive = [0.0] * len(routes)
    outgoing: dict[int, list[int]] = {}
    incoming: dict[int, list[int]] = {}
    for number, route in enumerate(routes):
        outgoing.setdefault(route.source, []).append(number)
        incoming.setdefault(route.target, []).append(number)
    for ports, ends, far_end in ((outgoing, leave, "target"), (incoming, arrive, "source")):
        for anchor, numbers in ports.items():
            _, y, _, height = picture.anchor(anchor)
            numbers.sort(key=lambda n: picture.anchor(getattr(routes[n], far_end))[1])
            spacing = min(12.0, height * 0.6 / max(1, len(numbers) - 1))
            middle = y + height / 2
            for index, number in enumerate(numbers):
                ends[number] = middle + (index - (len(numbers) - 1) / 2) * spacing
    return leave, arrive


def _encoded(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())
