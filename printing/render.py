"""A label template and its fields rendered to a black-and-white raster at the printer's resolution.

The raster is what every printer driver sends (an ESC/POS or ZPL image) and what the screen shows
as the preview, so what the operator sees is what the printer prints. Barcodes come from zxing-cpp
at a whole number of pixels per module (a scaled barcode smears its bars); GS1 content is encoded
as GS1 (FNC1 first, GS between variable-length fields), Data Matrix always square. Text uses a CJK
font: without one, Chinese names would print as boxes, so a missing font is an error, not a fallback.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Any

import zxingcpp
from PIL import Image, ImageDraw, ImageFont

from printing.template import (
    Align,
    BarcodeElement,
    Box,
    FrameElement,
    LabelTemplate,
    LineElement,
    Symbology,
    TextElement,
)

MM_PER_INCH = 25.4
DPIS = (203, 300)
# Where the usual CJK fonts are: WenQuanYi Micro Hei (Debian fonts-wqy-microhei), Microsoft YaHei,
# PingFang. A station can name another in its printer settings.
CJK_FONTS = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("C:/Windows/Fonts/msyh.ttc"),
    Path("/System/Library/Fonts/PingFang.ttc"),
)
_FORMATS = {
    Symbology.QR: zxingcpp.BarcodeFormat.QRCode,
    Symbology.DATAMATRIX: zxingcpp.BarcodeFormat.DataMatrix,
    Symbology.CODE128: zxingcpp.BarcodeFormat.Code128,
}
# CJK characters break anywhere; other text breaks after spaces.
_TOKENS = re.compile(
    r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]|[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]+\s*|\s+"
)
MIN_SHRINK = 0.6  # text is made at most this much smaller to fit its box, then refused
# The narrowest module a label printer prints for a scanner to read reliably (GS1 asks 0.25 mm or
# more for Data Matrix at the point of use): 2 dots at 203 dpi, 3 at 300.
MIN_MODULE_MM = 0.25


class LabelError(ValueError):
    """The label cannot be printed as asked: a field missing, content that does not fit, no font."""


def find_font(configured: Path | None = None) -> Path:
    if configured is not None:
        if not configured.is_file():
            raise LabelError(f"the configured label font {configured} does not exist")
        return configured
    for candidate in CJK_FONTS:
        if candidate.is_file():
            return candidate
    raise LabelError("no CJK font for labels: install fonts-wqy-microhei (Debian) or configure a font file")


def render(
    template: LabelTemplate, fields: Mapping[str, Any], *, dpi: int = 203, font: Path | None = None
) -> Image.Image:
    """The label as a 1-bit image, `dpi` dots per inch, its size the template's."""
    if dpi not in DPIS:
        raise LabelError(f"label printers print at {' or '.join(map(str, DPIS))} dpi, not {dpi}")
    missing = sorted(name for name in template.fields() if name not in fields)
    if missing:
        raise LabelError(f"label {template.name!r} needs the fields {', '.join(missing)}")
    canvas = _Canvas(template, dpi, find_font(font))
    for element in template.elements:
        if isinstance(element, TextElement):
            canvas.text(element, fields)
        elif isinstance(element, BarcodeElement):
            canvas.barcode(element, fields)
        elif isinstance(element, LineElement):
            canvas.line(element)
        elif isinstance(element, FrameElement):
            canvas.frame(element)
    return canvas.image.convert("1", dither=Image.Dither.NONE)


