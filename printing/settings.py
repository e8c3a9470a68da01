"""A station's printer settings (the `[printer]` table of its config file) and the printer they make.

    [printer]
    driver = "zpl"                      # "preview" (the default), "escpos" or "zpl"
    connection = "tcp://10.0.0.9:9100"  # where the printer is (below); a folder for preview
    dpi = 203                           # 203 or 300
    darkness = 20                       # ZPL ~SD, 0-30 (optional)
    copies = 1
    cut = false                         # ESC/POS: cut after each label
    flow = "none"                       # serial flow control: "rtscts", "xonxoff" or "none"
    font = "/path/to/font.ttc"          # optional: a CJK font other than the usual ones
    native = false                      # ESC/POS: the printer's own Chinese text and QR commands

Connections:
    tcp://10.0.0.9:9100                 raw TCP (port 9100 when left out)
    serial:///dev/ttyUSB0?baud=115200   a serial line (serial://COM3 on Windows), 9600 baud by default
    usb://0fe6:811e                     USB vendor:product through libusb (?out_ep=0x01&in_ep=0x82)
    file:///dev/usb/lp0                 a device file: Linux's USB printer driver, a parallel port
    windows://Zebra ZD421               a Windows printer queue, sent RAW through the spooler
    cups:///zebra                       a CUPS queue on this machine; cups://host:631/zebra on another

A setting that cannot work is refused with its name and value, never replaced by a default: a
station printing to the wrong place is worse than one that says it cannot print.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from printing.printers import EscposPrinter, LabelPrinter, PreviewPrinter, ZplPrinter
from printing.render import DPIS
from printing.transports import (
    CupsTransport,
    DeviceFileTransport,
    NetworkTransport,
    SerialTransport,
    Transport,
    UsbTransport,
    WindowsSpoolerTransport,
)
from printing.zpl import DARKNESS

DRIVERS = ("preview", "escpos", "zpl")
FLOW = ("none", "rtscts", "xonxoff")


class SettingsError(ValueError):
    """A printer setting that cannot work, named with its value."""


@dataclass(frozen=True)
class PrinterSettings:
    driver: str = "preview"
    connection: str = ""
    dpi: int = 203
    darkness: int | None = None
    copies: int = 1
    cut: bool = False
    font: Path | None = None
    flow: str = "none"
    native: bool = False

    @classmethod
    def from_mapping(cls, values: dict[str, Any], *, preview_folder: Path) -> PrinterSettings:
        known = {"driver", "connection", "dpi", "darkness", "copies", "cut", "font", "flow", "native"}
        unknown = set(values) - known
        if unknown:
            raise SettingsError(f"[printer]: unknown settings {', '.join(sorted(unknown))}")
        driver = str(values.get("driver", "preview"))
        if driver not in DRIVERS:
            raise SettingsError(f"[printer] driver = {driver!r}: one of {', '.join(DRIVERS)}")
        dpi = values.get("dpi", 203)
        if type(dpi) is not int or dpi not in DPIS:
            raise SettingsError(f"[printer] dpi = {dpi!r}: 203 or 300")
        darkness = values.get("darkness")
        if darkness is not None and (type(darkness) is not int or darkness not in DARKNESS):
            raise SettingsError(f"[printer] darkness = {darkness!r}: 0 to 30")
        copies = values.get("copies", 1)
        if type(copies) is not int or copies < 1:
            raise SettingsError(f"[printer] copies = {copies!r}: 1 or more")
        connection = str(values.get("connection", ""))
        if driver == "preview" and not connection:
            connection = str(preview_folder)
        if driver != "preview" and not connection:
            raise SettingsError(f"[printer] driver = {driver!r} needs a connection ({_FORMS})")
        cut = values.get("cut", False)
        if type(cut) is not bool:
            raise SettingsError(f"[printer] cut = {cut!r}: true or false")
        flow = values.get("flow", "none")
        if flow not in FLOW:
            raise SettingsError(f"[printer] flow = {flow!r}: one of {', '.join(FLOW)}")
        native = values.get("native", False)
        if type(native) is not bool:
            raise SettingsError(f"[printer] native = {native!r}: true or false")
        if native and driver != "escpos":
            raise SettingsError(f"[printer] native = true is for the escpos driver, not {driver!r}")
        font = values.get("font")
        settings = cls(
            driver, connection, dpi, darkness, copies, cut, Path(font) if font else None, str(flow), native
        )
        settings.printer()  # a connection that cannot work is refused now, not at the first label
        return settings

    def printer(self) -> LabelPrinter:
        if self.driver == "preview":
            return PreviewPrinter(Path(self.connection))
        transport = transport_for(self.connection, self.flow)
        if self.driver == "escpos":
            return EscposPrinter(transport, cut=self.cut, native=self.native)
        return ZplPrinter(transport, darkness=self.darkness)


_FORMS = "tcp://host:9100, serial:///dev/ttyUSB0, usb://vid:pid, file:///dev/usb/lp0, windows://queue, cups:///queue"


def transport_for(connection: str, flow: str = "none") -> Transport:
    """The transport a `connection` names (the forms are in this module's docstring)."""
    parts = urlsplit(connection)
    options = parse_qs(parts.query)

    def refuse(why: str) -> SettingsError:
        return SettingsError(f"[printer] connection = {connection!r}: {why}")

    def only(*allowed: str) -> None:
        if set(options) - set(allowed):
            if not allowed:
                raise refuse("it takes no options")
            raise refuse(
                f"the only option is {allowed[0]}"
                if len(allowed) == 1
                else f"the options are {' and '.join(allowed)}"
            )

    if parts.scheme == "tcp" and parts.hostname:
        only()
        try:
            port = parts.port
        except ValueError:
            raise refuse("the port must be 1-65535") from None
        return NetworkTransport(parts.hostname, port or 9100)
    if parts.scheme == "serial" and (parts.path or parts.netloc):
        only("baud")
        baud = _number(options.get("baud", ["9600"])[0], 10)
        if baud is None or baud <= 0:
            raise refuse("baud must be a positive number")
        return SerialTransport(parts.netloc + parts.path if parts.netloc else parts.path, baud, flow=flow)
    if parts.scheme == "usb":
        only("out_ep", "in_ep")
        texts = parts.netloc.split(":")
        ids = [
            value
            for value in map(_number, texts, [16] * len(texts))
            if value is not None and 0 < value <= 0xFFFF
        ]
        if len(texts) != 2 or len(ids) != 2:
            raise refuse("usb://vendor:product in hexadecimal, as lsusb shows them (usb://0fe6:811e)")
        named = [name for name in ("out_ep", "in_ep") if name in options]
        endpoints = {name: _number(options[name][0], 0) for name in named}
        checked = {
            name: value for name, value in endpoints.items() if value is not None and 0 < value <= 0xFF
        }
        if len(checked) != len(endpoints):
            raise refuse("an endpoint is a number from 0x01 to 0xff")
        return UsbTransport(ids[0], ids[1], **checked)
    if parts.scheme == "file" and parts.path and not parts.netloc:
        only()
        return DeviceFileTransport(parts.path)
    if parts.scheme == "windows" and (parts.netloc or parts.path):
        only()
        return WindowsSpoolerTransport(unquote(parts.netloc + parts.path))
    if parts.scheme == "cups" and parts.path.strip("/") and "/" not in parts.path.strip("/"):
        only()
        return CupsTransport(unquote(parts.path.strip("/")), parts.netloc or None)
    raise refuse(_FORMS)


def _number(text: str, base: int) -> int | None:
    try:
        return int(text, base)
    except ValueError:
        return None
