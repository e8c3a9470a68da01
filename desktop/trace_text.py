"""Traces and recall summaries as indented text, for `tracestation-admin trace` and `impact`.

A unit reached along two paths is drawn once in full and then as "(see above)", so a tree of a
lot that fed two thousand serials stays as long as the trace, not as long as its paths.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from models.impact import ImpactRow, ImpactSummary, Place
from models.trace import Direction, EdgeLevel, Precision, Trace, TraceEdge, TraceNode

PRECISION_WORDS = {Precision.CONTAINS: "contains", Precision.MAY_CONTAIN: "may contain"}


def describe(node: TraceNode, lang: str) -> str:
    """One unit on one line: what it is, where it is, where it went."""
    name = node.item_name_zh if lang == "zh" else node.item_name_en
    parts = [node.code, node.kind]
    if node.item_code:
        parts.append(f"{node.item_code} {name}")
    parts.append(f"{node.quantity} {node.uom}")
    parts.append(node.status)
    if node.supplier_code:
        supplier = node.supplier_name_zh if lang == "zh" else node.supplier_name_en
        parts.append(
            f"supplier {node.supplier_code} {supplier}"
            + (f" lot {node.supplier_lot}" if node.supplier_lot else "")
        )
    if node.container_code:
        parts.append(f"in {node.container_code}")
    for shipment in node.shipments:
        customer = shipment.customer_name_zh if lang == "zh" else shipment.customer_name_en
        parts.append(f"shipped {shipment.code} to {shipment.customer_code} {customer}")
    return "  ".join(parts)


def _edge_note(edge: TraceEdge, zone: ZoneInfo) -> str:
    if edge.event is None:
        return ""
    event = edge.event
    bits = [event.event_type, event.occurred_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")]
    bits += [value for value in (event.work_order_code, event.step_code, event.station_code) if value]
    bits.append(f"{event.operator_badge} {event.operator_name}")
    if event.equipment_code:
        bits.append(event.equipment_code)
    return "  [" + " ".join(bits) + "]"


def render_trace(trace: Trace, lang: str = "en", zone: ZoneInfo | None = None) -> list[str]:
    """The trace as a tree from its starting units, edges drawn in the trace's direction; event
    times in `zone` (the plant's), since the people reading it think in their wall clock."""
    zone = zone or ZoneInfo("UTC")
    away = trace.next_edges()
    backward = trace.direction is Direction.BACKWARD
    lines: list[str] = []
    shown: set[int] = set()
    stack: list[tuple[TraceEdge, str, bool]] = []

    def push(node_id: int, indent: str) -> None:
        children = away.get(node_id, [])
        for index in reversed(range(len(children))):  # popped first to last
            stack.append((children[index], indent, index == len(children) - 1))

    for root in trace.roots:
        lines.append(describe(root, lang))
        shown.add(root.id)
        push(root.id, "")
        while stack:
            edge, indent, last = stack.pop()
            far = trace.nodes[edge.input_id if backward else edge.output_id]
            branch = "└─ " if last else "├─ "
            level = "box" if edge.level is EdgeLevel.CONTAINER else edge.level.value.lower()
            if far.id in shown:
                lines.append(f"{indent}{branch}({level}) {far.code} (see above)")
                continue
            shown.add(far.id)
            precision = PRECISION_WORDS[far.precision] if far.precision else "start"
            lines.append(
                f"{indent}{branch}({level}, {precision}) {describe(far, lang)}{_edge_note(edge, zone)}"
            )
            push(far.id, indent + ("   " if last else "│  "))
    if trace.inspections:
        lines.append("inspections:")
        for inspection in trace.inspections:
            low = "" if inspection.lower_limit is None else inspection.lower_limit
            high = "" if inspection.upper_limit is None else inspection.upper_limit
            value = "-" if inspection.value is None else inspection.value
            lines.append(
                f"  {trace.nodes[inspection.unit_id].code}  {inspection.step_code or 'incoming'}  "
                f"{inspection.name} = {value} [{low}..{high}]  {'pass' if inspection.passed else 'FAIL'}  "
                f"{inspection.station_code} {inspection.operator_badge}"
            )
    return lines


def render_summary(summary: ImpactSummary, lang: str = "en") -> list[str]:
    """The counts a recall decision starts from: how many, where, which customers."""
    lines = [
        f"starting units: {summary.seeds}   affected units: {summary.units}   "
        f"cartons/pallets: {summary.containers}   shipments: {summary.shipments}   "
        f"customers: {summary.customers}"
    ]
    lines.append(
        "by place:  "
        + ", ".join(f"{place.value} {count}" for place, count in sorted(summary.by_place.items()))
    )
    lines.append(
        "by status: " + ", ".join(f"{status} {count}" for status, count in sorted(summary.by_status.items()))
    )
    for customer in summary.by_customer:
        name = customer.name_zh if lang == "zh" else customer.name_en
        lines.append(f"  {customer.code} {name}: {customer.units} units in {customer.shipments} shipments")
    return lines


def render_row(row: ImpactRow) -> str:
    """One unit of the list, tab-separated so it pastes into a spreadsheet."""
    precision = PRECISION_WORDS[row.precision] if row.precision else "start"
    where = row.customer_code if row.place is Place.SHIPPED else (row.pallet_code or row.container_code or "")
    return "\t".join(
        str(value)
        for value in (
            row.code,
            row.kind,
            row.item_code or "",
            row.status,
            row.place.value,
            f"{row.quantity} {row.uom}",
            precision,
            where or "",
            row.shipment_code or "",
        )
    )
