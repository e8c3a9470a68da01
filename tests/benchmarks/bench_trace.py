"""Trace, recall and history speed on a generated plant, beside the same questions in minimal SQL.

    python tests/benchmarks/bench_trace.py [--scale S|M] [--url URL] [--runs 300]

Without --url it builds a fresh PostgreSQL database of the given scale with
tests/benchmarks/plantgen.py (M: one plant-year, 1M finished units) on the server named by
TRACESTATION_TEST_PG_URL, and drops it at the end unless --keep. With --url it reuses a database
that plantgen built (same --scale and seed, so the generator's known answers still hold).

For each question it prints p50/p95/p99 over repeated runs through the API (models.trace,
models.impact, models.history: what a screen calls) and, in the same run, the same question
answered by minimal hand-written SQL over the same tables with psycopg2 (the limit), with their
ratio and the goal. It also checks each answer against the generator's known answers. It asserts
nothing about time: it prints figures.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import psycopg2
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from documents.recall_list import write_recall_csv
from models import history, impact, trace
from models.db import Database
from models.impact import ImpactScope
from tests.benchmarks import plantgen

ADMIN_URL = os.environ.get(
    "TRACESTATION_TEST_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
)

LIMIT_BACKWARD = """
WITH RECURSIVE r(id) AS (
    SELECT id FROM unit WHERE code = %(code)s
    UNION SELECT l.input_unit_id FROM link l JOIN r ON l.output_unit_id = r.id
)
SELECT u.code, u.status, l.level, e.occurred_at, st.code, us.badge_code
FROM r JOIN unit u ON u.id = r.id
LEFT JOIN link l ON l.input_unit_id = r.id AND l.output_unit_id IN (SELECT id FROM r)
LEFT JOIN event e ON e.id = l.event_id
LEFT JOIN station st ON st.id = e.station_id
LEFT JOIN app_user us ON us.id = e.user_id
"""

_FORWARD_CLOSURE = """
WITH RECURSIVE r(id) AS (
    {seeds}
    UNION SELECT x.id FROM r CROSS JOIN LATERAL (
        SELECT l.output_unit_id AS id FROM link l WHERE l.input_unit_id = r.id
        UNION ALL SELECT u.container_id FROM unit u WHERE u.id = r.id AND u.container_id IS NOT NULL
    ) x
)
SELECT u.code, u.status, sh.code, cu.code
FROM r JOIN unit u ON u.id = r.id
LEFT JOIN shipped_unit su ON su.unit_id = r.id
LEFT JOIN shipment sh ON sh.id = su.shipment_id
LEFT JOIN customer cu ON cu.id = sh.customer_id
"""
LIMIT_FORWARD = _FORWARD_CLOSURE.format(seeds="SELECT id FROM unit WHERE code = %(code)s")
LIMIT_SUPPLIER = _FORWARD_CLOSURE.format(
    seeds="SELECT u.id FROM unit u JOIN supplier s ON s.id = u.supplier_id WHERE s.code = %(code)s"
)


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    if len(samples) < 2:
        return samples[0], samples[0], samples[0]
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = call()
    return (time.perf_counter() - start) * 1000, result


class Report:
    def row(
        self, question: str, api: list[float], limit: list[float] | None, goal: str, note: str = ""
    ) -> None:
        a50, a95, a99 = percentiles(api)
        text_ = f"{question:<44} API p50 {a50:8.2f}  p95 {a95:8.2f}  p99 {a99:8.2f} ms"
        if limit:
            l50, l95, l99 = percentiles(limit)
            text_ += (
                f" | limit p50 {l50:8.2f}  p95 {l95:8.2f}  p99 {l99:8.2f} ms | ratio p50 {a50 / l50:4.2f}"
            )
            text_ += f" p99 {a99 / l99:4.2f}"
        text_ += f" | goal {goal}"
        if note:
            text_ += f" | {note}"
        print(text_, flush=True)


def run(db: Database, dsn: str, manifest: plantgen.Manifest, runs: int) -> None:
    report = Report()
    raw = psycopg2.connect(dsn)
    raw.autocommit = True
    cursor = raw.cursor()
    cursor.execute("SET jit = off")

    def limit(sql: str, code: str) -> list[Any]:
        cursor.execute(sql, {"code": code})
        return cursor.fetchall()

    with db.engine.connect() as connection:
        finished = [
            row[0]
            for row in connection.execute(
                text(
                    "SELECT code FROM unit WHERE kind = 'SERIAL' AND item_id = :item "
                    "ORDER BY random() LIMIT :n"
                ),
                {"item": manifest.finished_item_id, "n": runs},
            )
        ]

    # Warm both paths once (connection pools, the server's caches), then measure interleaved.
    for code in finished[:20]:
        trace.backward(db, code)
        limit(LIMIT_BACKWARD, code)
    api_ms: list[float] = []
    limit_ms: list[float] = []
    sizes: list[int] = []
    for index, code in enumerate(finished):
        # Alternate which runs first: the second finds the unit's pages already in shared buffers.
        if index % 2:
            limit_ms.append(timed(lambda code=code: limit(LIMIT_BACKWARD, code))[0])
        elapsed, found = timed(lambda code=code: trace.backward(db, code))
        api_ms.append(elapsed)
        sizes.append(len(found.nodes))
        if not index % 2:
            limit_ms.append(timed(lambda code=code: limit(LIMIT_BACKWARD, code))[0])
    report.row(
        "backward trace of a finished unit",
        api_ms,
        limit_ms,
        "p99 <= 5 ms and <= 3x the limit",
        f"{statistics.median(sizes):.0f} units each",
    )
    check_backward(db, manifest)

    for label, code, expected, goal, repeat in (
        (
            "forward trace of the median lot",
            manifest.median_lot_code,
            manifest.median_lot_finished,
            "p95 <= 100 ms",
            30,
        ),
        (
            "forward trace of the largest lot",
            manifest.largest_lot_code,
            manifest.largest_lot_finished,
            "<= 500 ms",
            10,
        ),
    ):
        trace.forward(db, code)
        limit(LIMIT_FORWARD, code)
        api_ms, limit_ms = [], []
        found = None
        for _ in range(repeat):
            elapsed, found = timed(lambda code=code: trace.forward(db, code))
            api_ms.append(elapsed)
            limit_ms.append(timed(lambda code=code: limit(LIMIT_FORWARD, code))[0])
        assert found is not None
        reached = sum(
            1
            for node in found.nodes.values()
            if node.item_code == manifest.finished_item_code and node.kind == "SERIAL"
        )
        customers = {ref.customer_code for node in found.nodes.values() for ref in node.shipments}
        verdict = "matches" if reached == expected else f"MISMATCH: generator says {expected}"
        report.row(
            label,
            api_ms,
            limit_ms,
            goal,
            f"{len(found.nodes)} units, {reached} finished ({verdict}), {len(customers)} customers",
        )

    scope = ImpactScope(supplier_code=manifest.recall_supplier_code)
    api_ms, limit_ms, csv_ms, summary_ms = [], [], [], []
    listed = 0
    for _ in range(5):
        elapsed, listed = timed(lambda: sum(len(batch) for batch in impact.impact_rows(db, scope)))
        api_ms.append(elapsed)
        limit_ms.append(timed(lambda: limit(LIMIT_SUPPLIER, manifest.recall_supplier_code))[0])
        summary_ms.append(timed(lambda: impact.impact_summary(db, scope))[0])
        with tempfile.TemporaryDirectory() as folder:
            csv_ms.append(
                timed(
                    lambda folder=folder: write_recall_csv(
                        Path(folder) / "r.csv", impact.impact_rows(db, scope)
                    )
                )[0]
            )
    summary = impact.impact_summary(db, scope)
    finished_listed = sum(
        1
        for batch in impact.impact_rows(db, scope)
        for row in batch
        if row.item_code == manifest.finished_item_code and row.kind == "SERIAL"
    )
    verdict = (
        "matches"
        if finished_listed == manifest.recall_supplier_finished
        else f"MISMATCH: generator says {manifest.recall_supplier_finished}"
    )
    report.row(
        f"supplier recall, full list ({summary.seeds} lots)",
        api_ms,
        limit_ms,
        "<= 3 s",
        f"{listed} rows, {finished_listed} finished units ({verdict}), {summary.customers} customers",
    )
    report.row("supplier recall, counts by status and customer", summary_ms, None, "(one statement)")
    report.row("supplier recall, CSV export", csv_ms, None, "<= 5 s")

    statements = 0

    def count(*_: Any) -> None:
        nonlocal statements
        statements += 1

    event.listen(db.engine, "before_cursor_execute", count)
    api_ms, per_call = [], []
    for code in finished[:100]:
        statements = 0
        api_ms.append(timed(lambda code=code: history.history(db, code))[0])
        per_call.append(statements)
    event.remove(db.engine, "before_cursor_execute", count)
    report.row(
        "history of a finished unit", api_ms, None, "a handful of queries", f"{max(per_call)} statements"
    )

    with db.engine.connect() as connection:
        size = connection.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
        tables = connection.execute(
            text(
                "SELECT relname, pg_total_relation_size(relid) FROM pg_stat_user_tables "
                "ORDER BY 2 DESC LIMIT 8"
            )
        ).all()
    per_unit = size / manifest.finished_units
    print(
        f"storage: {size / 2**30:.2f} GiB for {manifest.finished_units:,} finished units = "
        f"{per_unit:,.0f} bytes per finished unit | goal <= 3 KB (3,072 bytes)"
    )
    print("  largest tables: " + ", ".join(f"{name} {bytes_ / 2**20:,.0f} MiB" for name, bytes_ in tables))
    raw.close()


def check_backward(db: Database, manifest: plantgen.Manifest) -> None:
    """The generator's known answers for a few finished units: their supplier lots, carton, customer."""
    wrong = 0
    for sample in manifest.finished_samples:
        found = trace.backward(db, sample.code)
        lots = {node.code for node in found.nodes.values() if node.supplier_code is not None}
        if lots != set(sample.supplier_lots):
            wrong += 1
    print(
        f"  backward answers checked against the generator: {len(manifest.finished_samples) - wrong} of "
        f"{len(manifest.finished_samples)} exact"
    )


