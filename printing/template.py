"""Label templates: a size in millimetres and elements placed on it, read from JSON data files.

Templates are data, not code, so a plant can add its own label without a release: the built-in
ones live in resources/labels/, a plant's in any folder it names. Positions and sizes are in
millimetres, so one template prints the same at 203 and at 300 dpi. Text elements are Python
format strings over the label's fields ("{item_name_zh}"); a barcode names the field it carries.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any


class TemplateError(ValueError):
    """A template file that cannot be used, with the file and the reason."""


class Align(StrEnum):
    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"


class Symbology(StrEnum):
    QR = "qr"
    DATAMATRIX = "datamatrix"  # always square: older scanners misread the rectangular GS1 default
    CODE128 = "code128"  # GS1-128 with a true FNC1 when the content is a GS1 element string


@dataclass(frozen=True)
class Box:
    """Where an element sits, in millimetres from the label's top left corner."""

    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class TextElement:
    box: Box
    text: str  # a format string over the label's fields
    size: float  # character height in millimetres
    bold: bool = False
    align: Align = Align.LEFT
    wrap: bool = False  # wrap to the box's width; otherwise shrink to fit it


@dataclass(frozen=True)
class BarcodeElement:
    box: Box  # the symbol is centred in the box at the largest whole module size that fits
    symbology: Symbology
    field: str  # the label field with the content; "<field>_gs1" says whether it is a GS1 string
    human_readable: bool = False  # the content printed under a linear symbol


@dataclass(frozen=True)
class LineElement:
    box: Box  # a horizontal line if height is 0, a vertical one if width is 0
    thickness: float = 0.3


@dataclass(frozen=True)
class FrameElement:
    box: Box
    thickness: float = 0.3


Element = TextElement | BarcodeElement | LineElement | FrameElement


@dataclass(frozen=True)
class LabelTemplate:
    name: str
    width: float  # millimetres
    height: float
    elements: tuple[Element, ...]

    def fields(self) -> set[str]:
        """The label fields the template reads: what a caller must provide."""
        import string

        names: set[str] = set()
        for element in self.elements:
            if isinstance(element, TextElement):
                names |= {field for _, field, _, _ in string.Formatter().parse(element.text) if field}
            elif isinstance(element, BarcodeElement):
                names.add(element.field)
        return names


BUILT_IN = ("material_lot", "serial", "carton", "pallet")


def built_in(name: str) -> LabelTemplate:
    """One of the templates shipped in resources/labels/."""
    if name not in BUILT_IN:
        raise TemplateError(f"no built-in label template {name!r}; there are {', '.join(BUILT_IN)}")
    source = resources.files("resources").joinpath("labels", f"{name}.json")
    return parse(json.loads(source.read_text(encoding="utf-8")), origin=f"resources/labels/{name}.json")


def load(path: Path) -> LabelTemplate:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise TemplateError(f"{path}: {error}") from None
    return parse(document, origin=str(path))


def parse(document: dict[str, Any], origin: str) -> LabelTemplate:
    """A template from its JSON document; every mistake is named with the file and the element."""
    try:
        width, height = float(document["width_mm"]), float(document["height_mm"])
        elements = tuple(_element(item, width, height) for item in document["elements"])
        return LabelTemplate(str(document["name"]), width, height, elements)
    except TemplateError as error:
        raise TemplateError(f"{origin}: {error}") from None
    except (KeyError, TypeError, ValueError) as error:
        raise TemplateError(f"{origin}: {type(error).__name__}: {error}") from None


def _element(item: dict[str, Any], width: float, height: float) -> Element:
    box = Box(float(item["x"]), float(item["y"]), float(item.get("width", 0)), float(item.get("height", 0)))
    if box.x < 0 or box.y < 0 or box.x + box.width > width + 1e-6 or box.y + box.height > height + 1e-6:
        raise TemplateError(f"element {item} lies outside the {width} x {height} mm label")
    kind = item["type"]
    if kind == "text":
        return TextElement(
            box,
            str(item["text"]),
            float(item["size"]),
            bool(item.get("bold", False)),
            Align(item.get("align", "left")),
            bool(item.get("wrap", False)),
        )
    if kind == "barcode":
        return BarcodeElement(
            box, Symbology(item["symbology"]), str(item["field"]), bool(item.get("human_readable", False))
        )
    if kind == "line":
        return LineElement(box, float(item.get("thickness", 0.3)))
    if kind == "frame":
        return FrameElement(box, float(item.get("thickness", 0.3)))
    raise TemplateError(f"unknown element type {kind!r}")
