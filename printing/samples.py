"""Sample label fields, as the stations fill them for the demo plant: for previews, the README's
pictures, `tracestation-admin print-test` and the tests. Chinese and English names; GS1 strings
with valid check digits where the item has a GTIN."""

from __future__ import annotations

from typing import Any

SAMPLES: dict[str, dict[str, Any]] = {
    "material_lot": {
        "item_name_zh": "电表主控板",
        "item_name_en": "Meter main PCB",
        "item_code": "PCB-MAIN",
        "lot_code": "R261122-0001",
        "supplier_name": "华强电子",
        "supplier_lot": "HQ-PCB-2611A",
        "quantity": "100",
        "uom": "EA",
        "expires_on": "2027-11-22",
        "code": "R261122-0001",
        "link": "https://id.gs1.org/01/06901234000023/10/R261122-0001?17=271122",
        "barcode": "(01)06901234000023(10)R261122-0001(17)271122",
        "barcode_gs1": True,
    },
    "serial": {
        "item_name_zh": "单相智能电表",
        "item_name_en": "Single-phase smart meter",
        "serial": "SM2611000001G",
        "item_code": "DDZY-102",
        "manufactured_on": "2026-11-23",
        "barcode": "(01)06901234000016(21)SM2611000001G",
        "barcode_gs1": True,
        "barcode_text": "(01)06901234000016(21)SM2611000001G",
    },
    "carton": {
        "site_name": "深圳智能电表厂 Shenzhen Meter Plant",
        "sscc": "069012340000000016",
        "gtin": "06901234000016",
        "item_name_zh": "单相智能电表",
        "item_name_en": "Single-phase smart meter",
        "count": "10",
        "lot": "WO-MTR-0001",
        "manufactured_on": "2026-11-23",
        "expires_on": None,
        "content_barcode": "(02)06901234000016(37)10(10)WO-MTR-0001",
        "content_barcode_gs1": True,
        "barcode": "(00)069012340000000016",
        "barcode_gs1": True,
    },
    "pallet": {
        "site_name": "深圳智能电表厂",
        "sscc": "069012340000000030",
        "item_name_zh": "单相智能电表",
        "item_name_en": "Single-phase smart meter",
        "cartons": "2",
        "count": "20",
        "customer": "华东电力公司",
        "code": "069012340000000030",
        "barcode": "(00)069012340000000030",
        "barcode_gs1": True,
    },
}
