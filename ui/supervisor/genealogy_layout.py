"""Where the genealogy picture puts its boxes and arrows: pure functions over the trace dataclasses.

Kept apart from the widget (ui/supervisor/genealogy_view.py) and free of Qt, so the maths can be tested alone
and on traces far bigger than anyone would draw. A trace of a supplier lot can reach a hundred
thousand units; a picture stays readable up to a few hundred boxes. So the work is done in this
order, each step linear in the units and edges (plus one sort per column):

1. **Layers.** The starting units are column 0; what they came from is in the columns to the left,
   one per step back (-1, -2, ...), what was made from them to the right (1, 2, ...). A unit's
   column is its shortest distance from the start (a breadth-first walk), which needs no acyclic
   graph: a cycle that bad data put in the tables ends the walk like any other visited unit. The
   unit that first reached it is its parent.
2. **Summary.** Over `LIMIT` units, the units of a column that share a parent, a kind, an item and a
   status become one "N × item (status)" box when there are more than `HANDFUL` of them, then when
   there are two; still over, the parent stops counting, then the item and status too; still over
   (a chain thousands of steps long), the columns furthest from the start are left out and counted.
   Grouping goes outward from the start, so a box's parent is already a box.
3. **Order.** Within a column, boxes sit at the barycentre of their neighbours in the column nearer
   the start (outward, inward, outward again), which keeps a parent's children together and
   crossings few; ties go by kind, item, status and code, so the picture is the same every time.
4. **Place.** Each box wants the height of its neighbours nearer the start; boxes are packed in
   order at least a row apart and the column is shifted onto their wishes. A column of more than
   `MAX_ROWS` boxes wraps into several sub-columns, so a few hundred siblings stay on one screen,
   in a frame: the arrows into and out of it go to the frame, bundled (`Route`).

Arrows always point the way the material went (input to output, left to right). An arrow between
two boxes stands for every edge between their units: it is certain (CONTAINS, drawn solid) when
one of them is a unit-level link or containment, and lot-level (MAY_CONTAIN, dashed) otherwise.
Coordinates are scene pixels: the widget draws them as they are.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from models.trace import EdgeLevel, Precision, ShipmentRef, Trace, TraceNode

LIMIT = 300  # boxes a picture may hold before it is summarised
HANDFUL = 5  # siblings drawn one by one in the first summary pass
MAX_ROWS = 20  # boxes in one sub-column before a column wraps

BOX_WIDTH = 290.0
BOX_HEIGHT = 92.0
ROW_GAP = 16.0
LAYER_GAP = 110.0  # room for the arrows between two columns
WRAP_GAP = 30.0  # between the sub-columns of a wrapped column
FRAME_MARGIN = 12.0  # between a wrapped column's boxes and its frame

Key = tuple[int, int]  # (side, unit id): -1 came from, +1 went to, 0 a starting unit


@dataclass(frozen=True, slots=True)
class Box:
    """One unit, or a group of units of one column summarised together."""

    number: int  # its index in Picture.boxes
    column: int
    x: float
    y: float
    count: int  # the units it stands for
    code: str | None  # the unit's code; None for a group
    first_code: str  # for a group: its lowest and highest code
    last_code: str
    kind: str  # LOT, SERIAL, CONTAINER
    item_code: str | None  # None when there is none, or when a group mixes items
    item_name_zh: str | None
    item_name_en: str | None
    status: str | None  # None when a group mixes statuses
    precision: Precision | None  # None for a starting unit; MAY_CONTAIN if any unit of a group is
    quantity: str  # "100 KG" for a single lot, "" otherwise
    work_order_code: str | None
    shipments: tuple[ShipmentRef, ...]  # the shipments its units left on, where their container did not
    width: float = BOX_WIDTH
    height: float = BOX_HEIGHT

    @property
    def grouped(self) -> bool:
        return self.code is None

    @property
    def mixed_items(self) -> bool:
        return self.grouped and self.item_code is None and self.kind != "CONTAINER"


@dataclass(frozen=True, slots=True)
class Arrow:
    """Material went from the source box into the target box."""

    source: int  # box number of the input
    target: int  # box number of the output
    precision: Precision  # CONTAINS: drawn solid; MAY_CONTAIN: dashed
    count: int  # the trace edges it stands for


@dataclass(frozen=True, slots=True)
class Frame:
    """The outline around a wrapped column: arrows into and out of it are drawn to the frame."""

    column: int
    x: float
    y: float
    width: float
    height: float
    count: int  # the boxes in it


@dataclass(frozen=True, slots=True)
class Route:
    """One line to draw. Its ends are anchors: a box number, or len(boxes) + a frame number.

    Outside wrapped columns a route is one arrow; the arrows into (or out of) a wrapped column with
    the same other end and precision are bundled into one route to its frame: two hundred arrows
    fanning into a grid of boxes would hide the boxes they point at.
    """

    source: int
    target: int
    precision: Precision
    count: int  # the trace edges it stands for
    arrows: tuple[int, ...]  # numbers in Picture.arrows


@dataclass(frozen=True)
class Picture:
    boxes: tuple[Box, ...]
    arrows: tuple[Arrow, ...]
    units: int  # every unit of the traces (a unit on both sides counts twice)
    hidden: int  # units in columns left out: too far from the start to fit under the limit
    summarised: bool
    left: float
    top: float
    right: float
    bottom: float
    frames: tuple[Frame, ...] = ()
    routes: tuple[Route, ...] = ()

    def anchor(self, number: int) -> tuple[float, float, float, float]:
        """x, y, width and height of a route's end."""
        if number < len(self.boxes):
            box = self.boxes[number]
            return box.x, box.y, box.width, box.height
        frame = self.frames[number - len(self.boxes)]
        return frame.x, frame.y, frame.width, frame.height

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def roots(self) -> list[Box]:
        return [box for box in self.boxes if box.column == 0]

    @property
    def groups(self) -> int:
        return sum(1 for box in self.boxes if box.grouped)


