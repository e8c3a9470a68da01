"""The demo plant's master data: a small smart-meter factory (智能电表厂) a new user can trace through.

Serialized single-phase meters are assembled from lot-tracked PCBs, housings and batteries, a
serialized 4G module made in-house, and screws nobody tracks; a lot-tracked potting compound is
made on the second line. The test suite builds on the same master data, so what the demo shows is
what the tests prove.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.auth import new_user
from models.schema import (
    BomLine,
    BomSubstitute,
    CheckDigit,
    Customer,
    Equipment,
    InspectionCharacteristic,
    Item,
    ItemKind,
    Line,
    NumberingRule,
    ResetPeriod,
    Role,
    RoutingStep,
    RuleKind,
    Site,
    Station,
    StationKind,
    Supplier,
    Tracking,
    User,
)

SITE = "SZ01"
GS1_COMPANY_PREFIX = "6901234"
# The GTINs the suppliers print on their own GS1 labels (their company prefix 6937654, not the
# plant's): a receiving station fills item, lot, expiry and quantity from such a label.
PCB_SUPPLIER_GTIN = "06937654000015"
HOUSING_SUPPLIER_GTIN = "06937654000022"
METER = "DDZY-102"
MODULE = "COMM-4G"
COMPOUND = "PTG-200"
PCB, HOUSING, BATTERY, BATTERY_ALT, SCREW, CHIP, RESIN, HARDENER = (
    "PCB-MAIN",
    "HSG-01",
    "BAT-CR",
    "BAT-CR-ALT",
    "SCR-M3",
    "CHIP-4G",
    "RESIN-A",
    "HRD-B",
)


@dataclass(frozen=True)
class Person:
    badge: str
    name: str
    pin: str
    roles: frozenset[Role]


PEOPLE = (
    Person("EMP1001", "张伟 Zhang Wei", "1234", frozenset({Role.OPERATOR})),
    Person("EMP1002", "李娜 Li Na", "2345", frozenset({Role.OPERATOR})),
    Person("EMP2001", "王芳 Wang Fang", "2468", frozenset({Role.SUPERVISOR, Role.OPERATOR})),
    Person("EMP3001", "刘洋 Liu Yang", "1357", frozenset({Role.QUALITY})),
    Person("EMP9001", "管理员 Admin", "9999", frozenset({Role.ADMIN, Role.SUPERVISOR})),
)

STATIONS = (
    ("RCV-01", "收货站", "Receiving", StationKind.RECEIVING, None),
    ("PRD-01", "总装线工位", "Assembly line station", StationKind.PRODUCTION, "L1"),
    ("PRD-02", "模块线工位", "Module line station", StationKind.PRODUCTION, "L2"),
    ("PCK-01", "包装站", "Packing", StationKind.PACKING, "L1"),
    ("SHP-01", "发货站", "Shipping", StationKind.SHIPPING, None),
    ("QA-01", "质量追溯站", "Quality and trace", StationKind.SUPERVISOR, None),
)


def build_master_data(session: Session) -> None:
    """Create the demo plant's master data (idempotent: does nothing when the site exists)."""
    if session.scalar(select(Site.id).where(Site.code == SITE)) is not None:
        return
    rules = {
        rule.code: rule
        for rule in (
            NumberingRule(
                code="LOT-RM",
                name="来料批次 Received lot",
                kind=RuleKind.PATTERN,
                pattern="R{YY}{MM}{DD}-{SEQ:4}",
                reset=ResetPeriod.DAILY,
            ),
            NumberingRule(
                code="LOT-FG",
                name="成品批次 Output lot",
                kind=RuleKind.PATTERN,
                pattern="P{YY}{JJJ}{LINE}-{SEQ:3}",
                reset=ResetPeriod.DAILY,
            ),
            NumberingRule(
                code="SN-METER",
                name="电表序列号 Meter serial",
                kind=RuleKind.PATTERN,
                pattern="SM{YY}{MM}{SEQ:6}",
                reset=ResetPeriod.MONTHLY,
                check_digit=CheckDigit.ISO7064_MOD_37_36,
            ),
            NumberingRule(
                code="SN-MODULE",
                name="模块序列号 Module serial",
                kind=RuleKind.PATTERN,
                pattern="CM{YY}{SEQ:7}",
                reset=ResetPeriod.YEARLY,
            ),
            NumberingRule(
                code="SSCC-REF",
                name="SSCC 序列参考 SSCC serial reference",
                kind=RuleKind.PATTERN,
                pattern="{SEQ:9}",
                reset=ResetPeriod.NEVER,
            ),
        )
    }
    session.add_all(rules.values())
    site = Site(
        code=SITE,
        name_zh="深圳工厂",
        name_en="Shenzhen Plant",
        timezone="Asia/Shanghai",
        gs1_company_prefix=GS1_COMPANY_PREFIX,
        sscc_extension_digit=0,
        container_rule=rules["SSCC-REF"],
    )
    session.add(site)
    session.flush()
    lines = {
        "L1": Line(site_id=site.id, code="L1", name_zh="电表总装线", name_en="Meter assembly line"),
        "L2": Line(site_id=site.id, code="L2", name_zh="模块与灌封线", name_en="Module and potting line"),
    }
    session.add_all(lines.values())
    session.flush()
    for code, zh, en, kind, line in STATIONS:
        session.add(
            Station(
                code=code,
                name_zh=zh,
                name_en=en,
                kind=kind,
                site_id=site.id,
                line_id=lines[line].id if line else None,
                active=True,
            )
        )
    for code, zh, en, line in (
        ("SMT-01", "贴片机", "SMT placement machine", "L2"),
        ("CAL-01", "校表台", "Meter calibration bench", "L1"),
        ("TEST-01", "功能测试台", "Functional test bench", "L1"),
        ("MIX-01", "真空搅拌机", "Vacuum mixer", "L2"),
    ):
        session.add(Equipment(code=code, name_zh=zh, name_en=en, line_id=lines[line].id, active=True))
    for code, zh, en in (
        ("SUP-HQ", "华强电子", "Huaqiang Electronics"),
        ("SUP-LI", "深圳锂能科技", "Shenzhen Lithium Energy"),
        ("SUP-PL", "东莞塑胶制品", "Dongguan Plastics"),
        ("SUP-CH", "江苏新材料化工", "Jiangsu Advanced Materials"),
        ("SUP-XT", "上海芯通半导体", "Shanghai Xintong Semiconductor"),
    ):
        session.add(Supplier(code=code, name_zh=zh, name_en=en))
    for code, zh, en, gln in (
        ("CUS-EC", "华东电力公司", "East China Power", "6901234000015"),
        ("CUS-GD", "广东电网", "Guangdong Grid", None),
        ("CUS-EU", "欧洲能源贸易", "EuroEnergy Trading", None),
    ):
        session.add(Customer(code=code, name_zh=zh, name_en=en, gln=gln))

    def item(code: str, zh: str, en: str, kind: ItemKind, tracking: Tracking, **fields: object) -> Item:
        row = Item(code=code, name_zh=zh, name_en=en, kind=kind, tracking=tracking, active=True, **fields)
        session.add(row)
        return row

    lot_rm, lot_fg = rules["LOT-RM"], rules["LOT-FG"]
    meter = item(
        METER,
        "单相智能电表",
        "Single-phase smart meter",
        ItemKind.FINISHED,
        Tracking.SERIAL,
        gtin="06901234000016",
        serial_rule=rules["SN-METER"],
        lot_rule=lot_fg,
        units_per_carton=10,
        cartons_per_pallet=4,
        label_template="serial",
    )
    module = item(
        MODULE,
        "4G通信模块",
        "4G communication module",
        ItemKind.SUBASSEMBLY,
        Tracking.SERIAL,
        serial_rule=rules["SN-MODULE"],
        lot_rule=lot_fg,
        units_per_carton=50,
    )
    compound = item(
        COMPOUND,
        "电表灌封胶",
        "Meter potting compound",
        ItemKind.FINISHED,
        Tracking.LOT,
        uom="KG",
        gtin="06901234000023",
        lot_rule=lot_fg,
        shelf_life_days=180,
        units_per_carton=20,
        cartons_per_pallet=30,
    )
    pcb = item(
        PCB,
        "电表主控板",
        "Meter main PCB",
        ItemKind.COMPONENT,
        Tracking.LOT,
        gtin=PCB_SUPPLIER_GTIN,
        lot_rule=lot_rm,
        requires_inspection=True,
        shelf_life_days=365,
    )
    housing = item(
        HOUSING,
        "电表外壳",
        "Meter housing",
        ItemKind.COMPONENT,
        Tracking.LOT,
        gtin=HOUSING_SUPPLIER_GTIN,
        lot_rule=lot_rm,
    )
    battery = item(
        BATTERY,
        "锂亚电池 ER14250",
        "Li-SOCl2 battery ER14250",
        ItemKind.COMPONENT,
        Tracking.LOT,
        lot_rule=lot_rm,
        shelf_life_days=730,
    )
    battery_alt = item(
        BATTERY_ALT,
        "锂亚电池(替代) ER14250H",
        "Li-SOCl2 battery ER14250H (alternate)",
        ItemKind.COMPONENT,
        Tracking.LOT,
        lot_rule=lot_rm,
        shelf_life_days=730,
    )
    screw = item(SCREW, "M3 螺钉", "M3 screw", ItemKind.CONSUMABLE, Tracking.NONE)
    chip = item(
        CHIP,
        "4G 通信芯片",
        "4G modem chip",
        ItemKind.COMPONENT,
        Tracking.LOT,
        lot_rule=lot_rm,
        shelf_life_days=540,
    )
    resin = item(
        RESIN,
        "环氧树脂 A 组分",
        "Epoxy resin, part A",
        ItemKind.RAW,
        Tracking.LOT,
        uom="KG",
        lot_rule=lot_rm,
        shelf_life_days=365,
    )
    hardener = item(
        HARDENER,
        "固化剂 B 组分",
        "Hardener, part B",
        ItemKind.RAW,
        Tracking.LOT,
        uom="KG",
        lot_rule=lot_rm,
        shelf_life_days=365,
    )
    session.flush()

    def bom(
        parent: Item, component: Item, per: str, must_scan: bool = True, substitutes: tuple[Item, ...] = ()
    ) -> None:
        line = BomLine(
            parent_item_id=parent.id,
            component_item_id=component.id,
            quantity_per=Decimal(per),
            must_scan=must_scan,
            substitutes=[BomSubstitute(item_id=s.id) for s in substitutes],
        )
        session.add(line)

    bom(meter, pcb, "1")
    bom(meter, housing, "1")
    bom(meter, battery, "1", substitutes=(battery_alt,))
    bom(meter, screw, "4", must_scan=False)
    bom(meter, module, "1")
    bom(module, chip, "1")
    bom(compound, resin, "0.8")
    bom(compound, hardener, "0.2")

    def step(
        owner: Item,
        seq: int,
        code: str,
        zh: str,
        en: str,
        mandatory: bool = True,
        checks: tuple[tuple[str, str, str, str, str | None, str | None], ...] = (),
    ) -> None:
        session.add(
            RoutingStep(
                item_id=owner.id,
                seq=seq,
                code=code,
                name_zh=zh,
                name_en=en,
                mandatory=mandatory,
                characteristics=[
                    InspectionCharacteristic(
                        code=c,
                        name_zh=czh,
                        name_en=cen,
                        unit_of_measure=uom,
                        lower_limit=Decimal(low) if low else None,
                        upper_limit=Decimal(high) if high else None,
                    )
                    for c, czh, cen, uom, low, high in checks
                ],
            )
        )

    step(meter, 10, "ASSY", "装配", "Assembly")
    step(
        meter,
        20,
        "CAL",
        "校表",
        "Calibration",
        checks=(("ERR", "基本误差", "Basic error", "%", "-0.5", "0.5"),),
    )
    step(
        meter,
        30,
        "TEST",
        "功能测试",
        "Functional test",
        checks=(
            ("VOLT", "工作电压", "Supply voltage", "V", "198", "242"),
            ("IDLE", "待机功耗", "Standby power", "W", None, "1.5"),
        ),
    )
    step(meter, 40, "VIS", "外观检查", "Visual check", mandatory=False)
    step(
        module,
        10,
        "RF",
        "射频测试",
        "RF test",
        checks=(("RSSI", "接收灵敏度", "Sensitivity", "dBm", None, "-100"),),
    )
    step(compound, 10, "MIX", "搅拌", "Mixing")
    step(compound, 20, "QC", "粘度检验", "Viscosity check")

    for person in PEOPLE:
        session.add(new_user(person.badge, person.name, person.pin, set(person.roles)))
    session.flush()


@dataclass(frozen=True)
class DemoIds:
    """The ids tests and the seed act with: who (by badge) and where (by station code)."""

    users: dict[str, int]
    stations: dict[str, int]


def demo_ids(session: Session) -> DemoIds:
    return DemoIds(
        users={badge: user_id for badge, user_id in session.execute(select(User.badge_code, User.id))},
        stations={code: station_id for code, station_id in session.execute(select(Station.code, Station.id))},
    )
