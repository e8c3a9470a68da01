"""`tracestation-admin`: database upgrades, the demo plant, and traces and recall lists from a shell."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

from desktop.config import resolve_database_url
from models.db import Database
from models.errors import DomainError, ErrorCode
from models.overview import plant_timezone


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
    _add_trace_commands(commands)
    user_parser = commands.add_parser("user", help="operators' badges")
    user_commands = user_parser.add_subparsers(dest="user_command", required=True)
    unlock_parser = user_commands.add_parser(
        "unlock", help="unlock a badge locked after five wrong PINs (a supervisor's badge and PIN are asked)"
    )
    unlock_parser.add_argument("badge", help="the locked badge")
    unlock_parser.add_argument("--supervisor", help="the supervisor's badge (asked when left out)")
    test_parser = commands.add_parser(
        "print-test",
        help="print a sample label on the station's printer (settings: [printer] in station.toml)",
    )
    test_parser.add_argument("--template", default="serial", help="material_lot, serial, carton or pallet")
    test_parser.add_argument("--driver", help="preview, escpos or zpl (overrides the config file)")
    test_parser.add_argument(
        "--connection", help="tcp://host:9100, serial:///dev/ttyUSB0?baud=9600, or a folder"
    )
    test_parser.add_argument("--dpi", type=int, help="203 or 300")

    args = parser.parse_args(argv)
    if args.command == "print-test":
        return _print_test(args)
    if args.command in ("trace", "impact") and hasattr(sys.stdout, "reconfigure"):
        # Chinese names and JSON are UTF-8 whatever the console's code page (GBK, cp1252).
        sys.stdout.reconfigure(encoding="utf-8")
    try:
        db = Database.connect(args.url or resolve_database_url())
    except ValueError as error:
        parser.error(str(error))
    try:
        return _run(args, db)
    except DomainError as error:
        print(f"refused: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `... | head`: the reader has what it wanted
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keeps Python's exit flush quiet
        return 0
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
        from demo.history import seed

        migrate.require_head(db)
        summary = seed(db)
        print(
            f"{where}: demo plant ready: {summary.actions} actions, {summary.serials} serials, "
            f"{summary.cartons} cartons, {summary.pallets} pallet, {summary.shipments} shipments; "
            f"lot {summary.held_lot} on hold; try tracing serial {summary.example_serial}"
        )
        return 0
    if args.command == "user" and args.user_command == "unlock":
        migrate.require_head(db)
        return _unlock(args, db)
    if args.command == "trace":
        migrate.require_head(db)
        return _trace(args, db)
    if args.command == "impact":
        migrate.require_head(db)
        return _impact(args, db)
    raise AssertionError(args)


def _unlock(args: argparse.Namespace, db: Database) -> int:
    """A supervisor proves who they are with their own badge and PIN, then the badge is unlocked.
    The PIN is read without echo; a wrong supervisor PIN counts against the supervisor's badge."""
    import getpass

    from models.auth import authenticate, unlock

    supervisor_badge = args.supervisor or input("Supervisor badge: ").strip()
    supervisor = authenticate(db, supervisor_badge, getpass.getpass("Supervisor PIN: "))
    unlock(db, supervisor, args.badge)
    print(f"{args.badge} unlocked by {supervisor.name}")
    return 0


def _add_trace_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    trace_parser = commands.add_parser(
        "trace", help="where a unit came from and where it went (any code: unit, GS1 scan, work order)"
    )
    trace_parser.add_argument("code")
    trace_parser.add_argument("--direction", choices=("back", "forward", "both"), default="both")
    trace_parser.add_argument("--json", action="store_true", help="a JSON document instead of the tree")
    trace_parser.add_argument(
        "--lang", choices=("zh", "en"), default="en", help="names in Chinese or English"
    )
    impact_parser = commands.add_parser(
        "impact", help="the recall list: every unit made from the given codes, supplier, lot, machine..."
    )
    impact_parser.add_argument("codes", nargs="*", metavar="CODE", help="units, work orders, shipments")
    impact_parser.add_argument("--supplier", help="every lot received from this supplier")
    impact_parser.add_argument(
        "--supplier-lot", help="the supplier's own lot number (with --supplier: theirs)"
    )
    impact_parser.add_argument("--equipment", help="what this machine made, changed or packed")
    impact_parser.add_argument("--operator", help="what this badge made, changed or packed")
    impact_parser.add_argument("--work-order", help="everything this work order made")
    impact_parser.add_argument("--since", help="start of the equipment/operator window (ISO date or time)")
    impact_parser.add_argument("--until", help="end of the window, exclusive (ISO date or time)")
    impact_parser.add_argument(
        "--csv",
        type=Path,
        help="write the list as CSV (exact UTF-8 text for other systems; for Excel use --xlsx)",
    )
    impact_parser.add_argument(
        "--xlsx", type=Path, help="write the list and its summary as an Excel workbook"
    )
    impact_parser.add_argument(
        "--lang", choices=("zh", "en"), default="en", help="names in Chinese or English"
    )


