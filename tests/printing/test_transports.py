"""The transports beside raw TCP and serial: a device file (Linux's /dev/usb/lp0), USB through
libusb, the Windows spooler and CUPS. Each either delivers the whole job or says why it could not."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from printing.printers import ZplPrinter
from printing.render import Label
from printing.template import built_in
from printing.transports import (
    CupsTransport,
    DeviceFileTransport,
    Failure,
    PrinterError,
    UsbTransport,
    WindowsSpoolerTransport,
)
from printing.zpl import zpl_job
from tests.printing.cups_server import missing_cups, private_cups
from tests.printing.test_render import FIELDS


def test_a_device_file_printer_gets_the_whole_job(tmp_path: Path) -> None:
    # A FIFO stands in for /dev/usb/lp0: a writer blocks until the reader (the printer) takes it.
    device = tmp_path / "lp0"
    os.mkfifo(device)
    label = Label(built_in("carton"), FIELDS["carton"])
    received = bytearray()

    def printer() -> None:
        with device.open("rb") as reading:
            while chunk := reading.read(65536):
                received.extend(chunk)

    reader = threading.Thread(target=printer, daemon=True)
    reader.start()
    for _ in range(200):  # the reader must have the FIFO open before a printer can be "there"
        try:
            done = ZplPrinter(DeviceFileTransport(str(device))).print_label(label, name="carton")
            break
        except PrinterError as error:
            assert error.failure is Failure.UNREACHABLE
            threading.Event().wait(0.01)
    reader.join(5)
    assert bytes(received) == zpl_job(label.image)
    assert done == f"1 x carton to ZPL {device}"


def test_a_device_file_with_no_printer_behind_it_is_unreachable(tmp_path: Path) -> None:
    with pytest.raises(PrinterError) as missing:
        DeviceFileTransport(str(tmp_path / "lp9")).send(b"^XA^XZ")
    assert missing.value.failure is Failure.UNREACHABLE and "No such file" in missing.value.detail
    # A device node whose printer is switched off fails at once instead of hanging the station:
    # a FIFO nobody reads is the same (ENXIO on a non-blocking open).
    fifo = tmp_path / "lp1"
    os.mkfifo(fifo)
    with pytest.raises(PrinterError) as off:
        DeviceFileTransport(str(fifo)).send(b"^XA^XZ")
    assert off.value.failure is Failure.UNREACHABLE


def test_a_usb_printer_that_is_not_plugged_in_is_unreachable() -> None:
    # libusb is real here (Debian libusb-1.0-0); no device has this vendor id (0xFFFE is reserved).
    with pytest.raises(PrinterError) as missing:
        UsbTransport(0xFFFE, 0x0001).send(b"^XA^XZ")
    assert missing.value.failure is Failure.UNREACHABLE
    assert missing.value.printer == "usb fffe:0001" and "not found" in missing.value.detail


@pytest.mark.skipif(sys.platform == "win32", reason="checks the refusal on a system without a spooler")
def test_the_windows_spooler_is_refused_plainly_elsewhere() -> None:
    with pytest.raises(PrinterError) as refused:
        WindowsSpoolerTransport("Zebra ZD421").send(b"^XA^XZ")
    assert refused.value.failure is Failure.UNREACHABLE and "only on Windows" in refused.value.detail


class Sink:
    """A raw 9100 printer on 127.0.0.1 behind the CUPS queue: keeps each connection's bytes.

    CUPS's socket backend half-closes after the job and waits for the printer to close its side.
    """

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self.jobs: list[bytes] = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                connection, _ = self.listener.accept()
            except TimeoutError:
                continue
            with connection:
                received = bytearray()
                while chunk := connection.recv(65536):
                    received += chunk
            self.jobs.append(bytes(received))

    def close(self) -> None:
        self.stopping.set()
        self.thread.join(5)
        self.listener.close()


def test_a_cups_queue_gets_the_raw_job_and_a_refusal_is_reported() -> None:
    # A private cupsd (Debian's cups), never the machine's own: a raw queue to a loopback printer.
    assert missing_cups() is None, missing_cups()
    sink = Sink()
    label = Label(built_in("serial"), FIELDS["serial"])
    try:
        with private_cups(f"socket://127.0.0.1:{sink.port}", queue="zebra") as cups:
            done = ZplPrinter(CupsTransport("zebra", cups.server)).print_label(label, name="serial")
            assert done.startswith(f"1 x serial to ZPL cups zebra@{cups.server} (CUPS request zebra-")
            deadline = time.monotonic() + 20
            while not sink.jobs and time.monotonic() < deadline:
                time.sleep(0.05)
            assert sink.jobs == [zpl_job(label.image)]  # the bytes untouched: a raw queue, no filter

            with pytest.raises(PrinterError) as unknown:
                CupsTransport("nosuchqueue", cups.server).send(b"^XA^XZ")
            assert unknown.value.failure is Failure.UNREACHABLE and "does not exist" in unknown.value.detail

            subprocess.run(["cupsreject", "-h", cups.server, "zebra"], check=True, env=cups.env)
            with pytest.raises(PrinterError) as refused:
                CupsTransport("zebra", cups.server).send(b"^XA^XZ")
            assert refused.value.failure is Failure.REFUSED and "not accepting jobs" in refused.value.detail
    finally:
        sink.close()


def test_no_cups_server_is_unreachable() -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]  # free once closed: no scheduler there
    with pytest.raises(PrinterError) as refused:
        CupsTransport("zebra", f"127.0.0.1:{port}", timeout=20).send(b"^XA^XZ")
    assert refused.value.failure is Failure.UNREACHABLE
