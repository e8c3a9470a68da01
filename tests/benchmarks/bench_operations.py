"""Units completed per second through the real operation, beside raw durable inserts, on PostgreSQL.

One unit = one `create_serials(count=1)` action: a serial number drawn from the item's locked
counter, the serial, its link to the work order's production lot, the event and its unit row, the
action record with its result, all in one durable commit. The raw figure is the same server's rate
of single-row INSERT + COMMIT from the same number of client processes, measured in the same run:
the ceiling any durable one-transaction-per-action design meets.

    python tests/benchmarks/bench_operations.py [--clients 1,4,16] [--seconds 10]

It creates a database of its own on the server named by TRACESTATION_TEST_PG_URL (an admin URL, as
for the tests) and drops it at the end. It prints figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ADMIN_URL = os.environ.get(
    "TRACESTATION_TEST_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
)


class _Clock:
    """Starts every client together once all have imported and connected, for `seconds`."""

    def __init__(self, context, clients: int) -> None:  # type: ignore[no-untyped-def]
        self.ready = context.Semaphore(0)
        self.go = context.Event()
        self.stop = context.Value("d", 0.0)
        self.clients = clients

    def wait_for_start(self) -> float:
        self.ready.release()
        self.go.wait()
        return self.stop.value

    def start_when_ready(self, seconds: float) -> None:
        for _ in range(self.clients):
            self.ready.acquire(timeout=300)
        self.stop.value = time.time() + seconds
        self.go.set()


def _raw_client(url: str, client: int, clock: _Clock, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    import psycopg2

    connection = psycopg2.connect(
        make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    )
    cursor = connection.cursor()
    latencies = []
    stop = clock.wait_for_start()
    while (begin := time.perf_counter()) and time.time() < stop:
        cursor.execute("INSERT INTO bench_raw (client, payload) VALUES (%s, %s)", (client, "x" * 40))
        connection.commit()
        latencies.append(time.perf_counter() - begin)
    connection.close()
    queue.put(latencies)


def _by_hand_client(url: str, work_order: str, clock: _Clock, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    """The same transaction's statements written by hand with psycopg2: what the database alone costs.

    Action claim, operator and station read, work order locked, counter advanced, routing read,
    serial inserted, work order updated, event and its two unit rows, link, action result, commit.
    The gap between this and the real operation is the Python (SQLAlchemy ORM) cost per unit.
    """
    import psycopg2

    connection = psycopg2.connect(
        make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    )
    cursor = connection.cursor()
    cursor.execute(
        "SELECT w.id, w.production_lot_id, w.item_id, w.site_id, i.serial_rule_id FROM work_order w "
        "JOIN item i ON i.id = w.item_id WHERE w.code = %s",
        (work_order,),
    )
    work_order_id, lot_id, item_id, site_id, rule_id = cursor.fetchone()
    cursor.execute("SELECT id FROM app_user WHERE badge_code = 'EMP1001'")
    (user_id,) = cursor.fetchone()
    cursor.execute("SELECT id FROM station WHERE code = 'PRD-01'")
    (station_id,) = cursor.fetchone()
    connection.commit()
    latencies = []
    stop = clock.wait_for_start()
    while (begin := time.perf_counter()) and time.time() < stop:
        action = str(uuid.uuid4())
        cursor.execute(
            "INSERT INTO action (id, operation, user_id, station_id, recorded_at) "
            "VALUES (%s, 'by_hand', %s, %s, now()) ON CONFLICT DO NOTHING RETURNING recorded_at",
            (action, user_id, station_id),
        )
        cursor.execute(
            "SELECT u.active, s.active, t.timezone FROM app_user u, station s, site t "
            "WHERE u.id = %s AND s.id = %s AND t.id = s.site_id",
            (user_id, station_id),
        )
        cursor.execute("SELECT status FROM work_order WHERE id = %s FOR UPDATE", (work_order_id,))
        cursor.execute(
            "UPDATE numbering_counter SET next_value = next_value + 1 WHERE rule_id = %s "
            "RETURNING next_value",
            (rule_id,),
        )
        (value,) = cursor.fetchone()
        cursor.execute("SELECT id FROM routing_step WHERE item_id = %s AND mandatory", (item_id,))
        cursor.execute(
            "INSERT INTO unit (code, kind, item_id, status, quantity, initial_quantity, uom, site_id, "
            "split_count, created_at, work_order_id) "
            "VALUES (%s, 'SERIAL', %s, 'WIP', 1, 1, 'EA', %s, 0, now(), %s) RETURNING id",
            (f"HAND{rule_id}-{value}", item_id, site_id, work_order_id),
        )
        (unit_id,) = cursor.fetchone()
        cursor.execute(
            "UPDATE work_order SET serials_created = serials_created + 1 WHERE id = %s", (work_order_id,)
        )
        cursor.execute(
            "INSERT INTO event (action_id, event_type, occurred_at, tz_offset, site_id, station_id, user_id, "
            "work_order_id) VALUES (%s, 'COMMISSION', now(), '+08:00', %s, %s, %s, %s) RETURNING id",
            (action, site_id, station_id, user_id, work_order_id),
        )
        (event_id,) = cursor.fetchone()
        cursor.execute(
            "INSERT INTO event_unit (event_id, unit_id, role) VALUES (%s, %s, 'INPUT'), (%s, %s, 'OUTPUT')",
            (event_id, lot_id, event_id, unit_id),
        )
        cursor.execute(
            "INSERT INTO link (input_unit_id, output_unit_id, level, event_id) VALUES (%s, %s, 'LOT', %s)",
            (lot_id, unit_id, event_id),
        )
        cursor.execute("UPDATE action SET result = '{}' WHERE id = %s", (action,))
        connection.commit()
        latencies.append(time.perf_counter() - begin)
    connection.close()
    queue.put(latencies)


def _unit_client(url: str, work_order: str, clock: _Clock, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    from demo.plant import demo_ids
    from models import production
    from models.actions import Actor
    from models.db import Database

    db = Database.connect(url, pool_size=1)
    with db.session() as session:
        ids = demo_ids(session)
    user, station = ids.users["EMP1001"], ids.stations["PRD-01"]
    production.create_serials(db, Actor.new(user, station), work_order_code=work_order, count=1)  # warm up
    latencies = []
    stop = clock.wait_for_start()
    while (begin := time.perf_counter()) and time.time() < stop:
        production.create_serials(db, Actor.new(user, station), work_order_code=work_order, count=1)
        latencies.append(time.perf_counter() - begin)
    db.dispose()
    queue.put(latencies)


def _run(target, clients: int, seconds: float, args_for) -> tuple[float, list[float]]:  # type: ignore[no-untyped-def]
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    clock = _Clock(context, clients)
    processes = [context.Process(target=target, args=(*args_for(n), clock, queue)) for n in range(clients)]
    for process in processes:
        process.start()
    clock.start_when_ready(seconds)
    latencies = [value for _ in processes for value in queue.get(timeout=seconds + 300)]
    for process in processes:
        process.join()
    return len(latencies) / seconds, latencies


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", default="1,4,16")
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    client_counts = [int(value) for value in args.clients.split(",")]

    from demo.plant import build_master_data, demo_ids
    from models.actions import Actor
    from models.db import Database
    from models.migrate import upgrade
    from models.production import create_work_order

    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"ts_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
        settings = {
            key: connection.execute(text(f"SHOW {key}")).scalar_one()
            for key in ("server_version", "fsync", "synchronous_commit", "wal_sync_method", "max_connections")
        }
    url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        db = Database.connect(url)
        upgrade(db)
        with db.session() as session, session.begin():
            build_master_data(session)
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "CREATE TABLE bench_raw (id bigserial PRIMARY KEY, client int, payload text, "
                    "created_at timestamptz DEFAULT now())"
                )
            )
        with db.session() as session:
            ids = demo_ids(session)
        most = max(client_counts)
        for n in range(most):
            create_work_order(
                db,
                Actor.new(ids.users["EMP2001"], ids.stations["PRD-01"]),
                code=f"WO-BENCH-{n}",
                item_code="DDZY-102",
                quantity=10_000_000,
            )
        db.dispose()

        print(
            f"PostgreSQL {settings['server_version']}: fsync={settings['fsync']}, "
            f"synchronous_commit={settings['synchronous_commit']}, "
            f"wal_sync_method={settings['wal_sync_method']}; "
            f"{os.cpu_count()} CPUs; {args.seconds:.0f} s per measurement"
        )
        print(
            f"{'clients':>7} | {'raw inserts/s':>13} {'p50 ms':>7} {'p99 ms':>7} | "
            f"{'units/s':>8} {'p50 ms':>7} {'p99 ms':>7} | {'units/raw':>9} | "
            f"{'by hand/s':>9} {'by hand/raw':>11}"
        )
        for clients in client_counts:
            raw_rate, raw = _run(_raw_client, clients, args.seconds, lambda n: (url, n))
            unit_rate, units = _run(_unit_client, clients, args.seconds, lambda n: (url, f"WO-BENCH-{n}"))
            hand_rate, _ = _run(_by_hand_client, clients, args.seconds, lambda n: (url, f"WO-BENCH-{n}"))
            print(
                f"{clients:>7} | {raw_rate:>13.0f} {_percentile(raw, 0.5):>7.2f} "
                f"{_percentile(raw, 0.99):>7.2f} | {unit_rate:>8.0f} {_percentile(units, 0.5):>7.2f} "
                f"{_percentile(units, 0.99):>7.2f} | {unit_rate / raw_rate:>9.0%} | "
                f"{hand_rate:>9.0f} {hand_rate / raw_rate:>11.0%}",
                flush=True,
            )
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
