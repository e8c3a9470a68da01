"""A trace as a JSON document (`tracestation-admin trace --json`): for systems outside the plant.

Plain JSON types only (codes, numbers as strings, times in ISO 8601 with their offset), so what reads
it needs nothing of ours; the README documents the shape.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from models.trace import Trace, TraceNode


def trace_document(trace: Trace) -> dict[str, Any]:
    """A trace as plain JSON types: units by code, edges between codes (the README documents it)."""
    codes = {node.id: node.code for node in trace.nodes.values()}
    return {
        "direction": trace.direction.value,
        "roots": [node.code for node in trace.roots],
        "units": [_node_document(node) for node in trace.nodes.values()],
        "edges": [
            {
                "input": codes[edge.input_id],
                "output": codes[edge.output_id],
                "level": edge.level.value,
                "quantity": _number(edge.quantity),
                "event": None
                if edge.event is None
                else {
                    "type": edge.event.event_type,
                    "time": edge.event.occurred_at.isoformat(),
                    "work_order": edge.event.work_order_code,
                    "operation": edge.event.step_code,
                    "station": edge.event.station_code,
                    "operator": edge.event.operator_badge,
                    "operator_name": edge.event.operator_name,
                    "equipment": edge.event.equipment_code,
                },
            }
            for edge in trace.edges
        ],
        "inspections": [
            {
                "unit": codes[inspection.unit_id],
                "name": inspection.name,
                "value": _number(inspection.value),
                "lower_limit": _number(inspection.lower_limit),
                "upper_limit": _number(inspection.upper_limit),
                "passed": inspection.passed,
                "time": inspection.occurred_at.isoformat(),
                "operation": inspection.step_code,
                "station": inspection.station_code,
                "operator": inspection.operator_badge,
            }
            for inspection in trace.inspections
        ],
    }


def _node_document(node: TraceNode) -> dict[str, Any]:
    return {
        "code": node.code,
        "kind": node.kind,
        "status": node.status,
        "item": None
        if node.item_code is None
        else {"code": node.item_code, "name_zh": node.item_name_zh, "name_en": node.item_name_en},
        "quantity": _number(node.quantity),
        "uom": node.uom,
        "precision": node.precision.value if node.precision else None,
        "supplier": None
        if node.supplier_code is None
        else {"code": node.supplier_code, "name_zh": node.supplier_name_zh, "name_en": node.supplier_name_en},
        "supplier_lot": node.supplier_lot,
        "work_order": node.work_order_code,
        "container": node.container_code,
        "manufactured_on": node.manufactured_on.isoformat() if node.manufactured_on else None,
        "expires_on": node.expires_on.isoformat() if node.expires_on else None,
        "shipments": [
            {
                "code": shipment.code,
                "customer": shipment.customer_code,
                "customer_name_zh": shipment.customer_name_zh,
                "customer_name_en": shipment.customer_name_en,
                "shipped_at": shipment.shipped_at.isoformat() if shipment.shipped_at else None,
            }
            for shipment in node.shipments
        ],
    }


def _number(value: Decimal | None) -> str | None:
    """Quantities as decimal strings: JSON numbers would turn 0.1 into a float."""
    return None if value is None else str(value)
