"""Where the database is and how to connect to it.

A trial station needs no configuration at all (an SQLite file in the user data folder, `embedded_url`);
a plant points every station at one PostgreSQL database. Which URL a station uses is decided by its
config (desktop.config: the environment, then station.toml): the domain takes a URL and never reads
the station's config itself.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs
from sqlalchemy import Connection, CursorResult, Engine, Result, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

APP_NAME = "TraceStation"
APP_AUTHOR = "TraceStation"
SQLITE_BUSY_TIMEOUT_MS = 15_000
CONNECT_TIMEOUT_S = 5
READ_ONLY_OPTION = "tracestation_read_only"
# A station's sessions on PostgreSQL: psycopg2 has no timeouts of its own, so a silent network link
# would block the station's one worker for minutes. The server ends a statement or a lock wait that
# runs too long (an operator action takes milliseconds; the longest trace or recall read on a
# 1M-unit plant takes a few seconds); TCP keepalives and tcp_user_timeout end a connection whose
# peer went silent. The admin CLI (migrations that build indexes) connects without these.
STATION_STATEMENT_TIMEOUT_MS = 60_000
STATION_LOCK_TIMEOUT_MS = 2_000
STATION_TCP_USER_TIMEOUT_MS = 15_000
SQLITE_MINIMUM = (3, 35)


def default_sqlite_path() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR)) / "tracestation.sqlite3"


def embedded_url() -> URL:
    """The embedded SQLite database of a trial station, its folder made if needed."""
    sqlite_path = default_sqlite_path()
    sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    return URL.create("sqlite+pysqlite", database=str(sqlite_path))


def database_url(raw: URL | str) -> URL:
    """`raw` as the URL the domain connects with, or ValueError if TraceStation cannot run on it.

    Where the URL comes from (environment, station.toml) is the station config's business
    (desktop.config); the domain only takes it. A PostgreSQL URL without a driver is given psycopg2
    explicitly: SQLAlchemy 2.1 would otherwise pick psycopg 3, which the project does not install.
    """
    url = make_url(raw)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg2")
    if url.get_backend_name() not in ("postgresql", "sqlite"):
        shown = url.render_as_string(hide_password=True)
        raise ValueError(
            f"TraceStation runs on PostgreSQL or SQLite, not {url.get_backend_name()!r}: {shown}"
        )
    return url


def rowcount(result: Result[Any]) -> int:
    """The rows an INSERT, UPDATE or DELETE touched: Session.execute types every result as a
    Result, but a statement that writes gives a CursorResult, which alone counts them."""
    if not isinstance(result, CursorResult):
        raise TypeError(f"a row count needs the result of a write statement, not {type(result).__name__}")
    return result.rowcount


def make_engine(url: URL | str, **kwargs: Any) -> Engine:
    """An engine with the settings each backend needs for safe concurrent station work."""
    url = database_url(url)
    if url.get_backend_name() == "sqlite":
        if sqlite3.sqlite_version_info < SQLITE_MINIMUM:
            raise ValueError(
                f"TraceStation needs SQLite {'.'.join(map(str, SQLITE_MINIMUM))} or newer (traces use "
                f"recursive queries with several recursive steps and MATERIALIZED), this Python has "
                f"{sqlite3.sqlite_version}"
            )
        engine = create_engine(
            url,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
            json_serializer=_json_dumps,
            **kwargs,
        )
        _configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    # A server whose host is down (no refusal, just silence) would hold a connection attempt for
    # the operating system's TCP timeout, minutes; a station must say "offline" within seconds.
    kwargs["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT_S, **kwargs.get("connect_args", {})}
    return create_engine(url, json_serializer=_json_dumps, **kwargs)


def _json_dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def _configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys and a busy timeout; every transaction BEGIN IMMEDIATE.

    pysqlite opens transactions lazily and as DEFERRED, so two stations that both read then write
    deadlock on the lock upgrade and one gets "database is locked" at once. Taking the write lock at
    BEGIN makes the second wait for the busy timeout instead (SQLAlchemy's documented recipe).
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A read-only snapshot (Database.reading) must not take the write lock: a long recall
        # export would otherwise hold up every station's writes for its whole length.
        reading = connection.get_execution_options().get(READ_ONLY_OPTION, False)
        connection.exec_driver_sql("BEGIN DEFERRED" if reading else "BEGIN IMMEDIATE")


@dataclass
class Database:
    """An engine with its session factory: what operations and queries are given to work on."""

    engine: Engine

    def __post_init__(self) -> None:
        self.sessions = sessionmaker(self.engine, expire_on_commit=False, autoflush=True)

    @classmethod
    def connect(cls, url: URL | str, **kwargs: Any) -> Database:
        return cls(make_engine(url, **kwargs))

    @classmethod
    def for_station(
        cls,
        url: URL | str,
        *,
        statement_timeout_ms: int = STATION_STATEMENT_TIMEOUT_MS,
        lock_timeout_ms: int = STATION_LOCK_TIMEOUT_MS,
    ) -> Database:
        """A station's database: on PostgreSQL with the timeouts a station needs (see above)."""
        url = database_url(url)
        if url.get_backend_name() != "postgresql":
            return cls.connect(url)
        return cls.connect(
            url,
            connect_args={
                "keepalives": 1,
                "keepalives_idle": 10,
                "keepalives_interval": 5,
                "keepalives_count": 3,
                "tcp_user_timeout": STATION_TCP_USER_TIMEOUT_MS,
                "options": f"-c statement_timeout={statement_timeout_ms} -c lock_timeout={lock_timeout_ms}",
            },
        )

    @property
    def is_postgresql(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def session(self) -> Session:
        return self.sessions()

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """One consistent read-only snapshot for queries over many rows: traces, recalls, exports.

        PostgreSQL: REPEATABLE READ so every statement of a trace sees the same moment, and JIT off:
        the planner overestimates recursive queries and JIT-compiles them, adding 0.4-0.7 s to a
        query that needs milliseconds. Prepared trace statements use their generic plan at once
        (their only parameter is a code looked up by a unique index), and a recall list of a
        hundred thousand units is sorted in memory, not on disk; a cursor is planned for reading
        every row (a trace always does), not the first tenth. SQLite: a deferred
        transaction, a WAL snapshot without the write lock.
        """
        with self.engine.connect() as connection:
            connection.execution_options(**{READ_ONLY_OPTION: True})
            with connection.begin():
                if self.is_postgresql:
                    connection.exec_driver_sql(
                        "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY; SET LOCAL jit = off; "
                        "SET LOCAL plan_cache_mode = force_generic_plan; SET LOCAL work_mem = '64MB'; "
                        "SET LOCAL cursor_tuple_fraction = 1"
                    )
                yield connection

    def dispose(self) -> None:
        self.engine.dispose()
