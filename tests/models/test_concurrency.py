"""Eight OS processes make serials and consume the same lots at once against one PostgreSQL database.

What must hold: no duplicate code, every quantity conserved, and no caller ever sees a conflict
the database resolved by aborting a transaction (the operations retry those under the same action
id). Each process also re-sends some actions with the same action id, as a station does after a
lost acknowledgement: those must come back with the first result and record nothing new.
"""

from __future__ import annotations

import multiprocessing
import traceback
from decimal import Decimal

from sqlalchemy import func, select

from demo.plant import HOUSING, METER, demo_ids
from models import production, receiving
from models.actions import Actor
from models.db import Database
from models.schema import Action, Link, Unit, UnitKind
from tests.support import OPERATOR, SUPERVISOR, Plant

PROCESSES = 8
SERIALS_PER_PROCESS = 500
RESENT_EVERY = 25


def _worker(url: str, work_order: str, lots: list[str], queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    db = Database.connect(url, pool_size=1)
    try:
        with db.session() as session:
            ids = demo_ids(session)
        user, station = ids.users[OPERATOR], ids.stations["PRD-01"]
        codes: list[str] = []
        fed = Decimal(0)
        for index in range(SERIALS_PER_PROCESS):
            actor = Actor.new(user, station)
            made = production.create_serials(db, actor, work_order_code=work_order, count=1)
            if index % RESENT_EVERY == 0:
                assert production.create_serials(db, actor, work_order_code=work_order, count=1) == made
            codes += made.codes
            lot = lots[index % len(lots)]
            production.feed(
                db, Actor.new(user, station), work_order_code=work_order, lot_code=lot, quantity=1
            )
            fed += 1
        queue.put(("ok", codes, str(fed)))
    except BaseException:  # the parent reports it: a worker must never die silently
        queue.put(("error", traceback.format_exc(), "0"))
    finally:
        db.dispose()


def test_eight_processes_make_serials_and_feed_the_same_lots(pg_plant: Plant) -> None:
    db = pg_plant.db
    total = PROCESSES * SERIALS_PER_PROCESS
    lots = receiving.receive(
        db,
        pg_plant.actor(OPERATOR, "RCV-01"),
        item_code=HOUSING,
        supplier_code="SUP-PL",
        supplier_lot="PL-CONCURRENT",
        quantity=total + 100,
        packages=2,
    ).lot_codes
    work_orders = [f"WO-C{n}" for n in range(PROCESSES)]
    for code in work_orders:
        production.create_work_order(
            db, pg_plant.actor(SUPERVISOR), code=code, item_code=METER, quantity=SERIALS_PER_PROCESS
        )
    initial = {code: pg_plant.unit(code).quantity for code in lots}
    url = db.engine.url.render_as_string(hide_password=False)

    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    workers = [context.Process(target=_worker, args=(url, wo, lots, queue)) for wo in work_orders]
    for worker in workers:
        worker.start()
    outcomes = [queue.get(timeout=600) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)

    errors = [detail for status, detail, _ in outcomes if status == "error"]
    assert errors == [], errors[0] if errors else ""
    codes = [code for _, made, _ in outcomes for code in made]
    assert len(codes) == total
    assert len(set(codes)) == total, "duplicate serial numbers were handed out"
    assert sum(Decimal(fed) for _, _, fed in outcomes) == total

    with db.session() as session:
        stored = session.scalar(select(func.count(Unit.id)).where(Unit.kind == UnitKind.SERIAL))
        assert stored == total
        assert (
            session.scalar(select(func.count(func.distinct(Unit.code))).where(Unit.kind == UnitKind.SERIAL))
            == total
        )
        resent = PROCESSES * len(range(0, SERIALS_PER_PROCESS, RESENT_EVERY))
        assert (
            session.scalar(select(func.count(Action.id)).where(Action.operation == "create_serials")) == total
        )
        assert resent > 0
        consumed = Decimal(0)
        for code in lots:
            lot = session.scalars(select(Unit).where(Unit.code == code)).one()
            out = session.scalar(
                select(func.coalesce(func.sum(Link.quantity), 0)).where(Link.input_unit_id == lot.id)
            )
            assert lot.quantity + Decimal(out) == initial[code], f"quantity of {code} not conserved"
            consumed += Decimal(out)
        assert consumed == total