def _trace(args: argparse.Namespace, db: Database) -> int:
    from desktop.trace_text import render_trace
    from documents.trace_json import trace_document
    from models import trace

    directions = {"back": ("backward",), "forward": ("forward",), "both": ("backward", "forward")}
    traces = {name: getattr(trace, name)(db, args.code) for name in directions[args.direction]}
    if args.json:
        document = {"code": args.code, **{name: trace_document(found) for name, found in traces.items()}}
        json.dump(document, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    zone = plant_timezone(db)
    for name, found in traces.items():
        print(f"== {name} ({len(found.nodes) - len(found.root_ids)} units)")
        for line in render_trace(found, args.lang, zone):
            print(line)
    return 0


def _impact(args: argparse.Namespace, db: Database) -> int:
    from desktop.trace_text import render_row, render_summary
    from documents.recall_list import write_recall_csv, write_recall_xlsx
    from models.impact import ImpactScope, recall

    zone = plant_timezone(db)
    scope = ImpactScope(
        codes=tuple(args.codes),
        supplier_code=args.supplier,
        supplier_lot=args.supplier_lot,
        equipment_code=args.equipment,
        operator_badge=args.operator,
        work_order_code=args.work_order,
        since=_moment(args.since, zone),
        until=_moment(args.until, zone),
    )
    with recall(db, scope) as found:  # one snapshot: the summary and every file agree
        for line in render_summary(found.summary, args.lang):
            print(line)
        if args.csv:
            count = write_recall_csv(args.csv, found.rows(), args.lang)
            print(f"wrote {count} rows to {args.csv}")
        if args.xlsx:
            count = write_recall_xlsx(args.xlsx, scope, found.summary, found.rows(), args.lang)
            print(f"wrote {count} rows to {args.xlsx}")
        if not args.csv and not args.xlsx:
            for batch in found.rows():
                for row in batch:
                    print(render_row(row))
    return 0


def _print_test(args: argparse.Namespace) -> int:
    """A sample label, not a unit's: it checks the printer, so it is not a print job, and its codes
    (GS1's demonstration prefix 952, SAMPLE names) name no unit."""
    from desktop.config import ConfigError, load_file, preview_folder
    from printing.render import Label, LabelError
    from printing.samples import SAMPLES
    from printing.settings import PrinterSettings, SettingsError
    from printing.template import TemplateError, built_in
    from printing.transports import PrinterError

    try:  # desktop.config reads station.toml, strictly: the one reader of the station's config
        values: dict[str, object] = dict(load_file().printer)
    except ConfigError as error:
        print(f"print-test failed: {error}", file=sys.stderr)
        return 2
    for name in ("driver", "connection", "dpi"):
        if getattr(args, name) is not None:
            values[name] = getattr(args, name)
    preview = preview_folder()
    try:
        settings = PrinterSettings.from_mapping(values, preview_folder=preview)
        label = Label(built_in(args.template), SAMPLES[args.template], dpi=settings.dpi, font=settings.font)
        done = settings.printer().print_label(label, copies=1, name=f"test {args.template}")
    except (SettingsError, TemplateError, LabelError, PrinterError, KeyError) as error:
        print(f"print-test failed: {error}", file=sys.stderr)
        return 2
    print(f"printed {done}")
    return 0


def _moment(text: str | None, zone: ZoneInfo) -> dt.datetime | None:
    """A time typed on the command line; without a zone it is the plant's wall clock."""
    if text is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise DomainError(ErrorCode.BAD_DATE, value=text) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


if __name__ == "__main__":
    sys.exit(main())
