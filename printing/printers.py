"""Label printers behind one interface: ESC/POS or ZPL over the network or a serial line, and a
preview printer that writes PNG files (the default on a fresh install: the demo prints without
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
import socket
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Protocol

import serial
from PIL import Image

from printing.escpos import escpos_job
from printing.zpl import zpl_job


class Failure(StrEnum):
    UNREACHABLE = "UNREACHABLE"  # nothing answers at that address, or no such device
    TIMEOUT = "TIMEOUT"  # it answered, then stopped taking data (paper out, paused, jammed)
    CONNECTION_LOST = "CONNECTION_LOST"  # it went away in the middle of the job
    NOT_WRITABLE = "NOT_WRITABLE"  # the preview folder cannot be written


class PrinterError(Exception):
    def __init__(self, printer: str, failure: Failure, detail: str) -> None:
        self.printer = printer
        self.failure = failure
        self.detail = detail
        super().__init__(f"{printer}: {failure.value}: {detail}")


class Transport(Protocol):
    description: str

    def send(self, job: bytes) -> None: ...


@dataclass
class NetworkTransport:
    """Raw TCP to the printer's port (9100 on Zebra, Xprinter, Gprinter and the like)."""

    host: str
    port: int = 9100
    timeout: float = 10.0
    # After the job, how long to listen for the printer slamming the door on it: a printer that
    # closes with part of the job unread sends a reset, which is the only failure raw TCP shows.
    settle: float = 0.3

    @property
    def description(self) -> str:
        return f"{self.host}:{self.port}"

    def send(self, job: bytes) -> None:
        try:
            connection = socket.create_connection((self.host, self.port), timeout=self.timeout)
        except TimeoutError:
            raise PrinterError(
                self.description, Failure.UNREACHABLE, f"no answer in {self.timeout} s"
            ) from None
        except OSError as error:
            raise PrinterError(self.description, Failure.UNREACHABLE, str(error)) from None
        with connection:
            try:
                connection.sendall(job)
                connection.shutdown(socket.SHUT_WR)
            except TimeoutError:
                detail = f"stopped taking data for {self.timeout} s (paper out, paused, jammed?)"
                raise PrinterError(self.description, Failure.TIMEOUT, detail) from None
            except OSError as error:
                raise PrinterError(self.description, Failure.CONNECTION_LOST, str(error)) from None
            if self.settle <= 0:
                return
            connection.settimeout(self.settle)
            try:
                connection.recv(1024)
            except TimeoutError:
                pass  # quiet: the printer has the job and keeps the line open, as they do
            except OSError as error:
                raise PrinterError(self.description, Failure.CONNECTION_LOST, str(error)) from None


@dataclass
class SerialTransport:
    """A printer on a serial line or a USB-serial adapter (RS-232, USB-CDC).

    A label is tens of kilobytes: at 9600 baud a carton takes half a minute, so the write may take
    as long as the line needs for the job (ten bits a byte) plus `timeout`; hardware or software
    flow control keeps a slow printer's buffer from overflowing.
    """

    device: str
    baudrate: int = 9600
    timeout: float = 10.0
    flow: str = "none"  # "rtscts", "xonxoff" or "none"

    @property
    def description(self) -> str:
        return f"{self.device}@{self.baudrate}"

    def send(self, job: bytes) -> None:
        allowed = self.timeout + len(job) * 10 / self.baudrate * 1.5
        try:
            with serial.Serial(
                self.device,
                self.baudrate,
                write_timeout=allowed,
                rtscts=self.flow == "rtscts",
                xonxoff=self.flow == "xonxoff",
            ) as line:
                line.write(job)
                line.flush()
        except serial.SerialTimeoutException as error:
            raise PrinterError(self.description, Failure.TIMEOUT, f"{error} after {allowed:.0f} s") from None
        except (serial.SerialException, OSError) as error:
            # pyserial says "could not open port" when the device is not there (unplugged,
            # mistyped, COM3 gone on Windows); anything after opening lost a connection that was.
            failure = Failure.UNREACHABLE if "could not open port" in str(error) else Failure.CONNECTION_LOST
            raise PrinterError(self.description, failure, str(error)) from None


class LabelPrinter(Protocol):
    description: str

    def print_label(self, label: Image.Image, *, copies: int = 1, name: str = "label") -> str:
        """Print `copies` of the label; what was done, for the print job's record."""
        ...


@dataclass
class EscposPrinter:
    transport: Transport
    cut: bool = False

    @property
    def description(self) -> str:
        return f"ESC/POS {self.transport.description}"

    def print_label(self, label: Image.Image, *, copies: int = 1, name: str = "label") -> str:
        self.transport.send(escpos_job(label, cut=self.cut) * _copies(copies))
        return f"{copies} x {name} to {self.description}"


@dataclass
class ZplPrinter:
    transport: Transport
    darkness: int | None = None

    @property
    def description(self) -> str:
        return f"ZPL {self.transport.description}"

    def print_label(self, label: Image.Image, *, copies: int = 1, name: str = "label") -> str:
        self.transport.send(zpl_job(label, copies=copies, darkness=self.darkness))
        return f"{copies} x {name} to {self.description}"


@dataclass
class PreviewPrinter:
    """Writes each label as a PNG file: the printer of a station that has none yet."""

    folder: Path
    written: list[Path] = field(default_factory=list)

    @property
    def description(self) -> str:
        return f"preview {self.folder}"

    def print_label(self, label: Image.Image, *, copies: int = 1, name: str = "label") -> str:
        _copies(copies)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
        path = self.folder / f"{stamp}-{_SAFE.sub('_', name)}.png"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            label.save(path)
        except OSError as error:
            raise PrinterError(self.description, Failure.NOT_WRITABLE, str(error)) from None
        self.written.append(path)
        return f"{copies} x {name} to {path}"


_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _copies(copies: int) -> int:
    if copies < 1:
        raise ValueError(f"copies must be 1 or more, not {copies}")
    return copies
