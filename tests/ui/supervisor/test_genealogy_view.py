"""The genealogy picture: its layout alone (pure functions, big synthetic traces), and the widget on
real traces of plant state made by the real operations, on both backends, with its exports read
back by independent readers (Pillow for the PNG, ElementTree for the SVG).
"""

from __future__ import annotations

import io
import itertools
import xml.etree.ElementTree as ElementTree
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QWheelEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from demo.plant import METER
from models.trace import (
    Direction,
    EdgeLevel,
    Precision,
    ShipmentRef,
    Trace,
    TraceEdge,
    TraceNode,
    backward,
    forward,
)
from tests.models import flows
from tests.support import Plant
from ui.supervisor.genealogy_layout import (
    BOX_HEIGHT,
    BOX_WIDTH,
    HANDFUL,
    LIMIT,
    MAX_ROWS,
    Box,
    Picture,
    lay_out,
)
from ui.supervisor.genealogy_view import MAX_EXPORT_PIXELS, STATUS_COLOURS, GenealogyView, grouped

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def view(qtbot: QtBot) -> GenealogyView:
    widget = GenealogyView()
    qtbot.addWidget(widget)
    widget.resize(860, 640)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


# --- synthetic traces, built from the dataclasses -------------------------------------------------

_ids = itertools.count(1)


def unit(
    code: str,
    kind: str = "SERIAL",
    status: str = "RELEASED",
    item: str | None = "DDZY-102",
    precision: Precision | None = Precision.MAY_CONTAIN,
    container: str | None = None,
    shipments: tuple[ShipmentRef, ...] = (),
) -> TraceNode:
    return TraceNode(
        next(_ids), code, kind, status, item, item and f"{item} 中文", item and f"{item} name",
        Decimal(1 if kind == "SERIAL" else 100), "EA", None, None, None, None, None, container,
        None, None, precision, shipments,
    )  # fmt: skip


