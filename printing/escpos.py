"""A label as an ESC/POS job, built by python-escpos: the raster (the default) or the printer's own
text and QR commands (native mode).

Raster: the label goes as one image sent with GS v 0, the exact layout with the Chinese text
included. python-escpos cannot write a Code 128 with FNC1, and a printer's Chinese mode and code
page vary by make (FIELD-NOTES), so this is what every printer prints the same.

Native: for printers whose raster is slow (a cheap serial printer takes seconds per image) or
whose own fonts are wanted. Texts go as GB18030 inside the printer's Chinese mode, switched on and
off explicitly around every text (python-escpos never sends that command, and it turns CJK
punctuation into "??"); a plain QR goes as the printer's QR command; GS1 symbols (FNC1 first) and
the other symbologies still go as images of themselves. Elements come in reading order, top to
bottom: a receipt printer has no positions, so frames and rules are left out.
"""

from __future__ import annotations

import contextlib
import io
from typing import TYPE_CHECKING

from PIL import Image

from printing.render import Label
from printing.template import Align, BarcodeElement, Symbology, TextElement

if TYPE_CHECKING:
    from escpos.printer import Dummy

# python-escpos is imported when a job is built, not with this module: it takes a third of a second
# (its printer profiles), which a station would otherwise pay at every start.

# python-escpos splits tall images into bands of this many rows (GS v 0 per band): small enough
# for the receive buffer of the cheap printers, large enough not to leave gaps between bands.
BAND_ROWS = 256

INITIALIZE = b"\x1b@"  # ESC @: no bold, alignment or Chinese mode left over from another job
CHINESE_MODE_ON = b"\x1c&"  # FS &
CHINESE_MODE_OFF = b"\x1c."  # FS .
_ALIGN = {Align.LEFT: b"\x1ba\x00", Align.CENTER: b"\x1ba\x01", Align.RIGHT: b"\x1ba\x02"}
_BOLD = {False: b"\x1bE\x00", True: b"\x1bE\x01"}
# The printer's QR command takes a module of 1 to 16 dots.
QR_DOTS = range(1, 17)


def escpos_job(label: Image.Image, *, cut: bool = False) -> bytes:
    """The bytes for the printer: the label's raster, then a cut if the printer has a cutter."""
    from escpos.printer import Dummy

    printer = Dummy()
    _image(printer, label)
    if cut:
        printer.cut(feed=False)  # a label printer's cutter is at the label gap: no receipt feed
    return bytes(printer.output)


def escpos_native_job(label: Label, *, cut: bool = False) -> bytes:
    """The label's texts and symbols as the printer's own commands, in reading order."""
    from escpos.printer import Dummy

    printer = Dummy()
    printer._raw(INITIALIZE)
    elements = sorted(label.template.elements, key=lambda element: (element.box.y, element.box.x))
    for element in elements:
        if isinstance(element, TextElement):
            text = label.text_of(element)
            if text:
                printer._raw(_ALIGN[element.align] + _BOLD[element.bold])
                printer._raw(CHINESE_MODE_ON + text.encode("gb18030") + CHINESE_MODE_OFF + b"\n")
        elif isinstance(element, BarcodeElement):
            printer._raw(_ALIGN[Align.CENTER] + _BOLD[False])
            content = str(label.fields[element.field])
            if element.symbology is Symbology.QR and not label.fields.get(f"{element.field}_gs1"):
                _native_qr(printer, label, element, content)
            else:
                _image(printer, label.symbol_image(element))
    printer._raw(_ALIGN[Align.LEFT] + _BOLD[False])
    if cut:
        printer.cut(feed=False)
    return bytes(printer.output)


def _native_qr(printer: Dummy, label: Label, element: BarcodeElement, content: str) -> None:
    """The printer's QR command, its module as many dots as on the raster label."""
    from escpos.constants import QR_ECLEVEL_M

    size = max(QR_DOTS.start, min(QR_DOTS.stop - 1, label.module_dots(element)))
    printer.qr(content, ec=QR_ECLEVEL_M, size=size, native=True)
    printer._raw(b"\n")


def _image(printer: Dummy, image: Image.Image) -> None:
    # python-escpos prints a note about the printer profile's paper width to stdout; a label
    # printer is given the whole raster at its own width, so the note is noise here.
    with contextlib.redirect_stdout(io.StringIO()):
        printer.image(
            image.convert("1"),
            impl="bitImageRaster",
            high_density_vertical=True,
            high_density_horizontal=True,
            fragment_height=BAND_ROWS,
        )
