"""What a refusal says to the operator, in the operator's language.

Screens never show an error code: each domain error code maps to a sentence (translated through Qt
Linguist, context "messages") filled with the error's parameters. The codes a screen can meet are
added here with the screen; the test of this module checks that every code listed is translatable.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from models.errors import DomainError, ErrorCode


# Every call is QCoreApplication.translate("messages", "<literal>"): lupdate reads literals only,
# and a helper taking the text as a variable would leave its strings out of the catalogue unseen.
def domain_message(error: DomainError) -> str:
    """The sentence for a refused action; the code itself only when no sentence exists yet."""
    params = error.params
    code = error.code
    if code is ErrorCode.UNKNOWN_USER:
        return QCoreApplication.translate("messages", "Badge {0} is not known here.").format(
            params.get("badge", "")
        )
    if code is ErrorCode.USER_INACTIVE:
        return QCoreApplication.translate("messages", "{0} is no longer active. Ask a supervisor.").format(
            params.get("user", "")
        )
    if code is ErrorCode.USER_LOCKED:
        return QCoreApplication.translate(
            "messages", "{0} is locked after too many wrong PINs. A supervisor must unlock the badge."
        ).format(params.get("user", ""))
    if code is ErrorCode.WRONG_PIN:
        return QCoreApplication.translate(
            "messages", "Wrong PIN. {0} tries left before the badge locks."
        ).format(params.get("remaining", 0))
    if code is ErrorCode.UNKNOWN_CODE:
        return QCoreApplication.translate(
            "messages", "{0} is not known: no unit, work order or shipment has this code."
        ).format(params.get("code", ""))
    if code is ErrorCode.AMBIGUOUS_CODE:
        return QCoreApplication.translate(
            "messages", "{0} names several units: scan the internal label instead."
        ).format(params.get("code", ""))
    if code is ErrorCode.EMPTY_SCAN:
        return QCoreApplication.translate("messages", "The scan was empty: scan again.")
    if code is ErrorCode.STATION_EXISTS:
        return QCoreApplication.translate("messages", "A station with the code {0} exists already.").format(
            params.get("code", "")
        )
    if code is ErrorCode.BAD_INPUT:
        return QCoreApplication.translate("messages", "{0}: {1}").format(
            params.get("field", ""), params.get("why", "")
        )
    if code is ErrorCode.ROLE_REQUIRED:
        return QCoreApplication.translate("messages", "This needs a supervisor.")
    # Not silent: the operator sees the code and its parameters, and a supervisor can look it up.
    return QCoreApplication.translate("messages", "Refused: {0}").format(str(error))


def offline_message() -> str:
    return QCoreApplication.translate("messages", "The database cannot be reached. Nothing was recorded.")


def idle_message(minutes: int) -> str:
    return QCoreApplication.translate(
        "messages", "Locked after {0} minutes without activity. Log in again."
    ).format(minutes)
