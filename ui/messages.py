"""What a refusal says to the operator, in the operator's language.

Screens never show an error code: each domain error code (models/errors.py) maps to one sentence,
translated through Qt Linguist (context "messages") and filled with the error's parameters, that says
what is wrong and, where the operator can do something about it, what to do. SENTENCES holds one
entry per code, so the sentence of a code is found in one place; tests/ui/test_messages.py fails for
any code without its own entry, which is why the last-resort "Refused: CODE(params)" of
domain_message is never what a known code shows.

The parameters are the keyword arguments the models pass to DomainError. A code raised from several
places does not always carry the same ones: each sentence reads them with .get and shows "?" for a
missing value (a refusal must never crash the screen showing it), and a few codes have a second
sentence for the parameters that change what they mean (a unit inside a scanned pallet, a maximum).
Statuses and roles are translated too; lists are joined with the language's separator.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QCoreApplication

from models.errors import DomainError, ErrorCode

Params = Mapping[str, Any]

# Every call is QCoreApplication.translate("messages", "<literal>"): lupdate reads literals only,
# and a helper taking the text as a variable would leave its strings out of the catalogue unseen.


def domain_message(error: DomainError) -> str:
    """The sentence for a refused action, filled with the refusal's parameters."""
    sentence = SENTENCES.get(error.code)
    if sentence is None:
        # Only a code added to models/errors.py without its sentence gets here (its test fails):
        # not silent, the operator sees the code and its parameters for a supervisor to look up.
        return QCoreApplication.translate("messages", "Refused: {0}").format(str(error))
    return sentence(error.params)


def offline_message() -> str:
    return QCoreApplication.translate("messages", "The database cannot be reached. Nothing was recorded.")


def idle_message(minutes: int) -> str:
    return QCoreApplication.translate(
        "messages", "Locked after {0} minutes without activity. Log in again."
    ).format(minutes)


# --- Parameters as text ----------------------------------------------------------------------


def _text(params: Params, key: str) -> str:
    """A parameter as the operator reads it; "?" when the refusal did not carry it."""
    value = params.get(key)
    return "?" if value is None or value == "" else shown_code(str(value))


def shown_code(code: str) -> str:
    """A unit's code as the operator knows it: its SSCC or code once it is closed and labelled. An
    open container has only a provisional code (OPEN-<action id>), meaningless to anyone, so it is
    said to be open (a station has one carton and one pallet open at a time)."""
    if code.startswith("OPEN-"):
        return QCoreApplication.translate("messages", "(open)", "a container not closed yet")
    return code


def _joined(values: list[str]) -> str:
    return QCoreApplication.translate("messages", ", ", "separator between the items of a list").join(values)


def _listed(params: Params, key: str) -> str:
    """A list parameter (candidates, missing components...) joined readably."""
    value = params.get(key)
    if isinstance(value, list | tuple | set | frozenset):
        return _joined([str(item) for item in value]) or "?"
    return _text(params, key)


def status_names() -> dict[str, str]:
    """Every unit status (models/schema.py UnitStatus) in words: the one table every screen uses,
    so a status reads the same on the banner, the trees, the picture and the recall."""
    return {
        "QUARANTINE": QCoreApplication.translate("messages", "in quarantine", "status"),
        "REJECTED": QCoreApplication.translate("messages", "rejected", "status"),
        "WIP": QCoreApplication.translate("messages", "in production", "status"),
        "RELEASED": QCoreApplication.translate("messages", "released", "status"),
        "FAILED": QCoreApplication.translate("messages", "failed", "status"),
        "ON_HOLD": QCoreApplication.translate("messages", "on hold", "status"),
        "OPEN": QCoreApplication.translate("messages", "open", "status"),
        "CLOSED": QCoreApplication.translate("messages", "closed", "status"),
        "PACKED": QCoreApplication.translate("messages", "packed", "status"),
        "CONSUMED": QCoreApplication.translate("messages", "consumed", "status"),
        "SHIPPED": QCoreApplication.translate("messages", "shipped", "status"),
        "SCRAPPED": QCoreApplication.translate("messages", "scrapped", "status"),
    }


def kind_names() -> dict[str, str]:
    """Every unit kind (models/schema.py UnitKind) in words, for the trees and the overview."""
    return {
        "LOT": QCoreApplication.translate("messages", "lot", "unit kind"),
        "SERIAL": QCoreApplication.translate("messages", "serial", "unit kind"),
        "CONTAINER": QCoreApplication.translate("messages", "container", "unit kind"),
    }


