"""A rendered label as a ZPL II job for Zebra-class printers: the raster as one graphic field.

Like the ESC/POS job, the label goes as an image, so Chinese text needs no printer font and the
layout is exactly the preview. The graphic field uses ZPL's ASCII compression (runs of a hex digit
as a count letter, ':' for a row equal to the one before, ',' for a row's trailing white), which
brings a 100 x 150 mm label from 240 kB of hex to a few kB: what makes it usable over a serial line.
"""

from __future__ import annotations

import functools
import re

from PIL import Image

DARKNESS = range(0, 31)  # ~SD: the printer's absolute darkness setting
# Graphic fields are sent in bands of at most this many bytes: printers (and renderers) bound the
# size of one field, and a band of a 100 mm label at 300 dpi is ~150 rows.
BAND_BYTES = 16_000


def zpl_job(label: Image.Image, *, copies: int = 1, darkness: int | None = None) -> bytes:
    """The ZPL for one label: its size, the raster in bands from the top left corner, the copies."""
    if copies < 1:
        raise ValueError(f"copies must be 1 or more, not {copies}")
    if darkness is not None and darkness not in DARKNESS:
        raise ValueError(f"ZPL darkness is 0 to 30, not {darkness}")
    label = label.convert("1")
    # On a white canvas a whole number of bytes wide: the padding bits of each row stay white
    # (inverted, they would print a black column at the right edge on printers that do not clip).
    image = Image.new("1", ((label.width + 7) // 8 * 8, label.height), 1)
    image.paste(label, (0, 0))
    bytes_per_row = image.width // 8
    # Pillow's 1-bit rows are padded to whole bytes, white bit = 1; ZPL wants black bit = 1.
    raw = bytes(255 - byte for byte in image.tobytes())
    rows = [raw[index : index + bytes_per_row] for index in range(0, len(raw), bytes_per_row)]
    band_rows = max(1, BAND_BYTES // bytes_per_row)
    parts = [f"~SD{darkness:02d}" if darkness is not None else ""]
    parts.append(f"^XA^PW{label.width}^LL{label.height}^LH0,0")
    for top in range(0, len(rows), band_rows):
        band = rows[top : top + band_rows]
        total = bytes_per_row * len(band)
        parts.append(f"^FO0,{top}^GFA,{total},{total},{bytes_per_row},{_compressed(band)}^FS")
    parts.append((f"^PQ{copies}" if copies > 1 else "") + "^XZ")
    return "".join(parts).encode("ascii")


def _compressed(rows: list[bytes]) -> str:
    encoded: list[str] = []
    previous: bytes | None = None
    for row in rows:
        if row == previous:
            encoded.append(":")
            continue
        previous = row
        digits = row.hex().upper().rstrip("0")
        encoded.append(_runs(digits) + ("," if len(digits) < len(row) * 2 else ""))
    return "".join(encoded)


_RUN = re.compile(r"(.)\1+")


def _runs(digits: str) -> str:
    """Each run of a repeated hex digit as its count letter and the digit (regex: runs in C)."""
    return _RUN.sub(lambda run: _COUNTS[len(run.group(0))] + run.group(1), digits)


@functools.cache
def _count(count: int) -> str:
    """ZPL's repeat prefix: g-z are 20-400 in steps of 20, G-Y are 1-19 (1 needs none)."""
    prefix = ""
    while count > 400:
        prefix += "z"
        count -= 400
    if count >= 20:
        prefix += chr(ord("g") + count // 20 - 1)
        count %= 20
    if count > 1 or (count == 1 and prefix):
        prefix += chr(ord("G") + count - 1)
    return prefix


class _Counts(dict[int, str]):
    def __missing__(self, count: int) -> str:
        self[count] = prefix = _count(count)
        return prefix


_COUNTS = _Counts()