@contextmanager
def generated_plant(
    scale_name: str, url: str | None, keep: bool
) -> Iterator[tuple[Database, str, plantgen.Manifest]]:
    """A plantgen database of `scale_name`: the one at `url` (built with the same scale and seed),
    or a fresh one built on the server of TRACESTATION_TEST_PG_URL and dropped after unless `keep`.
    Yields the database, its URL and the generator's known answers."""
    scale = plantgen.SCALES[scale_name]
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = None
    if url:
        db = Database.connect(url)
        manifest = plantgen.manifest(scale)
    else:
        name = f"tsbench_{scale_name.lower()}_{uuid.uuid4().hex[:8]}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
        db = Database.connect(url)
        started = time.perf_counter()
        manifest = plantgen.generate(db, scale)
        print(f"built scale {scale_name} in {time.perf_counter() - started:.0f} s: {url}")
    try:
        yield db, url, manifest
    finally:
        db.dispose()
        if name and not keep:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(plantgen.SCALES), default="M")
    parser.add_argument("--url", help="reuse a database plantgen built (same scale and seed)")
    parser.add_argument("--runs", type=int, default=300, help="backward traces to time")
    parser.add_argument("--keep", action="store_true", help="keep the database built for this run")
    args = parser.parse_args()
    with generated_plant(args.scale, args.url, args.keep) as (db, url, manifest):
        dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        run(db, dsn, manifest, args.runs)


if __name__ == "__main__":
    main()