def event_names() -> dict[str, str]:
    """Every event type (models/schema.py EventType) in words: the trace's timeline and the plant
    overview's latest events say the same, and never the stored value."""
    return {
        "RECEIVE": QCoreApplication.translate("messages", "received", "event"),
        "INSPECT": QCoreApplication.translate("messages", "inspected", "event"),
        "COMMISSION": QCoreApplication.translate("messages", "serial created", "event"),
        "CONSUME": QCoreApplication.translate("messages", "consumed", "event"),
        "PRODUCE": QCoreApplication.translate("messages", "produced", "event"),
        "REPORT": QCoreApplication.translate("messages", "step reported", "event"),
        "SPLIT": QCoreApplication.translate("messages", "split", "event"),
        "PACK": QCoreApplication.translate("messages", "packed", "event"),
        "UNPACK": QCoreApplication.translate("messages", "unpacked", "event"),
        "CLOSE": QCoreApplication.translate("messages", "closed", "event"),
        "SHIP": QCoreApplication.translate("messages", "shipped", "event"),
        "HOLD": QCoreApplication.translate("messages", "put on hold", "event"),
        "RELEASE": QCoreApplication.translate("messages", "released", "event"),
        "REJECT": QCoreApplication.translate("messages", "rejected", "event"),
        "SCRAP": QCoreApplication.translate("messages", "scrapped", "event"),
        "PRINT": QCoreApplication.translate("messages", "label printed", "event"),
        "REPRINT": QCoreApplication.translate("messages", "label reprinted", "event"),
        "ADJUST": QCoreApplication.translate("messages", "adjusted", "event"),
        "WORK_ORDER": QCoreApplication.translate("messages", "work order", "event"),
        "SHIPMENT_ORDER": QCoreApplication.translate("messages", "shipment order", "event"),
        "MASTER_DATA": QCoreApplication.translate("messages", "master data", "event"),
    }


def status_name(status: str) -> str:
    """A unit status in words; an unknown one as it is stored (never a blank)."""
    return status_names().get(status, status)


def _status(params: Params, key: str = "status") -> str:
    """A unit status (models/schema.py UnitStatus) in words."""
    value = params.get(key)
    if isinstance(value, str) and value in status_names():
        return status_name(value)
    return _text(params, key)


def _work_order_status(params: Params) -> str:
    """A work order status (PLANNED -> RELEASED -> COMPLETED) in words."""
    value = params.get("status")
    if value == "PLANNED":
        return QCoreApplication.translate("messages", "planned", "work order status")
    if value == "RELEASED":
        return QCoreApplication.translate("messages", "in production", "status")
    if value == "COMPLETED":
        return QCoreApplication.translate("messages", "completed", "work order status")
    return _text(params, "status")


def _job_status(params: Params, key: str) -> str:
    """A print job status (RESERVED -> SENT -> CONFIRMED or FAILED) in words."""
    value = params.get(key)
    if value == "RESERVED":
        return QCoreApplication.translate("messages", "reserved", "print job status")
    if value == "SENT":
        return QCoreApplication.translate("messages", "sent to the printer", "print job status")
    if value == "CONFIRMED":
        return QCoreApplication.translate("messages", "printed", "print job status")
    if value == "FAILED":
        return QCoreApplication.translate("messages", "not printed", "print job status")
    return _text(params, key)


def _role(role: object) -> str:
    if role == "operator":
        return QCoreApplication.translate("messages", "operator", "role")
    if role == "supervisor":
        return QCoreApplication.translate("messages", "supervisor", "role")
    if role == "quality":
        return QCoreApplication.translate("messages", "quality inspector", "role")
    if role == "admin":
        return QCoreApplication.translate("messages", "administrator", "role")
    return str(role)


def _shortfalls(params: Params) -> str:
    """SHIPMENT_QUANTITY_MISMATCH's lines ({item, required, picked}) as "item: picked of required"."""
    lines = params.get("lines")
    if not isinstance(lines, list | tuple) or not lines:
        return "?"
    return _joined(
        [
            QCoreApplication.translate(
                "messages", "{0}: {1} of {2}", "item: quantity picked of required"
            ).format(_text(line, "item"), _text(line, "picked"), _text(line, "required"))
            if isinstance(line, Mapping)
            else str(line)
            for line in lines
        ]
    )


def _inside(params: Params) -> bool:
    """Whether the refused unit was found inside the container the operator scanned."""
    container = params.get("container")
    return bool(container) and container != params.get("code")


# --- The codes whose sentence depends on which parameters came with it -----------------------


def _unknown_user(p: Params) -> str:
    if "badge" not in p:  # the logged-in operator's record is gone (actions.py)
        return QCoreApplication.translate("messages", "Your user is not known here any more. Log in again.")
    return QCoreApplication.translate("messages", "Badge {0} is not known here.").format(_text(p, "badge"))