@dataclass(frozen=True)
class Label:
    """A template filled with its fields for one printer: what a driver is handed.

    Most drivers send its raster (`image`, rendered once on first use); the ESC/POS native mode
    sends its texts and some symbols as the printer's own commands, so it needs the template and
    the fields themselves, not only the picture.
    """

    template: LabelTemplate
    fields: Mapping[str, Any]
    dpi: int = 203
    font: Path | None = None

    @cached_property
    def image(self) -> Image.Image:
        return render(self.template, self.fields, dpi=self.dpi, font=self.font)

    def text_of(self, element: TextElement) -> str:
        """A text element's words with the fields filled in ("" for a line left empty)."""
        return _filled(element, self.fields)

    def module_dots(self, element: BarcodeElement) -> int:
        """How many printer dots wide one module of this symbol is drawn on the label."""
        return _scale(element, _image(_encode(element, self.fields), 1), self.dpi)

    def symbol_image(self, element: BarcodeElement) -> Image.Image:
        """One barcode alone, drawn in its own box exactly as on the whole label."""
        box = Box(0, 0, element.box.width, element.box.height)
        alone = LabelTemplate(self.template.name, box.width, box.height, (replace(element, box=box),))
        return render(alone, self.fields, dpi=self.dpi, font=self.font)


def _filled(element: TextElement, fields: Mapping[str, Any]) -> str:
    """The element's text filled in; a line whose every field is empty prints nothing at all, not
    its title alone ("有效期 EXPIRY" with no date under it reads as a date missing by mistake)."""
    values = _Fields({key: "" if value is None else value for key, value in fields.items()})
    names = [name for _, name, _, _ in string.Formatter().parse(element.text) if name]
    if names and all(str(values[name]).strip() == "" for name in names):
        return ""
    return string.Formatter().vformat(element.text, (), values).strip()


class _Fields(dict[str, Any]):
    """Format fields: None prints as nothing, so an optional date leaves its line empty."""

    def __missing__(self, key: str) -> str:
        raise LabelError(f"no field {key!r}")


