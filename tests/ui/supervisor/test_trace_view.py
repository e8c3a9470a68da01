"""The supervisor's trace window on real widgets, fed by the real trace engine on both backends.

The test plays the composition root: it runs `backward`, `forward` and `history` itself and hands
their answers to the view, then reads the trees back through their models (expanding every row the
way a supervisor would, which is when the children are added) and compares them with the trace.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QEvent, QModelIndex, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from demo.history import seed
from models.history import History, history
from models.schema import LinkLevel
from models.trace import Direction, Trace, backward, forward
from tests.models.genealogy import Genealogy
from tests.support import Plant
from ui.supervisor.trace_model import Column, EdgeRole, NodeRole, TraceModel
from ui.supervisor.trace_view import EventIdRole, TraceView

WORDS = {"CONTAINS": "contains", "MAY_CONTAIN": "may contain"}


@pytest.fixture
def g(plant: Plant) -> Iterator[Genealogy]:
    genealogy = Genealogy(plant)
    yield genealogy
    genealogy.close()


@pytest.fixture
def view(qtbot: QtBot) -> TraceView:
    widget = TraceView(language="en_US")
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def built(g: Genealogy) -> Genealogy:
    """Two supplier lots into a production lot, two serials from it, a component in one of them,
    both serials in a carton, the carton shipped, a measurement on the first lot."""
    g.lot("A1", supplier="SUP-HQ", supplier_lot="HQ-77")
    g.lot("A2")
    g.lot("P", "DDZY-102")
    g.link("A1", "P")
    g.link("A2", "P")
    for name in ("S1", "S2"):
        g.serial(name)
        g.link("P", name)
    g.serial("C1", "COMM-4G")
    g.link("C1", "S1", LinkLevel.UNIT)
    g.container("K")
    g.pack("S1", "K")
    g.pack("S2", "K")
    g.ship(["K"])
    g.inspect("A1", "AOI", "3")
    return g.commit()


def expand_all(model: TraceModel, parent: QModelIndex = QModelIndex()) -> None:  # noqa: B008
    if model.canFetchMore(parent):
        model.fetchMore(parent)
    for number in range(model.rowCount(parent)):
        expand_all(model, model.index(number, 0, parent))


def text(model: TraceModel, index: QModelIndex, column: Column) -> str:
    return model.data(index.siblingAtColumn(column), Qt.ItemDataRole.DisplayRole)


def assert_tree_is_the_trace(model: TraceModel, trace: Trace) -> None:
    """Every row's children are exactly the units its edges lead to, with their precision shown;
    the starting units are the top rows; every unit the trace reached is somewhere in the tree."""
    expand_all(model)
    away = trace.next_edges()
    backward_trace = trace.direction is Direction.BACKWARD
    top = [model.data(model.index(n, 0), NodeRole).id for n in range(model.rowCount())]
    assert sorted(top) == sorted(trace.root_ids)
    seen: set[str] = set()

    def walk(parent: QModelIndex, path: set[int]) -> None:
        node = model.data(parent, NodeRole)
        seen.add(node.code)
        precision = text(model, parent, Column.PRECISION)
        assert precision == ("" if node.precision is None else WORDS[node.precision])
        children = [model.index(n, 0, parent) for n in range(model.rowCount(parent))]
        if node.id in path:  # a cycle: shown, not expanded again
            assert children == [] and not model.hasChildren(parent)
            return
        expected = sorted(
            (trace.nodes[edge.input_id if backward_trace else edge.output_id].code, edge.level.value)
            for edge in away.get(node.id, [])
        )
        got = sorted(
            (model.data(child, NodeRole).code, model.data(child, EdgeRole).level.value) for child in children
        )
        assert got == expected
        for child in children:
            walk(child, path | {node.id})

    for number in range(model.rowCount()):
        walk(model.index(number, 0), set())
    assert seen == {node.code for node in trace.nodes.values()}
    assert seen - {trace.nodes[root].code for root in trace.root_ids} == trace.codes()


def rows_by_code(model: TraceModel) -> dict[str, list[QModelIndex]]:
    found: dict[str, list[QModelIndex]] = {}

    def walk(parent: QModelIndex) -> None:
        for number in range(model.rowCount(parent)):
            index = model.index(number, 0, parent)
            found.setdefault(model.data(index, NodeRole).code, []).append(index)
            walk(index)

    walk(QModelIndex())
    return found


def assert_timeline_is_the_history(view: TraceView, timeline: History) -> None:
    table = view.timeline
    assert table.rowCount() == len(timeline.entries) > 0
    for number, entry in enumerate(timeline.entries):
        assert table.item(number, 0).data(EventIdRole) == entry.event_id
        assert table.item(number, 1).text() == view._words.events[entry.event_type]
        assert table.item(number, 4).text() == entry.station_code
        assert entry.operator_badge in table.item(number, 5).text()


def test_a_serial_shows_where_it_came_from_with_the_events(g: Genealogy, view: TraceView) -> None:
    built(g)
    code = g.code("S1")
    back = backward(g.plant.db, code)
    view.show_backward(back)
    model = view.backward_model
    assert_tree_is_the_trace(model, back)

    rows = rows_by_code(model)
    assert {g.code(name) for name in ("S1", "P", "A1", "A2", "C1")} == set(rows)
    (component,) = rows[g.code("C1")]
    assert text(model, component, Column.PRECISION) == "contains"
    assert text(model, component, Column.LINK) == "unit"
    (lot,) = rows[g.code("A1")]
    assert text(model, lot, Column.PRECISION) == "may contain"
    assert text(model, lot, Column.EVENT) == "consumed"
    assert text(model, lot, Column.STATION) == "PRD-01"
    edge = model.data(lot, EdgeRole)
    assert edge.event is not None and edge.event.operator_badge in text(model, lot, Column.OPERATOR)
    assert text(model, lot, Column.TIME)

    # The header card is the traced unit.
    assert view.card_values["code"].text() == code
    assert view.card_values["kind"].text() == "serial"
    assert "DDZY-102" in view.card_values["item"].text()
    assert view.card_values["container"].text() == g.code("K")


def test_a_lot_shows_where_it_went_down_to_the_customer(g: Genealogy, view: TraceView) -> None:
    built(g)
    fwd = forward(g.plant.db, g.code("A1"))
    view.show_forward(fwd)
    model = view.forward_model
    assert_tree_is_the_trace(model, fwd)

    rows = rows_by_code(model)
    assert set(rows) == {g.code(name) for name in ("A1", "P", "S1", "S2", "K")}
    cartons = rows[g.code("K")]
    assert len(cartons) == 2  # reached through each serial: a row under each of them
    for carton in cartons:
        assert text(model, carton, Column.PRECISION) == "may contain"
        assert text(model, carton, Column.LINK) == "in container"
        shipped = text(model, carton, Column.SHIPPED_TO)
        assert g.code("SH1") in shipped and "CUS-EC" in shipped
    assert all(view.forward_tree.isColumnHidden(column) for column in (Column.EVENT, Column.OPERATOR))
    assert (
        view.card_values["supplier"].text().startswith("SUP-HQ")
        and "HQ-77" in view.card_values["supplier"].text()
    )


def test_children_are_added_when_a_row_is_expanded(g: Genealogy, view: TraceView) -> None:
    built(g)
    view.show_forward(forward(g.plant.db, g.code("A1")))
    model, tree = view.forward_model, view.forward_tree
    root = model.index(0, 0)
    assert tree.isExpanded(root) and model.rowCount(root) == 1  # the starting unit opens at once
    production_lot = model.index(0, 0, root)
    assert model.data(production_lot, NodeRole).code == g.code("P")
    assert model.hasChildren(production_lot) and model.rowCount(production_lot) == 0  # not yet made
    tree.expand(production_lot)
    assert model.rowCount(production_lot) == 2
    assert {model.data(model.index(n, 0, production_lot), NodeRole).code for n in range(2)} == {
        g.code("S1"),
        g.code("S2"),
    }


def test_a_cycle_in_the_data_is_shown_once_per_path_and_not_expanded_again(
    g: Genealogy, view: TraceView
) -> None:
    g.lot("X")
    g.lot("Y")
    g.link("X", "Y")
    g.link("Y", "X")  # bad data: the operations never write this
    g.commit()
    fwd = forward(g.plant.db, g.code("X"))
    view.show_forward(fwd)
    assert_tree_is_the_trace(view.forward_model, fwd)
    rows = rows_by_code(view.forward_model)
    assert len(rows[g.code("X")]) == 2 and len(rows[g.code("Y")]) == 1


def test_the_timeline_lists_the_history_of_the_unit(g: Genealogy, view: TraceView) -> None:
    built(g)
    timeline = history(g.plant.db, g.code("A1"))
    view.show_history(timeline)
    assert_timeline_is_the_history(view, timeline)
    types = [view.timeline.item(n, 1).text() for n in range(view.timeline.rowCount())]
    assert types == [view._words.events[entry.event_type] for entry in timeline.entries]
    assert "inspected" in types  # the event's name in the operator's language, never "INSPECT"
    inspect_row = types.index("inspected")
    assert "AOI" in view.timeline.item(inspect_row, 9).text()


def test_the_demo_plant_serial_traced_both_ways(plant: Plant, view: TraceView) -> None:
    summary = seed(plant.db)
    code = summary.example_serial
    back, fwd, timeline = backward(plant.db, code), forward(plant.db, code), history(plant.db, code)
    view.set_busy(True)
    view.show_backward(back)
    view.show_forward(fwd)
    view.show_history(timeline)
    view.set_busy(False)
    assert_tree_is_the_trace(view.backward_model, back)
    assert_tree_is_the_trace(view.forward_model, fwd)
    assert_timeline_is_the_history(view, timeline)
    precisions = {
        text(view.backward_model, index, Column.PRECISION)
        for indexes in rows_by_code(view.backward_model).values()
        for index in indexes
    }
    assert {"contains", "may contain"} <= precisions
    assert view.card_values["code"].text() == code
    assert view.status.text() == ""
    # Every inspection result on the way back, one row each, with its verdict.
    table = view.inspections
    assert table.rowCount() == len(back.inspections) > 0
    shown = {(table.item(n, 0).text(), table.item(n, 1).text()) for n in range(table.rowCount())}
    assert shown == {(back.nodes[found.unit_id].code, found.name) for found in back.inspections}
    verdicts = {table.item(n, 4).text() for n in range(table.rowCount())}
    assert verdicts <= {"pass", "fail"} and verdicts


def test_a_scan_or_enter_asks_for_a_trace(view: TraceView, qtbot: QtBot) -> None:
    with qtbot.waitSignal(view.trace_requested, timeout=2_000) as asked:
        view.scanned(" SN-0042 \r\n")
    assert asked.args == ["SN-0042"]
    assert view.search.text() == "SN-0042"

    view.search.clear()
    qtbot.keyClicks(view.search, "LOT-7")
    with qtbot.waitSignal(view.trace_requested, timeout=2_000) as asked:
        qtbot.keyClick(view.search, Qt.Key.Key_Return)
    assert asked.args == ["LOT-7"]


def test_nothing_to_trace_busy_and_errors_are_said(view: TraceView, qtbot: QtBot) -> None:
    view.search.clear()
    with qtbot.assertNotEmitted(view.trace_requested):
        qtbot.keyClick(view.search, Qt.Key.Key_Return)
    assert view.status.text() == "Type or scan a code first."

    view.set_busy(True)
    assert view.status.text() == "Tracing…" and not view.trace_button.isEnabled()
    assert view.cancel_button.isVisible()
    with qtbot.waitSignal(view.cancel_requested, timeout=2_000):
        qtbot.keyClick(view.search, Qt.Key.Key_Escape)

    view.show_error("No unit has the code NOPE.")
    assert not view.busy and view.trace_button.isEnabled() and not view.cancel_button.isVisible()
    assert view.status.text() == "Not traced: No unit has the code NOPE."


def test_names_follow_the_language_and_a_language_change_rewrites_the_texts(
    g: Genealogy, view: TraceView
) -> None:
    built(g)
    view.show_backward(backward(g.plant.db, g.code("S1")))
    english = view.card_values["item"].text()
    view.set_language("zh_CN")
    chinese = view.card_values["item"].text()
    assert english != chinese and chinese.startswith("DDZY-102")
    assert text(view.backward_model, view.backward_model.index(0, 0), Column.ITEM) == chinese
    QApplication.sendEvent(view, QEvent(QEvent.Type.LanguageChange))  # what installing a catalogue sends
    assert view.backward_model.headerData(Column.PRECISION, Qt.Orientation.Horizontal) == "Precision"
    assert view.tabs.tabText(0) == "Where it came from (Ctrl+1)"
    assert view.backward_model.parent() is view  # still a QObject with its owner
