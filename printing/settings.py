"""A station's printer settings (the `[printer]` table of its config file) and the printer they make.

    [printer]
    driver = "zpl"                      # "preview" (the default), "escpos" or "zpl"
    connection = "tcp://10.0.0.9:9100"  # or "serial:///dev/ttyUSB0?baud=115200"; a folder for preview
    dpi = 203                           # 203 or 300
    darkness = 20                       # ZPL ~SD, 0-30 (optional)
    copies = 1
    cut = false                         # ESC/POS: cut after each label
    flow = "none"                       # serial flow control: "rtscts", "xonxoff" or "none"
    font = "/path/to/font.ttc"          # optional: a CJK font other than the usual ones

A setting that cannot work is refused with its name and value, never replaced by a default: a
station printing to the wrong place is worse than one that says it cannot print.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from printing.printers import (
    EscposPrinter,
    LabelPrinter,
    NetworkTransport,
    PreviewPrinter,
    SerialTransport,
    Transport,
    ZplPrinter,
)
from printing.render import DPIS
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

    @classmethod
    def from_mapping(cls, values: dict[str, Any], *, preview_folder: Path) -> PrinterSettings:
        unknown = set(values) - {"driver", "connection", "dpi", "darkness", "copies", "cut", "font", "flow"}
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
            raise SettingsError(
                f"[printer] driver = {driver!r} needs a connection (tcp://host:9100, serial://...)"
            )
        cut = values.get("cut", False)
        if type(cut) is not bool:
            raise SettingsError(f"[printer] cut = {cut!r}: true or false")
        flow = values.get("flow", "none")
        if flow not in FLOW:
            raise SettingsError(f"[printer] flow = {flow!r}: one of {', '.join(FLOW)}")
        font = values.get("font")
        settings = cls(
            driver, connection, dpi, darkness, copies, cut, Path(font) if font else None, str(flow)
        )
        settings.printer()  # a connection that cannot work is refused now, not at the first label
        return settings

    def printer(self) -> LabelPrinter:
        if self.driver == "preview":
            return PreviewPrinter(Path(self.connection))
        transport = transport_for(self.connection, self.flow)
        if self.driver == "escpos":
            return EscposPrinter(transport, cut=self.cut)
        return ZplPrinter(transport, darkness=self.darkness)


def transport_for(connection: str, flow: str = "none") -> Transport:
    """`tcp://host[:port]` (port 9100 by default) or `serial:///dev/ttyUSB0?baud=9600` (or COM3)."""
    parts = urlsplit(connection)
    try:
        port = parts.port
    except ValueError:
        raise SettingsError(f"[printer] connection = {connection!r}: the port must be 1-65535") from None
    if parts.scheme == "tcp" and parts.hostname and not parts.query:
        return NetworkTransport(parts.hostname, port or 9100)
    if parts.scheme == "serial" and (parts.path or parts.netloc):
        options = parse_qs(parts.query)
        if set(options) - {"baud"}:
            raise SettingsError(f"[printer] connection = {connection!r}: the only option is baud")
        try:
            baud = int(options.get("baud", ["9600"])[0])
        except ValueError:
            baud = 0
        if baud <= 0:
            raise SettingsError(f"[printer] connection = {connection!r}: baud must be a positive number")
        return SerialTransport(parts.netloc + parts.path if parts.netloc else parts.path, baud, flow=flow)
    raise SettingsError(
        f"[printer] connection = {connection!r}: tcp://host:9100 or serial:///dev/ttyUSB0?baud=9600"
    )