EMPTY = Picture((), (), 0, 0, False, 0.0, 0.0, 0.0, 0.0)


# --- 1. layers ------------------------------------------------------------------------------------


@dataclass
class Graph:
    """The units of both traces by column, each with the unit that first reached it."""

    nodes: dict[Key, TraceNode]
    column: dict[Key, int]
    parent: dict[Key, Key | None]
    columns: dict[int, list[Key]]
    edges: list[tuple[Key, Key, EdgeLevel]]  # input, output


def graph(backward: Trace | None, forward: Trace | None) -> Graph:
    nodes: dict[Key, TraceNode] = {}
    column: dict[Key, int] = {}
    parent: dict[Key, Key | None] = {}
    columns: dict[int, list[Key]] = {}
    edges: list[tuple[Key, Key, EdgeLevel]] = []

    starts: dict[int, TraceNode] = {}
    for trace in (backward, forward):
        if trace is not None:
            for root_id in trace.root_ids:
                starts[root_id] = trace.nodes[root_id]
    for root_id in sorted(starts, key=lambda unit_id: starts[unit_id].code):
        key = (0, root_id)
        nodes[key], column[key], parent[key] = starts[root_id], 0, None
        columns.setdefault(0, []).append(key)

    for trace, side in ((backward, -1), (forward, 1)):
        if trace is None:
            continue
        trace_nodes = trace.nodes
        key_of: dict[int, Key] = {unit_id: (side, unit_id) for unit_id in trace_nodes}
        for root_id in trace.root_ids:
            key_of[root_id] = (0, root_id)
        # One pass over the edges: the arrows, and the walk's next steps away from the start.
        away: dict[Key, list[Key]] = {}
        backward_trace = side < 0
        for edge in trace.edges:
            source, target = key_of[edge.input_id], key_of[edge.output_id]
            edges.append((source, target, edge.level))
            near, far = (target, source) if backward_trace else (source, target)
            steps = away.get(near)
            if steps is None:
                away[near] = [far]
            else:
                steps.append(far)
        frontier = sorted(((0, root_id) for root_id in trace.root_ids), key=lambda key: nodes[key].code)
        depth = 0
        while frontier:
            depth += 1
            found: list[Key] = []
            for near in frontier:
                for far in away.get(near, ()):
                    if far not in column:
                        nodes[far] = trace_nodes[far[1]]
                        column[far], parent[far] = side * depth, near
                        found.append(far)
            # Sorted, so which unit is whose parent does not depend on the order rows came in.
            found.sort(key=lambda key: nodes[key].code)
            if found:
                columns[side * depth] = found
            frontier = found
        for unit_id, key in key_of.items():  # reached by no edge the trace kept: next to the start
            if key not in column:
                nodes[key], column[key], parent[key] = trace_nodes[unit_id], side, None
                columns.setdefault(side, []).append(key)
    return Graph(nodes, column, parent, columns, edges)


def outward(columns: Iterable[int]) -> list[int]:
    """Columns from the start outward: 0, -1, 1, -2, 2, ..."""
    return sorted(columns, key=lambda number: (abs(number), number))


