"""The electronic signature of a hold, a release or a scrap: what it means, who signs, why, and the PIN.

21 CFR 11.50 asks that a signed record show the signer's printed name, the date and time, and the
meaning of the signature; 11.200 that the signer enter both components of the signature again
when signing outside a continuous session. The supervisor window asks for them here: the meaning
in full words at the top, the signer's printed name under it, the reason (and for part of a lot
the quantity), then the PIN. A dialog is right here: the supervisor window is used with mouse and
keyboard, not a scanner that could answer it.

The dialog never checks the PIN: the operation does, in the transaction that records the action
(models/quality.py), so a wrong PIN is counted toward the badge's lockout like a wrong login.
The dialog only makes sure nothing asked for is left empty before it hands the answer back. When
the operation refuses the PIN, the caller opens the dialog again with `earlier` (what was signed)
and `problem` (why it was refused): the reason and quantity stay as typed, the PIN is empty and
has the focus, so only the PIN is typed again; Esc still cancels.

Keyboard alone: Alt+R, Alt+Q and Alt+P go to the fields, Enter moves on from the reason and the
quantity and signs from the PIN field, Alt+S signs, Esc cancels.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from decimal import Decimal

from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.station_screen import TOUCH_TARGET, parse_quantity

MAX_PIN_DIGITS = 12  # models/auth.py: a PIN is 4 to 12 digits
DIALOG_WIDTH = 720


@dataclass(frozen=True)
class Signed:
    """What the signer entered: handed to the operation, which checks the PIN when it records.

    `reason` is "" when none was asked for; `quantity` is None for the whole unit (or when none
    was asked for).
    """

    reason: str
    pin: str = field(repr=False)  # never in a log line or a traceback
    quantity: Decimal | None = None


class _PinField(QLineEdit):
    def inputMethodQuery(self, query: Qt.InputMethodQuery) -> object:
        # WA_InputMethodEnabled=False does not keep an IME out of a QLineEdit (FIELD-NOTES): a
        # Chinese IME left on would swallow the digits.
        if query == Qt.InputMethodQuery.ImEnabled:
            return False
        return super().inputMethodQuery(query)


class SignatureDialog(QDialog):
    """Asks for an electronic signature; `ask()` shows it modally and answers Signed or None."""

    def __init__(
        self,
        meaning_text: str,
        signer_name: str,
        *,
        needs_reason: bool = True,
        quantity_uom: str | None = None,
        earlier: Signed | None = None,
        problem: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("signatureDialog")
        self.setMinimumWidth(DIALOG_WIDTH)
        self.needs_reason = needs_reason
        self.signer_name = signer_name
        self._signed: Signed | None = None

        # What is signed, and by whom: the card at the top.
        self.card = QFrame()
        self.card.setObjectName("contextCard")
        self.meaning = QLabel(meaning_text)
        self.meaning.setObjectName("contextTitle")
        self.meaning.setWordWrap(True)
        self.signer = QLabel()
        self.signer.setObjectName("signer")
        self.statement = QLabel()
        self.statement.setObjectName("signatureStatement")
        self.statement.setWordWrap(True)
        card = QVBoxLayout(self.card)
        card.addWidget(self.meaning)
        card.addWidget(self.signer)
        card.addWidget(self.statement)

        # What the signer enters.
        self.reason = QLineEdit()
        self.reason.setObjectName("reason")
        self.reason_label = QLabel()
        self.reason_label.setBuddy(self.reason)
        self.quantity = QLineEdit()
        self.quantity.setObjectName("quantity")
        self.quantity_label = QLabel()
        self.quantity_label.setBuddy(self.quantity)
        self.uom = QLabel(quantity_uom or "")
        self.uom.setObjectName("uom")
        quantity_row = QHBoxLayout()
        quantity_row.addWidget(self.quantity, 1)
        quantity_row.addWidget(self.uom)
        self.pin = _PinField()
        self.pin.setObjectName("pin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setValidator(QRegularExpressionValidator(rf"\d{{0,{MAX_PIN_DIGITS}}}", self.pin))
        self.pin_label = QLabel()
        self.pin_label.setBuddy(self.pin)
        for label in (self.reason_label, self.quantity_label, self.pin_label):
            # As high as its field and centred on it: a form read at a glance.
            label.setMinimumHeight(TOUCH_TARGET)
            label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        form = QFormLayout()
        form.addRow(self.reason_label, self.reason)
        form.addRow(self.quantity_label, quantity_row)
        form.addRow(self.pin_label, self.pin)
        form.setRowVisible(self.reason, needs_reason)
        form.setRowVisible(quantity_row, quantity_uom is not None)
        self.asks_quantity = quantity_uom is not None

        # Why the dialog did not sign yet (a field left empty), in large red text.
        self.message = QLabel()
        self.message.setObjectName("loginMessage")
        self.message.setWordWrap(True)

        # No default button: Enter in a field moves on, and only Enter in the PIN field signs, so an
        # Enter typed at the end of the reason never signs a record whose PIN is still empty.
        self.buttons = QDialogButtonBox()
        self.sign_button = QPushButton()
        self.sign_button.setObjectName("signButton")
        self.cancel_button = QPushButton()
        self.cancel_button.setObjectName("cancelButton")
        for button in (self.sign_button, self.cancel_button):
            button.setAutoDefault(False)
            button.setDefault(False)
        self.buttons.addButton(self.sign_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)

        layout = QVBoxLayout(self)
        layout.addWidget(self.card)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

        chain = (self.reason, self.quantity, self.pin, self.sign_button, self.cancel_button)
        for widget in chain:
            widget.setMinimumHeight(TOUCH_TARGET)
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

        self.reason.returnPressed.connect(self._reason_entered)
        self.quantity.returnPressed.connect(self._quantity_entered)
        self.pin.returnPressed.connect(self.sign)
        self.sign_button.clicked.connect(self.sign)
        self.cancel_button.clicked.connect(self.reject)
        self.retranslate()
        if earlier is not None:  # signed before and refused: all but the PIN as it was typed
            self.reason.setText(earlier.reason)
            if earlier.quantity is not None:
                self.quantity.setText(str(earlier.quantity))
        self.message.setText(problem)
        (self.pin if earlier is not None else self.first_field()).setFocus()

    # --- the answer -------------------------------------------------------------------------------

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        meaning_text: str,
        signer_name: str,
        needs_reason: bool = True,
        *,
        quantity_uom: str | None = None,
        earlier: Signed | None = None,
        problem: str = "",
    ) -> Signed | None:
        """Show the dialog modally: the signature, or None when the signer cancelled. `earlier` and
        `problem`: the signature the operation refused, and why (its PIN is never shown again)."""
        dialog = cls(
            meaning_text,
            signer_name,
            needs_reason=needs_reason,
            quantity_uom=quantity_uom,
            earlier=earlier,
            problem=problem,
            parent=parent,
        )
        try:
            dialog.exec()
            return dialog.signed
        finally:
            dialog.deleteLater()

    @property
    def signed(self) -> Signed | None:
        """The signature once the dialog was accepted; None before, or when it was cancelled."""
        return self._signed if self.result() == QDialog.DialogCode.Accepted else None

    def first_field(self) -> QLineEdit:
        """Where the signer starts: the reason, or the PIN when nothing else is asked."""
        if self.needs_reason:
            return self.reason
        return self.quantity if self.asks_quantity else self.pin

    def sign(self) -> None:
        """Hand the signature back, or say what is still missing and go there."""
        reason = self.reason.text().strip() if self.needs_reason else ""
        if self.needs_reason and not reason:
            self._missing(self.tr("Enter the reason: it is recorded with your signature."), self.reason)
            return
        quantity: Decimal | None = None
        if self.asks_quantity and self.quantity.text().strip():
            quantity = parse_quantity(self.quantity.text())
            if quantity is None:
                self._missing(
                    self.tr("Type the quantity as a number, or leave it empty for all of it."), self.quantity
                )
                return
        if not self.pin.text():
            self._missing(self.tr("Enter your PIN to sign."), self.pin)
            return
        self._signed = Signed(reason=reason, pin=self.pin.text(), quantity=quantity)
        self.message.clear()
        self.accept()

    def reject(self) -> None:
        self._signed = None
        self.pin.clear()  # a PIN typed and then abandoned does not stay in memory
        super().reject()

    def _missing(self, text: str, field: QLineEdit) -> None:
        self.message.setText(text)
        field.setFocus()

    def _reason_entered(self) -> None:
        (self.quantity if self.asks_quantity else self.pin).setFocus()

    def _quantity_entered(self) -> None:
        self.pin.setFocus()

    # --- texts ------------------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        """Every text of the dialog's own (the meaning comes translated from the caller)."""
        self.setWindowTitle(self.tr("Electronic signature"))
        self.signer.setText(self.tr("Signed by: {0}").format(self.signer_name))
        self.statement.setText(
            self.tr(
                "Your PIN is your electronic signature. It is recorded with your name, the date and "
                "time and the meaning above, and binds you as your handwritten signature does."
            )
        )
        self.reason_label.setText(self.tr("&Reason"))
        self.reason.setPlaceholderText(self.tr("Why: a supplier notice, a complaint, a test result..."))
        self.quantity_label.setText(self.tr("&Quantity"))
        self.quantity.setPlaceholderText(self.tr("Empty: all of it"))
        self.pin_label.setText(self.tr("&PIN"))
        self.pin.setPlaceholderText(self.tr("Your login PIN"))
        self.sign_button.setText(self.tr("&Sign"))
        self.cancel_button.setText(self.tr("Cancel"))


