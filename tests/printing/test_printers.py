"""Printers against stand-ins that behave like the real ones: a loopback TCP server on a free port
acting as a 9100 printer (one that takes the job, one that closes in the middle, one that stops
reading), a pty pair as a serial printer (unplugged too), and the preview folder."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from printing.printers import EscposPrinter, PreviewPrinter, ZplPrinter
from printing.render import Label, render
from printing.template import built_in
from printing.transports import Failure, NetworkTransport, PrinterError, SerialTransport
from printing.zpl import zpl_job
from tests.printing.test_escpos import raster_from_escpos
from tests.printing.test_render import EXPECTED, FIELDS


class FakePrinter:
    """A TCP server on 127.0.0.1 that takes one job and behaves as told: read it all, close after
    `close_after` bytes, or never read."""

    def __init__(self, *, close_after: int | None = None, read: bool = True) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.received = bytearray()
        self.close_after = close_after
        self.read = read
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        connection, _ = self.server.accept()
        with connection:
            if not self.read:
                self.done.wait(10)
                return
            while chunk := connection.recv(65536):
                self.received += chunk
                if self.close_after is not None and len(self.received) >= self.close_after:
                    connection.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
                    )
                    break
        self.done.set()

    def close(self) -> None:
        self.done.set()
        self.server.close()


@pytest.fixture
def label() -> Label:
    return Label(built_in("carton"), FIELDS["carton"])


def test_a_network_printer_gets_the_whole_job(label: Label) -> None:
    fake = FakePrinter()
    try:
        printer = ZplPrinter(NetworkTransport("127.0.0.1", fake.port, timeout=5))
        printer.print_label(label, copies=1, name="carton")
        assert fake.done.wait(5)
        assert bytes(fake.received) == zpl_job(label.image)
    finally:
        fake.close()


def test_escpos_over_the_network_scans_like_the_label(label: Label) -> None:
    fake = FakePrinter()
    try:
        EscposPrinter(NetworkTransport("127.0.0.1", fake.port, timeout=5), cut=True).print_label(label)
        assert fake.done.wait(5)
        printed = raster_from_escpos(bytes(fake.received))
        found = {(s.symbology_identifier, s.bytes) for s in zxingcpp.read_barcodes(printed.convert("L"))}
        assert found == EXPECTED["carton"]
    finally:
        fake.close()


def test_a_printer_that_closes_mid_job_is_reported_not_trusted(label: Label) -> None:
    fake = FakePrinter(close_after=4096)
    try:
        big = zpl_job(label.image) * 200  # bigger than the socket buffers: the reset cannot be missed
        with pytest.raises(PrinterError) as refused:
            NetworkTransport("127.0.0.1", fake.port, timeout=5).send(big)
        assert refused.value.failure is Failure.CONNECTION_LOST
    finally:
        fake.close()


def test_a_printer_that_stops_reading_times_out(label: Label) -> None:
    fake = FakePrinter(read=False)
    try:
        started = time.monotonic()
        with pytest.raises(PrinterError) as refused:
            NetworkTransport("127.0.0.1", fake.port, timeout=0.5).send(b"^XA" + b"0" * 50_000_000 + b"^XZ")
        assert refused.value.failure is Failure.TIMEOUT
        assert "paper out" in str(refused.value)
        assert time.monotonic() - started < 10
    finally:
        fake.close()


def test_nobody_at_the_address_is_unreachable() -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]  # free once closed: nothing listens there
    with pytest.raises(PrinterError) as refused:
        NetworkTransport("127.0.0.1", port, timeout=2).send(b"^XA^XZ")
    assert refused.value.failure is Failure.UNREACHABLE


@pytest.fixture
def pty_pair() -> Iterator[tuple[int, str]]:
    controller, device = os.openpty()
    path = os.ttyname(device)
    yield controller, path
    for descriptor in (controller, device):
        with contextlib.suppress(OSError):  # the test may have closed it: the cable pulled
            os.close(descriptor)


def test_a_serial_printer_gets_the_job_and_an_unplugged_one_is_reported(
    label: Label, pty_pair: tuple[int, str]
) -> None:
    controller, path = pty_pair
    job = zpl_job(render(built_in("serial"), FIELDS["serial"]))
    received = bytearray()

    def drain() -> None:
        while len(received) < len(job):
            received.extend(os.read(controller, 65536))

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    SerialTransport(path, 115200, timeout=5).send(job)
    reader.join(5)
    assert bytes(received) == job

    with pytest.raises(PrinterError) as missing:
        SerialTransport("/dev/ttyTRACESTATION-NONE", timeout=1).send(job)
    assert missing.value.failure is Failure.UNREACHABLE

    os.close(controller)  # the adapter pulled out: its device node goes with it
    with pytest.raises(PrinterError) as unplugged:
        SerialTransport(path, 115200, timeout=1).send(job)
    assert unplugged.value.failure is Failure.UNREACHABLE and path in str(unplugged.value)


def test_the_preview_printer_writes_what_would_be_printed(label: Label, tmp_path: Path) -> None:
    printer = PreviewPrinter(tmp_path / "labels")
    done = printer.print_label(label, copies=2, name="carton 069012340000000016")
    [path] = printer.written
    assert path.parent == tmp_path / "labels" and path.name.endswith("-carton_069012340000000016.png")
    assert done.startswith("2 x carton")
    assert Image.open(path).convert("1").tobytes() == label.image.tobytes()
    (tmp_path / "blocked").write_text("a file, not a folder")
    with pytest.raises(PrinterError) as refused:
        PreviewPrinter(tmp_path / "blocked").print_label(label)
    assert refused.value.failure is Failure.NOT_WRITABLE
