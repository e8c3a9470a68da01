"""What a refusal says to the operator, in the operator's language.

Screens never show an error code: each domain error code maps to a sentence (translated through Qt
Linguist, context "messages") filled with the error's parameters. The codes a screen can meet are
added here with the screen; the test of this module checks that every code listed is translatable.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from models.errors import DomainError, ErrorCode


def _tr(text: str) -> str:
    return QCoreApplication.translate("messages", text)


def domain_message(error: DomainError) -> str:
    """The sentence for a refused action; the code itself only when no sentence exists yet."""
    params = error.params
    code = error.code
    if code is ErrorCode.UNKNOWN_USER:
        return _tr("Badge {0} is not known here.").format(params.get("badge", ""))
    if code is ErrorCode.USER_INACTIVE:
        return _tr("{0} is no longer active. Ask a supervisor.").format(params.get("user", ""))
    if code is ErrorCode.USER_LOCKED:
        return _tr("{0} is locked after too many wrong PINs. A supervisor must unlock the badge.").format(
            params.get("user", "")
        )
    if code is ErrorCode.WRONG_PIN:
        return _tr("Wrong PIN. {0} tries left before the badge locks.").format(params.get("remaining", 0))
    if code is ErrorCode.UNKNOWN_CODE:
        return _tr("{0} is not known: no unit, work order or shipment has this code.").format(
            params.get("code", "")
        )
    if code is ErrorCode.AMBIGUOUS_CODE:
        return _tr("{0} names several units: scan the internal label instead.").format(params.get("code", ""))
    if code is ErrorCode.EMPTY_SCAN:
        return _tr("The scan was empty: scan again.")
    if code is ErrorCode.ROLE_REQUIRED:
        return _tr("This needs a supervisor.")
    # Not silent: the operator sees the code and its parameters, and a supervisor can look it up.
    return _tr("Refused: {0}").format(str(error))


def offline_message() -> str:
    return _tr("The database cannot be reached. Nothing was recorded.")


def idle_message(minutes: int) -> str:
    return _tr("Locked after {0} minutes without activity. Log in again.").format(minutes)