class _Canvas:
    def __init__(self, template: LabelTemplate, dpi: int, font: Path) -> None:
        self.dpi = dpi
        self.font_path = font
        self.image = Image.new("L", (self.px(template.width), self.px(template.height)), 255)
        self.draw = ImageDraw.Draw(self.image)

    def px(self, millimetres: float) -> int:
        return round(millimetres * self.dpi / MM_PER_INCH)

    def font(self, size_mm: float) -> ImageFont.FreeTypeFont:
        return ImageFont.truetype(str(self.font_path), max(6, self.px(size_mm)))

    # --- text --------------------------------------------------------------------------------

    def text(self, element: TextElement, fields: Mapping[str, Any]) -> None:
        content = _filled(element, fields)
        if not content:
            return
        box = element.box
        width, height = self.px(box.width), self.px(box.height)
        stroke = 1 if element.bold else 0  # the CJK fonts have no bold face: a thicker outline
        size = element.size
        while True:
            font = self.font(size)
            lines = self._wrap(content, font, width, stroke) if element.wrap else [content]
            line_height = round(font.getbbox("国Ag")[3]) + stroke * 2  # whole pixels (FreeType's are)
            fits = all(self._width(line, font, stroke) <= width for line in lines)
            if fits and line_height * len(lines) <= height:
                break
            if size <= element.size * MIN_SHRINK:
                raise LabelError(f"text {content!r} does not fit its {box.width} x {box.height} mm box")
            size *= 0.9
        top = self.px(box.y)
        for line in lines:
            line_width = self._width(line, font, stroke)
            left = self.px(box.x)
            if element.align is Align.CENTER:
                left += (width - line_width) // 2
            elif element.align is Align.RIGHT:
                left += width - line_width
            self.draw.text((left, top), line, font=font, fill=0, stroke_width=stroke, stroke_fill=0)
            top += line_height

    @staticmethod
    def _width(text: str, font: ImageFont.FreeTypeFont, stroke: int) -> int:
        return round(font.getlength(text)) + stroke * 2

    def _wrap(self, text: str, font: ImageFont.FreeTypeFont, width: int, stroke: int) -> list[str]:
        lines: list[str] = []
        current = ""
        for token in _TOKENS.findall(text):
            if current and self._width((current + token).rstrip(), font, stroke) > width:
                lines.append(current.rstrip())
                current = token.lstrip()
            else:
                current += token
        if current.strip():
            lines.append(current.rstrip())
        return lines

    # --- barcodes ----------------------------------------------------------------------------

    def barcode(self, element: BarcodeElement, fields: Mapping[str, Any]) -> None:
        content = fields[element.field]
        symbol = _encode(element, fields)
        modules = _image(symbol, 1)
        box = element.box
        width, height = self.px(box.width), self.px(box.height)
        linear = element.symbology is Symbology.CODE128
        text_height = self.px(2.5) + 2 if linear and element.human_readable else 0
        scale = _scale(element, modules, self.dpi)
        if scale < max(1, self.px(MIN_MODULE_MM)) or height - text_height < self.px(5 if linear else 0):
            raise LabelError(
                f"{element.symbology.value} of {content!r} needs {modules.width} modules of at least "
                f"{MIN_MODULE_MM} mm and does not fit {box.width} mm at {self.dpi} dpi"
            )
        symbol_image = _image(symbol, scale)
        if linear:  # bars as tall as the box allows: stretching bars vertically keeps every module
            symbol_image = symbol_image.resize(
                (symbol_image.width, height - text_height), Image.Resampling.NEAREST
            )
        left = self.px(box.x) + (width - symbol_image.width) // 2
        top = self.px(box.y) + (height - text_height - symbol_image.height) // 2
        self.image.paste(symbol_image, (left, top))
        if text_height:
            font = self.font(2.5)
            label = str(content).replace("\\(", "(")  # the element string's escaped bracket, as read
            self.draw.text(
                (self.px(box.x) + (width - round(font.getlength(label))) // 2, top + symbol_image.height + 2),
                label,
                font=font,
                fill=0,
            )

    # --- lines -------------------------------------------------------------------------------

    def line(self, element: LineElement) -> None:
        box = element.box
        thickness = max(1, self.px(element.thickness))
        start = (self.px(box.x), self.px(box.y))
        end = (self.px(box.x + box.width), self.px(box.y + box.height))
        self.draw.line([start, end], fill=0, width=thickness)

    def frame(self, element: FrameElement) -> None:
        box = element.box
        thickness = max(1, self.px(element.thickness))
        corners = [
            self.px(box.x),
            self.px(box.y),
            self.px(box.x + box.width) - 1,
            self.px(box.y + box.height) - 1,
        ]
        self.draw.rectangle(corners, outline=0, width=thickness)


def _encode(element: BarcodeElement, fields: Mapping[str, Any]) -> zxingcpp.Barcode:
    content = fields[element.field]
    if not content:
        raise LabelError(f"barcode field {element.field!r} is empty")
    options: dict[str, Any] = {"gs1": bool(fields.get(f"{element.field}_gs1"))}
    if element.symbology is Symbology.DATAMATRIX:
        options["force_square"] = True
    try:
        return zxingcpp.create_barcode(str(content), _FORMATS[element.symbology], **options)
    except Exception as error:  # zxing-cpp raises ValueError/RuntimeError for bad content
        raise LabelError(f"cannot encode {content!r} as {element.symbology.value}: {error}") from None


def _scale(element: BarcodeElement, modules: Image.Image, dpi: int) -> int:
    """Dots per module: the largest whole number at which the symbol fits its box."""
    width = round(element.box.width * dpi / MM_PER_INCH)
    height = round(element.box.height * dpi / MM_PER_INCH)
    if element.symbology is Symbology.CODE128:
        return width // modules.width  # bars are stretched to the box's height
    return min(width // modules.width, height // modules.height)


def _image(symbol: zxingcpp.Barcode, scale: int) -> Image.Image:
    """zxing-cpp's raster of the symbol (quiet zones included) as a Pillow image."""
    raster = zxingcpp.write_barcode_to_image(symbol, scale=scale, add_quiet_zones=True)
    # Through its array interface (8-bit gray, so an "L" image), which zxing-cpp's stubs declare;
    # its buffer protocol, which they do not, gives the same bytes.
    return Image.fromarray(raster)