# --- 2. summary -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mode:
    """How hard a summary pass groups: units in buckets bigger than `threshold` become one box."""

    threshold: int | None  # None: every unit is its own box
    by_parent: bool = True
    by_item: bool = True  # item and status; without it, kind alone


MODES = (
    Mode(None),
    Mode(HANDFUL),
    Mode(1),
    Mode(1, by_parent=False),
    Mode(1, by_parent=False, by_item=False),
)


@dataclass
class Grouping:
    box_of: dict[Key, int]
    members: list[list[Key]]
    columns: list[int]  # per box
    hidden: int = 0


def group(graph: Graph, mode: Mode) -> Grouping:
    box_of: dict[Key, int] = {}
    members: list[list[Key]] = []
    box_columns: list[int] = []
    nodes, parent = graph.nodes, graph.parent
    for number in outward(graph.columns):
        keys = graph.columns[number]
        if mode.threshold is None:
            for key in keys:
                box_of[key] = len(members)
                members.append([key])
                box_columns.append(number)
            continue
        buckets: dict[tuple[object, ...], list[Key]] = {}
        for key in keys:
            node = nodes[key]
            above = parent[key] if mode.by_parent else None
            parent_box = -1 if above is None else box_of.get(above, -1)
            bucket = (parent_box, node.kind, node.item_code, node.status) if mode.by_item else (node.kind,)
            found = buckets.get(bucket)
            if found is None:
                buckets[bucket] = [key]
            else:
                found.append(key)
        for bucket_keys in buckets.values():
            if len(bucket_keys) > mode.threshold:
                for key in bucket_keys:
                    box_of[key] = len(members)
                members.append(bucket_keys)
                box_columns.append(number)
            else:
                for key in bucket_keys:
                    box_of[key] = len(members)
                    members.append([key])
                    box_columns.append(number)
    return Grouping(box_of, members, box_columns)


def summarise(graph: Graph, limit: int = LIMIT) -> tuple[Grouping, bool]:
    """The first grouping under the limit, and whether any grouping was needed."""
    if len(graph.nodes) <= limit:
        return group(graph, MODES[0]), False
    grouping = group(graph, MODES[1])
    for mode in MODES[2:]:
        if len(grouping.members) <= limit:
            return grouping, True
        grouping = group(graph, mode)
    if len(grouping.members) <= limit:
        return grouping, True
    return _cut(graph, grouping, limit), True


def _cut(graph: Graph, grouping: Grouping, limit: int) -> Grouping:
    """Only the columns nearest the start, as many as fit under the limit; the rest counted."""
    per_column: dict[int, list[int]] = {}
    for number, column in enumerate(grouping.columns):
        per_column.setdefault(column, []).append(number)
    kept: set[int] = set()
    total = 0
    for column in outward(per_column):
        if column != 0 and total + len(per_column[column]) > limit:
            break
        kept.add(column)
        total += len(per_column[column])
    renumber: dict[int, int] = {}
    members: list[list[Key]] = []
    columns: list[int] = []
    for number, column in enumerate(grouping.columns):
        if column in kept:
            renumber[number] = len(members)
            members.append(grouping.members[number])
            columns.append(column)
    box_of = {key: renumber[box] for key, box in grouping.box_of.items() if box in renumber}
    hidden = len(graph.nodes) - len(box_of)
    return Grouping(box_of, members, columns, hidden)


# --- 3 and 4. order and place ---------------------------------------------------------------------


def lay_out(backward: Trace | None, forward: Trace | None, *, limit: int = LIMIT) -> Picture:
    """The picture of a unit's traces: what it came from on the left, where it went on the right."""
    if backward is None and forward is None:
        return EMPTY
    units = graph(backward, forward)
    grouping, summarised = summarise(units, limit)
    arrows = _arrows(units, grouping)
    neighbours: list[list[int]] = [[] for _ in grouping.members]
    for arrow in arrows:
        neighbours[arrow.source].append(arrow.target)
        neighbours[arrow.target].append(arrow.source)
    layers = _order(units, grouping, neighbours)
    positions = _place(layers, grouping.columns, neighbours)
    own = _own_shipments(units)
    boxes = []
    renumber: dict[int, int] = {}
    for column in sorted(layers):
        for box_number in layers[column]:
            renumber[box_number] = len(boxes)
            x, y = positions[box_number]
            boxes.append(_box(len(boxes), column, x, y, units, grouping.members[box_number], own))
    arrows = [
        Arrow(renumber[arrow.source], renumber[arrow.target], arrow.precision, arrow.count)
        for arrow in arrows
    ]
    frames = _frames(boxes)
    routes = _routes(boxes, arrows, frames)
    left = min([box.x for box in boxes] + [frame.x for frame in frames])
    top = min([box.y for box in boxes] + [frame.y for frame in frames])
    right = max([box.x + box.width for box in boxes] + [frame.x + frame.width for frame in frames])
    bottom = max([box.y + box.height for box in boxes] + [frame.y + frame.height for frame in frames])
    return Picture(
        tuple(boxes), tuple(arrows), len(units.nodes), grouping.hidden, summarised, left, top, right, bottom,
        tuple(frames), tuple(routes),
    )  # fmt: skip


