"""Label printers behind one interface: ESC/POS or ZPL over any transport (printing.transports), and
a preview printer that writes PNG files (the default on a fresh install: the demo prints without
hardware).

A printer either takes the whole job or raises `PrinterError` with a reason an operator can act
on (unreachable, timed out, connection lost, unplugged): the print job stays re-sendable, nothing
is dropped silently. Raw port 9100 gives no acknowledgement: "sent" means the printer's network
stack took the bytes, not that a label came out, so confirming is the operator's job (or, later,
a status query's: ~HS for ZPL, DLE EOT for ESC/POS).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from printing.escpos import escpos_job, escpos_native_job
from printing.render import Label
from printing.transports import Failure, PrinterError, Transport
from printing.zpl import zpl_job


class LabelPrinter(Protocol):
    # Read-only: each printer describes itself from its connection (a property), nobody sets it.
    @property
    def description(self) -> str:
        """What the station shows and the print job records as the printer."""
        ...

    def print_label(self, label: Label, *, copies: int = 1, name: str = "label") -> str:
        """Print `copies` of the label; what was done, for the print job's record."""
        ...


@dataclass
class EscposPrinter:
    transport: Transport
    cut: bool = False
    native: bool = False  # the printer's own Chinese text and QR commands instead of the raster

    @property
    def description(self) -> str:
        return f"ESC/POS {self.transport.description}"

    def print_label(self, label: Label, *, copies: int = 1, name: str = "label") -> str:
        job = escpos_native_job(label, cut=self.cut) if self.native else escpos_job(label.image, cut=self.cut)
        receipt = self.transport.send(job * _copies(copies))
        return _done(copies, name, self.description, receipt)


@dataclass
class ZplPrinter:
    transport: Transport
    darkness: int | None = None

    @property
    def description(self) -> str:
        return f"ZPL {self.transport.description}"

    def print_label(self, label: Label, *, copies: int = 1, name: str = "label") -> str:
        receipt = self.transport.send(zpl_job(label.image, copies=_copies(copies), darkness=self.darkness))
        return _done(copies, name, self.description, receipt)


@dataclass
class PreviewPrinter:
    """Writes each label as a PNG file: the printer of a station that has none yet."""

    folder: Path
    written: list[Path] = field(default_factory=list)

    @property
    def description(self) -> str:
        return f"preview {self.folder}"

    def print_label(self, label: Label, *, copies: int = 1, name: str = "label") -> str:
        _copies(copies)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
        path = self.folder / f"{stamp}-{_SAFE.sub('_', name)}.png"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            label.image.save(path)
        except OSError as error:
            raise PrinterError(self.description, Failure.NOT_WRITABLE, str(error)) from None
        self.written.append(path)
        return f"{copies} x {name} to {path}"


_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _done(copies: int, name: str, printer: str, receipt: str | None) -> str:
    return f"{copies} x {name} to {printer}" + (f" ({receipt})" if receipt else "")


def _copies(copies: int) -> int:
    if copies < 1:
        raise ValueError(f"copies must be 1 or more, not {copies}")
    return copies
