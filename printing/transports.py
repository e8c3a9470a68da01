"""How the bytes of a label job reach a printer: raw TCP, a serial line, USB, a device file, the
Windows spooler or CUPS. Every transport takes a whole job or raises `PrinterError` with a reason
an operator can act on; none of them swallows a failure.

The USB and Windows-spooler connections are python-escpos's own (they carry ZPL as well as ESC/POS:
both are raw bytes to the device). CUPS goes through its `lp` command with the job on stdin, and
its exit status is checked: python-escpos's LP class discards both, which would drop a refused job
without a word.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

import serial


class Failure(StrEnum):
    UNREACHABLE = "UNREACHABLE"  # nothing answers at that address, or no such device or queue
    TIMEOUT = "TIMEOUT"  # it answered, then stopped taking data (paper out, paused, jammed)
    CONNECTION_LOST = "CONNECTION_LOST"  # it went away in the middle of the job
    NOT_WRITABLE = "NOT_WRITABLE"  # the preview folder cannot be written
    REFUSED = "REFUSED"  # a spooler that is there said no (queue disabled, not accepting jobs)


class PrinterError(Exception):
    def __init__(self, printer: str, failure: Failure, detail: str) -> None:
        self.printer = printer
        self.failure = failure
        self.detail = detail
        super().__init__(f"{printer}: {failure.value}: {detail}")


class Transport(Protocol):
    # Read-only: each transport describes itself from its address (a property), nobody sets it.
    @property
    def description(self) -> str:
        """The connection as the station shows it (tcp://10.0.0.9:9100, COM3...)."""
        ...

    def send(self, job: bytes) -> str | None:
        """Deliver the whole job; what the other side said about it, if it says anything."""
        ...


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

    def send(self, job: bytes) -> str | None:
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
                return None
            connection.settimeout(self.settle)
            try:
                connection.recv(1024)
            except TimeoutError:
                pass  # quiet: the printer has the job and keeps the line open, as they do
            except OSError as error:
                raise PrinterError(self.description, Failure.CONNECTION_LOST, str(error)) from None
        return None


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

    def send(self, job: bytes) -> str | None:
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
            return None
        except serial.SerialTimeoutException as error:
            raise PrinterError(self.description, Failure.TIMEOUT, f"{error} after {allowed:.0f} s") from None
        except (serial.SerialException, OSError) as error:
            # pyserial says "could not open port" when the device is not there (unplugged,
            # mistyped, COM3 gone on Windows); anything after opening lost a connection that was.
            failure = Failure.UNREACHABLE if "could not open port" in str(error) else Failure.CONNECTION_LOST
            raise PrinterError(self.description, failure, str(error)) from None


@dataclass
class DeviceFileTransport:
    """A printer the operating system shows as a file: /dev/usb/lp0 (Linux's USB printer class
    driver, the usual way to reach a USB Zebra or Xprinter there), a parallel port."""

    path: str

    @property
    def description(self) -> str:
        return self.path

    def send(self, job: bytes) -> str | None:
        try:
            # O_NONBLOCK on open only: a device node that has no printer behind it fails at once
            # (ENODEV, ENXIO) instead of hanging; the write itself blocks until the printer took it.
            descriptor = os.open(self.path, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as error:
            raise PrinterError(self.description, Failure.UNREACHABLE, str(error)) from None
        try:
            os.set_blocking(descriptor, True)
            view = memoryview(job)
            while view:
                view = view[os.write(descriptor, view) :]
        except OSError as error:
            raise PrinterError(self.description, Failure.CONNECTION_LOST, str(error)) from None
        finally:
            os.close(descriptor)
        return None


@dataclass
class UsbTransport:
    """A printer on USB, reached with libusb through python-escpos's Usb connection (pyusb).

    The write may take as long as the bulk endpoint needs for the job at a slow printer's pace
    (100 kB/s at worst) plus `timeout`: python-escpos's default of no time limit would hang the
    station on a printer that stopped taking data.
    """

    vendor: int
    product: int
    out_ep: int = 0x01
    in_ep: int = 0x82
    timeout: float = 10.0

    @property
    def description(self) -> str:
        return f"usb {self.vendor:04x}:{self.product:04x}"

    def send(self, job: bytes) -> str | None:
        import usb.core
        from escpos.exceptions import DeviceNotFoundError
        from escpos.printer import Usb

        allowed = self.timeout + len(job) / 100_000
        milliseconds = round(allowed * 1000)
        device = Usb(self.vendor, self.product, timeout=milliseconds, in_ep=self.in_ep, out_ep=self.out_ep)
        try:
            device.open()
        except DeviceNotFoundError as error:
            raise PrinterError(self.description, Failure.UNREACHABLE, _one_line(error)) from None
        except usb.core.NoBackendError as error:
            detail = f"{error}: install libusb-1.0 (Debian libusb-1.0-0)"
            raise PrinterError(self.description, Failure.UNREACHABLE, detail) from None
        try:
            device._raw(job)
            return None
        except usb.core.USBTimeoutError:
            detail = f"stopped taking data for {allowed:.0f} s (paper out, paused, jammed?)"
            raise PrinterError(self.description, Failure.TIMEOUT, detail) from None
        except usb.core.USBError as error:
            raise PrinterError(self.description, Failure.CONNECTION_LOST, str(error)) from None
        finally:
            device.close()


@dataclass
class WindowsSpoolerTransport:
    """A Windows printer queue, the job sent RAW through python-escpos's Win32Raw (pywin32).

    On Windows this is the way to a USB printer: its own USB access needs the vendor's driver
    replaced with WinUSB. Win32Raw hands the job to the spooler only on close, so close is part of
    the send.
    """

    queue: str

    @property
    def description(self) -> str:
        return f"windows queue {self.queue}"

    def send(self, job: bytes) -> str | None:
        from escpos.printer import Win32Raw

        if not Win32Raw.is_usable():
            raise PrinterError(
                self.description, Failure.UNREACHABLE, "the Windows spooler exists only on Windows (pywin32)"
            )
        from escpos.exceptions import DeviceNotFoundError

        spooler = Win32Raw(self.queue)
        try:
            spooler.open(job_name="TraceStation label")
            spooler._raw(job)
            spooler.close()
            return None
        except DeviceNotFoundError as error:
            raise PrinterError(self.description, Failure.UNREACHABLE, _one_line(error)) from None
        except Exception as error:  # pywintypes.error: the spooler refused or lost the job
            raise PrinterError(self.description, Failure.CONNECTION_LOST, str(error)) from None


@dataclass
class CupsTransport:
    """A CUPS queue, the job sent raw with `lp -o raw` (CUPS's own client, Debian cups-client).

    `lp` returns once CUPS has queued the job; CUPS then owns it, retrying a printer that is
    offline and showing it in its own queue. "Sent" means queued here, and the request id CUPS
    gave is returned for the job's record.
    """

    queue: str
    server: str | None = None  # host[:port]; None: the machine's own CUPS (or CUPS_SERVER)
    timeout: float = 30.0

    @property
    def description(self) -> str:
        return f"cups {self.queue}" + (f"@{self.server}" if self.server else "")

    def send(self, job: bytes) -> str | None:
        command = ["lp", "-d", self.queue, "-o", "raw", "-t", "TraceStation label"]
        if self.server:
            command[1:1] = ["-h", self.server]
        try:
            done = subprocess.run(command, input=job, capture_output=True, timeout=self.timeout, check=False)
        except FileNotFoundError:
            detail = "the lp command is missing: install cups-client"
            raise PrinterError(self.description, Failure.UNREACHABLE, detail) from None
        except subprocess.TimeoutExpired:
            detail = f"CUPS did not take the job in {self.timeout} s"
            raise PrinterError(self.description, Failure.TIMEOUT, detail) from None
        answer = done.stdout.decode(errors="replace").strip()
        complaint = done.stderr.decode(errors="replace").strip()
        if done.returncode != 0:
            failure = Failure.UNREACHABLE if _UNREACHABLE.search(complaint) else Failure.REFUSED
            raise PrinterError(self.description, failure, complaint or f"lp exited with {done.returncode}")
        found = _REQUEST.search(answer)
        if found is None:
            raise PrinterError(self.description, Failure.REFUSED, f"lp gave no request id: {answer!r}")
        return f"CUPS request {found.group(1)}"


_REQUEST = re.compile(r"request id is (\S+)")
_UNREACHABLE = re.compile(r"does not exist|[Nn]o such|connect|[Uu]nable to|[Bb]ad file descriptor")


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())