def _frames(boxes: list[Box]) -> list[Frame]:
    by_column: dict[int, list[Box]] = {}
    for box in boxes:
        by_column.setdefault(box.column, []).append(box)
    frames = []
    for column, members in sorted(by_column.items()):
        if len(members) <= MAX_ROWS:
            continue
        left = min(box.x for box in members) - FRAME_MARGIN
        top = min(box.y for box in members) - FRAME_MARGIN
        right = max(box.x + box.width for box in members) + FRAME_MARGIN
        bottom = max(box.y + box.height for box in members) + FRAME_MARGIN
        frames.append(Frame(column, left, top, right - left, bottom - top, len(members)))
    return frames


def _routes(boxes: list[Box], arrows: list[Arrow], frames: list[Frame]) -> list[Route]:
    framed = {frame.column: len(boxes) + number for number, frame in enumerate(frames)}
    bundles: dict[tuple[int, int, Precision], tuple[list[int], list[int]]] = {}
    for number, arrow in enumerate(arrows):
        source = framed.get(boxes[arrow.source].column, arrow.source)
        target = framed.get(boxes[arrow.target].column, arrow.target)
        if source == target:  # within one wrapped column (a cycle in bad data): nothing to draw
            continue
        found = bundles.setdefault((source, target, arrow.precision), ([], [0]))
        found[0].append(number)
        found[1][0] += arrow.count
    return [
        Route(source, target, precision, count, tuple(numbers))
        for (source, target, precision), (numbers, [count]) in bundles.items()
    ]


def _arrows(units: Graph, grouping: Grouping) -> list[Arrow]:
    box_of = grouping.box_of
    found: dict[tuple[int, int], list[int]] = {}  # (source, target) -> [edges, certain edges]
    for source_key, target_key, level in units.edges:
        source, target = box_of.get(source_key), box_of.get(target_key)
        if source is None or target is None or source == target:
            continue
        counts = found.get((source, target))
        if counts is None:
            counts = found[(source, target)] = [0, 0]
        counts[0] += 1
        if level is not EdgeLevel.LOT:
            counts[1] += 1
    return [
        Arrow(source, target, Precision.CONTAINS if certain else Precision.MAY_CONTAIN, count)
        for (source, target), (count, certain) in found.items()
    ]


def _order(units: Graph, grouping: Grouping, neighbours: list[list[int]]) -> dict[int, list[int]]:
    """Box numbers by column, each column in barycentre order."""
    columns = grouping.columns
    tie: list[tuple[str, str, str, str]] = []
    for members in grouping.members:
        node = units.nodes[members[0]]
        first = min(units.nodes[key].code for key in members) if len(members) > 1 else node.code
        tie.append((node.kind, node.item_code or "", node.status, first))
    layers: dict[int, list[int]] = {}
    for number, column in enumerate(columns):
        layers.setdefault(column, []).append(number)
    layers[0] = sorted(layers.get(0, []), key=lambda number: tie[number])
    position: dict[int, float] = {}

    def remember(layer: list[int]) -> None:
        for index, number in enumerate(layer):
            position[number] = float(index)

    def sort_by(column: int, towards: int) -> None:
        def key(number: int) -> tuple[float, tuple[str, str, str, str]]:
            near = [position[other] for other in neighbours[number] if columns[other] == towards]
            # A box with no neighbour there keeps its place (or goes last, the first time round).
            return (sum(near) / len(near) if near else position.get(number, math.inf), tie[number])

        layers[column].sort(key=key)
        remember(layers[column])

    remember(layers[0])
    order = outward(layers)
    for column in order[1:]:
        sort_by(column, column - (1 if column > 0 else -1))
    for column in reversed(order[1:]):
        further = column + (1 if column > 0 else -1)
        if further in layers:
            sort_by(column, further)
    for column in order[1:]:
        sort_by(column, column - (1 if column > 0 else -1))
    return layers