def _role_required(p: Params) -> str:
    roles = p.get("roles")
    if not isinstance(roles, list | tuple) or not roles:
        return QCoreApplication.translate("messages", "This needs a supervisor.")
    return QCoreApplication.translate("messages", "This needs one of these roles: {0}.").format(
        _joined([_role(role) for role in roles])
    )


def _schema_not_at_head(p: Params) -> str:
    if not p.get("current"):
        return QCoreApplication.translate(
            "messages", "The database has no tables for this program yet: an administrator must run {0}."
        ).format(_text(p, "command"))
    return QCoreApplication.translate(
        "messages",
        "The database is at version {0}, this program needs {1}: an administrator must run {2}.",
    ).format(_text(p, "current"), _text(p, "head"), _text(p, "command"))


def _bad_quantity(p: Params) -> str:
    if "packages" in p and "quantity" in p:
        return QCoreApplication.translate("messages", "{0} cannot be shared out into {1} packages.").format(
            _text(p, "quantity"), _text(p, "packages")
        )
    if "packages" in p:
        return QCoreApplication.translate("messages", "{0} packages is too many: {1} at most.").format(
            _text(p, "packages"), _text(p, "maximum")
        )
    if "maximum" in p:
        return QCoreApplication.translate("messages", "{0} is not a valid quantity: 1 to {1}.").format(
            _text(p, "quantity"), _text(p, "maximum")
        )
    return QCoreApplication.translate("messages", "{0} is not a valid quantity.").format(
        _text(p, "quantity") if "quantity" in p else _text(p, "count")
    )


def _bad_date(p: Params) -> str:
    if "since" in p and "until" in p:
        return QCoreApplication.translate("messages", "The start {0} must be before the end {1}.").format(
            _text(p, "since"), _text(p, "until")
        )
    if "expires_on" in p and "manufactured_on" in p:
        return QCoreApplication.translate("messages", "The expiry date {0} cannot be before {1}.").format(
            _text(p, "expires_on"), _text(p, "manufactured_on")
        )
    if "manufactured_on" in p:
        return QCoreApplication.translate(
            "messages", "The manufacturing date {0} is not valid: it cannot be in the future."
        ).format(_text(p, "manufactured_on"))
    if "expires_on" in p:
        return QCoreApplication.translate("messages", "The expiry date {0} is not valid.").format(
            _text(p, "expires_on")
        )
    return QCoreApplication.translate("messages", "{0} is not a valid date.").format(
        _text(p, "value") if "value" in p else _text(p, "text")
    )


def _control_character(p: Params) -> str:
    return QCoreApplication.translate(
        "messages", "The scan {0} holds a control character ({1}): check the scanner's settings."
    ).format(_text(p, "text"), _text(p, "char"))


def _bad_input(p: Params) -> str:
    if "char" in p:
        return _control_character(p)
    if "field" not in p and "work_order" in p:  # release_work_order of one already released
        return QCoreApplication.translate("messages", "Work order {0} cannot be released: it is {1}.").format(
            _text(p, "work_order"), _work_order_status(p)
        )
    if "maximum" in p:
        return QCoreApplication.translate("messages", "{0} is too long: {1} characters at most.").format(
            _text(p, "field"), _text(p, "maximum")
        )
    details = [
        str(p[key])
        for key in ("why", "reason", "text", "value", "name", "code", "line", "site")
        if p.get(key)
    ]
    if not details:
        return QCoreApplication.translate("messages", "{0} is missing or not valid.").format(
            _text(p, "field")
        )
    return QCoreApplication.translate("messages", "{0} is not valid: {1}.").format(
        _text(p, "field"), _joined(details)
    )


def _unknown_code(p: Params) -> str:
    if p.get("unit"):  # a GS1 serial or lot that is the code of a unit of another item
        return QCoreApplication.translate(
            "messages", "{0} does not match: {1} is a unit of another item."
        ).format(_text(p, "code"), _text(p, "unit"))
    if p.get("gtin"):
        return QCoreApplication.translate("messages", "{0} is not known: no item has the GTIN {1}.").format(
            _text(p, "code"), _text(p, "gtin")
        )
    return QCoreApplication.translate(
        "messages", "{0} is not known: no unit, work order or shipment has this code."
    ).format(_text(p, "code"))