# --- the meanings, in the words the signer signs --------------------------------------------------


def hold_meaning(code: str, *, include_descendants: bool = False) -> str:
    if include_descendants:
        return QCoreApplication.translate(
            "SignatureDialog",
            "Hold {0} and everything made from it or packed in it: I confirm that none of it may be "
            "used, packed or shipped until it is released.",
        ).format(code)
    return QCoreApplication.translate(
        "SignatureDialog",
        "Hold {0}: I confirm that it may not be used, packed or shipped until it is released.",
    ).format(code)


def release_meaning(code: str, *, include_descendants: bool = False) -> str:
    if include_descendants:
        return QCoreApplication.translate(
            "SignatureDialog",
            "Release {0} and everything held with it: I confirm that they may be used and shipped again.",
        ).format(code)
    return QCoreApplication.translate(
        "SignatureDialog", "Release {0}: I confirm that it may be used and shipped again."
    ).format(code)


def scrap_meaning(code: str) -> str:
    return QCoreApplication.translate(
        "SignatureDialog", "Scrap {0}: I confirm that it is destroyed and may never be used again."
    ).format(code)


def hold_affected_meaning(scope: str) -> str:
    # No count here: what can still be held is decided in the action's own transaction, and the
    # signed sentence must not promise a number the record may not match; the answer says it.
    return QCoreApplication.translate(
        "SignatureDialog",
        "Hold everything affected by {0} that has not shipped, been used up or scrapped: I confirm "
        "that none of it may be used, packed or shipped until it is released.",
    ).format(scope)