def _place(
    layers: dict[int, list[int]], columns: list[int], neighbours: list[list[int]]
) -> dict[int, tuple[float, float]]:
    pitch = BOX_HEIGHT + ROW_GAP
    x_of: dict[int, float] = {}
    x = 0.0
    for column in sorted(layers):
        x_of[column] = x
        wraps = math.ceil(len(layers[column]) / MAX_ROWS)
        x += wraps * BOX_WIDTH + (wraps - 1) * WRAP_GAP + LAYER_GAP
    shift = x_of.get(0, 0.0)
    centre: dict[int, float] = {}  # box number -> the height of its middle
    placed: dict[int, tuple[float, float]] = {}
    for column in outward(layers):
        layer = layers[column]
        left = x_of[column] - shift
        if len(layer) > MAX_ROWS or column == 0:
            rows = min(len(layer), MAX_ROWS)
            top = -(rows * pitch - ROW_GAP) / 2
            for index, number in enumerate(layer):
                wrap, row = divmod(index, MAX_ROWS)
                y = top + row * pitch
                placed[number] = (left + wrap * (BOX_WIDTH + WRAP_GAP), y)
                centre[number] = y + BOX_HEIGHT / 2
            continue
        towards = column - (1 if column > 0 else -1)
        wishes: list[float] = []
        heights: list[float] = []
        for number in layer:
            near = [centre[other] for other in neighbours[number] if columns[other] == towards]
            wish = sum(near) / len(near) if near else (heights[-1] + pitch if heights else 0.0)
            wishes.append(wish)
            heights.append(wish if not heights else max(wish, heights[-1] + pitch))
        offset = sum(height - wish for height, wish in zip(heights, wishes, strict=True)) / len(heights)
        for number, height in zip(layer, heights, strict=True):
            middle = height - offset
            centre[number] = middle
            placed[number] = (left, middle - BOX_HEIGHT / 2)
    return placed


# --- the boxes' contents --------------------------------------------------------------------------


def _own_shipments(units: Graph) -> dict[str, tuple[ShipmentRef, ...]]:
    """Per unit code, the shipments it left on that its container (in the picture) did not.

    A shipment lists every unit that left, containers exploded: said on the pallet, not again on
    each carton and serial inside it.
    """
    shipped: dict[str, set[str]] = {}
    for node in units.nodes.values():
        if node.shipments:
            shipped.setdefault(node.code, set()).update(ref.code for ref in node.shipments)
    own: dict[str, tuple[ShipmentRef, ...]] = {}
    for node in units.nodes.values():
        if not node.shipments:
            continue
        outer = shipped.get(node.container_code or "", set())
        refs = tuple(ref for ref in node.shipments if ref.code not in outer)
        if refs:
            own[node.code] = refs
    return own


def _box(
    number: int,
    column: int,
    x: float,
    y: float,
    units: Graph,
    members: list[Key],
    own: dict[str, tuple[ShipmentRef, ...]],
) -> Box:
    nodes = [units.nodes[key] for key in members]
    node = nodes[0]
    if len(nodes) == 1:
        quantity = f"{node.quantity} {node.uom}" if node.kind == "LOT" else ""
        return Box(
            number, column, x, y, 1, node.code, node.code, node.code, node.kind, node.item_code,
            node.item_name_zh, node.item_name_en, node.status, node.precision, quantity,
            node.work_order_code, own.get(node.code, ()),
        )  # fmt: skip
    codes = [each.code for each in nodes]
    same_item = all(each.item_code == node.item_code for each in nodes)
    same_status = all(each.status == node.status for each in nodes)
    precisions = {each.precision for each in nodes}
    precision = (
        Precision.MAY_CONTAIN
        if Precision.MAY_CONTAIN in precisions
        else Precision.CONTAINS
        if Precision.CONTAINS in precisions
        else None
    )
    orders = {each.work_order_code for each in nodes}
    shipments: dict[str, ShipmentRef] = {}
    for each in nodes:
        for ref in own.get(each.code, ()):
            shipments.setdefault(ref.code, ref)
    return Box(
        number, column, x, y, len(nodes), None, min(codes), max(codes), node.kind,
        node.item_code if same_item else None,
        node.item_name_zh if same_item else None,
        node.item_name_en if same_item else None,
        node.status if same_status else None,
        precision, "",
        node.work_order_code if len(orders) == 1 else None,
        tuple(shipments[code] for code in sorted(shipments)),
    )  # fmt: skip
