"""Printer settings from a station's config: what works makes its printer, what cannot is refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from printing.printers import EscposPrinter, PreviewPrinter, ZplPrinter
from printing.settings import PrinterSettings, SettingsError, transport_for
from printing.transports import (
    CupsTransport,
    DeviceFileTransport,
    NetworkTransport,
    SerialTransport,
    UsbTransport,
    WindowsSpoolerTransport,
)


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
    native = PrinterSettings.from_mapping(
        {"driver": "escpos", "connection": "tcp://10.0.0.8", "native": True}, preview_folder=tmp_path
    ).printer()
    assert isinstance(native, EscposPrinter) and native.native


def test_every_connection_form_makes_its_transport() -> None:
    assert transport_for("usb://0fe6:811e") == UsbTransport(0x0FE6, 0x811E)
    assert transport_for("usb://0A5F:0164?out_ep=0x01&in_ep=0x81") == UsbTransport(0x0A5F, 0x0164, 0x01, 0x81)
    assert transport_for("file:///dev/usb/lp0") == DeviceFileTransport("/dev/usb/lp0")
    assert transport_for("windows://Zebra ZD421") == WindowsSpoolerTransport("Zebra ZD421")
    assert transport_for("windows://Xprinter%20XP-365B") == WindowsSpoolerTransport("Xprinter XP-365B")
    assert transport_for("cups:///zebra") == CupsTransport("zebra", None)
    assert transport_for("cups://printhost:631/zebra") == CupsTransport("zebra", "printhost:631")


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
        ({"driver": "zpl", "connection": "usb://0fe6"}, "usb://vendor:product"),
        ({"driver": "zpl", "connection": "usb://0fe6:zz"}, "usb://vendor:product"),
        ({"driver": "zpl", "connection": "usb://0fe6:811e?out_ep=0x100"}, "endpoint"),
        ({"driver": "zpl", "connection": "usb://0fe6:811e?speed=1"}, "the options are out_ep and in_ep"),
        ({"driver": "zpl", "connection": "file://host/dev/usb/lp0"}, "file:///dev/usb/lp0"),
        ({"driver": "zpl", "connection": "cups://"}, "cups:///queue"),
        ({"driver": "zpl", "connection": "cups:///a/b"}, "cups:///queue"),
        ({"driver": "zpl", "connection": "tcp://h?x=1"}, "it takes no options"),
        (
            {"driver": "zpl", "connection": "tcp://h", "native": True},
            "native = true is for the escpos driver",
        ),
        ({"driver": "escpos", "connection": "tcp://h", "native": "yes"}, "native = 'yes'"),
    ],
)
def test_a_setting_that_cannot_work_is_refused_by_name(
    values: dict[str, object], message: str, tmp_path: Path
) -> None:
    with pytest.raises(SettingsError, match=re.escape(message)):
        PrinterSettings.from_mapping(values, preview_folder=tmp_path)
