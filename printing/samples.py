"""Sample label fields for previews, the README's pictures, `tracestation-admin print-test` and the
tests: Chinese and English names, GS1 strings with valid check digits. The codes use GS1's
demonstration prefix 952 and SAMPLE names, so a test label never names a real unit anywhere."""

from __future__ import annotations

from typing import Any

SAMPLES: dict[str, dict[str, Any]] = {
    "material_lot": {
        "item_name_zh": "电表主控板",
        "item_name_en": "Meter main PCB",
        "item_code": "PCB-MAIN",
        "lot_code": "LOT-SAMPLE1",
        "supplier_name": "华强电子",
        "supplier_lot": "HQ-PCB-2611A",
        "quantity": "100",
        "uom": "EA",
        "expires_on": "2027-11-22",
        "code": "LOT-SAMPLE1",
        "link": "https://id.gs1.org/01/09521234000020/10/LOT-SAMPLE1?17=271122",
        "barcode": "(01)09521234000020(17)271122(10)LOT-SAMPLE1",
        "barcode_gs1": True,
    },
    "serial": {
        "item_name_zh": "单相智能电表",
        "item_name_en": "Single-phase smart meter",
        "serial": "SAMPLE00001",
        "item_code": "DDZY-102",
        "manufactured_on": "2026-11-23",
        "barcode": "(01)09521234000013(21)SAMPLE00001",
        "barcode_gs1": True,
        "barcode_text": "(01)09521234000013(21)SAMPLE00001",
    },
    "carton": {
        "site_name": "深圳智能电表厂 Shenzhen Meter Plant",
        "sscc": "095212340000000013",
        "gtin": "09521234000013",
        "item_name_zh": "单相智能电表",
        "item_name_en": "Single-phase smart meter",
        "count": "10",
        "lot": "WO-SAMPLE",
        "manufactured_on": "2026-11-23",
        "expires_on": None,
        "content_barcode": "(02)09521234000013(37)10(10)WO-SAMPLE",
        "content_barcode_gs1": True,
        "barcode": "(00)095212340000000013",
        "barcode_gs1": True,
    },
    "pallet": {
        "site_name": "深圳智能电表厂",
        "sscc": "095212340000000020",
        "item_name_zh": "单相智能电表",
        "item_name_en": "Single-phase smart meter",
        "cartons": "2",
        "count": "20",
        "customer": "华东电力公司",
        "code": "095212340000000020",
        "barcode": "(00)095212340000000020",
        "barcode_gs1": True,
    },
}
