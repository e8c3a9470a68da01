"""A rendered label as an ESC/POS job: the raster sent with GS v 0, built by python-escpos.

The label goes as one image (the exact layout, the Chinese text included) rather than as the
printer's own text and barcode commands: python-escpos cannot write a Code 128 with FNC1, and a
printer's Chinese mode and code page vary by make (FIELD-NOTES). The printer's own QR command is
an option for later; the raster is the default.
"""

from __future__ import annotations

import contextlib
import io

from escpos.printer import Dummy
from PIL import Image

# python-escpos splits tall images into bands of this many rows (GS v 0 per band): small enough
# for the receive buffer of the cheap printers, large enough not to leave gaps between bands.
BAND_ROWS = 256


def escpos_job(label: Image.Image, *, cut: bool = False) -> bytes:
    """The bytes for the printer: the label's raster, then a cut if the printer has a cutter."""
    printer = Dummy()
    # python-escpos prints a note about the printer profile's paper width to stdout; a label
    # printer is given the whole raster at its own width, so the note is noise here.
    with contextlib.redirect_stdout(io.StringIO()):
        printer.image(
            label.convert("1"),
            impl="bitImageRaster",
            high_density_vertical=True,
            high_density_horizontal=True,
            fragment_height=BAND_ROWS,
        )
    if cut:
        printer.cut(feed=False)  # a label printer's cutter is at the label gap: no receipt feed
    return bytes(printer.output)