def _bad_gs1(p: Params) -> str:
    """One sentence per reason models/gs1_syntax.py gives (its `why`), naming the AI at fault."""
    why = p.get("why")
    text, ai = _text(p, "text"), _text(p, "ai")
    if why == "too_long":
        return QCoreApplication.translate(
            "messages",
            "In {0}, AI ({1}) has {2} characters, {3} at most: a damaged label or a lost separator.",
        ).format(text, ai, _text(p, "length"), _text(p, "maximum"))
    if why == "too_short":
        return QCoreApplication.translate(
            "messages", "In {0}, AI ({1}) has {2} characters, {3} at least: the label is damaged."
        ).format(text, ai, _text(p, "length"), _text(p, "minimum"))
    if why == "not_numeric":
        return QCoreApplication.translate(
            "messages", "In {0}, AI ({1}) holds {2} where only digits are allowed: check the label."
        ).format(text, ai, _text(p, "char"))
    if why == "bad_character":
        return QCoreApplication.translate(
            "messages", "In {0}, AI ({1}) holds {2}, a character GS1 does not allow there: check the label."
        ).format(text, ai, _text(p, "char"))
    if why == "bad_date":
        return QCoreApplication.translate(
            "messages", "In {0}, AI ({1}) is not a valid date or time: check the label."
        ).format(text, ai)
    if why == "bad_value":
        return QCoreApplication.translate(
            "messages", "In {0}, the value of AI ({1}) is not valid: check the label."
        ).format(text, ai)
    if why == "unknown_ai":
        return QCoreApplication.translate(
            "messages", "{0} holds an AI that GS1 does not define ({1}): check the label or scan again."
        ).format(text, ai)
    if why == "repeated":
        return QCoreApplication.translate("messages", "{0} holds AI ({1}) twice: check the label.").format(
            text, ai
        )
    if why == "missing":
        return QCoreApplication.translate(
            "messages", "In {0}, AI ({1}) comes without {2}: scan another barcode of the label."
        ).format(text, ai, _text(p, "needs"))
    if why == "excluded":
        return QCoreApplication.translate(
            "messages", "In {0}, AI ({1}) and AI ({2}) cannot stand together: the label is wrong."
        ).format(text, ai, _text(p, "other"))
    if "char" in p:
        return _control_character(p)
    return QCoreApplication.translate(
        "messages", "{0} is not a valid GS1 barcode: check the label or scan again."
    ).format(text)


def _bad_check_digit(p: Params) -> str:
    if "ai" in p and "value" in p:  # a GS1 key inside a scan: name the key, not the whole scan
        return QCoreApplication.translate(
            "messages", "The check digit of ({0}) {1} is wrong ({2} instead of {3}): check the label."
        ).format(_text(p, "ai"), _text(p, "value"), _text(p, "found"), _text(p, "expected"))
    return QCoreApplication.translate(
        "messages", "The check digit of {0} is wrong ({1} instead of {2}): check the code."
    ).format(_text(p, "text"), _text(p, "found"), _text(p, "expected"))


def _no_numbering_rule(p: Params) -> str:
    if "item" not in p:  # the site's rule for carton and pallet numbers
        return QCoreApplication.translate(
            "messages", "Site {0} has no numbering rule for cartons and pallets: ask a supervisor."
        ).format(_text(p, "site"))
    return QCoreApplication.translate("messages", "Item {0} has no numbering rule: ask a supervisor.").format(
        _text(p, "item")
    )


def _counter_exhausted(p: Params) -> str:
    if not p.get("period"):
        return QCoreApplication.translate(
            "messages", "Numbering rule {0} has no free number left: ask a supervisor."
        ).format(_text(p, "rule"))
    return QCoreApplication.translate(
        "messages", "Numbering rule {0} has no free number left for {1}: ask a supervisor."
    ).format(_text(p, "rule"), _text(p, "period"))


def _no_packing_spec(p: Params) -> str:
    if p.get("level") == "PALLET":
        return QCoreApplication.translate(
            "messages", "Item {0} has no number of cartons per pallet: ask a supervisor."
        ).format(_text(p, "item"))
    return QCoreApplication.translate(
        "messages", "Item {0} has no number of units per carton: ask a supervisor."
    ).format(_text(p, "item"))


def _item_not_lot_tracked(p: Params) -> str:
    if p.get("hint"):  # quantities reported on a work order of serials
        return QCoreApplication.translate(
            "messages", "Item {0} is tracked by serial number: report each serial on its own."
        ).format(_text(p, "item"))
    return QCoreApplication.translate("messages", "Item {0} is not tracked by lot.").format(_text(p, "item"))


def _step_skipped(p: Params) -> str:
    if "reported" in p:  # a work order's lot completed beyond what a mandatory step reported
        return QCoreApplication.translate(
            "messages", "Work order {0}: step {1} has reported only {2} good: report it first."
        ).format(_text(p, "code"), _text(p, "step"), _text(p, "reported"))
    return QCoreApplication.translate("messages", "{0} must pass {1} before step {2}.").format(
        _text(p, "code"), _listed(p, "missing"), _text(p, "step")
    )


def _unit_already_packed(p: Params) -> str:
    if not p.get("container"):
        return QCoreApplication.translate("messages", "{0} is packed already.").format(_text(p, "code"))
    return QCoreApplication.translate("messages", "{0} is packed in {1} already.").format(
        _text(p, "code"), _text(p, "container")
    )


