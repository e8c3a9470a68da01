"""A synthetic plant-year, bulk-loaded into the real schema: the data the trace benchmarks run on.

Why it exists: a trace query is only as fast as it is on a plant's real volume and real shape, and a
year of one plant (1M finished serials, each with a sub-assembly, fed from ~7,800 supplier lots,
packed 20 to a carton and 40 cartons to a pallet, ~95% shipped) would take days to build through
the operations one action at a time. This writes the very rows the operations would have written,
in minutes.

How: the year is planned first in compact Python structures (work orders, which supplier lots feed
which work order, cartons, pallets, shipments, holds), then replayed in time order. Each operator
action becomes what its operation records (models/receiving.py, production.py, packing.py,
shipping.py, quality.py): one `action` row, its event with the same event type, biz_step,
disposition, roles and quantities, and the link, step_result, inspection_result and shipped_unit
rows; ids are given in time order, as the sequences would have. Units are written once, in their
end-of-year state. Numbering counters, sequences and the schema are left so that the normal
operations can go on working on the result.

PostgreSQL: COPY FROM STDIN streams fed from generators (one thread and connection per table), with
the bulk tables' secondary indexes, unique constraints and foreign keys dropped for the load and
recreated exactly afterwards (foreign keys validated), then VACUUM (ANALYZE), so that the tables have
the statistics and visibility map a plant's autovacuumed database has; the database ends at the
migrations' head schema, checked by name and definition. SQLite: plain executemany inserts (scale S,
which the trace correctness tests run on both databases).

`generate()` returns a `Manifest`: known answers computed from the plan, never from SQL.

    python tests/benchmarks/plantgen.py --scale S|M [--url URL] [--seed N]

Without --url it creates `tsbench_<scale>_<random>` on the server of TRACESTATION_TEST_PG_URL,
prints its URL and keeps it for the benchmark to reuse.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import heapq
import json
import logging
import math
import os
import queue
import random
import statistics
import sys
import threading
import time
import uuid
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.pool import NullPool
from stdnum import ean

from models.auth import hash_pin
from models.db import Database
from models.migrate import current_revision, head_revision, upgrade
from models.scan import make_sscc, normalize_gtin
from models.schema import (
    Base,
    CheckDigit,
    ContainerLevel,
    EventRole,
    EventType,
    ItemKind,
    LinkLevel,
    ResetPeriod,
    Role,
    RuleKind,
    ShipmentStatus,
    StationKind,
    Tracking,
    UnitKind,
    UnitStatus,
    WorkOrderStatus,
)

log = logging.getLogger("plantgen")

ADMIN_URL = os.environ.get(
    "TRACESTATION_TEST_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
)

# --- The plant's fixed shape ------------------------------------------------------------------------

YEAR = 2025
SITE_TZ = dt.timezone(dt.timedelta(hours=8))  # Asia/Shanghai has no daylight saving time
TZ_OFFSET = "+08:00"
GS1_COMPANY_PREFIX = "6901234"
SUB_PARTS, FIN_PARTS = 12, 8
# Pieces of each purchased part per unit made (the first 12 go into the sub-assembly).
QTY_PER = (1, 2, 1, 1, 4, 1, 1, 1, 2, 1, 1, 1, 1, 1, 2, 1, 1, 1, 4, 1)
SERIALS_PER_ACTION = 100  # create_serials blocks
UNITS_PER_CARTON, CARTONS_PER_PALLET = 20, 40
SHIPPED_FRACTION = 0.95
SHELF_LIFE_DAYS = 730
TEST_LIMITS = ("198", "242")  # the TEST step's one characteristic, VOLT, in V
PIN = "1234"  # every generated user's PIN

# Lot sizes, in "work orders' worth" of their part: each supplier has a typical lot size (lognormal,
# sigma 0.5) and its lots vary around it (sigma 0.87): together a lognormal of sigma ~1, softly
# capped at 35 (a supplier's largest delivery), scaled so that a part's lots cover the year plus
# ~1% left in stock. A lot reaches the finished units of every work order it touches: median 4
# work orders (2,000 units), largest 36 (18,000).
SUPPLIER_SIGMA, LOT_SIGMA, LOT_KNEE, LOT_CAP, STOCK_MARGIN = 0.5, 0.87, 12.0, 35.0, 0.01

DAY_MS, HOUR_MS, MINUTE_MS = 86_400_000, 3_600_000, 60_000
SHIFT_MS = 8 * HOUR_MS
SUB, FIN = 0, 1  # the two kinds of work order

# Master data ids (explicit: the plan refers to them before anything is written).
SITE_ID = 1
LINE_FIN, LINE_SUB = 1, 2
ST_RCV, ST_PRD_FIN, ST_PRD_SUB, ST_PCK, ST_SHP, ST_QA = 1, 2, 3, 4, 5, 6
RULE_LOT, RULE_SUB, RULE_FIN, RULE_SSCC = 1, 2, 3, 4
ITEM_SUB, ITEM_FIN = SUB_PARTS + FIN_PARTS + 1, SUB_PARTS + FIN_PARTS + 2
STEP_TEST, CHARACTERISTIC_VOLT = 1, 1
SUB_ITEM_CODE, FIN_ITEM_CODE = "SA-100", "FG-200"
FIN_GTIN_BODY = "0690123400002"  # GS1 company prefix 6901234, item reference 00002

# Enum values as the schema spells them.
E = EventType
R = EventRole
S = UnitStatus
NUMERIC_SCALE = "000000"  # a Numeric(18, 6) read back and printed: "20.000000"


@dataclass(frozen=True)
class Scale:
    """How big a plant-year: M is one plant's year, S one hundredth of it."""

    name: str
    work_orders: int  # of each kind: sub-assembly and finished goods
    units_per_work_order: int
    lots_per_part: int
    suppliers_per_part: int
    customers: int
    operators: int
    equipment: int
    shipments: int
    in_progress_work_orders: int  # the last finished-goods work orders, still being tested
    held_serials: int
    scrapped_serials: int

    @property
    def finished_units(self) -> int:
        return self.work_orders * self.units_per_work_order

    @property
    def suppliers(self) -> int:
        return self.suppliers_per_part * (SUB_PARTS + FIN_PARTS)

    @property
    def supplier_lots(self) -> int:
        return self.lots_per_part * (SUB_PARTS + FIN_PARTS)


SCALES: dict[str, Scale] = {
    "S": Scale(
        name="S",
        work_orders=20,
        units_per_work_order=500,
        lots_per_part=4,
        suppliers_per_part=2,
        customers=5,
        operators=6,
        equipment=8,
        shipments=6,
        in_progress_work_orders=1,
        held_serials=2,
        scrapped_serials=1,
    ),
    "M": Scale(
        name="M",
        work_orders=2000,
        units_per_work_order=500,
        lots_per_part=390,
        suppliers_per_part=10,
        customers=300,
        operators=50,
        equipment=40,
        shipments=626,
        in_progress_work_orders=3,
        held_serials=6,
        scrapped_serials=4,
    ),
}


# --- What the generator knows: the answers a trace must give ------------------------------------------


@dataclass(frozen=True)
class FinishedSample:
    """One finished serial and everything a trace of it must find."""

    code: str
    status: str
    supplier_lots: frozenset[str]  # lots it may contain: fed into its order or its sub-assembly's order
    subassembly_code: str
    carton_code: str | None
    pallet_code: str | None
    shipment_code: str | None
    customer_code: str | None


@dataclass(frozen=True)
class Manifest:
    """Known answers, computed from the generator's own plan (never from SQL).

    "Reachable" is along genealogy links only, whatever the unit's status: a supplier lot reaches
    the serials of every order it was fed into (lot -> production lot -> serials), and through a
    sub-assembly order's serials the finished serials they were built into (1 for 1).
    """

    scale: str
    seed: int
    finished_units: int
    finished_item_code: str
    finished_item_id: int
    subassembly_item_code: str
    finished_codes: Mapping[str, FinishedSample]  # a few finished serials, each kind of end state
    median_lot_code: str
    largest_lot_code: str
    # Supplier lot code -> finished serials reachable forward from it (median, largest, a few more).
    lot_reach: Mapping[str, int]
    median_lot_finished_codes: frozenset[str]
    # A supplier recall: ~40 lots reaching ~90k finished units at M.
    recall_supplier_code: str
    recall_supplier_lots: frozenset[str]
    recall_supplier_finished: int
    table_counts: Mapping[str, int]
    unit_status_counts: Mapping[str, int]  # "FG-200 serial/SHIPPED", "carton/PACKED"... -> units
    held_codes: frozenset[str]
    scrapped_codes: frozenset[str]
    in_progress_work_orders: tuple[str, ...]
    lot_reach_all: tuple[int, ...] = field(repr=False, default=())  # every supplier lot's reach

    @property
    def median_lot_finished(self) -> int:
        """Finished serials reachable forward from the median supplier lot."""
        return self.lot_reach[self.median_lot_code]

    @property
    def largest_lot_finished(self) -> int:
        return self.lot_reach[self.largest_lot_code]

    @property
    def finished_samples(self) -> tuple[FinishedSample, ...]:
        return tuple(self.finished_codes.values())


# --- The plan: the whole year in compact structures ---------------------------------------------------


class _Lot:
    """One supplier lot: its place in its part's consumption sequence and where it went."""

    __slots__ = (
        "code",
        "consumed",
        "external_code",
        "first_feed",
        "held",
        "index",
        "manufactured_on",
        "part",
        "received_at",
        "size",
        "start",
        "supplier",
        "touched",
    )

    def __init__(self, part: int, supplier: int, size: int, start: int) -> None:
        self.part, self.supplier, self.size, self.start = part, supplier, size, start
        self.consumed = 0
        self.first_feed: int | None = None
        self.touched: set[int] = set()  # work order numbers whose finished serials it reaches
        self.index = 0
        self.code = ""
        self.external_code = ""
        self.received_at = 0
        self.manufactured_on = dt.date(YEAR, 1, 1)
        self.held = False

    @property
    def remaining(self) -> int:
        return self.size - self.consumed


def _ms(moment: dt.datetime) -> int:
    return int(moment.timestamp() * 1000)


def _local_date(ms: int) -> dt.date:
    return dt.datetime.fromtimestamp(ms / 1000, SITE_TZ).date()


def _soft_cap(value: float) -> float:
    """Leave small lots alone and bend large ones towards LOT_CAP: no lot beyond a supplier's max."""
    if value <= LOT_KNEE:
        return value
    room = LOT_CAP - LOT_KNEE
    return LOT_KNEE + room * (1 - math.exp(-(value - LOT_KNEE) / room))


