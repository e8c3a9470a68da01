"""`tracestation-admin`: database upgrades and the demo plant, for whoever installs a station or a plant."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from models.db import Database, resolve_database_url
from models.errors import DomainError


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tracestation-admin", description="TraceStation administration")
    parser.add_argument(
        "--url",
        help="database URL (default: TRACESTATION_DATABASE_URL, the station config file, "
        "else the embedded SQLite file in the user data folder)",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    db_parser = commands.add_parser("db", help="database schema")
    db_commands = db_parser.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="bring the database to the current schema (safe to repeat)")
    db_commands.add_parser("current", help="show the database's schema revision and the code's")
    demo_parser = commands.add_parser("demo", help="the demo plant")
    demo_commands = demo_parser.add_subparsers(dest="demo_command", required=True)
    demo_commands.add_parser("seed", help="create the demo plant with a few days of history (safe to repeat)")

    args = parser.parse_args(argv)
    try:
        db = Database.connect(args.url or resolve_database_url())
    except ValueError as error:
        parser.error(str(error))
    try:
        return _run(args, db)
    except DomainError as error:
        print(f"refused: {error}", file=sys.stderr)
        return 2
    finally:
        db.dispose()


def _run(args: argparse.Namespace, db: Database) -> int:
    from models import migrate

    where = db.engine.url.render_as_string(hide_password=True)
    if args.command == "db" and args.db_command == "upgrade":
        before, after = migrate.upgrade(db)
        print(
            f"{where}: schema {before or 'empty'} -> {after}" if before != after else f"{where}: at {after}"
        )
        return 0
    if args.command == "db" and args.db_command == "current":
        current, head = migrate.current_revision(db), migrate.head_revision()
        print(
            f"{where}: database {current or 'empty'}, code {head}"
            + ("" if current == head else " (run upgrade)")
        )
        return 0 if current == head else 1
    if args.command == "demo" and args.demo_command == "seed":
        from models.demo import seed

        migrate.require_head(db)
        summary = seed(db)
        print(
            f"{where}: demo plant ready: {summary.actions} actions, {summary.serials} serials, "
            f"{summary.cartons} cartons, {summary.pallets} pallet, {summary.shipments} shipments; "
            f"lot {summary.held_lot} on hold; try tracing serial {summary.example_serial}"
        )
        return 0
    raise AssertionError(args)


if __name__ == "__main__":
    sys.exit(main())