def _unit_not_packable(p: Params) -> str:
    if not p.get("container"):
        return QCoreApplication.translate("messages", "{0} cannot be packed into itself.").format(
            _text(p, "code")
        )
    return QCoreApplication.translate(
        "messages", "{0} cannot go into {1}: cartons take products, pallets take cartons."
    ).format(_text(p, "code"), _text(p, "container"))


def _unit_on_hold(p: Params) -> str:
    if _inside(p):
        return QCoreApplication.translate("messages", "{0} in {1} is on hold: it cannot be used.").format(
            _text(p, "code"), _text(p, "container")
        )
    return QCoreApplication.translate("messages", "{0} is on hold: it cannot be used.").format(
        _text(p, "code")
    )


def _unit_not_released(p: Params) -> str:
    if _inside(p):
        return QCoreApplication.translate(
            "messages", "{0} in {1} is not released ({2}): it cannot be used."
        ).format(_text(p, "code"), _text(p, "container"), _status(p))
    return QCoreApplication.translate("messages", "{0} is not released ({1}): it cannot be used.").format(
        _text(p, "code"), _status(p)
    )


def _unit_scrapped(p: Params) -> str:
    if _inside(p):
        return QCoreApplication.translate("messages", "{0} in {1} has been scrapped.").format(
            _text(p, "code"), _text(p, "container")
        )
    return QCoreApplication.translate("messages", "{0} has been scrapped.").format(_text(p, "code"))


def _unit_expired(p: Params) -> str:
    if _inside(p):
        return QCoreApplication.translate("messages", "{0} in {1} expired on {2}.").format(
            _text(p, "code"), _text(p, "container"), _text(p, "expires_on")
        )
    return QCoreApplication.translate("messages", "{0} expired on {1}.").format(
        _text(p, "code"), _text(p, "expires_on")
    )


def _serial_failed(p: Params) -> str:
    if _inside(p):
        return QCoreApplication.translate(
            "messages", "Serial {0} in {1} failed a test: it cannot be shipped."
        ).format(_text(p, "code"), _text(p, "container"))
    return QCoreApplication.translate("messages", "Serial {0} failed a test: it cannot be used.").format(
        _text(p, "code")
    )


def _already_shipped(p: Params) -> str:
    if _inside(p):
        return QCoreApplication.translate("messages", "{0} in {1} has been shipped already.").format(
            _text(p, "code"), _text(p, "container")
        )
    if p.get("shipment"):
        return QCoreApplication.translate(
            "messages", "{0} has been shipped already: shipment {1}, on {2}."
        ).format(_text(p, "code"), _text(p, "shipment"), _text(p, "shipped_on"))
    return QCoreApplication.translate("messages", "{0} has been shipped already.").format(_text(p, "code"))


def _already_on_shipment(p: Params) -> str:
    if not p.get("shipment"):
        return QCoreApplication.translate("messages", "{0} is on a shipment already.").format(
            _text(p, "code")
        )
    return QCoreApplication.translate("messages", "{0} is on shipment {1} already.").format(
        _text(p, "code"), _text(p, "shipment")
    )


# --- One sentence per code -------------------------------------------------------------------

