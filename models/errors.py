"""Domain errors: a refused operator action, with a stable code the UI translates.

The code is the contract with the screens (they map it to a message in the operator's language) and
with the tests; the parameters fill that message. Never change the meaning of an existing code.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    # Who and where
    UNKNOWN_USER = "UNKNOWN_USER"
    USER_INACTIVE = "USER_INACTIVE"
    USER_LOCKED = "USER_LOCKED"
    WRONG_PIN = "WRONG_PIN"
    ROLE_REQUIRED = "ROLE_REQUIRED"
    UNKNOWN_STATION = "UNKNOWN_STATION"
    ACTION_ID_REUSED = "ACTION_ID_REUSED"
    BAD_ACTION_ID = "BAD_ACTION_ID"
    SCHEMA_NOT_AT_HEAD = "SCHEMA_NOT_AT_HEAD"

    # Input
    BAD_QUANTITY = "BAD_QUANTITY"
    BAD_DATE = "BAD_DATE"
    REASON_REQUIRED = "REASON_REQUIRED"
    BAD_INPUT = "BAD_INPUT"

    # Scans and identifiers
    UNKNOWN_CODE = "UNKNOWN_CODE"
    AMBIGUOUS_CODE = "AMBIGUOUS_CODE"
    BAD_CHECK_DIGIT = "BAD_CHECK_DIGIT"
    BAD_GS1 = "BAD_GS1"
    BAD_GTIN = "BAD_GTIN"
    EMPTY_SCAN = "EMPTY_SCAN"
    NOTHING_TO_TRACE = "NOTHING_TO_TRACE"  # an item, an open shipment, a work order with no lot yet

    # Master data
    UNKNOWN_ITEM = "UNKNOWN_ITEM"
    UNKNOWN_SUPPLIER = "UNKNOWN_SUPPLIER"
    UNKNOWN_CUSTOMER = "UNKNOWN_CUSTOMER"
    UNKNOWN_EQUIPMENT = "UNKNOWN_EQUIPMENT"
    UNKNOWN_STEP = "UNKNOWN_STEP"
    UNKNOWN_CHARACTERISTIC = "UNKNOWN_CHARACTERISTIC"
    ITEM_NOT_LOT_TRACKED = "ITEM_NOT_LOT_TRACKED"
    ITEM_NOT_SERIALIZED = "ITEM_NOT_SERIALIZED"
    NO_NUMBERING_RULE = "NO_NUMBERING_RULE"
    BAD_NUMBERING_RULE = "BAD_NUMBERING_RULE"
    COUNTER_EXHAUSTED = "COUNTER_EXHAUSTED"
    NO_PACKING_SPEC = "NO_PACKING_SPEC"

    # Lots
    LOT_NOT_RELEASED = "LOT_NOT_RELEASED"
    LOT_ON_HOLD = "LOT_ON_HOLD"
    LOT_EXPIRED = "LOT_EXPIRED"
    LOT_INSUFFICIENT_QUANTITY = "LOT_INSUFFICIENT_QUANTITY"
    LOT_NOT_IN_QUARANTINE = "LOT_NOT_IN_QUARANTINE"
    INSPECTION_FAILED = "INSPECTION_FAILED"
    NOT_A_LOT = "NOT_A_LOT"
    SAME_LABEL_RECEIVED = "SAME_LABEL_RECEIVED"  # a supplier label received today already: a rescan?

    # Work orders
    UNKNOWN_WORK_ORDER = "UNKNOWN_WORK_ORDER"
    WORK_ORDER_NOT_RELEASED = "WORK_ORDER_NOT_RELEASED"
    WORK_ORDER_COMPLETE = "WORK_ORDER_COMPLETE"
    ITEM_NOT_IN_BOM = "ITEM_NOT_IN_BOM"
    SERIAL_COUNT_EXCEEDED = "SERIAL_COUNT_EXCEEDED"
    WORK_ORDER_EXISTS = "WORK_ORDER_EXISTS"
    COMPONENT_COUNT_EXCEEDED = "COMPONENT_COUNT_EXCEEDED"
    COMPONENTS_MISSING = "COMPONENTS_MISSING"
    QUANTITY_EXCEEDS_ORDER = "QUANTITY_EXCEEDS_ORDER"

    # Serials
    NOT_A_SERIAL = "NOT_A_SERIAL"
    SERIAL_ALREADY_USED = "SERIAL_ALREADY_USED"
    SERIAL_NOT_OF_WORK_ORDER = "SERIAL_NOT_OF_WORK_ORDER"
    SERIAL_FAILED = "SERIAL_FAILED"
    SERIAL_NOT_COMPLETE = "SERIAL_NOT_COMPLETE"
    STEP_SKIPPED = "STEP_SKIPPED"
    STEP_ALREADY_PASSED = "STEP_ALREADY_PASSED"
    MEASUREMENT_MISSING = "MEASUREMENT_MISSING"

    # Containers
    NOT_A_CONTAINER = "NOT_A_CONTAINER"
    CARTON_FULL = "CARTON_FULL"
    CONTAINER_CLOSED = "CONTAINER_CLOSED"
    CONTAINER_NOT_CLOSED = "CONTAINER_NOT_CLOSED"
    CONTAINER_EMPTY = "CONTAINER_EMPTY"
    CONTAINER_MIXED_ITEMS = "CONTAINER_MIXED_ITEMS"
    UNIT_ALREADY_PACKED = "UNIT_ALREADY_PACKED"
    UNIT_NOT_PACKED = "UNIT_NOT_PACKED"
    UNIT_NOT_PACKABLE = "UNIT_NOT_PACKABLE"

    # Any unit
    UNIT_ON_HOLD = "UNIT_ON_HOLD"
    UNIT_NOT_ON_HOLD = "UNIT_NOT_ON_HOLD"
    UNIT_NOT_RELEASED = "UNIT_NOT_RELEASED"
    UNIT_SCRAPPED = "UNIT_SCRAPPED"
    UNIT_EXPIRED = "UNIT_EXPIRED"
    UNIT_CONSUMED = "UNIT_CONSUMED"
    CANNOT_SCRAP_CONTAINER = "CANNOT_SCRAP_CONTAINER"
    SHIPMENT_EXISTS = "SHIPMENT_EXISTS"

    # Shipping
    UNKNOWN_SHIPMENT = "UNKNOWN_SHIPMENT"
    SHIPMENT_NOT_OPEN = "SHIPMENT_NOT_OPEN"
    WRONG_ITEM = "WRONG_ITEM"
    SHIPMENT_LINE_EXCEEDED = "SHIPMENT_LINE_EXCEEDED"
    ALREADY_SHIPPED = "ALREADY_SHIPPED"
    ALREADY_ON_SHIPMENT = "ALREADY_ON_SHIPMENT"
    NOT_ON_SHIPMENT = "NOT_ON_SHIPMENT"
    SHIPMENT_EMPTY = "SHIPMENT_EMPTY"
    SHIPMENT_QUANTITY_MISMATCH = "SHIPMENT_QUANTITY_MISMATCH"

    # Labels
    UNKNOWN_PRINT_JOB = "UNKNOWN_PRINT_JOB"
    PRINT_JOB_STATE = "PRINT_JOB_STATE"
    LABEL_ALREADY_PRINTED = "LABEL_ALREADY_PRINTED"

    # Stations
    STATION_EXISTS = "STATION_EXISTS"  # a new station's code is taken (active or not)


class DomainError(Exception):
    """An operator action the rules refuse; the transaction it ran in has been rolled back."""

    def __init__(self, error_code: ErrorCode, /, **params: Any) -> None:
        # Positional-only: "code" is a common parameter name (the scanned code) and must not clash.
        self.code = error_code
        self.params = params
        detail = ", ".join(f"{key}={value!r}" for key, value in sorted(params.items()))
        super().__init__(f"{error_code.value}({detail})" if detail else error_code.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DomainError) and (self.code, self.params) == (other.code, other.params)

    def __hash__(self) -> int:
        return hash(self.code)