def big_forward(serials: int, per_carton: int = 20) -> Trace:
    """A supplier lot into a production lot into `serials` serials (every tenth on hold, one in ten
    packed, the rest shipped), packed `per_carton` to a carton and 40 cartons to a pallet."""
    shipment = ShipmentRef("SH-9", "CUS-EC", "华东客户", "East customer", None)
    start = unit("LOT-S", "LOT", "CONSUMED", "PCB-MAIN", precision=None)
    lot = unit("LOT-P", "LOT", "CONSUMED", METER)
    nodes = [start, lot]
    edges = [TraceEdge(start.id, lot.id, EdgeLevel.LOT, Decimal(1), None)]
    pallets = [
        unit(f"PAL{n:04}", "CONTAINER", "SHIPPED", None, shipments=(shipment,))
        for n in range(-(-serials // (per_carton * 40)))
    ]
    cartons = []
    for number in range(-(-serials // per_carton)):
        pallet = pallets[number // 40]
        carton = unit(f"CTN{number:06}", "CONTAINER", "SHIPPED", None, None, pallet.code, (shipment,))
        cartons.append(carton)
        edges.append(TraceEdge(carton.id, pallet.id, EdgeLevel.CONTAINER, None, None))
    for number in range(serials):
        carton = cartons[number // per_carton]
        status = "ON_HOLD" if number % 10 == 0 else "PACKED" if number % 10 == 1 else "SHIPPED"
        serial = unit(
            f"SN{number:07}", status=status, container=carton.code,
            shipments=(shipment,) if status == "SHIPPED" else (),
        )  # fmt: skip
        nodes.append(serial)
        edges.append(TraceEdge(lot.id, serial.id, EdgeLevel.LOT, Decimal(1), None))
        edges.append(TraceEdge(serial.id, carton.id, EdgeLevel.CONTAINER, None, None))
    nodes += cartons + pallets
    return Trace(Direction.FORWARD, (start.id,), {node.id: node for node in nodes}, tuple(edges))


def assert_no_overlap(picture: Picture) -> None:
    for one, other in itertools.combinations(picture.boxes, 2):
        apart = (
            one.x + one.width <= other.x
            or other.x + other.width <= one.x
            or one.y + one.height <= other.y
            or other.y + other.height <= one.y
        )
        assert apart, (one.code or one.first_code, other.code or other.first_code)


def assert_every_unit_counted_once(picture: Picture, *traces: Trace) -> None:
    assert picture.units == sum(len(trace.nodes) for trace in traces) - (len(traces) - 1)
    assert sum(box.count for box in picture.boxes) + picture.hidden == picture.units


# --- the layout alone -----------------------------------------------------------------------------


def test_a_big_forward_trace_is_summarised_by_parent_item_and_status() -> None:
    trace = big_forward(100_000)
    picture = lay_out(None, trace)

    assert picture.summarised and picture.hidden == 0
    assert len(picture.boxes) <= LIMIT
    assert_every_unit_counted_once(picture, trace)
    serials = {box.status: box for box in picture.boxes if box.kind == "SERIAL"}
    assert {status: box.count for status, box in serials.items()} == {
        "ON_HOLD": 10_000,
        "PACKED": 10_000,
        "SHIPPED": 80_000,
    }
    assert serials["ON_HOLD"].first_code == "SN0000000" and serials["ON_HOLD"].last_code == "SN0099990"
    assert all(box.grouped and box.item_code == METER and box.column == 2 for box in serials.values())
    (cartons,) = [box for box in picture.boxes if box.column == 3]
    (pallets,) = [box for box in picture.boxes if box.column == 4]
    assert (cartons.count, pallets.count) == (5_000, 125)
    # The shipment is said once, on the pallets: the cartons and serials left inside them.
    assert [ref.code for ref in pallets.shipments] == ["SH-9"]
    assert cartons.shipments == () and all(box.shipments == () for box in serials.values())
    # Arrows follow the material; lot-level ones are "may contain", containment is certain.
    by_pair = {(picture.boxes[a.source].column, picture.boxes[a.target].column): a for a in picture.arrows}
    assert by_pair[(0, 1)].precision is Precision.MAY_CONTAIN
    assert by_pair[(1, 2)].precision is Precision.MAY_CONTAIN
    assert by_pair[(2, 3)].precision is Precision.CONTAINS
    assert by_pair[(3, 4)].precision is Precision.CONTAINS and by_pair[(3, 4)].count == 5_000
    assert_no_overlap(picture)


def test_a_few_hundred_units_are_drawn_one_by_one_in_wrapped_columns() -> None:
    trace = big_forward(LIMIT - 40, per_carton=LIMIT)  # 260 serials, one carton, one pallet
    picture = lay_out(None, trace)

    assert not picture.summarised and len(picture.boxes) == len(trace.nodes) == picture.units
    assert {box.code for box in picture.boxes} == {node.code for node in trace.nodes.values()}
    serials = [box for box in picture.boxes if box.column == 2]
    assert len(serials) == LIMIT - 40
    # A column of 260 wraps into sub-columns of MAX_ROWS, so the picture stays on a screen or two.
    assert len({box.x for box in serials}) == -(-len(serials) // MAX_ROWS)
    assert picture.height < (MAX_ROWS + 1) * (BOX_HEIGHT + 20) + BOX_HEIGHT
    assert_no_overlap(picture)
    # Every trace edge is an arrow of its own; the carton and pallet sit right of every serial.
    assert len(picture.arrows) == len(trace.edges)
    carton = next(box for box in picture.boxes if box.code == "CTN000000")
    assert carton.x > max(box.x for box in serials) + BOX_WIDTH
    # The wrapped column is framed, and the arrows into and out of it are drawn as one line each.
    (frame,) = picture.frames
    assert frame.column == 2 and frame.count == len(serials)
    assert all(frame.x < box.x and box.x + box.width < frame.x + frame.width for box in serials)
    framed = len(picture.boxes)  # the frame's anchor number
    lot = next(box.number for box in picture.boxes if box.code == "LOT-P")
    routes = {(route.source, route.target): route for route in picture.routes}
    assert set(routes) == {
        (0, lot),
        (lot, framed),
        (framed, carton.number),
        (carton.number, carton.number + 1),
    }
    assert routes[(lot, framed)].precision is Precision.MAY_CONTAIN
    assert routes[(framed, carton.number)].precision is Precision.CONTAINS
    assert routes[(lot, framed)].count == routes[(framed, carton.number)].count == len(serials)
    assert sorted(n for route in picture.routes for n in route.arrows) == list(range(len(picture.arrows)))


def test_a_handful_of_siblings_stay_units_and_more_become_a_group() -> None:
    """Just over the limit: only the buckets bigger than a handful are grouped."""
    start = unit("WO-P", "LOT", "WIP", METER, precision=None)
    nodes = [start]
    edges = []
    for number in range(LIMIT + 20):  # one big bucket of released serials...
        nodes.append(unit(f"OK{number:04}"))
    for number in range(HANDFUL):  # ...and a handful that failed: drawn one by one
        nodes.append(unit(f"NG{number:04}", status="FAILED"))
    for node in nodes[1:]:
        edges.append(TraceEdge(start.id, node.id, EdgeLevel.LOT, Decimal(1), None))
    trace = Trace(Direction.FORWARD, (start.id,), {node.id: node for node in nodes}, tuple(edges))

    picture = lay_out(None, trace)

    assert picture.summarised
    failed = sorted(box.code for box in picture.boxes if box.status == "FAILED")
    assert failed == [f"NG{number:04}" for number in range(HANDFUL)]
    (released,) = [box for box in picture.boxes if box.status == "RELEASED"]
    assert released.count == LIMIT + 20 and released.first_code == "OK0000"
    assert_every_unit_counted_once(picture, trace)


def test_many_items_and_a_deep_chain_still_end_under_the_limit() -> None:
    """Buckets too small to group (each serial its own item) merge by kind; a chain too long to
    group is cut, and the picture counts what it left out."""
    start = unit("START", "LOT", "CONSUMED", "PCB-MAIN", precision=None)
    mixed = [unit(f"M{n:04}", item=f"ITEM-{n}") for n in range(LIMIT * 2)]
    nodes = [start, *mixed]
    edges = [TraceEdge(start.id, node.id, EdgeLevel.LOT, Decimal(1), None) for node in mixed]
    trace = Trace(Direction.FORWARD, (start.id,), {node.id: node for node in nodes}, tuple(edges))
    picture = lay_out(None, trace)
    assert picture.summarised and len(picture.boxes) == 2
    (group,) = [box for box in picture.boxes if box.grouped]
    assert group.count == LIMIT * 2 and group.mixed_items and group.status == "RELEASED"

    chain = [unit(f"C{n:05}", "LOT", "CONSUMED", "PCB-MAIN") for n in range(LIMIT * 3)]
    chain[0].precision = None
    pairs = itertools.pairwise(chain)
    links = [TraceEdge(near.id, far.id, EdgeLevel.UNIT, Decimal(1), None) for near, far in pairs]
    links.append(TraceEdge(chain[-1].id, chain[0].id, EdgeLevel.UNIT, Decimal(1), None))  # a cycle
    deep = Trace(Direction.FORWARD, (chain[0].id,), {node.id: node for node in chain}, tuple(links))
    picture = lay_out(None, deep)
    assert picture.summarised and len(picture.boxes) == LIMIT
    assert picture.hidden == LIMIT * 2
    assert [box.code for box in picture.boxes] == [node.code for node in chain[:LIMIT]]
    assert all(arrow.precision is Precision.CONTAINS for arrow in picture.arrows)
    assert_every_unit_counted_once(picture, deep)


def test_a_shipment_of_many_units_groups_its_starting_units_too(view: GenealogyView) -> None:
    """A shipment's trace starts from every unit on it: column 0 is summarised like any other."""
    serials = [unit(f"S{n:04}", status="SHIPPED", precision=None) for n in range(LIMIT + 100)]
    cartons = [
        unit(f"K{n:03}", "CONTAINER", "SHIPPED", None, Precision.CONTAINS) for n in range(len(serials) // 20)
    ]
    edges = [
        TraceEdge(serial.id, cartons[n // 20].id, EdgeLevel.CONTAINER, None, None)
        for n, serial in enumerate(serials)
    ]
    nodes = {node.id: node for node in serials + cartons}
    trace = Trace(Direction.FORWARD, tuple(serial.id for serial in serials), nodes, tuple(edges))

    view.show_traces(None, trace, "en_US")

    picture = view.picture
    assert picture is not None and picture.summarised
    (start,) = picture.roots
    assert start.grouped and start.count == len(serials) and start.precision is None
    (boxes,) = [box for box in picture.boxes if box.column == 1]
    assert boxes.count == len(cartons) and boxes.precision is Precision.CONTAINS
    assert [route.precision for route in picture.routes] == [Precision.CONTAINS]
    assert view.notes[0].text() == f"Genealogy of {len(serials)} units"
    assert view.notes[1].text() == f"Summarised: {len(nodes)} units in 2 groups"


# --- the widget on real traces --------------------------------------------------------------------


def shown(view: GenealogyView) -> dict[str, Box]:
    boxes = {item.box.code: item.box for item in view.box_items if item.box.code is not None}
    assert len(boxes) == len(view.box_items)  # one box per unit, no groups
    for item in view.box_items:
        assert item.lines[0] == item.box.code  # the code, in bold, first
    return boxes


def assert_arrows_are_the_edges(view: GenealogyView, *traces: Trace) -> None:
    """One arrow per edge, from the input's box to the output's, dashed exactly when lot-level."""
    boxes = {item.box.number: item.box.code for item in view.box_items}
    assert view.picture is not None and not view.picture.frames  # no column wrapped: one line per arrow
    drawn = sorted(
        (boxes[item.route.source], boxes[item.route.target], item.dashed) for item in view.arrow_items
    )
    assert all(len(item.route.arrows) == 1 for item in view.arrow_items)
    expected = sorted(
        (trace.nodes[edge.input_id].code, trace.nodes[edge.output_id].code, edge.level is EdgeLevel.LOT)
        for trace in traces
        for edge in trace.edges
    )
    assert drawn == expected


def test_a_meter_shows_its_materials_left_and_its_carton_right(plant: Plant, view: GenealogyView) -> None:
    batch = flows.build_meters(plant, 2)
    meter = batch.meters[0]
    box = flows.carton(plant, batch.meters)
    shipment = flows.ship(plant, [box], {METER: 2}, customer="CUS-GD")
    came_from, went_to = backward(plant.db, meter), forward(plant.db, meter)

    view.show_traces(came_from, went_to, "en_US")

    boxes = shown(view)
    assert set(boxes) == came_from.codes() | went_to.codes() | {meter}
    production_lot = f"{batch.work_order}-P"
    module_lot = f"{batch.module_work_order}-P"
    assert boxes[meter].column == 0
    assert boxes[production_lot].column == -1 and boxes[batch.modules[0]].column == -1
    assert {boxes[code].column for code in (batch.pcb_lot, batch.housing_lot, batch.battery_lot)} == {-2}
    assert boxes[module_lot].column == -2 and boxes[batch.chip_lot].column == -3
    assert boxes[box].column == 1
    assert_arrows_are_the_edges(view, came_from, went_to)
    # The module was assembled into this meter (certain); the lots were fed to its work order.
    arrows = {(view.picture.boxes[i.route.source].code, i.route.target): i for i in view.arrow_items}
    assert not arrows[(batch.modules[0], boxes[meter].number)].dashed
    assert arrows[(production_lot, boxes[meter].number)].dashed

    texts = {item.box.code: item.lines for item in view.box_items}
    assert texts[meter][1].startswith(f"{METER} Single-phase smart")  # elided to the box, in English
    assert texts[box][3] == f"shipped · {shipment} → CUS-GD"  # the carton says where it went
    assert texts[meter][3] == "shipped"  # ...and the meter in it does not say it again
    pcb = came_from.node(batch.pcb_lot)
    assert texts[batch.pcb_lot][2] == f"{pcb.quantity} {pcb.uom}"  # what is left of the lot
    assert texts[meter][2] == batch.work_order
    by_code = {item.box.code: item for item in view.box_items}
    assert by_code[box].pen().color() == QColor(STATUS_COLOURS["SHIPPED"][0])
    assert view.notes[0].text() == f"Genealogy of {meter}"
    assert not any(note.text().startswith("Summarised") for note in view.notes)

    view.set_language("zh_CN")  # item names follow the station's language; codes do not change
    chinese = {item.box.code: item.lines for item in view.box_items}
    assert chinese[meter][0] == meter and chinese[meter][1] != texts[meter][1]
    assert any("\u4e00" <= char <= "\u9fff" for char in chinese[meter][1])


def test_a_lot_shows_where_it_went_with_the_held_meter_in_amber(plant: Plant, view: GenealogyView) -> None:
    batch = flows.build_meters(plant, 3)
    m0, m1, m2 = batch.meters
    box = flows.carton(plant, [m0, m1])
    flows.hold(plant, m2)
    went_to = forward(plant.db, batch.pcb_lot)

    view.show_traces(None, went_to, "en_US")

    boxes = shown(view)
    assert set(boxes) == went_to.codes() | {batch.pcb_lot}
    assert {boxes[code].column for code in batch.meters} == {2} and boxes[box].column == 3
    assert_arrows_are_the_edges(view, went_to)
    by_code = {item.box.code: item for item in view.box_items}
    assert by_code[m2].lines[3] == "on hold"
    assert by_code[m2].pen().color() == QColor(STATUS_COLOURS["ON_HOLD"][0])
    assert by_code[m0].lines[3] == "packed"
    # Nothing crosses: the two packed meters sit next to each other, by the carton they are in.
    rows = sorted(batch.meters, key=lambda code: boxes[code].y)
    assert rows.index(m2) in (0, 2)
    assert_no_overlap(view.picture)


def test_a_big_trace_says_on_the_picture_that_it_is_summarised(view: GenealogyView) -> None:
    trace = big_forward(20_000)
    view.show_picture(lay_out(None, trace), "en_US")  # laid out off the GUI thread, as a caller may

    picture = view.picture
    assert picture is not None and picture.summarised and len(view.box_items) <= LIMIT
    assert sum(item.box.count for item in view.box_items) == len(trace.nodes)
    note = f"Summarised: {grouped(len(trace.nodes))} units in {len(view.box_items)} groups"
    assert note == "Summarised: 21 027 units in 7 groups"
    assert note in [item.text() for item in view.notes]
    held = next(item for item in view.box_items if item.box.status == "ON_HOLD")
    assert held.lines[0] == f"2 000 × {METER}"
    assert held.lines[2] == "SN0000000 … SN0019990"
    assert held.lines[3] == "on hold"
    # The lot-level arrows into the serial groups are dashed, containment solid.
    dashed = sorted(item.dashed for item in view.arrow_items)
    assert dashed == [False] * 4 + [True] * 4


def test_zoom_and_fit_from_the_keyboard_and_the_wheel(qtbot: QtBot, view: GenealogyView) -> None:
    view.show_traces(None, big_forward(20_000), "en_US")
    view.setFocus()
    assert view.focusPolicy() == Qt.FocusPolicy.StrongFocus
    first = view.zoom
    qtbot.keyClick(view, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert view.zoom == pytest.approx(first * 1.25)
    qtbot.keyClick(view, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(view, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert view.zoom == pytest.approx(first / 1.25)

    centre = QPointF(view.viewport().rect().center())
    wheel = QWheelEvent(
        centre, view.viewport().mapToGlobal(centre), QPoint(), QPoint(0, 240),
        Qt.MouseButton.NoButton, Qt.KeyboardModifier.ControlModifier, Qt.ScrollPhase.NoScrollPhase, False,
    )  # fmt: skip
    QApplication.sendEvent(view.viewport(), wheel)
    assert view.zoom == pytest.approx(first * 1.25)

    scrolled = view.horizontalScrollBar().value()  # zoomed in: the arrow keys pan
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert view.horizontalScrollBar().value() > scrolled

    qtbot.keyClick(view, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    scene = view.scene().sceneRect()
    assert visible.adjusted(-2, -2, 2, 2).contains(scene)  # the whole picture in the window
    assert visible.width() < scene.width() * 1.02 or visible.height() < scene.height() * 1.02  # filling it


def test_png_and_svg_exports_read_back(view: GenealogyView, tmp_path: Path) -> None:
    view.show_traces(None, big_forward(2_000), "en_US")
    scene = view.scene().sceneRect()
    png = view.export_png(tmp_path / "genealogy.png")
    with Image.open(png) as image:
        image.load()
        assert image.format == "PNG"
        assert image.size[0] == pytest.approx(scene.width() * 2, abs=2)
        assert image.size[1] == pytest.approx(scene.height() * 2, abs=2)
        # Not a blank page: the boxes' colours and the text's antialiasing are there.
        assert len(image.convert("RGB").getcolors(maxcolors=1 << 18) or ()) > 50

    trace = big_forward(LIMIT - 40, per_carton=LIMIT)  # 262 boxes, wrapped: a big picture
    view.show_traces(None, trace, "zh_CN")
    scene = view.scene().sceneRect()
    with Image.open(io.BytesIO(view.png_bytes(scale=1))) as small:
        assert small.size[0] == pytest.approx(scene.width(), abs=2)
    with Image.open(io.BytesIO(view.png_bytes())) as large:  # at scale 2 it would be too big: less
        width, height = large.size
        assert width * height <= MAX_EXPORT_PIXELS
        assert width / height == pytest.approx(scene.width() / scene.height(), rel=0.01)
        assert scene.width() < width < scene.width() * 2

    svg = view.export_svg(tmp_path / "genealogy.svg")
    root = ElementTree.parse(svg).getroot()
    assert root.tag == f"{SVG}svg"
    assert root.findtext(f"{SVG}title") == "Genealogy of LOT-S"
    assert "may contain" in (root.findtext(f"{SVG}desc") or "")
    texts = {"".join(element.itertext()).strip() for element in root.iter(f"{SVG}text")}
    codes = {item.box.code for item in view.box_items}
    assert len(codes) == len(trace.nodes)
    assert codes <= texts


def test_an_empty_view_says_what_to_do_and_survives_a_language_change(view: GenealogyView) -> None:
    assert [note.text() for note in view.notes] == ["Trace a code to see its genealogy."]
    trace = big_forward(40)
    view.show_traces(None, trace, "en_US")
    assert len(view.box_items) == len(trace.nodes) == 45
    QApplication.sendEvent(view, QEvent(QEvent.Type.LanguageChange))
    assert len(view.box_items) == 45 and view.notes[0].text() == "Genealogy of LOT-S"
    view.clear()
    assert view.box_items == [] and view.picture is None
    with Image.open(io.BytesIO(view.png_bytes())) as image:
        assert image.size[0] > 0
