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


def _raw_client(url: str, client: int, start: float, stop: float, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    import psycopg2

    connection = psycopg2.connect(
        make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    )
    cursor = connection.cursor()
    latencies = []
    while time.time() < start:
        time.sleep(0.001)
    while (begin := time.perf_counter()) and time.time() < stop:
        cursor.execute("INSERT INTO bench_raw (client, payload) VALUES (%s, %s)", (client, "x" * 40))
        connection.commit()
        latencies.append(time.perf_counter() - begin)
    connection.close()
    queue.put(latencies)


def _unit_client(url: str, work_order: str, start: float, stop: float, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    from models import production
    from models.actions import Actor
    from models.db import Database
    from models.demo_plant import demo_ids

    db = Database.connect(url, pool_size=1)
    with db.session() as session:
        ids = demo_ids(session)
    user, station = ids.users["EMP1001"], ids.stations["PRD-01"]
    production.create_serials(db, Actor.new(user, station), work_order_code=work_order, count=1)  # warm up
    latencies = []
    while time.time() < start:
        time.sleep(0.001)
    while (begin := time.perf_counter()) and time.time() < stop:
        production.create_serials(db, Actor.new(user, station), work_order_code=work_order, count=1)
        latencies.append(time.perf_counter() - begin)
    db.dispose()
    queue.put(latencies)


def _run(target, clients: int, seconds: float, args_for) -> tuple[float, list[float]]:  # type: ignore[no-untyped-def]
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    start = time.time() + 3.0  # every process imported and connected before the clock starts
    stop = start + seconds
    processes = [
        context.Process(target=target, args=(*args_for(n), start, stop, queue)) for n in range(clients)
    ]
    for process in processes:
        process.start()
    latencies = [value for _ in processes for value in queue.get(timeout=seconds + 120)]
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

    from models.actions import Actor
    from models.db import Database
    from models.demo_plant import build_master_data, demo_ids
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
            f"{'units/s':>8} {'p50 ms':>7} {'p99 ms':>7} | {'units/raw':>9}"
        )
        for clients in client_counts:
            raw_rate, raw = _run(_raw_client, clients, args.seconds, lambda n: (url, n))
            unit_rate, units = _run(_unit_client, clients, args.seconds, lambda n: (url, f"WO-BENCH-{n}"))
            print(
                f"{clients:>7} | {raw_rate:>13.0f} {_percentile(raw, 0.5):>7.2f} "
                f"{_percentile(raw, 0.99):>7.2f} | {unit_rate:>8.0f} {_percentile(units, 0.5):>7.2f} "
                f"{_percentile(units, 0.99):>7.2f} | "
                f"{unit_rate / raw_rate:>8.0%}",
                flush=True,
            )
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
