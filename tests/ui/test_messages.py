"""Every domain error code says what is wrong in a sentence of its own, filled with its parameters,
in English and in Simplified Chinese; a code added to models/errors.py without one fails here."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from desktop.language import Language
from models.errors import DomainError, ErrorCode
from ui import messages
from ui.messages import SENTENCES, domain_message

# Plausible parameters for every code, as the models raise it (grep -rn "ErrorCode.X" models/).
PARAMS: dict[ErrorCode, dict[str, Any]] = {
    ErrorCode.UNKNOWN_USER: {"badge": "B-0042"},
    ErrorCode.USER_INACTIVE: {"user": "Li Wei"},
    ErrorCode.USER_LOCKED: {"user": "Li Wei"},
    ErrorCode.WRONG_PIN: {"user": "Li Wei", "remaining": 2},
    ErrorCode.ROLE_REQUIRED: {"user": "Li Wei", "roles": ["admin", "supervisor"]},
    ErrorCode.UNKNOWN_STATION: {"station_id": 7},
    ErrorCode.ACTION_ID_REUSED: {
        "action_id": "6f1c2c1e-8a4b-4b5e-9a51-3f1f7d2e9c10",
        "operation": "receive_lot",
    },
    ErrorCode.BAD_ACTION_ID: {"action_id": "not-a-uuid"},
    ErrorCode.SCHEMA_NOT_AT_HEAD: {
        "current": "0003",
        "head": "0007",
        "command": "tracestation-admin db upgrade",
    },
    ErrorCode.BAD_QUANTITY: {"quantity": "-2"},
    ErrorCode.BAD_DATE: {"manufactured_on": "2024-05-02", "expires_on": "2024-04-30"},
    ErrorCode.REASON_REQUIRED: {},
    ErrorCode.BAD_INPUT: {"field": "pin", "why": "4 to 12 digits"},
    ErrorCode.UNKNOWN_CODE: {"code": "X-404"},
    ErrorCode.AMBIGUOUS_CODE: {"code": "SUP-7", "candidates": ["L-0001", "L-0002"]},
    ErrorCode.BAD_CHECK_DIGIT: {"text": "4006381333932", "expected": "1", "found": "2"},
    ErrorCode.BAD_GS1: {"text": "(01)123", "detail": "too short"},
    ErrorCode.BAD_GTIN: {"text": "12345"},
    ErrorCode.EMPTY_SCAN: {"text": ""},
    ErrorCode.NOTHING_TO_TRACE: {"code": "WO-7"},
    ErrorCode.UNKNOWN_ITEM: {"item": "ITM-9"},
    ErrorCode.UNKNOWN_SUPPLIER: {"supplier": "SUP-9"},
    ErrorCode.UNKNOWN_CUSTOMER: {"customer": "CUS-9"},
    ErrorCode.UNKNOWN_EQUIPMENT: {"equipment": "EQ-9"},
    ErrorCode.UNKNOWN_STEP: {"item": "PRD-1", "step": "S90"},
    ErrorCode.UNKNOWN_CHARACTERISTIC: {"step": "S20", "names": ["colour"]},
    ErrorCode.ITEM_NOT_LOT_TRACKED: {"item": "SCREW"},
    ErrorCode.ITEM_NOT_SERIALIZED: {"item": "GLUE"},
    ErrorCode.NO_NUMBERING_RULE: {"item": "PRD-1"},
    ErrorCode.BAD_NUMBERING_RULE: {"rule": "LOTS", "why": "no_seq"},
    ErrorCode.COUNTER_EXHAUSTED: {"rule": "SER", "period": "2024-05"},
    ErrorCode.NO_PACKING_SPEC: {"item": "PRD-1", "level": "CARTON"},
    ErrorCode.LOT_NOT_RELEASED: {"code": "L-1", "status": "QUARANTINE"},
    ErrorCode.LOT_ON_HOLD: {"code": "L-1"},
    ErrorCode.LOT_EXPIRED: {"code": "L-1", "expires_on": "2024-01-31"},
    ErrorCode.LOT_INSUFFICIENT_QUANTITY: {"code": "L-1", "available": "2.5", "requested": "4"},
    ErrorCode.LOT_NOT_IN_QUARANTINE: {"code": "L-1", "status": "RELEASED"},
    ErrorCode.INSPECTION_FAILED: {"code": "L-1", "failed": ["width", "moisture"]},
    ErrorCode.NOT_A_LOT: {"code": "SN-1"},
    ErrorCode.SAME_LABEL_RECEIVED: {
        "supplier_lot": "HQ-1",
        "item": "PCB-MAIN",
        "quantity": "10",
        "uom": "EA",
        "when": "09:12",
        "lot": "L-1",
    },
    ErrorCode.UNKNOWN_WORK_ORDER: {"work_order": "WO-9"},
    ErrorCode.WORK_ORDER_NOT_RELEASED: {"work_order": "WO-1"},
    ErrorCode.WORK_ORDER_COMPLETE: {"work_order": "WO-1", "status": "COMPLETED"},
    ErrorCode.ITEM_NOT_IN_BOM: {"item": "SCREW", "product": "PRD-1"},
    ErrorCode.SERIAL_COUNT_EXCEEDED: {"work_order": "WO-1", "planned": "10", "created": 8, "requested": 5},
    ErrorCode.WORK_ORDER_EXISTS: {"work_order": "WO-1"},
    ErrorCode.COMPONENT_COUNT_EXCEEDED: {"product": "SN-1", "item": "BOARD", "required": "1"},
    ErrorCode.COMPONENTS_MISSING: {"code": "SN-1", "missing": ["BOARD", "FAN"]},
    ErrorCode.QUANTITY_EXCEEDS_ORDER: {"work_order": "WO-1", "planned": "100", "reported": "120"},
    ErrorCode.NOT_A_SERIAL: {"code": "L-1"},
    ErrorCode.SERIAL_ALREADY_USED: {"code": "SN-2"},
    ErrorCode.SERIAL_NOT_OF_WORK_ORDER: {"code": "SN-3"},
    ErrorCode.SERIAL_FAILED: {"code": "SN-4", "status": "FAILED"},
    ErrorCode.SERIAL_NOT_COMPLETE: {"code": "SN-5", "status": "WIP"},
    ErrorCode.STEP_SKIPPED: {"code": "SN-1", "step": "S30", "missing": ["S10", "S20"]},
    ErrorCode.STEP_ALREADY_PASSED: {"code": "SN-1", "step": "S10"},
    ErrorCode.MEASUREMENT_MISSING: {"step": "S20", "names": ["torque"]},
    ErrorCode.NOT_A_CONTAINER: {"code": "SN-1"},
    ErrorCode.CARTON_FULL: {"code": "C-1", "capacity": 12, "count": "12"},
    ErrorCode.CONTAINER_CLOSED: {"code": "C-1", "status": "CLOSED"},
    ErrorCode.CONTAINER_NOT_CLOSED: {"code": "C-2"},
    ErrorCode.CONTAINER_EMPTY: {"code": "C-3"},
    ErrorCode.CONTAINER_MIXED_ITEMS: {"code": "C-1", "item": "PRD-2"},
    ErrorCode.UNIT_ALREADY_PACKED: {"code": "SN-1", "container": "C-1"},
    ErrorCode.UNIT_NOT_PACKED: {"code": "SN-1"},
    ErrorCode.UNIT_NOT_PACKABLE: {"code": "P-1", "container": "C-1"},
    ErrorCode.UNIT_ON_HOLD: {"code": "SN-1", "status": "ON_HOLD"},
    ErrorCode.UNIT_NOT_ON_HOLD: {"code": "SN-1", "status": "RELEASED"},
    ErrorCode.UNIT_NOT_RELEASED: {"code": "L-1", "status": "REJECTED"},
    ErrorCode.UNIT_SCRAPPED: {"code": "SN-1", "status": "SCRAPPED"},
    ErrorCode.UNIT_EXPIRED: {"code": "L-1", "expires_on": "2024-01-31"},
    ErrorCode.UNIT_CONSUMED: {"code": "L-1", "status": "CONSUMED"},
    ErrorCode.CANNOT_SCRAP_CONTAINER: {"code": "C-1"},
    ErrorCode.SHIPMENT_EXISTS: {"shipment": "SH-1"},
    ErrorCode.UNKNOWN_SHIPMENT: {"shipment": "SH-9"},
    ErrorCode.SHIPMENT_NOT_OPEN: {"shipment": "SH-1", "status": "SHIPPED"},
    ErrorCode.WRONG_ITEM: {"code": "SN-1", "item": "PRD-2", "shipment": "SH-1"},
    ErrorCode.SHIPMENT_LINE_EXCEEDED: {"item": "PRD-1", "required": "10", "picked": "8", "requested": "5"},
    ErrorCode.ALREADY_SHIPPED: {"code": "SN-1"},
    ErrorCode.ALREADY_ON_SHIPMENT: {"code": "SN-1", "shipment": "SH-2"},
    ErrorCode.NOT_ON_SHIPMENT: {"code": "SN-1", "shipment": "SH-1"},
    ErrorCode.SHIPMENT_EMPTY: {"shipment": "SH-1"},
    ErrorCode.SHIPMENT_QUANTITY_MISMATCH: {
        "shipment": "SH-1",
        "lines": [{"item": "PRD-1", "required": "10", "picked": "8"}],
    },
    ErrorCode.UNKNOWN_PRINT_JOB: {"job": 41},
    ErrorCode.PRINT_JOB_STATE: {"job": 41, "status": "CONFIRMED", "wanted": "FAILED"},
    ErrorCode.LABEL_ALREADY_PRINTED: {"code": "SN-1", "job": 40},
    ErrorCode.STATION_EXISTS: {"station": "PCK-02"},
}


def fallback(error: DomainError) -> str:
    return f"Refused: {error}"


@pytest.fixture
def language(qapp) -> Iterator[Language]:  # type: ignore[no-untyped-def]
    language = Language()
    yield language
    language.uninstall()


def test_the_parameters_here_cover_every_code() -> None:
    # A new code needs its plausible parameters here, and so meets the tests below.
    assert set(PARAMS) == set(ErrorCode)


@pytest.mark.parametrize("code", list(ErrorCode), ids=str)
def test_every_code_has_a_sentence_of_its_own(code: ErrorCode) -> None:
    assert code in SENTENCES, f"ui/messages.py has no sentence for {code.value}"
    error = DomainError(code, **PARAMS[code])
    text = domain_message(error)
    assert text and text != fallback(error) and not text.startswith("Refused")
    # No code name reaches the operator, nor an unfilled placeholder, nor a parameter left out.
    assert not [name for name in ErrorCode if name.value in text], text
    assert "{" not in text and "?" not in text, text
    assert text.endswith("."), text


def test_no_two_codes_say_the_same() -> None:
    texts = {code: domain_message(DomainError(code, **PARAMS[code])) for code in ErrorCode}
    assert len(set(texts.values())) == len(texts)


def test_a_code_without_a_sentence_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    # The last resort exists for a code added without its sentence; the test above fails for it.
    monkeypatch.delitem(messages.SENTENCES, ErrorCode.LOT_ON_HOLD)
    error = DomainError(ErrorCode.LOT_ON_HOLD, code="L-1")
    assert domain_message(error) == fallback(error) == "Refused: LOT_ON_HOLD(code='L-1')"


@pytest.mark.parametrize("code", list(ErrorCode), ids=str)
def test_missing_parameters_do_not_crash(code: ErrorCode) -> None:
    text = domain_message(DomainError(code))
    assert text and "{" not in text and code.value not in text


@pytest.mark.parametrize(
    ("code", "params", "expected"),
    [
        (ErrorCode.LOT_ON_HOLD, {"code": "L-1"}, "Lot L-1 is on hold: it cannot be used."),
        (
            ErrorCode.LOT_EXPIRED,
            {"code": "L-1", "expires_on": "2024-01-31"},
            "Lot L-1 expired on 2024-01-31.",
        ),
        (
            ErrorCode.LOT_NOT_RELEASED,
            {"code": "L-1", "status": "QUARANTINE"},
            "Lot L-1 is not released (in quarantine): it cannot be used.",
        ),
        (
            ErrorCode.LOT_INSUFFICIENT_QUANTITY,
            {"code": "L-1", "available": "2.5", "requested": "4"},
            "Lot L-1 holds only 2.5, not 4.",
        ),
        (
            ErrorCode.AMBIGUOUS_CODE,
            {"code": "SUP-7", "candidates": ["L-0001", "L-0002"]},
            "SUP-7 names several units (L-0001, L-0002): scan the internal label instead.",
        ),
        (
            ErrorCode.ROLE_REQUIRED,
            {"roles": ["admin", "supervisor"]},
            "This needs one of these roles: administrator, supervisor.",
        ),
        (ErrorCode.ROLE_REQUIRED, {}, "This needs a supervisor."),
        (ErrorCode.UNKNOWN_USER, {"user_id": 3}, "Your user is not known here any more. Log in again."),
        (ErrorCode.STATION_EXISTS, {"station": "PCK-02"}, "A station with the code PCK-02 exists already."),
        (ErrorCode.BAD_QUANTITY, {"quantity": 0, "maximum": 50}, "0 is not a valid quantity: 1 to 50."),
        (
            ErrorCode.BAD_QUANTITY,
            {"packages": 1000, "maximum": 999},
            "1000 packages is too many: 999 at most.",
        ),
        (
            ErrorCode.BAD_DATE,
            {"since": "2024-05-02T08:00:00+08:00", "until": "2024-05-01T08:00:00+08:00"},
            "The start 2024-05-02T08:00:00+08:00 must be before the end 2024-05-01T08:00:00+08:00.",
        ),
        (
            ErrorCode.BAD_INPUT,
            {"text": "AB\x07", "char": "U+0007"},
            "The scan AB\x07 holds a control character (U+0007): check the scanner's settings.",
        ),
        (ErrorCode.BAD_INPUT, {"field": "code", "maximum": 32}, "code is too long: 32 characters at most."),
        (
            ErrorCode.BAD_INPUT,
            {"work_order": "WO-1", "status": "RELEASED"},
            "Work order WO-1 cannot be released: it is in production.",
        ),
        (
            ErrorCode.UNKNOWN_CODE,
            {"code": "(01)04006381333931", "gtin": "04006381333931"},
            "(01)04006381333931 is not known: no item has the GTIN 04006381333931.",
        ),
        (
            ErrorCode.UNIT_ON_HOLD,
            {"code": "SN-1", "container": "P-1"},
            "SN-1 in P-1 is on hold: it cannot be used.",
        ),
        (ErrorCode.ALREADY_ON_SHIPMENT, {"code": "SN-1", "shipment": ""}, "SN-1 is on a shipment already."),
        (
            ErrorCode.STEP_SKIPPED,
            {"code": "SN-1", "step": "S30", "missing": ["S10", "S20"]},
            "SN-1 must pass S10, S20 before step S30.",
        ),
        (
            ErrorCode.SHIPMENT_QUANTITY_MISMATCH,
            {
                "shipment": "SH-1",
                "lines": [
                    {"item": "PRD-1", "required": "10", "picked": "8"},
                    {"item": "PRD-2", "required": "4", "picked": "0"},
                ],
            },
            "Shipment SH-1 does not match its order: PRD-1: 8 of 10, PRD-2: 0 of 4.",
        ),
        (
            ErrorCode.PRINT_JOB_STATE,
            {"job": 41, "status": "CONFIRMED", "wanted": "FAILED"},
            "Print job 41 cannot go from “printed” to “not printed”.",
        ),
        (
            ErrorCode.NO_PACKING_SPEC,
            {"item": "PRD-1", "level": "PALLET"},
            "Item PRD-1 has no number of cartons per pallet: ask a supervisor.",
        ),
        (ErrorCode.LOT_ON_HOLD, {}, "Lot ? is on hold: it cannot be used."),
        (
            ErrorCode.BAD_GS1,
            {"text": "]C110AAAA21XYZ", "ai": "10", "why": "too_long", "length": 25, "maximum": 20},
            "In ]C110AAAA21XYZ, AI (10) has 25 characters, 20 at most: a damaged label or a lost separator.",
        ),
        (
            ErrorCode.BAD_GS1,
            {"text": "]C121XYZ", "ai": "21", "why": "missing", "needs": "(01) / (03) / (8006)"},
            "In ]C121XYZ, AI (21) comes without (01) / (03) / (8006): scan another barcode of the label.",
        ),
        (
            ErrorCode.BAD_GS1,
            {"text": "]C10195060001343523710", "ai": "01", "why": "excluded", "other": "37"},
            "In ]C10195060001343523710, AI (01) and AI (37) cannot stand together: the label is wrong.",
        ),
        (
            ErrorCode.BAD_CHECK_DIGIT,
            {
                "text": "]C18017950600013435200000",
                "ai": "8017",
                "value": "950600013435200000",
                "expected": "8",
                "found": "0",
            },
            "The check digit of (8017) 950600013435200000 is wrong (0 instead of 8): check the label.",
        ),
    ],
)
def test_the_sentence_fits_the_parameters_it_comes_with(
    code: ErrorCode, params: dict[str, Any], expected: str
) -> None:
    assert domain_message(DomainError(code, **params)) == expected


def test_refusals_come_out_in_chinese_with_their_parameters(language: Language) -> None:
    expired = DomainError(ErrorCode.LOT_EXPIRED, code="L-1", expires_on="2024-01-31")
    assert domain_message(expired) == "Lot L-1 expired on 2024-01-31."
    language.switch("zh_CN")
    assert domain_message(expired) == "批次 L-1 已于 2024-01-31 过期。"
    assert (
        domain_message(
            DomainError(ErrorCode.LOT_INSUFFICIENT_QUANTITY, code="L-1", available="2.5", requested="4")
        )
        == "批次 L-1 仅剩 2.5，不足 4。"
    )
    # Statuses, roles and lists are in Chinese too, lists with the Chinese separator.
    assert (
        domain_message(DomainError(ErrorCode.LOT_NOT_RELEASED, code="L-1", status="QUARANTINE"))
        == "批次 L-1 未放行（待检），不能使用。"
    )
    assert (
        domain_message(DomainError(ErrorCode.ROLE_REQUIRED, roles=["admin", "supervisor"]))
        == "此操作需要以下角色之一：管理员、主管。"
    )
    assert (
        domain_message(DomainError(ErrorCode.AMBIGUOUS_CODE, code="SUP-7", candidates=["L-0001", "L-0002"]))
        == "SUP-7 对应多个单元（L-0001、L-0002）：请改为扫描内部标签。"
    )
    assert (
        domain_message(DomainError(ErrorCode.UNIT_ON_HOLD, code="SN-1", container="P-1"))
        == "P-1 中的 SN-1 已冻结，不能使用。"
    )
    # Every code has its Chinese sentence: no English source comes through untranslated.
    for code in ErrorCode:
        text = domain_message(DomainError(code, **PARAMS[code]))
        assert any("\u4e00" <= char <= "\u9fff" for char in text), f"{code.value}: {text}"
    language.uninstall()
    assert domain_message(expired) == "Lot L-1 expired on 2024-01-31."