SENTENCES: dict[ErrorCode, Callable[[Params], str]] = {
    # Who and where
    ErrorCode.UNKNOWN_USER: _unknown_user,
    ErrorCode.USER_INACTIVE: lambda p: QCoreApplication.translate(
        "messages", "{0} is no longer active. Ask a supervisor."
    ).format(_text(p, "user")),
    ErrorCode.USER_LOCKED: lambda p: QCoreApplication.translate(
        "messages", "{0} is locked after too many wrong PINs. A supervisor must unlock the badge."
    ).format(_text(p, "user")),
    ErrorCode.WRONG_PIN: lambda p: QCoreApplication.translate(
        "messages", "Wrong PIN. {0} tries left before the badge locks."
    ).format(_text(p, "remaining")),
    ErrorCode.ROLE_REQUIRED: _role_required,
    ErrorCode.UNKNOWN_STATION: lambda p: QCoreApplication.translate(
        "messages", "This station is not known or no longer active: ask a supervisor to set it up."
    ),
    ErrorCode.ACTION_ID_REUSED: lambda p: QCoreApplication.translate(
        "messages", "This action was recorded before as another operation ({0}): nothing was recorded."
    ).format(_text(p, "operation")),
    ErrorCode.BAD_ACTION_ID: lambda p: QCoreApplication.translate(
        "messages", "The action number {0} is not valid: nothing was recorded."
    ).format(_text(p, "action_id")),
    ErrorCode.SCHEMA_NOT_AT_HEAD: _schema_not_at_head,
    # Input
    ErrorCode.BAD_QUANTITY: _bad_quantity,
    ErrorCode.BAD_DATE: _bad_date,
    ErrorCode.REASON_REQUIRED: lambda p: QCoreApplication.translate(
        "messages", "This needs a reason: enter why."
    ),
    ErrorCode.BAD_INPUT: _bad_input,
    # Scans and identifiers
    ErrorCode.UNKNOWN_CODE: _unknown_code,
    ErrorCode.AMBIGUOUS_CODE: lambda p: QCoreApplication.translate(
        "messages", "{0} names several units ({1}): scan the internal label instead."
    ).format(_text(p, "code"), _listed(p, "candidates")),
    ErrorCode.BAD_CHECK_DIGIT: _bad_check_digit,
    ErrorCode.BAD_GS1: _bad_gs1,
    ErrorCode.BAD_GTIN: lambda p: QCoreApplication.translate(
        "messages", "{0} is not a GTIN: a GTIN has 8, 12, 13 or 14 digits."
    ).format(_text(p, "text")),
    ErrorCode.EMPTY_SCAN: lambda p: QCoreApplication.translate("messages", "The scan was empty: scan again."),
    ErrorCode.NOTHING_TO_TRACE: lambda p: QCoreApplication.translate(
        "messages", "{0} has nothing to trace yet."
    ).format(_text(p, "code")),
    # Master data
    ErrorCode.UNKNOWN_ITEM: lambda p: QCoreApplication.translate("messages", "Item {0} is not known.").format(
        _text(p, "item")
    ),
    ErrorCode.UNKNOWN_SUPPLIER: lambda p: QCoreApplication.translate(
        "messages", "Supplier {0} is not known."
    ).format(_text(p, "supplier")),
    ErrorCode.UNKNOWN_CUSTOMER: lambda p: QCoreApplication.translate(
        "messages", "Customer {0} is not known."
    ).format(_text(p, "customer")),
    ErrorCode.UNKNOWN_EQUIPMENT: lambda p: QCoreApplication.translate(
        "messages", "Equipment {0} is not known."
    ).format(_text(p, "equipment")),
    ErrorCode.UNKNOWN_STEP: lambda p: QCoreApplication.translate(
        "messages", "Item {0} has no step {1} on its routing."
    ).format(_text(p, "item"), _text(p, "step")),
    ErrorCode.UNKNOWN_CHARACTERISTIC: lambda p: QCoreApplication.translate(
        "messages", "Step {0} does not measure {1}."
    ).format(_text(p, "step"), _listed(p, "names")),
    ErrorCode.ITEM_NOT_LOT_TRACKED: _item_not_lot_tracked,
    ErrorCode.ITEM_NOT_SERIALIZED: lambda p: QCoreApplication.translate(
        "messages", "Item {0} is not tracked by serial number."
    ).format(_text(p, "item")),
    ErrorCode.NO_NUMBERING_RULE: _no_numbering_rule,
    ErrorCode.BAD_NUMBERING_RULE: lambda p: QCoreApplication.translate(
        "messages", "Numbering rule {0} is not valid ({1}): ask a supervisor."
    ).format(_text(p, "rule"), _text(p, "why")),
    ErrorCode.COUNTER_EXHAUSTED: _counter_exhausted,
    ErrorCode.NO_PACKING_SPEC: _no_packing_spec,
    # Lots
    ErrorCode.LOT_NOT_RELEASED: lambda p: QCoreApplication.translate(
        "messages", "Lot {0} is not released ({1}): it cannot be used."
    ).format(_text(p, "code"), _status(p)),
    ErrorCode.LOT_ON_HOLD: lambda p: QCoreApplication.translate(
        "messages", "Lot {0} is on hold: it cannot be used."
    ).format(_text(p, "code")),
    ErrorCode.LOT_EXPIRED: lambda p: QCoreApplication.translate("messages", "Lot {0} expired on {1}.").format(
        _text(p, "code"), _text(p, "expires_on")
    ),
    ErrorCode.LOT_INSUFFICIENT_QUANTITY: lambda p: QCoreApplication.translate(
        "messages", "Lot {0} holds only {1}, not {2}."
    ).format(_text(p, "code"), _text(p, "available"), _text(p, "requested")),
    ErrorCode.LOT_NOT_IN_QUARANTINE: lambda p: QCoreApplication.translate(
        "messages", "Lot {0} is not waiting for inspection: it is {1}."
    ).format(_text(p, "code"), _status(p)),
    ErrorCode.INSPECTION_FAILED: lambda p: QCoreApplication.translate(
        "messages", "Lot {0} fails inspection on {1}: it cannot be released. Reject it instead."
    ).format(_text(p, "code"), _listed(p, "failed")),
    ErrorCode.SAME_LABEL_RECEIVED: lambda p: QCoreApplication.translate(
        "messages",
        "This label was received today at {0}: supplier lot {1}, {2}, {3} {4} (lot {5}). "
        "Nothing was recorded.",
    ).format(
        _text(p, "when"),
        _text(p, "supplier_lot"),
        _text(p, "item"),
        _text(p, "quantity"),
        p.get("uom", ""),
        _text(p, "lot"),
    ),
    ErrorCode.NOT_A_LOT: lambda p: QCoreApplication.translate("messages", "{0} is not a lot.").format(
        _text(p, "code")
    ),
    # Work orders
    ErrorCode.UNKNOWN_WORK_ORDER: lambda p: QCoreApplication.translate(
        "messages", "Work order {0} is not known."
    ).format(_text(p, "work_order")),
    ErrorCode.WORK_ORDER_NOT_RELEASED: lambda p: QCoreApplication.translate(
        "messages", "Work order {0} is not released yet: ask a supervisor to release it."
    ).format(_text(p, "work_order")),
    ErrorCode.WORK_ORDER_COMPLETE: lambda p: QCoreApplication.translate(
        "messages", "Work order {0} is completed: nothing more can be recorded on it."
    ).format(_text(p, "work_order")),
    ErrorCode.ITEM_NOT_IN_BOM: lambda p: QCoreApplication.translate(
        "messages", "Item {0} is not in the bill of materials of {1}."
    ).format(_text(p, "item"), _text(p, "product")),
    ErrorCode.SERIAL_COUNT_EXCEEDED: lambda p: QCoreApplication.translate(
        "messages", "Work order {0} is for {1}: {2} serials exist, {3} more would be too many."
    ).format(_text(p, "work_order"), _text(p, "planned"), _text(p, "created"), _text(p, "requested")),
    ErrorCode.WORK_ORDER_EXISTS: lambda p: QCoreApplication.translate(
        "messages", "Work order {0} exists already."
    ).format(_text(p, "work_order")),
    ErrorCode.COMPONENT_COUNT_EXCEEDED: lambda p: QCoreApplication.translate(
        "messages", "{0} takes {1} of item {2}, and all are fitted already."
    ).format(_text(p, "product"), _text(p, "required"), _text(p, "item")),
    ErrorCode.COMPONENTS_MISSING: lambda p: QCoreApplication.translate(
        "messages", "{0} still lacks components: {1}."
    ).format(_text(p, "code"), _listed(p, "missing")),
    ErrorCode.QUANTITY_EXCEEDS_ORDER: lambda p: QCoreApplication.translate(
        "messages", "Work order {0} is for {1}: {2} in all would be more than that."
    ).format(_text(p, "work_order"), _text(p, "planned"), _text(p, "reported")),
    # Serials
    ErrorCode.NOT_A_SERIAL: lambda p: QCoreApplication.translate(
        "messages", "{0} is not a serial number."
    ).format(_text(p, "code")),
    ErrorCode.SERIAL_ALREADY_USED: lambda p: QCoreApplication.translate(
        "messages", "Serial {0} is used already."
    ).format(_text(p, "code")),
    ErrorCode.SERIAL_NOT_OF_WORK_ORDER: lambda p: QCoreApplication.translate(
        "messages", "Serial {0} belongs to no work order."
    ).format(_text(p, "code")),
    ErrorCode.SERIAL_FAILED: _serial_failed,
    ErrorCode.SERIAL_NOT_COMPLETE: lambda p: QCoreApplication.translate(
        "messages", "Serial {0} has not finished its routing yet."
    ).format(_text(p, "code")),
    ErrorCode.STEP_SKIPPED: _step_skipped,
    ErrorCode.STEP_ALREADY_PASSED: lambda p: QCoreApplication.translate(
        "messages", "{0} has passed step {1} already."
    ).format(_text(p, "code"), _text(p, "step")),
    ErrorCode.MEASUREMENT_MISSING: lambda p: QCoreApplication.translate(
        "messages", "Step {0} needs a measurement of {1}."
    ).format(_text(p, "step"), _listed(p, "names")),
    # Containers
    ErrorCode.NOT_A_CONTAINER: lambda p: QCoreApplication.translate(
        "messages", "{0} is not a carton or a pallet."
    ).format(_text(p, "code")),
    ErrorCode.CARTON_FULL: lambda p: QCoreApplication.translate(
        "messages", "{0} is full ({1} of {2}): close it and start a new one."
    ).format(_text(p, "code"), _text(p, "count"), _text(p, "capacity")),
    ErrorCode.CONTAINER_CLOSED: lambda p: QCoreApplication.translate(
        "messages", "{0} is closed: nothing more can go into it."
    ).format(_text(p, "code")),
    ErrorCode.CONTAINER_NOT_CLOSED: lambda p: QCoreApplication.translate(
        "messages", "{0} is still open: close it first."
    ).format(_text(p, "code")),
    ErrorCode.CONTAINER_EMPTY: lambda p: QCoreApplication.translate("messages", "{0} is empty.").format(
        _text(p, "code")
    ),
    ErrorCode.CONTAINER_MIXED_ITEMS: lambda p: QCoreApplication.translate(
        "messages", "{0} holds another item: {1} cannot go into it."
    ).format(_text(p, "code"), _text(p, "item")),
    ErrorCode.UNIT_ALREADY_PACKED: _unit_already_packed,
    ErrorCode.UNIT_NOT_PACKED: lambda p: QCoreApplication.translate(
        "messages", "{0} is not packed in anything."
    ).format(_text(p, "code")),
    ErrorCode.UNIT_NOT_PACKABLE: _unit_not_packable,
    # Any unit
    ErrorCode.UNIT_ON_HOLD: _unit_on_hold,
    ErrorCode.UNIT_NOT_ON_HOLD: lambda p: QCoreApplication.translate(
        "messages", "{0} is not on hold: there is nothing to release."
    ).format(_text(p, "code")),
    ErrorCode.UNIT_NOT_RELEASED: _unit_not_released,
    ErrorCode.UNIT_SCRAPPED: _unit_scrapped,
    ErrorCode.UNIT_EXPIRED: _unit_expired,
    ErrorCode.UNIT_CONSUMED: lambda p: QCoreApplication.translate(
        "messages", "{0} has been used up in production."
    ).format(_text(p, "code")),
    ErrorCode.CANNOT_SCRAP_CONTAINER: lambda p: QCoreApplication.translate(
        "messages", "{0} is a carton or a pallet: unpack it and scrap what it holds."
    ).format(_text(p, "code")),
    ErrorCode.SHIPMENT_EXISTS: lambda p: QCoreApplication.translate(
        "messages", "Shipment {0} exists already."
    ).format(_text(p, "shipment")),
    # Shipping
    ErrorCode.UNKNOWN_SHIPMENT: lambda p: QCoreApplication.translate(
        "messages", "Shipment {0} is not known."
    ).format(_text(p, "shipment")),
    ErrorCode.SHIPMENT_NOT_OPEN: lambda p: QCoreApplication.translate(
        "messages", "Shipment {0} has left already: it cannot be changed."
    ).format(_text(p, "shipment")),
    ErrorCode.WRONG_ITEM: lambda p: QCoreApplication.translate(
        "messages", "{0} is item {1}, which shipment {2} does not order."
    ).format(_text(p, "code"), _text(p, "item"), _text(p, "shipment")),
    ErrorCode.SHIPMENT_LINE_EXCEEDED: lambda p: QCoreApplication.translate(
        "messages",
        "Too much of item {0}: the shipment orders {1}, {2} picked so far, {3} more would exceed it.",
    ).format(_text(p, "item"), _text(p, "required"), _text(p, "picked"), _text(p, "requested")),
    ErrorCode.ALREADY_SHIPPED: _already_shipped,
    ErrorCode.ALREADY_ON_SHIPMENT: _already_on_shipment,
    ErrorCode.NOT_ON_SHIPMENT: lambda p: QCoreApplication.translate(
        "messages", "{0} is not on shipment {1}."
    ).format(_text(p, "code"), _text(p, "shipment")),
    ErrorCode.SHIPMENT_EMPTY: lambda p: QCoreApplication.translate(
        "messages", "Shipment {0} is empty: scan what leaves first."
    ).format(_text(p, "shipment")),
    ErrorCode.SHIPMENT_QUANTITY_MISMATCH: lambda p: QCoreApplication.translate(
        "messages", "Shipment {0} does not match its order: {1}."
    ).format(_text(p, "shipment"), _shortfalls(p)),
    # Labels
    ErrorCode.UNKNOWN_PRINT_JOB: lambda p: QCoreApplication.translate(
        "messages", "Print job {0} is not known."
    ).format(_text(p, "job")),
    ErrorCode.PRINT_JOB_STATE: lambda p: QCoreApplication.translate(
        "messages", "Print job {0} cannot go from “{1}” to “{2}”."
    ).format(_text(p, "job"), _job_status(p, "status"), _job_status(p, "wanted")),
    ErrorCode.LABEL_ALREADY_PRINTED: lambda p: QCoreApplication.translate(
        "messages", "The label of {0} is printed already (job {1}): reprint it, with a reason."
    ).format(_text(p, "code"), _text(p, "job")),
    # Stations
    ErrorCode.STATION_EXISTS: lambda p: QCoreApplication.translate(
        "messages", "A station with the code {0} exists already."
    ).format(_text(p, "station") if "station" in p else _text(p, "code")),
}
