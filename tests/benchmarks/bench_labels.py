"""Label speed: render + encode time per built-in label, and labels per second through the network
driver to a loopback printer that reads as fast as it can.

    python tests/benchmarks/bench_labels.py [--labels 200]

It prints figures; it asserts nothing. Goal: render + encode <= 30 ms per label.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from printing.escpos import escpos_job
from printing.printers import ZplPrinter
from printing.render import Label, render
from printing.samples import SAMPLES as FIELDS
from printing.template import BUILT_IN, built_in
from printing.transports import NetworkTransport
from printing.zpl import zpl_job


def percentiles(samples: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49], cuts[94]


def sink() -> tuple[socket.socket, threading.Thread]:
    """A loopback 9100 printer that accepts connection after connection and reads everything."""
    server = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        while True:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            with connection:
                while connection.recv(1 << 16):
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return server, thread


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=int, default=200)
    args = parser.parse_args()
    for dpi in (203, 300):
        for name in BUILT_IN:
            template = built_in(name)
            render(template, FIELDS[name], dpi=dpi)  # fonts and symbols warm
            rendered, escpos, zpl = [], [], []
            for _ in range(args.labels):
                start = time.perf_counter()
                label = render(template, FIELDS[name], dpi=dpi)
                middle = time.perf_counter()
                escpos_job(label)
                after_escpos = time.perf_counter()
                zpl_job(label)
                end = time.perf_counter()
                rendered.append((middle - start) * 1000)
                escpos.append((after_escpos - middle) * 1000)
                zpl.append((end - after_escpos) * 1000)
            r50, r95 = percentiles(rendered)
            e50, _ = percentiles(escpos)
            z50, _ = percentiles(zpl)
            print(
                f"{name:<13} {dpi} dpi  render p50 {r50:5.1f} p95 {r95:5.1f} ms  + ESC/POS {e50:5.1f} ms"
                f"  + ZPL {z50:5.1f} ms  (goal: render + encode <= 30 ms)"
            )
    server, _ = sink()
    port = server.getsockname()[1]
    printer = ZplPrinter(NetworkTransport("127.0.0.1", port, timeout=5, settle=0))
    label = render(built_in("carton"), FIELDS["carton"])
    start = time.perf_counter()
    for _ in range(args.labels):
        printer.print_label(Label(built_in("carton"), FIELDS["carton"]), name="carton")
    seconds = time.perf_counter() - start
    print(
        f"network driver: {args.labels} carton labels rendered and sent as ZPL in {seconds:.2f} s = "
        f"{args.labels / seconds:.0f} labels/s ({len(zpl_job(label)):,} bytes each, loopback, "
        "one connection per label)"
    )
    server.close()


if __name__ == "__main__":
    main()