class _Plan:
    """Every decision about the year, made up front with one seeded random generator."""

    def __init__(self, scale: Scale, seed: int) -> None:
        if scale.units_per_work_order % SERIALS_PER_ACTION or scale.units_per_work_order % UNITS_PER_CARTON:
            raise ValueError("units per work order must be a multiple of 100 and of a carton's 20")
        self.scale, self.seed = scale, seed
        self.rng = random.Random(seed)
        self.n, self.u = scale.work_orders, scale.units_per_work_order
        self.k_open = scale.in_progress_work_orders
        self.blocks = self.u // SERIALS_PER_ACTION
        self.t0 = _ms(dt.datetime(YEAR, 1, 1, tzinfo=SITE_TZ))
        self.first_start = self.t0 + 3 * DAY_MS
        self.duration = (354 * DAY_MS) // (self.n + 1)  # one work order on its line
        self.step = self.duration // self.u  # one serial on the finished-goods line
        self.t_end = self.fin_start(self.n - 1) + self.duration + HOUR_MS
        self._people_and_equipment()
        self._work_orders()
        self._lots_and_feeds()
        self._serial_codes()
        self._packing()
        self._shipments()
        self._quality()

    # Time: sub-assembly order i runs one slot before finished-goods order i, which assembles its
    # serials one for one (sub-assembly serial k goes into finished serial k).
    def sub_start(self, i: int) -> int:
        return self.first_start + i * self.duration

    def fin_start(self, i: int) -> int:
        return self.first_start + (i + 1) * self.duration

    def wo_start(self, kind: int, i: int) -> int:
        return self.sub_start(i) if kind == SUB else self.fin_start(i)

    def block_time(self, kind: int, i: int, block: int) -> int:
        offset = self.step // 5 if kind == SUB else (self.step * 9) // 100
        return self.wo_start(kind, i) + block * SERIALS_PER_ACTION * self.step + offset

    def assemble_time(self, k: int) -> int:
        return self.fin_start(k // self.u) + (k % self.u) * self.step + self.step // 10

    def report_time(self, k: int) -> int:
        return self.fin_start(k // self.u) + (k % self.u) * self.step + self.step // 2

    def pack_time(self, k: int) -> int:
        return self.fin_start(k // self.u) + (k % self.u) * self.step + (self.step * 9) // 10

    def carton_open_time(self, c: int) -> int:
        return self.pack_time(c * UNITS_PER_CARTON) - self.step // 50

    def carton_close_time(self, c: int) -> int:
        return self.pack_time(c * UNITS_PER_CARTON + UNITS_PER_CARTON - 1) + self.step // 50

    def onto_pallet_time(self, c: int) -> int:
        return self.carton_close_time(c) + (self.step * 3) // 100

    def pallet_open_time(self, p: int) -> int:
        return self.carton_close_time(p * CARTONS_PER_PALLET) + self.step // 40

    def pallet_close_time(self, p: int) -> int:
        return self.onto_pallet_time(p * CARTONS_PER_PALLET + CARTONS_PER_PALLET - 1) + self.step // 100

    def on_duty(self, group: Sequence[int], t: int, salt: int = 0) -> int:
        """The operator of `group` on shift at `t` (three shifts a day, rotating)."""
        return group[(t // SHIFT_MS + salt) % len(group)]

    def _people_and_equipment(self) -> None:
        """Operators split by station (receiving, each line, packing, shipping); equipment by line."""
        ops = self.scale.operators

        def group(low: float, high: float) -> list[int]:
            first, last = int(ops * low), int(ops * high)
            return list(range(1 + first, 1 + max(last, first + 1)))

        self.receivers, self.sub_operators = group(0.0, 0.1), group(0.1, 0.4)
        self.fin_operators, self.packers, self.shippers = group(0.4, 0.7), group(0.7, 0.9), group(0.9, 1.0)
        self.supervisor, self.quality, self.admin = ops + 1, ops + 2, ops + 3
        half = max(1, self.scale.equipment // 2)
        fin_line = list(range(1, half + 1))
        sub_line = list(range(half + 1, self.scale.equipment + 1)) or fin_line
        # Feeders, assembly benches and testers: every third piece of equipment on the line.
        self.equipment_roles = {
            kind: [line[role::3] or line for role in range(3)]
            for kind, line in ((FIN, fin_line), (SUB, sub_line))
        }
        self.equipment_line = {e: LINE_FIN for e in fin_line} | {e: LINE_SUB for e in sub_line}

    def _work_orders(self) -> None:
        """Ids and codes in creation order: each order is created (released) shortly before it starts."""
        created = [
            (self.sub_start(i) - 2 * HOUR_MS if kind == SUB else self.fin_start(i) - 90 * MINUTE_MS, kind, i)
            for i in range(self.n)
            for kind in (SUB, FIN)
        ]
        created.sort()
        self.wo_id = [[0] * self.n, [0] * self.n]
        self.wo_created = [[0] * self.n, [0] * self.n]
        for number, (t, kind, i) in enumerate(created, start=1):
            self.wo_id[kind][i], self.wo_created[kind][i] = number, t
        yy = YEAR % 100
        self.wo_code = [
            [f"WO{yy}{'S' if kind == SUB else 'F'}{i + 1:05d}" for i in range(self.n)] for kind in (SUB, FIN)
        ]
        self.in_progress = range(self.n - self.k_open, self.n)

    def _lots_and_feeds(self) -> None:
        """Each part's lots, consumed one after the other by its orders; received shortly before use."""
        rng, n, u = self.rng, self.n, self.u
        per_part, spp = self.scale.lots_per_part, self.scale.suppliers_per_part
        self.feeds: list[list[list[tuple[int, _Lot, int]]]] = [[[] for _ in range(n)] for _ in (0, 1)]
        lots: list[_Lot] = []
        for part in range(SUB_PARTS + FIN_PARTS):
            kind = SUB if part < SUB_PARTS else FIN
            per_wo = u * QTY_PER[part]
            suppliers = [part * spp + s + 1 for s in range(spp)]
            factors = [rng.lognormvariate(0, SUPPLIER_SIGMA) for _ in suppliers]
            shares = [rng.uniform(0.5, 1.5) for _ in suppliers]
            chosen = rng.choices(range(spp), shares, k=per_part)
            raw = [factors[s] * rng.lognormvariate(0, LOT_SIGMA) for s in chosen]
            target = n * (1 + STOCK_MARGIN)
            factor = target / sum(raw)
            for _ in range(60):  # the soft cap makes the scaling non-linear: iterate to the target
                factor *= target / sum(max(1.0, _soft_cap(x * factor)) for x in raw)
            sizes = [max(per_wo, round(max(1.0, _soft_cap(x * factor)) * per_wo)) for x in raw]
            shortfall = n * per_wo - sum(sizes)
            if shortfall > 0:
                sizes[-1] += shortfall
            position, part_lots = 0, []
            for s, size in zip(chosen, sizes, strict=True):
                part_lots.append(_Lot(part, suppliers[s], size, position))
                position += size
            # Work order i takes [i * per_wo, (i + 1) * per_wo) of the part: from one lot, or from the
            # rest of one and the start of the next (every lot holds at least one order's worth).
            j = 0
            feed_gap = max(1, self.step // 100)
            for i in range(n):
                low, high = i * per_wo, (i + 1) * per_wo
                while part_lots[j].start + part_lots[j].size <= low:
                    j += 1
                start = self.wo_start(kind, i)
                first_at = start + (part % SUB_PARTS + 1) * feed_gap
                lot = part_lots[j]
                end = lot.start + lot.size
                self._feed(kind, i, lot, min(end, high) - low, first_at)
                if end < high:
                    units_done = (end - low) // QTY_PER[part]
                    at = max(first_at + 1000, start + units_done * self.step + self.step // 20)
                    self._feed(kind, i, part_lots[j + 1], high - end, at)
            lots.extend(part_lots)
        for lot in lots:
            if lot.first_feed is not None:
                earliest = self.t0 + HOUR_MS
                at = lot.first_feed - int(rng.uniform(1, 7) * DAY_MS)
                if at < earliest:
                    at = earliest + int(rng.random() * (lot.first_feed - earliest - HOUR_MS))
            else:
                at = self.t_end - int(rng.uniform(0.25, 12) * DAY_MS)
            lot.received_at = at
        lots.sort(key=lambda lot: (lot.received_at, lot.part, lot.start))
        daily: Counter[str] = Counter()
        supplier_lots: Counter[int] = Counter()
        for index, lot in enumerate(lots):
            lot.index = index
            day = _local_date(lot.received_at)
            period = day.strftime("%Y%m%d")
            daily[period] += 1
            lot.code = f"R{day:%y%m%d}-{daily[period]:04d}"
            lot.manufactured_on = day - dt.timedelta(days=rng.randint(10, 90))
            supplier_lots[lot.supplier] += 1
            lot.external_code = (
                f"S{lot.supplier:03d}-{lot.manufactured_on:%y%m%d}-{supplier_lots[lot.supplier]:03d}"
            )
        self.lots = lots
        self.lot_counters = {period: count + 1 for period, count in daily.items()}

    def _feed(self, kind: int, i: int, lot: _Lot, amount: int, at: int) -> None:
        self.feeds[kind][i].append((at, lot, amount))
        lot.consumed += amount
        lot.touched.add(i)
        if lot.first_feed is None or at < lot.first_feed:
            lot.first_feed = at

    def _serial_codes(self) -> None:
        """Codes as the items' rules draw them: SA{YY}{SEQ:7} yearly, FG{YY}{MM}{SEQ:6} monthly."""
        self.block_prefix: list[list[str]] = [[], []]
        self.block_first = [array("l"), array("l")]
        self.serial_counters: list[dict[str, int]] = [{}, {}]
        for kind in (SUB, FIN):
            counters = self.serial_counters[kind]
            for i in range(self.n):
                for block in range(self.blocks):
                    day = _local_date(self.block_time(kind, i, block))
                    period = f"{day.year:04d}" if kind == SUB else f"{day.year:04d}{day.month:02d}"
                    first = counters.get(period, 1)
                    counters[period] = first + SERIALS_PER_ACTION
                    prefix = f"SA{day:%y}" if kind == SUB else f"FG{day:%y%m}"
                    self.block_prefix[kind].append(prefix)
                    self.block_first[kind].append(first)

    def serial_code(self, kind: int, k: int) -> str:
        block = k // SERIALS_PER_ACTION
        value = self.block_first[kind][block] + k % SERIALS_PER_ACTION
        return f"{self.block_prefix[kind][block]}{value:0{7 if kind == SUB else 6}d}"

    def _packing(self) -> None:
        """Completed orders' serials, in order, 20 to a carton, 40 cartons to a pallet; the rest loose."""
        self.packed = (self.n - self.k_open) * self.u  # serials of the completed orders, in order
        self.cartons = self.packed // UNITS_PER_CARTON
        self.pallets = self.cartons // CARTONS_PER_PALLET
        self.loose_cartons = self.cartons - self.pallets * CARTONS_PER_PALLET

    def carton_code(self, c: int) -> str:
        # SSCCs are drawn at close: a pallet closes right after its 40th carton.
        return make_sscc(0, GS1_COMPANY_PREFIX, c + c // CARTONS_PER_PALLET + 1)

    def pallet_code(self, p: int) -> str:
        return make_sscc(0, GS1_COMPANY_PREFIX, (p + 1) * (CARTONS_PER_PALLET + 1))

    def _shipments(self) -> None:
        """~95% of the pallets, oldest first, leave in shipments of 1 or 2 pallets, every customer served."""
        rng = self.rng
        wanted = round(self.pallets * SHIPPED_FRACTION)
        count = min(self.scale.shipments, wanted)
        wanted = min(wanted, 2 * count)
        sizes = [2] * (wanted - count) + [1] * (2 * count - wanted)
        rng.shuffle(sizes)
        groups, first = [], 0
        for size in sizes:
            pallets = tuple(range(first, first + size))
            first += size
            ready = self.pallet_close_time(pallets[-1])
            created = min(ready + int(rng.uniform(1, 36) * HOUR_MS), self.t_end - 3 * HOUR_MS)
            groups.append((max(created, ready + MINUTE_MS), pallets))
        groups.sort()
        self.shipped_pallets = first
        customers = list(range(1, self.scale.customers + 1))
        rng.shuffle(customers)
        self.shipments: list[tuple[int, tuple[int, ...], int]] = []  # (created, pallets, customer id)
        self.pallet_shipment = [-1] * self.pallets
        for number, (created, pallets) in enumerate(groups):
            customer = customers[number] if number < len(customers) else rng.randrange(len(customers)) + 1
            self.shipments.append((created, pallets, customer))
            for p in pallets:
                self.pallet_shipment[p] = number

    def shipment_code(self, number: int) -> str:
        return f"SH{YEAR % 100}-{number + 1:05d}"

    def shipment_reference(self, number: int) -> str:
        return f"PO{YEAR % 100}{number + 1:06d}"

    def _quality(self) -> None:
        """The last orders are still being tested; a few units are held or scrapped."""
        u, n, k_open = self.u, self.n, self.k_open
        self.tested = {i: u * (k_open - m) // (k_open + 1) for m, i in enumerate(self.in_progress)}
        first_open, last_open = self.in_progress[0], self.in_progress[-1]
        held_released = (self.scale.held_serials + 1) // 2
        held_wip = self.scale.held_serials - held_released
        self.held_serials = [first_open * u + 1 + 10 * h for h in range(held_released)]
        self.held_serials += [last_open * u + u - 1 - 10 * h for h in range(held_wip)]
        self.scrapped_serials = [last_open * u + u - 5 - 10 * h for h in range(self.scale.scrapped_serials)]
        if any(k % u >= self.tested[k // u] for k in self.held_serials[:held_released]):
            raise ValueError("a held released serial was never tested: too few units per work order")
        if set(self.held_serials) & set(self.scrapped_serials) or n - k_open < 1:
            raise ValueError("the quality plan overlaps")
        self.held_carton = self.cartons - 1 if self.loose_cartons else None
        unfed = [lot for lot in self.lots if lot.consumed == 0]
        open_lots = unfed or [lot for lot in self.lots if lot.remaining > 0]
        self.held_lot = open_lots[0] if open_lots else None
        if self.held_lot is not None:
            self.held_lot.held = True
        self.held_set = set(self.held_serials)
        self.scrapped_set = set(self.scrapped_serials)

    # --- End-of-year states -----------------------------------------------------------------------

    def fin_state(self, k: int) -> tuple[str, str | None, int | None]:
        """(status, held_from_status, carton) of finished serial k at the end of the year."""
        i = k // self.u
        if i >= self.n - self.k_open:
            if k in self.scrapped_set:
                return S.SCRAPPED.value, None, None
            status = S.RELEASED.value if k % self.u < self.tested[i] else S.WIP.value
            if k in self.held_set:
                return S.ON_HOLD.value, status, None
            return status, None, None
        c = k // UNITS_PER_CARTON
        shipped = self._carton_shipped(c)
        return (S.SHIPPED.value if shipped else S.PACKED.value), None, c

    def _carton_shipped(self, c: int) -> bool:
        p = c // CARTONS_PER_PALLET
        return p < self.pallets and self.pallet_shipment[p] >= 0

    def carton_state(self, c: int) -> tuple[str, str | None, int | None]:
        p = c // CARTONS_PER_PALLET
        if p >= self.pallets:
            if c == self.held_carton:
                return S.ON_HOLD.value, S.CLOSED.value, None
            return S.CLOSED.value, None, None
        return (S.SHIPPED.value if self._carton_shipped(c) else S.PACKED.value), None, p

    def pallet_status(self, p: int) -> str:
        return S.SHIPPED.value if self.pallet_shipment[p] >= 0 else S.CLOSED.value

    def fin_quantity_completed(self, i: int) -> int:
        if i < self.n - self.k_open:
            return self.u
        return self.tested[i]

    # --- Known answers ----------------------------------------------------------------------------

    def supplier_lots_in(self, i: int) -> frozenset[str]:
        """Supplier lots a finished serial of order i may contain: fed into it or its sub-assembly order."""
        return frozenset(lot.code for kind in (SUB, FIN) for _, lot, _ in self.feeds[kind][i])

    def finished_sample(self, k: int) -> FinishedSample:
        status, _, carton = self.fin_state(k)
        pallet = shipment = customer = None
        if carton is not None and carton // CARTONS_PER_PALLET < self.pallets:
            pallet = carton // CARTONS_PER_PALLET
            number = self.pallet_shipment[pallet]
            if number >= 0:
                shipment, customer = self.shipment_code(number), f"CUS-{self.shipments[number][2]:04d}"
        return FinishedSample(
            code=self.serial_code(FIN, k),
            status=status,
            supplier_lots=self.supplier_lots_in(k // self.u),
            subassembly_code=self.serial_code(SUB, k),
            carton_code=self.carton_code(carton) if carton is not None else None,
            pallet_code=self.pallet_code(pallet) if pallet is not None else None,
            shipment_code=shipment,
            customer_code=customer,
        )

    def table_counts(self) -> dict[str, int]:
        """Rows per table, from the plan alone: what the replay must write (checked after each load)."""
        n, u, lots = self.n, self.u, len(self.lots)
        feeds = sum(len(orders) for kind in (SUB, FIN) for orders in self.feeds[kind])
        reports = sum(self.tested.get(i, u) for i in range(n))
        commissions = 2 * n * self.blocks
        containers = self.cartons + self.pallets
        packs = self.packed + self.pallets * CARTONS_PER_PALLET
        shipments = len(self.shipments)
        holds = len(self.held_serials) + (self.held_carton is not None) + (self.held_lot is not None)
        scraps = len(self.scrapped_serials)
        orders = 2 * n + 2 * n - self.k_open  # created, and closed unless still in progress
        events = lots + orders + feeds + commissions + n * u + reports + 2 * containers + packs
        events += 2 * shipments + self.shipped_pallets + holds + scraps
        event_units = lots + orders + 2 * feeds + commissions * (1 + SERIALS_PER_ACTION) + 2 * n * u + reports
        event_units += 2 * containers + 2 * packs + 2 * self.shipped_pallets + holds + scraps
        counts = {table: len(rows) for table, rows in _master_rows(self, _PgFormat()).items()}
        return counts | {
            "action": events,
            "event": events,
            "event_unit": event_units,
            "link": feeds + 3 * n * u,
            "step_result": reports,
            "inspection_result": reports,
            "shipped_unit": self.shipped_pallets * (1 + CARTONS_PER_PALLET * (1 + UNITS_PER_CARTON)),
            "unit": lots + 2 * n + 2 * n * u + containers,
            "work_order": 2 * n,
            "shipment": shipments,
            "shipment_line": shipments,
        }

    def manifest(self) -> Manifest:
        rng = random.Random(self.seed + 1)  # samples must not disturb the plan's own draws
        u = self.u
        reach = {lot.code: len(lot.touched) * u for lot in self.lots}
        ordered = sorted(self.lots, key=lambda lot: (len(lot.touched), lot.index))
        median_lot = ordered[(len(ordered) - 1) // 2]
        largest = ordered[-1]
        sample = [median_lot, largest, *rng.sample(self.lots, min(6, len(self.lots)))]
        supplier = self._benchmark_supplier()
        supplier_lots = [lot for lot in self.lots if lot.supplier == supplier]
        supplier_orders = set().union(*(lot.touched for lot in supplier_lots))
        picks = {0, self.packed - 1, rng.randrange(self.packed)}
        picks |= {(self.pallets * CARTONS_PER_PALLET) * UNITS_PER_CARTON + 3} if self.loose_cartons else set()
        if self.shipped_pallets < self.pallets:
            picks.add((self.pallets - 1) * CARTONS_PER_PALLET * UNITS_PER_CARTON + 7)
        picks |= {self.in_progress[0] * u, (self.n - 1) * u + u // 2 + 1}
        picks |= set(self.held_serials[:2]) | set(self.scrapped_serials[:1])
        statuses: Counter[str] = Counter()
        for k in range(self.n * u):
            statuses[f"{FIN_ITEM_CODE} serial/{self.fin_state(k)[0]}"] += 1
        statuses[f"{SUB_ITEM_CODE} serial/{S.CONSUMED.value}"] += self.n * u  # every one is built in
        for c in range(self.cartons):
            statuses[f"carton/{self.carton_state(c)[0]}"] += 1
        for p in range(self.pallets):
            statuses[f"pallet/{self.pallet_status(p)}"] += 1
        for lot in self.lots:
            statuses[f"supplier lot/{self.lot_status(lot)[0]}"] += 1
        statuses[f"production lot/{S.CONSUMED.value}"] += 2 * self.n - self.k_open
        statuses[f"production lot/{S.WIP.value}"] += self.k_open
        held = {self.serial_code(FIN, k) for k in self.held_serials}
        if self.held_carton is not None:
            held.add(self.carton_code(self.held_carton))
        if self.held_lot is not None:
            held.add(self.held_lot.code)
        return Manifest(
            scale=self.scale.name,
            seed=self.seed,
            finished_units=self.n * u,
            finished_item_code=FIN_ITEM_CODE,
            finished_item_id=ITEM_FIN,
            subassembly_item_code=SUB_ITEM_CODE,
            finished_codes={
                sample.code: sample for sample in (self.finished_sample(k) for k in sorted(picks))
            },
            median_lot_code=median_lot.code,
            largest_lot_code=largest.code,
            lot_reach={lot.code: reach[lot.code] for lot in sample},
            median_lot_finished_codes=frozenset(
                self.serial_code(FIN, i * u + j) for i in sorted(median_lot.touched) for j in range(u)
            ),
            recall_supplier_code=f"SUP-{supplier:04d}",
            recall_supplier_lots=frozenset(lot.code for lot in supplier_lots),
            recall_supplier_finished=len(supplier_orders) * u,
            table_counts=dict(sorted(self.table_counts().items())),
            unit_status_counts=dict(sorted(statuses.items())),
            held_codes=frozenset(held),
            scrapped_codes=frozenset(self.serial_code(FIN, k) for k in self.scrapped_serials),
            in_progress_work_orders=tuple(self.wo_code[FIN][i] for i in self.in_progress),
            lot_reach_all=tuple(reach[lot.code] for lot in self.lots),
        )

    def _benchmark_supplier(self) -> int:
        """The supplier closest to ~40 lots reaching ~90k finished units (M), scaled for smaller plants."""
        lots_target = max(2.0, 40 * self.scale.lots_per_part / 390)
        reach_target = 90_000 * self.n / 2000
        by_supplier: dict[int, list[_Lot]] = {}
        for lot in self.lots:
            by_supplier.setdefault(lot.supplier, []).append(lot)

        def distance(supplier: int) -> tuple[float, int]:
            lots = by_supplier[supplier]
            reach = len(set().union(*(lot.touched for lot in lots))) * self.u
            return abs(len(lots) - lots_target) / lots_target + abs(
                reach - reach_target
            ) / reach_target, supplier

        return min(by_supplier, key=distance)

    def lot_status(self, lot: _Lot) -> tuple[str, str | None]:
        if lot.held:
            return S.ON_HOLD.value, S.RELEASED.value
        return (S.CONSUMED.value if lot.remaining == 0 else S.RELEASED.value), None


# --- Writing rows: one format per backend ------------------------------------------------------------


def _json_text(value: Any) -> str:
    """The JSON text the engine's serializer writes (models.db): compact, non-ASCII kept."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


class _Format:
    """How values are spelled for a backend; the replay writes every row through one of these."""

    null: Any = None
    true: Any = True
    false: Any = False

    def __init__(self) -> None:
        self._days: dict[int, str] = {}

    def _stamp(self, ms: int) -> str:
        """UTC "YYYY-MM-DD HH:MM:SS.mmm" of epoch milliseconds (millions of them: no datetime objects)."""
        day, rest = divmod(ms, DAY_MS)
        prefix = self._days.get(day)
        if prefix is None:
            prefix = self._days[day] = dt.date.fromordinal(_EPOCH_ORDINAL + day).isoformat()
        seconds, milli = divmod(rest, 1000)
        hours, seconds = divmod(seconds, 3600)
        minutes, seconds = divmod(seconds, 60)
        return f"{prefix} {hours:02d}:{minutes:02d}:{seconds:02d}.{milli:03d}"

    def ts(self, ms: int) -> Any:
        raise NotImplementedError

    def clock(self, ms: int) -> Any:
        """action.recorded_at: the database clock's stamp (the operations' _claim)."""
        return self.ts(ms)

    def date(self, day: dt.date) -> str:
        return day.isoformat()

    def dec(self, value: str) -> Any:
        raise NotImplementedError

    def json(self, value: Any) -> str:
        raise NotImplementedError


class _PgFormat(_Format):
    """Values as COPY's text format reads them (the rows never contain tabs or newlines)."""

    null = r"\N"
    true, false = "t", "f"

    def ts(self, ms: int) -> str:
        return self._stamp(ms) + "+00"

    def dec(self, value: str) -> str:
        return value

    def json(self, value: Any) -> str:
        return _json_text(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


class _SqliteFormat(_Format):
    """Values as SQLAlchemy stores them on SQLite: naive UTC text datetimes, floats, 1/0."""

    null = None
    true, false = 1, 0

    def ts(self, ms: int) -> str:
        return self._stamp(ms) + "000"

    def clock(self, ms: int) -> str:
        return self._stamp(ms)  # SQLite's strftime('%f') has milliseconds only

    def dec(self, value: str) -> float:
        return float(value)

    def json(self, value: Any) -> str:
        return _json_text(value)


Format = _Format
Row = tuple[Any, ...]

# The column order every row tuple below is written in; checked against the schema before a load.
COLUMNS: dict[str, tuple[str, ...]] = {
    table.name: tuple(column.name for column in table.columns) for table in Base.metadata.sorted_tables
}
EXPECTED_COLUMNS = {
    "unit": "id code kind item_id status held_from_status quantity initial_quantity uom external_code "
    "supplier_id manufactured_on expires_on work_order_id container_id container_level site_id split_count "
    "created_at",
    "event": "id action_id event_type occurred_at tz_offset site_id line_id station_id user_id work_order_id "
    "routing_step_id equipment_id shipment_id biz_step disposition reason_code reason_text detail",
    "action": "id operation user_id station_id recorded_at result",
    "event_unit": "id event_id unit_id role quantity",
    "link": "id input_unit_id output_unit_id level quantity event_id",
    "step_result": "id event_id work_order_id routing_step_id unit_id good_quantity scrap_quantity "
    "scrap_reason passed",
    "inspection_result": "id event_id unit_id step_result_id characteristic_id name value lower_limit "
    "upper_limit passed",
    "shipped_unit": "id shipment_id unit_id customer_id top_unit_id item_id quantity event_id",
    "work_order": "id code item_id site_id line_id quantity_planned status production_lot_id serials_created "
    "quantity_completed quantity_scrapped created_at",
    "shipment": "id code customer_id site_id status reference created_at shipped_at",
    "shipment_line": "id shipment_id item_id quantity",
    "numbering_counter": "rule_id period next_value",
    "numbering_rule": "id code name kind pattern reset check_digit random_length random_alphabet "
    "random_capacity",
    "site": "id code name_zh name_en timezone gs1_company_prefix sscc_extension_digit container_rule_id",
    "line": "id site_id code name_zh name_en",
    "station": "id code name_zh name_en kind site_id line_id active",
    "equipment": "id code name_zh name_en line_id station_id active",
    "supplier": "id code name_zh name_en",
    "customer": "id code name_zh name_en gln",
    "app_user": "id badge_code name pin_hash active failed_pin_count locked language",
    "user_role": "user_id role",
    "item": "id code name_zh name_en kind uom tracking gtin shelf_life_days requires_inspection lot_rule_id "
    "serial_rule_id units_per_carton cartons_per_pallet label_template active",
    "bom_line": "id parent_item_id component_item_id quantity_per must_scan",
    "routing_step": "id item_id seq code name_zh name_en mandatory remeasures",
    "inspection_characteristic": "id routing_step_id code name_zh name_en unit_of_measure lower_limit "
    "upper_limit",
}
MASTER_TABLES = (
    "numbering_rule",
    "numbering_counter",
    "site",
    "line",
    "station",
    "equipment",
    "supplier",
    "customer",
    "app_user",
    "user_role",
    "item",
    "bom_line",
    "routing_step",
    "inspection_characteristic",
)
# What the year writes in bulk: on PostgreSQL their secondary indexes, unique constraints and
# foreign keys are dropped for the load and recreated after it.
BULK_TABLES = (
    "action",
    "event",
    "event_unit",
    "link",
    "step_result",
    "inspection_result",
    "shipped_unit",
    "unit",
    "work_order",
    "shipment",
    "shipment_line",
)
STREAMED_TABLES = BULK_TABLES  # one COPY stream each, open for the whole replay


def _check_columns() -> None:
    """Fail loudly when the schema has drifted from the row tuples written here."""
    for table, names in EXPECTED_COLUMNS.items():
        if COLUMNS[table] != tuple(names.split()):
            raise RuntimeError(f"plantgen writes {table} as ({names}) but the schema has {COLUMNS[table]}")


class _Sink:
    """Per-table row buffers; a backend decides how a full buffer is written."""

    def __init__(self, fmt: Format) -> None:
        self.fmt = fmt
        self.buffers: dict[str, list[Any]] = {}
        self.counts: Counter[str] = Counter()

    def writer(self, table: str) -> Callable[[Row], None]:
        raise NotImplementedError

    def flush(self, table: str) -> None:
        raise NotImplementedError

    def flush_full(self, threshold: int = 20_000) -> None:
        for table, buffer in self.buffers.items():
            if len(buffer) >= threshold:
                self.flush(table)

    def flush_all(self) -> None:
        for table in self.buffers:
            self.flush(table)


class _CopyStream:
    """One table's COPY FROM STDIN on a connection of its own, fed chunk by chunk from a queue.

    psycopg2's copy_expert pulls from `read()`, so the COPY runs in a thread while the replay keeps
    producing; psycopg2 releases the GIL while it sends, so the server parses one table's rows
    while Python formats the next ones.
    """

    def __init__(self, engine: Engine, table: str) -> None:
        self.table = table
        self.chunks: queue.Queue[bytes | None] = queue.Queue(maxsize=6)  # None: abort the COPY
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(engine,), name=f"copy-{table}", daemon=True)
        self.thread.start()

    def _run(self, engine: Engine) -> None:
        connection = None
        try:
            connection = engine.raw_connection()
            cursor = connection.cursor()
            cursor.execute("SET synchronous_commit = off")
            columns = ", ".join(COLUMNS[self.table])
            cursor.copy_expert(f"COPY {self.table} ({columns}) FROM STDIN", self, size=1 << 20)
            connection.commit()
        except BaseException as error:  # handed to the producing thread
            self.error = error
            if connection is not None:
                connection.rollback()
        finally:
            if connection is not None:
                connection.close()

    def read(self, _size: int = -1) -> bytes:
        chunk = self.chunks.get()
        if chunk is None:  # raising here makes psycopg2 end the COPY with an error: nothing is kept
            raise RuntimeError(f"COPY {self.table} aborted")
        return chunk

    def put(self, chunk: bytes) -> None:
        while True:
            if self.error is not None:
                raise RuntimeError(f"COPY {self.table} failed: {self.error}") from self.error
            try:
                self.chunks.put(chunk, timeout=1)
                return
            except queue.Full:
                if not self.thread.is_alive():
                    raise RuntimeError(f"COPY {self.table} stopped: {self.error}") from self.error

    def close(self) -> None:
        self.put(b"")
        self.thread.join()
        if self.error is not None:
            raise RuntimeError(f"COPY {self.table} failed: {self.error}") from self.error

    def abort(self) -> None:
        """Roll the COPY back: the replay failed, and half a table must not be committed."""
        with contextlib.suppress(queue.Empty):
            while True:
                self.chunks.get_nowait()
        self.chunks.put(None)
        self.thread.join()


class _PgSink(_Sink):
    def __init__(self, engine: Engine) -> None:
        super().__init__(_PgFormat())
        self.engine = engine
        self.streams: dict[str, _CopyStream] = {}

    def open(self, table: str) -> None:
        self.streams[table] = _CopyStream(self.engine, table)
        self.buffers[table] = []

    def writer(self, table: str) -> Callable[[Row], None]:
        append, join, counts = self.buffers[table].append, "\t".join, self.counts

        def write(values: Row) -> None:
            append(join(map(str, values)))
            counts[table] += 1

        return write

    def flush(self, table: str) -> None:
        buffer = self.buffers[table]
        if buffer:
            buffer.append("")
            self.streams[table].put("\n".join(buffer).encode())
            buffer.clear()

    def close(self, table: str) -> None:
        self.flush(table)
        self.streams.pop(table).close()
        del self.buffers[table]

    def abort(self) -> None:
        for stream in self.streams.values():
            stream.abort()
        self.streams.clear()


class _SqliteSink(_Sink):
    def __init__(self, cursor: Any) -> None:
        super().__init__(_SqliteFormat())
        self.cursor = cursor
        self.statements: dict[str, str] = {}

    def open(self, table: str) -> None:
        columns = COLUMNS[table]
        marks = ", ".join("?" for _ in columns)
        self.statements[table] = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
        self.buffers[table] = []

    def writer(self, table: str) -> Callable[[Row], None]:
        append, counts = self.buffers[table].append, self.counts

        def write(values: Row) -> None:
            append(values)
            counts[table] += 1

        return write

    def flush(self, table: str) -> None:
        buffer = self.buffers[table]
        if buffer:
            self.cursor.executemany(self.statements[table], buffer)
            buffer.clear()

    def close(self, table: str) -> None:
        self.flush(table)
        del self.buffers[table]


# --- Master data -----------------------------------------------------------------------------------------


def _master_rows(plan: _Plan, fmt: Format) -> dict[str, list[Row]]:
    """The plant: site, lines, stations, people, equipment, partners, items, BOM, routing, rules."""
    scale, null, true, false = plan.scale, fmt.null, fmt.true, fmt.false
    rows: dict[str, list[Row]] = {table: [] for table in MASTER_TABLES}
    pattern_rule = (RuleKind.PATTERN.value,)
    for rule_id, code, name, pattern, reset in (
        (RULE_LOT, "LOT-RM", "来料批次 Received lot", "R{YY}{MM}{DD}-{SEQ:4}", ResetPeriod.DAILY),
        (RULE_SUB, "SN-SA", "组件序列号 Sub-assembly serial", "SA{YY}{SEQ:7}", ResetPeriod.YEARLY),
        (RULE_FIN, "SN-FG", "成品序列号 Finished serial", "FG{YY}{MM}{SEQ:6}", ResetPeriod.MONTHLY),
        (RULE_SSCC, "SSCC-REF", "SSCC 序列参考 SSCC serial reference", "{SEQ:9}", ResetPeriod.NEVER),
    ):
        rows["numbering_rule"].append(
            (
                rule_id,
                code,
                name,
                *pattern_rule,
                pattern,
                reset.value,
                CheckDigit.NONE.value,
                null,
                null,
                null,
            )
        )
    # Counters past every number drawn, so that the operations go on numbering without a clash.
    counters = [(RULE_LOT, period, value) for period, value in sorted(plan.lot_counters.items())]
    for rule, kind in ((RULE_SUB, SUB), (RULE_FIN, FIN)):
        counters += [(rule, period, value) for period, value in sorted(plan.serial_counters[kind].items())]
    counters.append((RULE_SSCC, "", plan.cartons + plan.pallets + 1))
    rows["numbering_counter"] = counters
    rows["site"].append(
        (SITE_ID, "BJ01", "北京工厂", "Beijing Plant", "Asia/Shanghai", GS1_COMPANY_PREFIX, 0, RULE_SSCC)
    )
    rows["line"] += [
        (LINE_FIN, SITE_ID, "L1", "成品总装线", "Final assembly line"),
        (LINE_SUB, SITE_ID, "L2", "组件线", "Sub-assembly line"),
    ]
    for number, code, zh, en, kind in (
        (ST_RCV, "RCV-01", "收货站", "Receiving", StationKind.RECEIVING),
        (ST_PRD_FIN, "PRD-01", "总装线工位", "Final assembly station", StationKind.PRODUCTION),
        (ST_PRD_SUB, "PRD-02", "组件线工位", "Sub-assembly station", StationKind.PRODUCTION),
        (ST_PCK, "PCK-01", "包装站", "Packing", StationKind.PACKING),
        (ST_SHP, "SHP-01", "发货站", "Shipping", StationKind.SHIPPING),
        (ST_QA, "QA-01", "质量追溯站", "Quality and trace", StationKind.SUPERVISOR),
    ):
        line = STATION_LINE[number]
        rows["station"].append(
            (number, code, zh, en, kind.value, SITE_ID, null if line is None else line, true)
        )
    names = (
        ("FDR", "上料机", "Feeder"),
        ("ASM", "装配台", "Assembly bench"),
        ("TST", "测试台", "Test bench"),
    )
    described: dict[int, Row] = {}
    for kind, roles in plan.equipment_roles.items():
        station = ST_PRD_FIN if kind == FIN else ST_PRD_SUB
        for role, members in enumerate(roles):
            prefix, zh, en = names[role]
            for number in members:
                head = (number, f"{prefix}-{number:02d}", f"{zh} {number}", f"{en} {number}")
                described.setdefault(number, (*head, plan.equipment_line[number], station, true))
    rows["equipment"] = [described[number] for number in sorted(described)]
    for supplier in range(1, scale.suppliers + 1):
        rows["supplier"].append(
            (supplier, f"SUP-{supplier:04d}", f"供应商 {supplier}", f"Supplier {supplier}")
        )
    for customer in range(1, scale.customers + 1):
        gln = f"690123{customer:06d}"
        rows["customer"].append(
            (
                customer,
                f"CUS-{customer:04d}",
                f"客户 {customer}",
                f"Customer {customer}",
                gln + ean.calc_check_digit(gln),
            )
        )
    pin_hash = _pin_hash()
    people = [
        (user, f"EMP{1000 + user}", f"操作员 Operator {user}", (Role.OPERATOR,))
        for user in range(1, scale.operators + 1)
    ]
    people += [
        (plan.supervisor, "EMP2001", "主管 Supervisor", (Role.OPERATOR, Role.SUPERVISOR)),
        (plan.quality, "EMP3001", "质量 Quality", (Role.QUALITY,)),
        (plan.admin, "EMP9001", "管理员 Admin", (Role.ADMIN, Role.SUPERVISOR)),
    ]
    for user, badge, name, roles in people:
        rows["app_user"].append((user, badge, name, pin_hash, true, 0, false, "zh_CN"))
        rows["user_role"] += [(user, role.value) for role in sorted(roles)]
    lot_tracked = (Tracking.LOT.value, null, SHELF_LIFE_DAYS, false, RULE_LOT, null, null, null, null, true)
    for part in range(SUB_PARTS + FIN_PARTS):
        code = part_code(part)
        head = (part + 1, code, f"外购件 {code}", f"Purchased part {code}", ItemKind.COMPONENT.value, "EA")
        rows["item"].append((*head, *lot_tracked))
    gtin = normalize_gtin(FIN_GTIN_BODY + ean.calc_check_digit(FIN_GTIN_BODY))
    sub_head = (ITEM_SUB, SUB_ITEM_CODE, "通信组件", "Communication sub-assembly", ItemKind.SUBASSEMBLY.value)
    fin_head = (ITEM_FIN, FIN_ITEM_CODE, "智能终端", "Smart terminal", ItemKind.FINISHED.value)
    packing_spec = (UNITS_PER_CARTON, CARTONS_PER_PALLET, "serial", true)
    rows["item"] += [
        (*sub_head, "EA", Tracking.SERIAL.value, null, null, false, null, RULE_SUB, null, null, null, true),
        (*fin_head, "EA", Tracking.SERIAL.value, gtin, null, false, null, RULE_FIN, *packing_spec),
    ]
    bom = [
        (ITEM_SUB if part < SUB_PARTS else ITEM_FIN, part + 1, QTY_PER[part])
        for part in range(SUB_PARTS + FIN_PARTS)
    ]
    bom.append((ITEM_FIN, ITEM_SUB, 1))
    rows["bom_line"] = [(n, parent, child, per, true) for n, (parent, child, per) in enumerate(bom, start=1)]
    rows["routing_step"].append((STEP_TEST, ITEM_FIN, 10, "TEST", "功能测试", "Functional test", true, 1))
    low, high = (fmt.dec(limit) for limit in TEST_LIMITS)
    rows["inspection_characteristic"].append(
        (CHARACTERISTIC_VOLT, STEP_TEST, "VOLT", "工作电压", "Supply voltage", "V", low, high)
    )
    return rows


@functools.cache
def _pin_hash() -> str:
    """One argon2 hash of PIN, shared by every generated user (each takes ~0.1 s to compute)."""
    return hash_pin(PIN)


def part_code(part: int) -> str:
    """PN-A01..A12 go into the sub-assembly, PN-B01..B08 into the finished product."""
    return f"PN-{'A' if part < SUB_PARTS else 'B'}{part % SUB_PARTS + 1:02d}"


# --- The replay: every operator action of the year, in time order -------------------------------------

(
    OP_RECEIVE,
    OP_WO_CREATE,
    OP_WO_CLOSE,
    OP_FEED,
    OP_COMMISSION,
    OP_ASSEMBLE,
    OP_REPORT,
    OP_OPEN,
    OP_PACK,
    OP_CLOSE,
    OP_PACK_CARTON,
    OP_SHIP_CREATE,
    OP_SHIP_ADD,
    OP_SHIP_CONFIRM,
    OP_HOLD,
    OP_SCRAP,
) = range(16)
# Kinds of unit, for writing each unit once after the replay, in id order.
U_LOT, U_PROD_LOT, U_SUB, U_FIN, U_CARTON, U_PALLET = range(6)
_UUID_MASK = ((1 << 128) - 1) ^ ((0xC000 << 48) | (0xF000 << 64))
_UUID_V4 = (0x8000 << 48) | (0x4000 << 64)


@dataclass(frozen=True)
class _Shape:
    """What an operation's event always carries: everything but when, who and its objects."""

    operation: str  # the action's operation name (models' @operation)
    event_type: EventType
    station: int
    biz_step: str | None = None
    disposition: str | None = None
    routing_step: int | None = None
    reason_text: str | None = None


def _shapes() -> dict[str, _Shape]:
    """The events of models/receiving, production, packing, shipping and quality, as they write them."""
    shapes = {
        "receive": _Shape("receive", E.RECEIVE, ST_RCV, "receiving", "active"),
        "open_container": _Shape("open_container", E.PACK, ST_PCK, "packing"),
        "pack": _Shape("pack", E.PACK, ST_PCK, "packing"),
        "close_container": _Shape("close_container", E.CLOSE, ST_PCK, "packing"),
        "create_shipment": _Shape("create_shipment", E.SHIPMENT_ORDER, ST_SHP),
        "add_to_shipment": _Shape("add_to_shipment", E.SHIP, ST_SHP, "staging_outbound", "in_progress"),
        "confirm_shipment": _Shape("confirm_shipment", E.SHIP, ST_SHP, "shipping", "in_transit"),
        "hold": _Shape("hold", E.HOLD, ST_QA, "holding", "non_sellable_other", None, "可疑批次 suspect lot"),
        "scrap": _Shape("scrap", E.SCRAP, ST_QA, "destroying", "destroyed", None, "外壳破损 housing cracked"),
        "assemble": _Shape("assemble", E.CONSUME, ST_PRD_FIN, "assembling"),
        "report_serial": _Shape("report_serial", E.REPORT, ST_PRD_FIN, "inspecting", "active", STEP_TEST),
    }
    for kind, station in ((SUB, ST_PRD_SUB), (FIN, ST_PRD_FIN)):
        # Both items are serialized: a feed is "assembling", not "creating_class_instance".
        shapes[f"feed/{kind}"] = _Shape("feed", E.CONSUME, station, "assembling")
        shapes[f"create_serials/{kind}"] = _Shape(
            "create_serials", E.COMMISSION, station, "commissioning", "active"
        )
        shapes[f"create_work_order/{kind}"] = _Shape(
            "create_work_order", E.WORK_ORDER, station, None, "in_progress"
        )
        shapes[f"close_work_order/{kind}"] = _Shape(
            "close_work_order", E.WORK_ORDER, station, None, "completed"
        )
    return shapes


STATION_LINE = {
    ST_RCV: None,
    ST_PRD_FIN: LINE_FIN,
    ST_PRD_SUB: LINE_SUB,
    ST_PCK: LINE_FIN,
    ST_SHP: None,
    ST_QA: None,
}


class _Replay:
    """Writes the year's rows, action by action, exactly as the operations would have."""

    def __init__(self, plan: _Plan, sink: _Sink) -> None:
        self.plan, self.sink, self.fmt = plan, sink, sink.fmt
        self.getrandbits = plan.rng.getrandbits
        self.gauss = plan.rng.gauss
        null = self.null = sink.fmt.null
        self.w_action = sink.writer("action")
        self.w_event = sink.writer("event")
        self.w_event_unit = sink.writer("event_unit")
        self.w_link = sink.writer("link")
        self.w_step = sink.writer("step_result")
        self.w_inspection = sink.writer("inspection_result")
        self.w_shipped = sink.writer("shipped_unit")
        self.event_id = self.event_unit_id = self.link_id = self.step_id = 0
        self.inspection_id = self.shipped_id = 0
        n, u = plan.n, plan.u
        self.unit_kind = array("b")  # unit id - 1 -> U_* kind
        self.unit_index = array("l")  # unit id - 1 -> index within its kind
        self.lot_id = array("l", [0] * len(plan.lots))
        self.prod_lot_id = [array("l", [0] * n), array("l", [0] * n)]
        self.serial_id = [array("l", [0] * (n * u)), array("l", [0] * (n * u))]
        self.carton_id = array("l", [0] * plan.cartons)
        self.pallet_id = array("l", [0] * plan.pallets)
        self.shipment_confirmed = [0] * len(plan.shipments)
        self.handlers: list[Callable[[tuple[Any, ...]], None]] = [
            self._receive,
            self._wo_create,
            self._wo_close,
            self._feed,
            self._commission,
            self._assemble,
            self._report,
            self._open,
            self._pack,
            self._close,
            self._pack_carton,
            self._ship_create,
            self._ship_add,
            self._ship_confirm,
            self._hold,
            self._scrap,
        ]
        # Each shape as the event row's fixed columns, NULLs already in the backend's spelling.
        self.shape: dict[str, tuple[Any, ...]] = {}
        for key, shape in _shapes().items():
            line = STATION_LINE[shape.station]
            self.shape[key] = (
                shape.operation,
                shape.event_type.value,
                shape.station,
                null if line is None else line,
                null if shape.routing_step is None else shape.routing_step,
                null if shape.biz_step is None else shape.biz_step,
                null if shape.disposition is None else shape.disposition,
                null if shape.reason_text is None else shape.reason_text,
            )
        json_ = self.fmt.json
        self.detail_opened = json_({"opened": True})
        self.detail_hold = json_({"include_descendants": False, "skipped": []})
        self.detail_created = json_({"status": WorkOrderStatus.RELEASED.value, "planned": str(plan.u)})
        self.detail_closed = json_({"status": WorkOrderStatus.COMPLETED.value, "unfinished_serials": 0})
        low, high = TEST_LIMITS
        self.low, self.high = self.fmt.dec(low), self.fmt.dec(high)
        self.low_f, self.high_f = float(low), float(high)
        self.pallet_quantity = CARTONS_PER_PALLET * UNITS_PER_CARTON

    # --- the stream of actions ---------------------------------------------------------------------

    def run(self) -> None:
        handlers, flush = self.handlers, self.sink.flush_full
        for count, op in enumerate(heapq.merge(*self._streams(), key=lambda op: op[0])):
            handlers[op[1]](op)
            if not count & 4095:
                flush()

    def _streams(self) -> list[Iterable[tuple[Any, ...]]]:
        """Time-ordered streams of actions, merged by time (ties: in the order listed here)."""
        plan = self.plan
        receiving = [(lot.received_at, OP_RECEIVE, lot.index) for lot in plan.lots]
        creates = sorted(
            (plan.wo_created[kind][i], OP_WO_CREATE, kind, i) for kind in (SUB, FIN) for i in range(plan.n)
        )
        closes = [
            (plan.sub_start(i) + plan.duration + 10 * MINUTE_MS, OP_WO_CLOSE, SUB, i) for i in range(plan.n)
        ]
        closes += [
            (plan.fin_start(i) + plan.duration + 15 * MINUTE_MS, OP_WO_CLOSE, FIN, i)
            for i in range(plan.n - plan.k_open)
        ]
        closes.sort()
        return [
            receiving,
            creates,
            closes,
            self._line(SUB),
            self._line(FIN),
            self._packing(),
            self._shipping(),
            self._quality(),
        ]

    def _line(self, kind: int) -> Iterator[tuple[Any, ...]]:
        """One production line's actions, order after order (an order's actions sorted in time)."""
        plan, u = self.plan, self.plan.u
        for i in range(plan.n):
            ops: list[tuple[Any, ...]] = [
                (at, OP_FEED, kind, i, lot.index, amount) for at, lot, amount in plan.feeds[kind][i]
            ]
            ops += [(plan.block_time(kind, i, b), OP_COMMISSION, kind, i, b) for b in range(plan.blocks)]
            if kind == FIN:
                tested = plan.tested.get(i, u)
                for j in range(u):
                    k = i * u + j
                    ops.append((plan.assemble_time(k), OP_ASSEMBLE, k))
                    if j < tested:
                        ops.append((plan.report_time(k), OP_REPORT, k))
            ops.sort(key=lambda op: op[0])
            yield from ops

    def _packing(self) -> Iterator[tuple[Any, ...]]:
        plan = self.plan
        for c in range(plan.cartons):
            yield (plan.carton_open_time(c), OP_OPEN, U_CARTON, c)
            for k in range(c * UNITS_PER_CARTON, (c + 1) * UNITS_PER_CARTON):
                yield (plan.pack_time(k), OP_PACK, c, k)
            yield (plan.carton_close_time(c), OP_CLOSE, U_CARTON, c)
            p, position = divmod(c, CARTONS_PER_PALLET)
            if p < plan.pallets:
                if position == 0:
                    yield (plan.pallet_open_time(p), OP_OPEN, U_PALLET, p)
                yield (plan.onto_pallet_time(c), OP_PACK_CARTON, p, c)
                if position == CARTONS_PER_PALLET - 1:
                    yield (plan.pallet_close_time(p), OP_CLOSE, U_PALLET, p)

    def _shipping(self) -> list[tuple[Any, ...]]:
        ops: list[tuple[Any, ...]] = []
        for number, (created, pallets, _) in enumerate(self.plan.shipments):
            ops.append((created, OP_SHIP_CREATE, number))
            ops += [
                (created + (q + 1) * 5 * MINUTE_MS, OP_SHIP_ADD, number, p) for q, p in enumerate(pallets)
            ]
            ops.append((created + 20 * MINUTE_MS, OP_SHIP_CONFIRM, number))
        ops.sort(key=lambda op: op[0])
        return ops

    def _quality(self) -> list[tuple[Any, ...]]:
        plan = self.plan
        at = plan.t_end - 40 * MINUTE_MS
        ops: list[tuple[Any, ...]] = []
        for k in plan.held_serials:
            ops.append((at + len(ops) * MINUTE_MS, OP_HOLD, U_FIN, k))
        if plan.held_carton is not None:
            ops.append((at + len(ops) * MINUTE_MS, OP_HOLD, U_CARTON, plan.held_carton))
        if plan.held_lot is not None:
            ops.append((at + len(ops) * MINUTE_MS, OP_HOLD, U_LOT, plan.held_lot.index))
        for k in plan.scrapped_serials:
            ops.append((at + len(ops) * MINUTE_MS, OP_SCRAP, k))
        return ops

    # --- rows every action writes ----------------------------------------------------------------

    def _new_unit(self, kind: int, index: int) -> int:
        self.unit_kind.append(kind)
        self.unit_index.append(index)
        return len(self.unit_kind)

    def _event(
        self,
        at: int,
        shape: tuple[Any, ...],
        user: int,
        work_order: int | None = None,
        equipment: int | None = None,
        shipment: int | None = None,
        detail: Any = None,
    ) -> int:
        """The action row (its id a client's UUID4) and its one event, at the same moment."""
        operation, event_type, station, line, step, biz_step, disposition, reason_text = shape
        h = "%032x" % ((self.getrandbits(128) & _UUID_MASK) | _UUID_V4)
        action_id = f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
        ts, null = self.fmt.ts(at), self.null
        self.w_action((action_id, operation, user, station, self.fmt.clock(at), null))
        self.event_id += 1
        where = (self.event_id, action_id, event_type, ts, TZ_OFFSET, SITE_ID, line, station, user)
        what = (null if work_order is None else work_order, step, null if equipment is None else equipment)
        why = (null if shipment is None else shipment, biz_step, disposition, null, reason_text)
        self.w_event((*where, *what, *why, null if detail is None else detail))
        return self.event_id

    def _event_unit(self, event_id: int, unit_id: int, role: str, quantity: Any) -> None:
        self.event_unit_id += 1
        self.w_event_unit((self.event_unit_id, event_id, unit_id, role, quantity))

    def _link(self, source: int, target: int, level: str, quantity: Any, event_id: int) -> None:
        self.link_id += 1
        self.w_link((self.link_id, source, target, level, quantity, event_id))

    # receiving.receive: one package, one internal lot, a RECEIVE event with the lot as OBJECT.
    def _receive(self, op: tuple[Any, ...]) -> None:
        plan = self.plan
        lot = plan.lots[op[2]]
        unit = self.lot_id[lot.index] = self._new_unit(U_LOT, lot.index)
        detail = self.fmt.json({"supplier": f"SUP-{lot.supplier:04d}", "supplier_lot": lot.external_code})
        user = plan.on_duty(plan.receivers, op[0])
        event = self._event(op[0], self.shape["receive"], user, detail=detail)
        self._event_unit(event, unit, R.OBJECT.value, lot.size)

    # production.create_work_order (released) and close_work_order: a WORK_ORDER event on the order's
    # production lot, by the supervisor at the line's station.
    def _wo_create(self, op: tuple[Any, ...]) -> None:
        plan = self.plan
        kind, i = op[2], op[3]
        unit = self.prod_lot_id[kind][i] = self._new_unit(U_PROD_LOT, kind * plan.n + i)
        shape = self.shape[f"create_work_order/{kind}"]
        event = self._event(op[0], shape, plan.supervisor, plan.wo_id[kind][i], detail=self.detail_created)
        self._event_unit(event, unit, R.OBJECT.value, self.null)

    def _wo_close(self, op: tuple[Any, ...]) -> None:
        plan = self.plan
        kind, i = op[2], op[3]
        shape = self.shape[f"close_work_order/{kind}"]
        event = self._event(op[0], shape, plan.supervisor, plan.wo_id[kind][i], detail=self.detail_closed)
        self._event_unit(event, self.prod_lot_id[kind][i], R.OBJECT.value, self.null)

    # production.feed: CONSUME, lot INPUT with the quantity, production lot OUTPUT; a LOT link.
    def _feed(self, op: tuple[Any, ...]) -> None:
        plan = self.plan
        at, _, kind, i, lot_index, amount = op
        group = plan.sub_operators if kind == SUB else plan.fin_operators
        feeders = plan.equipment_roles[kind][0]
        equipment = feeders[plan.lots[lot_index].part % len(feeders)]
        shape = self.shape[f"feed/{kind}"]
        event = self._event(at, shape, plan.on_duty(group, at), plan.wo_id[kind][i], equipment)
        source, target = self.lot_id[lot_index], self.prod_lot_id[kind][i]
        self._event_unit(event, source, R.INPUT.value, amount)
        self._event_unit(event, target, R.OUTPUT.value, self.null)
        self._link(source, target, LinkLevel.LOT.value, amount, event)

    # production.create_serials: COMMISSION, production lot INPUT, 100 serials OUTPUT; LOT links.
    def _commission(self, op: tuple[Any, ...]) -> None:
        plan, null = self.plan, self.null
        at, _, kind, i, block = op
        group = plan.sub_operators if kind == SUB else plan.fin_operators
        shape = self.shape[f"create_serials/{kind}"]
        first = i * plan.u + block * SERIALS_PER_ACTION
        unit_kind = U_SUB if kind == SUB else U_FIN
        serials = [self._new_unit(unit_kind, k) for k in range(first, first + SERIALS_PER_ACTION)]
        self.serial_id[kind][first : first + SERIALS_PER_ACTION] = array("l", serials)
        event = self._event(at, shape, plan.on_duty(group, at), plan.wo_id[kind][i])
        lot = self.prod_lot_id[kind][i]
        self._event_unit(event, lot, R.INPUT.value, null)
        output, level = R.OUTPUT.value, LinkLevel.LOT.value
        for serial in serials:
            self._event_unit(event, serial, output, 1)
        for serial in serials:
            self._link(lot, serial, level, null, event)

    # production.assemble: CONSUME, component INPUT 1, product OUTPUT; a UNIT link.
    def _assemble(self, op: tuple[Any, ...]) -> None:
        plan = self.plan
        at, k = op[0], op[2]
        benches = plan.equipment_roles[FIN][1]
        user, work_order = plan.on_duty(plan.fin_operators, at), plan.wo_id[FIN][k // plan.u]
        event = self._event(at, self.shape["assemble"], user, work_order, benches[k % len(benches)])
        component, product = self.serial_id[SUB][k], self.serial_id[FIN][k]
        self._event_unit(event, component, R.INPUT.value, 1)
        self._event_unit(event, product, R.OUTPUT.value, self.null)
        self._link(component, product, LinkLevel.UNIT.value, 1, event)

    # production.report_serial, passed: REPORT on the serial, a step_result, an inspection_result.
    def _report(self, op: tuple[Any, ...]) -> None:
        plan, null, fmt = self.plan, self.null, self.fmt
        at, k = op[0], op[2]
        testers = plan.equipment_roles[FIN][2]
        user, work_order = plan.on_duty(plan.fin_operators, at, 1), plan.wo_id[FIN][k // plan.u]
        event = self._event(at, self.shape["report_serial"], user, work_order, testers[k % len(testers)])
        serial = self.serial_id[FIN][k]
        self._event_unit(event, serial, R.OBJECT.value, null)
        self.step_id += 1
        self.w_step((self.step_id, event, work_order, STEP_TEST, serial, 1, 0, null, fmt.true))
        value = fmt.dec(f"{min(self.high_f - 0.5, max(self.low_f + 0.5, self.gauss(220.0, 4.0))):.3f}")
        self.inspection_id += 1
        row = (self.inspection_id, event, serial, self.step_id, CHARACTERISTIC_VOLT, "VOLT", value)
        self.w_inspection((*row, self.low, self.high, fmt.true))

    # packing.open_container: PACK with the new container as PARENT and {"opened": true}. Its
    # provisional code OPEN-<action id> is replaced by the SSCC at close, as close_container does.
    def _open(self, op: tuple[Any, ...]) -> None:
        plan = self.plan
        at, _, kind, index = op
        unit = self._new_unit(kind, index)
        if kind == U_CARTON:
            self.carton_id[index] = unit
        else:
            self.pallet_id[index] = unit
        user = plan.on_duty(plan.packers, at)
        event = self._event(at, self.shape["open_container"], user, detail=self.detail_opened)
        self._event_unit(event, unit, R.PARENT.value, self.null)

    # packing.pack: PACK, container PARENT, the serial (or a carton onto a pallet) CHILD 1.
    def _pack(self, op: tuple[Any, ...]) -> None:
        at, _, c, k = op
        self._packed(at, self.carton_id[c], self.serial_id[FIN][k])

    def _pack_carton(self, op: tuple[Any, ...]) -> None:
        at, _, p, c = op
        self._packed(at, self.pallet_id[p], self.carton_id[c])

    def _packed(self, at: int, container: int, unit: int) -> None:
        event = self._event(at, self.shape["pack"], self.plan.on_duty(self.plan.packers, at))
        self._event_unit(event, container, R.PARENT.value, self.null)
        self._event_unit(event, unit, R.CHILD.value, 1)

    # packing.close_container: the SSCC is drawn; CLOSE with the container PARENT and its count
    # (printed from the Numeric(18, 6) column: "20.000000").
    def _close(self, op: tuple[Any, ...]) -> None:
        plan = self.plan
        at, _, kind, index = op
        if kind == U_CARTON:
            unit, code, count = self.carton_id[index], plan.carton_code(index), UNITS_PER_CARTON
        else:
            unit, code, count = self.pallet_id[index], plan.pallet_code(index), CARTONS_PER_PALLET
        detail = self.fmt.json({"code": code, "count": f"{count}.{NUMERIC_SCALE}", "item": FIN_ITEM_CODE})
        event = self._event(at, self.shape["close_container"], plan.on_duty(plan.packers, at), detail=detail)
        self._event_unit(event, unit, R.PARENT.value, count)

    # shipping.create_shipment: SHIPMENT_ORDER with no units.
    def _ship_create(self, op: tuple[Any, ...]) -> None:
        plan = self.plan
        at, number = op[0], op[2]
        _, pallets, customer = plan.shipments[number]
        detail = self.fmt.json(
            {
                "customer": f"CUS-{customer:04d}",
                "reference": plan.shipment_reference(number),
                "lines": {FIN_ITEM_CODE: str(len(pallets) * self.pallet_quantity)},
            }
        )
        user = plan.on_duty(plan.shippers, at)
        self._event(at, self.shape["create_shipment"], user, shipment=number + 1, detail=detail)

    # shipping.add_to_shipment: SHIP (staging) on the pallet with what it holds; the pick row it
    # writes is deleted again by confirm_shipment, so none is left.
    def _ship_add(self, op: tuple[Any, ...]) -> None:
        at, _, number, p = op
        user = self.plan.on_duty(self.plan.shippers, at)
        event = self._event(at, self.shape["add_to_shipment"], user, shipment=number + 1)
        self._event_unit(event, self.pallet_id[p], R.OBJECT.value, self.pallet_quantity)

    # shipping.confirm_shipment: SHIP on the pallets; every unit that leaves, containers exploded
    # (the pallet, then its contents by id, as models.units.contents lists them).
    def _ship_confirm(self, op: tuple[Any, ...]) -> None:
        plan = self.plan
        at, number = op[0], op[2]
        self.shipment_confirmed[number] = at
        _, pallets, customer = plan.shipments[number]
        user = plan.on_duty(plan.shippers, at)
        event = self._event(at, self.shape["confirm_shipment"], user, shipment=number + 1)
        for p in pallets:
            self._event_unit(event, self.pallet_id[p], R.OBJECT.value, self.pallet_quantity)
        serials = self.serial_id[FIN]
        for p in pallets:
            top = self.pallet_id[p]
            inside: list[tuple[int, int]] = []
            for c in range(p * CARTONS_PER_PALLET, (p + 1) * CARTONS_PER_PALLET):
                inside.append((self.carton_id[c], UNITS_PER_CARTON))
                first = c * UNITS_PER_CARTON
                inside += [(serials[k], 1) for k in range(first, first + UNITS_PER_CARTON)]
            inside.sort()
            for unit, quantity in [(top, CARTONS_PER_PALLET), *inside]:
                self.shipped_id += 1
                self.w_shipped((self.shipped_id, number + 1, unit, customer, top, ITEM_FIN, quantity, event))

    # quality.hold (without descendants) and quality.scrap of a serial that is in no container.
    def _hold(self, op: tuple[Any, ...]) -> None:
        at, _, kind, index = op
        unit = {U_FIN: self.serial_id[FIN], U_CARTON: self.carton_id, U_LOT: self.lot_id}[kind][index]
        event = self._event(at, self.shape["hold"], self.plan.quality, detail=self.detail_hold)
        self._event_unit(event, unit, R.OBJECT.value, self.null)

    def _scrap(self, op: tuple[Any, ...]) -> None:
        at, k = op[0], op[2]
        event = self._event(at, self.shape["scrap"], self.plan.quality)
        self._event_unit(event, self.serial_id[FIN][k], R.OBJECT.value, 1)

    # --- rows written after the replay: end-of-year states ----------------------------------------

    def write_units(self) -> None:
        """Every unit once, in id order (the order the sequence gave them), as the year left it."""
        plan, fmt, null = self.plan, self.fmt, self.null
        write, flush = self.sink.writer("unit"), self.sink.flush_full
        n, u = plan.n, plan.u
        lot_, serial_, container_ = UnitKind.LOT.value, UnitKind.SERIAL.value, UnitKind.CONTAINER.value
        consumed, wip, scrapped = S.CONSUMED.value, S.WIP.value, S.SCRAPPED.value
        carton_level, pallet_level = ContainerLevel.CARTON.value, ContainerLevel.PALLET.value
        block_day: dict[tuple[int, int], tuple[int, str]] = {}

        def created(kind: int, k: int) -> tuple[int, str]:
            """When serial k's block was commissioned, and that day (its manufactured_on)."""
            block = k // SERIALS_PER_ACTION
            known = block_day.get((kind, block))
            if known is None:
                at = plan.block_time(kind, block // plan.blocks, block % plan.blocks)
                known = block_day[(kind, block)] = (at, fmt.date(_local_date(at)))
            return known

        for position, (kind, index) in enumerate(zip(self.unit_kind, self.unit_index, strict=True)):
            unit_id = position + 1
            if kind == U_FIN:
                status, held_from, carton = plan.fin_state(index)
                at, day = created(FIN, index)
                container = null if carton is None else self.carton_id[carton]
                row = (unit_id, plan.serial_code(FIN, index), serial_, ITEM_FIN, status, held_from or null)
                row += (0 if status == scrapped else 1, 1, "EA", null, null, day, null)
                row += (plan.wo_id[FIN][index // u], container, null)
            elif kind == U_SUB:
                at, day = created(SUB, index)
                row = (unit_id, plan.serial_code(SUB, index), serial_, ITEM_SUB, consumed, null, 0, 1, "EA")
                row += (null, null, day, null, plan.wo_id[SUB][index // u], null, null)
            elif kind == U_CARTON:
                status, held_from, pallet = plan.carton_state(index)
                at = plan.carton_open_time(index)
                container = null if pallet is None else self.pallet_id[pallet]
                row = (unit_id, plan.carton_code(index), container_, ITEM_FIN, status, held_from or null)
                row += (UNITS_PER_CARTON, 0, "EA", null, null, null, null, null, container, carton_level)
            elif kind == U_PALLET:
                at = plan.pallet_open_time(index)
                row = (
                    unit_id,
                    plan.pallet_code(index),
                    container_,
                    ITEM_FIN,
                    plan.pallet_status(index),
                    null,
                )
                row += (CARTONS_PER_PALLET, 0, "EA", null, null, null, null, null, null, pallet_level)
            elif kind == U_LOT:
                lot = plan.lots[index]
                status, held_from = plan.lot_status(lot)
                at = lot.received_at
                expires = lot.manufactured_on + dt.timedelta(days=SHELF_LIFE_DAYS)
                row = (
                    unit_id,
                    lot.code,
                    lot_,
                    lot.part + 1,
                    status,
                    held_from or null,
                    lot.remaining,
                    lot.size,
                )
                row += (
                    "EA",
                    lot.external_code,
                    lot.supplier,
                    fmt.date(lot.manufactured_on),
                    fmt.date(expires),
                )
                row += (null, null, null)
            else:  # a work order's production lot
                wo_kind, i = divmod(index, n)
                at = plan.wo_created[wo_kind][i]
                status = wip if wo_kind == FIN and i in plan.in_progress else consumed
                row = (
                    unit_id,
                    f"{plan.wo_code[wo_kind][i]}-P",
                    lot_,
                    ITEM_SUB if wo_kind == SUB else ITEM_FIN,
                )
                row += (status, null, 0, 0, "EA", null, null, null, null, plan.wo_id[wo_kind][i], null, null)
            write((*row, SITE_ID, 0, fmt.ts(at)))
            if not position & 4095:
                flush()

    def write_orders_and_shipments(self) -> None:
        plan, fmt = self.plan, self.fmt
        write = self.sink.writer("work_order")
        for number, kind, i in sorted(
            (plan.wo_id[kind][i], kind, i) for kind in (SUB, FIN) for i in range(plan.n)
        ):
            open_ = kind == FIN and i in plan.in_progress
            status = WorkOrderStatus.RELEASED.value if open_ else WorkOrderStatus.COMPLETED.value
            completed = plan.u if kind == SUB else plan.fin_quantity_completed(i)
            item, line = (ITEM_SUB, LINE_SUB) if kind == SUB else (ITEM_FIN, LINE_FIN)
            row = (
                number,
                plan.wo_code[kind][i],
                item,
                SITE_ID,
                line,
                plan.u,
                status,
                self.prod_lot_id[kind][i],
            )
            write((*row, plan.u, completed, 0, fmt.ts(plan.wo_created[kind][i])))
        shipments, lines = self.sink.writer("shipment"), self.sink.writer("shipment_line")
        for number, (created, pallets, customer) in enumerate(plan.shipments):
            row = (number + 1, plan.shipment_code(number), customer, SITE_ID, ShipmentStatus.SHIPPED.value)
            shipped_at = self.shipment_confirmed[number]
            shipments((*row, plan.shipment_reference(number), fmt.ts(created), fmt.ts(shipped_at)))
            lines((number + 1, number + 1, ITEM_FIN, len(pallets) * self.pallet_quantity))


# --- PostgreSQL: constraints off for the load, back on (validated) after it ------------------------


@dataclass(frozen=True)
class _Constraint:
    table: str
    name: str
    kind: str  # "index", "unique" or "foreign key"
    definition: str


def _bulk_constraints(connection: Connection) -> list[_Constraint]:
    """The bulk tables' secondary indexes, unique constraints and foreign keys, as the database has them.

    Names come from SQLAlchemy's inspector; definitions from pg_get_indexdef / pg_get_constraintdef,
    so they are recreated exactly as the migrations made them. The catalog is cross-checked: a
    constraint the inspector does not know (an exclusion constraint...) stops the load.
    """
    inspector = inspect(connection)
    found: list[_Constraint] = []
    for table in BULK_TABLES:
        definitions = dict(
            connection.execute(
                text(
                    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = CAST(:table AS regclass) AND contype IN ('u', 'f', 'x')"
                ),
                {"table": table},
            ).all()
        )
        indexes = dict(
            connection.execute(
                text(
                    "SELECT CAST(indexrelid AS regclass)::text, pg_get_indexdef(indexrelid) FROM pg_index "
                    "WHERE indrelid = CAST(:table AS regclass) AND NOT indisprimary"
                ),
                {"table": table},
            ).all()
        )
        names: set[str] = set()
        for key in inspector.get_foreign_keys(table):
            found.append(_Constraint(table, key["name"], "foreign key", definitions[key["name"]]))
            names.add(key["name"])
        for unique in inspector.get_unique_constraints(table):
            found.append(_Constraint(table, unique["name"], "unique", definitions[unique["name"]]))
            names.add(unique["name"])
        if set(definitions) != names:
            raise RuntimeError(
                f"{table}: constraints the inspector does not list: {set(definitions) - names}"
            )
        for index in inspector.get_indexes(table):
            if index.get("duplicates_constraint"):
                continue
            found.append(_Constraint(table, index["name"], "index", indexes[index["name"]]))
            names.add(index["name"])
        if set(indexes) - names:
            raise RuntimeError(f"{table}: indexes the inspector does not list: {set(indexes) - names}")
    return found


def _schema_snapshot(connection: Connection) -> list[tuple[Any, ...]]:
    """Every constraint, index and trigger of the schema by name and definition, and its revision."""
    rows = connection.execute(
        text(
            "SELECT 'constraint', conrelid::regclass::text, conname, pg_get_constraintdef(c.oid), "
            "convalidated::text FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace "
            "WHERE n.nspname = 'public' "
            "UNION ALL SELECT 'index', tablename, indexname, indexdef, '' FROM pg_indexes "
            "WHERE schemaname = 'public' "
            "UNION ALL SELECT 'trigger', tgrelid::regclass::text, tgname, pg_get_triggerdef(t.oid), "
            "tgenabled::text FROM pg_trigger t JOIN pg_class r ON r.oid = t.tgrelid "
            "JOIN pg_namespace n ON n.oid = r.relnamespace WHERE n.nspname = 'public' AND NOT tgisinternal "
            "ORDER BY 1, 2, 3"
        )
    ).all()
    revision = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    return [tuple(row) for row in rows] + [("revision", *sorted(row[0] for row in revision))]


def _drop_constraints(engine: Engine, constraints: Sequence[_Constraint]) -> None:
    """Foreign keys first (they depend on the keys they reference), then unique constraints, indexes."""
    with engine.begin() as connection:
        for kind in ("foreign key", "unique", "index"):
            for constraint in constraints:
                if constraint.kind != kind:
                    continue
                if kind == "index":
                    connection.execute(text(f'DROP INDEX "{constraint.name}"'))
                else:
                    connection.execute(
                        text(f'ALTER TABLE {constraint.table} DROP CONSTRAINT "{constraint.name}"')
                    )


def _parallel(engine: Engine, statements: Sequence[tuple[str, ...]], workers: int = 2) -> None:
    """Run groups of statements (each group in order, one transaction) on `workers` connections."""
    pending: queue.Queue[tuple[str, ...]] = queue.Queue()
    for group in statements:
        pending.put(group)
    errors: list[BaseException] = []

    def work() -> None:
        with engine.connect() as connection:
            connection.execute(text("SET maintenance_work_mem = '1GB'"))
            connection.execute(text("SET synchronous_commit = off"))
            connection.commit()
            while not errors:
                try:
                    group = pending.get_nowait()
                except queue.Empty:
                    return
                try:
                    for statement in group:
                        connection.execute(text(statement))
                    connection.commit()
                except BaseException as error:
                    errors.append(error)
                    connection.rollback()

    threads = [threading.Thread(target=work, name=f"ddl-{n}") for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def _recreate_constraints(engine: Engine, constraints: Sequence[_Constraint]) -> None:
    """Indexes and unique constraints rebuilt (biggest tables first, two at a time), then foreign keys.

    A foreign key is added NOT VALID (a catalog change, cheap) and then validated: VALIDATE reads
    the whole table exactly as ADD would, but takes only a SHARE UPDATE EXCLUSIVE lock, so two
    tables validate side by side. The constraints end up exactly as the migrations created them.
    """
    by_size = {
        table: rank for rank, table in enumerate(("event_unit", "link", "event", "unit", "shipped_unit"))
    }

    def order(constraint: _Constraint) -> int:
        return by_size.get(constraint.table, len(by_size))

    builds: list[tuple[str, ...]] = []
    for constraint in sorted(constraints, key=order):
        if constraint.kind == "index":
            builds.append((constraint.definition,))
        elif constraint.kind == "unique":
            add = f'ALTER TABLE {constraint.table} ADD CONSTRAINT "{constraint.name}"'
            builds.append((f"{add} {constraint.definition}",))
    _parallel(engine, builds)
    log.info("rebuilt %d indexes and unique constraints", len(builds))
    keys = [constraint for constraint in constraints if constraint.kind == "foreign key"]
    with engine.begin() as connection:
        for key in keys:
            connection.execute(
                text(f'ALTER TABLE {key.table} ADD CONSTRAINT "{key.name}" {key.definition} NOT VALID')
            )
    per_table: dict[str, list[str]] = {}
    for key in keys:
        per_table.setdefault(key.table, []).append(
            f'ALTER TABLE {key.table} VALIDATE CONSTRAINT "{key.name}"'
        )
    _parallel(
        engine, [tuple(per_table[table]) for table in sorted(per_table, key=lambda t: by_size.get(t, 99))]
    )
    log.info("added and validated %d foreign keys", len(keys))


def _set_sequences(engine: Engine, tables: Iterable[str]) -> None:
    """Ids were given explicitly: move each id sequence past them so the operations can go on."""
    with engine.begin() as connection:
        for table in tables:
            key = Base.metadata.tables[table].c.get("id")
            if key is None or not key.primary_key or key.type.python_type is not int:
                continue
            sequence = connection.execute(
                text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table}
            ).scalar()
            if sequence is None:
                continue
            connection.execute(
                text(f"SELECT setval(:sequence, coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"),
                {"sequence": sequence},
            )


def _load_postgresql(db: Database, plan: _Plan) -> Counter[str]:
    # Connections of its own, outside the caller's pool: eleven COPYs and two DDL workers at once.
    engine = create_engine(db.engine.url, poolclass=NullPool)
    try:
        return _load_postgresql_with(engine, plan)
    finally:
        engine.dispose()


def _load_postgresql_with(engine: Engine, plan: _Plan) -> Counter[str]:
    with engine.connect() as connection:
        before = _schema_snapshot(connection)
        constraints = _bulk_constraints(connection)
    _drop_constraints(engine, constraints)
    log.info("dropped %d indexes, unique constraints and foreign keys", len(constraints))
    sink = _PgSink(engine)
    try:
        for table, rows in _master_rows(plan, sink.fmt).items():
            sink.open(table)
            write = sink.writer(table)
            for row in rows:
                write(row)
            sink.close(table)  # one after the other: the master tables keep their foreign keys
        for table in STREAMED_TABLES:
            sink.open(table)
        replay = _Replay(plan, sink)
        replay.run()
        log.info("replayed %d actions", replay.event_id)
        replay.write_units()
        replay.write_orders_and_shipments()
        for table in STREAMED_TABLES:
            sink.close(table)
        log.info("copied %d units and every other row", len(replay.unit_kind))
    except BaseException:
        sink.abort()
        raise
    _recreate_constraints(engine, constraints)
    _set_sequences(engine, [*MASTER_TABLES, *BULK_TABLES])
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM (ANALYZE)"))
    log.info("vacuumed and analyzed")
    with engine.connect() as connection:
        after = _schema_snapshot(connection)
    if after != before:
        changed = sorted(set(before) ^ set(after))
        raise RuntimeError(f"the schema is not what the migrations made after the load: {changed[:10]}")
    return sink.counts


def _load_sqlite(db: Database, plan: _Plan) -> Counter[str]:
    """Plain executemany in one transaction, foreign keys checked at the end (PRAGMA foreign_key_check)."""
    connection = db.engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute("PRAGMA foreign_keys = OFF")
        cursor.execute("BEGIN IMMEDIATE")
        try:
            sink = _SqliteSink(cursor)
            for table, rows in _master_rows(plan, sink.fmt).items():
                sink.open(table)
                write = sink.writer(table)
                for row in rows:
                    write(row)
                sink.close(table)
            for table in STREAMED_TABLES:
                sink.open(table)
            replay = _Replay(plan, sink)
            replay.run()
            replay.write_units()
            replay.write_orders_and_shipments()
            for table in STREAMED_TABLES:
                sink.close(table)
            violations = cursor.execute("PRAGMA foreign_key_check").fetchmany(5)
            if violations:
                raise RuntimeError(f"foreign keys violated by the generated rows: {violations}")
            cursor.execute("COMMIT")
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
        finally:
            cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("ANALYZE")
    finally:
        connection.close()
    return sink.counts


def _require_empty(db: Database) -> None:
    with db.engine.connect() as connection:
        for table in (*MASTER_TABLES, *BULK_TABLES):
            if connection.execute(text(f"SELECT 1 FROM {table} LIMIT 1")).first() is not None:
                raise ValueError(f"plantgen needs an empty database: {table} has rows")


def generate(db: Database, scale: Scale, *, seed: int = 2026) -> Manifest:
    """Build a plant-year of `scale` into `db` (migrated to head first if needed) and say what is in it.

    PostgreSQL takes the COPY path; SQLite the insert path (meant for S). The database must hold no
    plant yet. The same seed gives the same rows on both backends. A build that fails leaves the
    database unusable (on PostgreSQL its constraints are still dropped): build into a fresh one.
    """
    _check_columns()
    upgrade(db)
    _require_empty(db)
    plan = _Plan(scale, seed)
    written = _load_postgresql(db, plan) if db.is_postgresql else _load_sqlite(db, plan)
    result = plan.manifest()
    if dict(written) != {table: count for table, count in result.table_counts.items() if count}:
        raise RuntimeError(f"rows written {dict(written)} differ from the plan's {result.table_counts}")
    return result


def manifest(scale: Scale, *, seed: int = 2026) -> Manifest:
    """The known answers of the plant `generate(db, scale, seed=seed)` builds, without building it.

    For reusing a database built earlier with the same scale and seed (a few seconds at M).
    """
    return _Plan(scale, seed).manifest()


# --- Command line ------------------------------------------------------------------------------------


def _report(db: Database, manifest: Manifest, seconds: float) -> None:
    """Build time, rows per table (checked against the generator's own counts), size, reach."""
    print(f"built scale {manifest.scale} (seed {manifest.seed}) in {seconds:.1f} s")
    finished = manifest.finished_units
    with db.engine.connect() as connection:
        counted: list[tuple[int, str, int, str]] = []
        for table in COLUMNS:
            rows = connection.execute(text(f"SELECT count(*) FROM {table}")).scalar() or 0
            expected = manifest.table_counts.get(table, 0)
            if rows != expected:
                raise RuntimeError(f"{table}: {rows} rows in the database, the generator wrote {expected}")
            sizes = ""
            total = 0
            if db.is_postgresql:
                heap, indexes = connection.execute(
                    text("SELECT pg_table_size(CAST(:t AS regclass)), pg_indexes_size(CAST(:t AS regclass))"),
                    {"t": table},
                ).one()
                total = heap + indexes
                sizes = f"{heap / finished:>10,.0f}{indexes / finished:>10,.0f}{total / finished:>10,.0f}"
            if rows:
                counted.append((total, table, rows, sizes))
        heading = (
            f"{'heap':>10}{'indexes':>10}{'total':>10}  (bytes per finished unit)" if db.is_postgresql else ""
        )
        print(f"{'table':<28}{'rows':>12}{heading}")
        for _, table, rows, sizes in sorted(counted, reverse=True):
            print(f"{table:<28}{rows:>12,}{sizes}")
        if db.is_postgresql:
            total = connection.execute(text("SELECT pg_database_size(current_database())")).scalar()
            per_unit = total / manifest.finished_units
            print(f"database size {total / 2**20:,.0f} MiB = {per_unit:,.0f} bytes per finished unit")
    reaches = sorted(manifest.lot_reach_all)
    print(
        f"supplier lots: {len(reaches):,}; finished units reachable per lot: "
        f"median {statistics.median(reaches):,.0f} "
        f"(lot {manifest.median_lot_code}: {manifest.median_lot_finished:,}), "
        f"largest {reaches[-1]:,} (lot {manifest.largest_lot_code}: {manifest.largest_lot_finished:,})"
    )
    print(
        f"recall supplier {manifest.recall_supplier_code}: {len(manifest.recall_supplier_lots)} lots "
        f"reaching {manifest.recall_supplier_finished:,} finished units"
    )
    print(
        "unit statuses: "
        + ", ".join(f"{key} {value:,}" for key, value in manifest.unit_status_counts.items())
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--scale", choices=sorted(SCALES), default="S")
    parser.add_argument("--url", help="an existing database (empty or migrated) instead of a new one")
    parser.add_argument("--seed", type=int, default=2026)
    arguments = parser.parse_args(argv)
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(relativeCreated)8.0f ms  %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    scale = SCALES[arguments.scale]
    url = arguments.url
    if url is None:
        name = f"tsbench_{scale.name.lower()}_{uuid.uuid4().hex[:8]}"
        admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
        print(f"created {url}")
    db = Database.connect(url)
    try:
        began = time.perf_counter()
        manifest = generate(db, scale, seed=arguments.seed)
        seconds = time.perf_counter() - began
        _report(db, manifest, seconds)
        print(f"database: {url} (revision {current_revision(db)}, head {head_revision()})")
    except BaseException:
        db.dispose()
        if arguments.url is None:  # a half-built database of our own is of no use to anyone
            _drop_database(make_url(url).database or "")
        raise
    db.dispose()
    return 0


def _drop_database(name: str) -> None:
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
    print(f"dropped {name}")


if __name__ == "__main__":
    raise SystemExit(main())
