"""Printer settings from a station's config: what works makes its printer, what cannot is refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from printing.printers import EscposPrinter, NetworkTransport, PreviewPrinter, SerialTransport, ZplPrinter
from printing.settings import PrinterSettings, SettingsError, transport_for


def test_settings_make_their_printer(tmp_path: Path) -> None:
    preview = PrinterSettings.from_mapping({}, preview_folder=tmp_path)
    assert isinstance(preview.printer(), PreviewPrinter) and preview.connection == str(tmp_path)
    zpl = PrinterSettings.from_mapping(
        {"driver": "zpl", "connection": "tcp://10.0.0.9", "dpi": 300, "darkness": 20}, preview_folder=tmp_path
    ).printer()
    assert isinstance(zpl, ZplPrinter) and zpl.darkness == 20
    assert isinstance(zpl.transport, NetworkTransport) and (zpl.transport.host, zpl.transport.port) == (
        "10.0.0.9",
        9100,
    )
    escpos = PrinterSettings.from_mapping(
        {"driver": "escpos", "connection": "serial:///dev/ttyUSB0?baud=115200", "cut": True},
        preview_folder=tmp_path,
    ).printer()
    assert isinstance(escpos, EscposPrinter) and escpos.cut
    assert isinstance(escpos.transport, SerialTransport)
    assert (escpos.transport.device, escpos.transport.baudrate) == ("/dev/ttyUSB0", 115200)
    windows = transport_for("serial://COM3?baud=9600")
    assert isinstance(windows, SerialTransport) and windows.device == "COM3"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"driver": "tspl"}, "driver = 'tspl'"),
        ({"dpi": 600}, "dpi = 600"),
        ({"driver": "zpl", "connection": "tcp://h", "darkness": 31}, "darkness = 31"),
        ({"copies": 0}, "copies = 0"),
        ({"driver": "zpl"}, "needs a connection"),
        ({"driver": "zpl", "connection": "usb://1234"}, "connection = 'usb://1234'"),
        ({"driver": "zpl", "connection": "serial:///dev/ttyS0?baud=fast"}, "baud must be a positive number"),
        ({"colour": "red"}, "unknown settings colour"),
        ({"dpi": 203.0}, "dpi = 203.0"),
        ({"driver": "zpl", "connection": "tcp://h", "darkness": 20.0}, "darkness = 20.0"),
        ({"cut": "false"}, "cut = 'false'"),
        ({"driver": "zpl", "connection": "tcp://h:70000"}, "port must be"),
        ({"driver": "zpl", "connection": "serial:///dev/ttyS0?bauds=115200"}, "the only option is baud"),
        ({"driver": "zpl", "connection": "serial:///dev/ttyS0?baud=0"}, "positive number"),
        ({"flow": "dtr"}, "flow = 'dtr'"),
    ],
)
def test_a_setting_that_cannot_work_is_refused_by_name(
    values: dict[str, object], message: str, tmp_path: Path
) -> None:
    with pytest.raises(SettingsError, match=re.escape(message)):
        PrinterSettings.from_mapping(values, preview_folder=tmp_path)
