"""The station config: one typed, versioned TOML file per station PC (`station.toml`).

It says which station this PC is, in which language it talks to its operators, where the database
is, when an unattended session locks, and how its printer and scanner are connected. The file lives
in the user config folder (config_file_path: TRACESTATION_CONFIG, else the platformdirs folder) and
looks like this:

    version = 1

    [station]
    code = "PACK-01"                    # left out: not set up yet, the station shows its setup dialog
    language = "zh_CN"                  # "zh_CN" or "en_US"
    idle_lock_minutes = 15              # 1-240
    window = "fullscreen"               # "fullscreen" (a station PC, the default) or "window"

    [database]
    url = "postgresql+psycopg2://trace@db.plant/trace"   # left out: the embedded SQLite database

    [printer]                           # printing.settings.PrinterSettings: driver, connection, dpi...
    driver = "zpl"
    connection = "tcp://10.0.0.9:9100"

    [scanner]
    serial_port = "COM3"                # left out: a keyboard-wedge scanner
    baud = 9600
    prefix = ""
    suffix = "\\r"
    gap_ms = 40

Every value is checked when the file is read, and one that cannot work is refused with the file,
the key and the value (ConfigError), never replaced by a default: a station that prints to the
wrong printer or books to the wrong station is worse than one that says it cannot start.

The environment overrides the file (TRACESTATION_DATABASE_URL, TRACESTATION_STATION,
TRACESTATION_LANGUAGE, TRACESTATION_IDLE_LOCK_MINUTES, TRACESTATION_WINDOW) so a plant can configure
stations through its deployment tools; `load` gives the effective config, `load_file` the file's
own, and only the file's own is ever saved (`save` refuses a config that carries environment overrides), so a
database password given in the environment never ends up in the file.

Plain Python: no Qt here, the setup dialog and the application use it.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final

import platformdirs
import tomli_w
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from models.db import APP_AUTHOR, APP_NAME, database_url, embedded_url
from printing.settings import PrinterSettings, SettingsError

CURRENT_VERSION: Final = 1
LANGUAGES: Final = ("zh_CN", "en_US")
DEFAULT_LANGUAGE: Final = "zh_CN"
DEFAULT_IDLE_LOCK_MINUTES: Final = 15
# A station PC runs its one screen full screen (a kiosk: nothing else to click away to); a developer
# or a trial on a desktop wants a window.
WINDOW_MODES: Final = ("fullscreen", "window")
DEFAULT_WINDOW: Final = "fullscreen"
IDLE_LOCK_MINUTES: Final = range(1, 241)
CODE_LENGTH: Final = 64  # models.schema.Code: a longer station code cannot name a station
# The rates serial scanners are set to; anything else is a typo (96000) that would read garbage.
BAUD_RATES: Final = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600)
# Longest pause between two keystrokes of one scan: above a second every typed key would be a scan.
GAP_MS: Final = range(1, 1001)
SUFFIXES: Final = ("\r", "\n", "\r\n", "\t", "")

# This module is the one reader of the station's config: the domain (models.db) takes a URL.
ENV_DATABASE_URL: Final = "TRACESTATION_DATABASE_URL"
ENV_CONFIG_FILE: Final = "TRACESTATION_CONFIG"
ENV_STATION: Final = "TRACESTATION_STATION"
ENV_LANGUAGE: Final = "TRACESTATION_LANGUAGE"
ENV_IDLE_LOCK_MINUTES: Final = "TRACESTATION_IDLE_LOCK_MINUTES"
ENV_WINDOW: Final = "TRACESTATION_WINDOW"
# Which field each variable overrides.
ENVIRONMENT: Final[Mapping[str, str]] = {
    "database_url": ENV_DATABASE_URL,
    "station_code": ENV_STATION,
    "language": ENV_LANGUAGE,
    "idle_lock_minutes": ENV_IDLE_LOCK_MINUTES,
    "window": ENV_WINDOW,
}

# The types of the [printer] keys. PrinterSettings.from_mapping turns some values into strings
# (driver = 5, connection = 123) before checking them; here a wrong type is refused as such.
PRINTER_TYPES: Final[Mapping[str, type]] = {
    "driver": str,
    "connection": str,
    "dpi": int,
    "darkness": int,
    "copies": int,
    "cut": bool,
    "font": str,
    "flow": str,
    "native": bool,
}
# What earlier releases wrote before the file had a version (and what tests still write).
_LEGACY_TABLES: Final = frozenset({"database", "printer"})
_TABLES: Final[Mapping[str, frozenset[str]]] = {
    "station": frozenset({"code", "language", "idle_lock_minutes", "window"}),
    "database": frozenset({"url"}),
    "printer": frozenset(PRINTER_TYPES),
    "scanner": frozenset({"serial_port", "baud", "prefix", "suffix", "gap_ms"}),
}
_MEMORY: Final = "station config"  # the source named for a config built in code (the setup dialog)
_ENV: Final = "environment"

PrinterValue = str | int | bool


class ConfigError(ValueError):
    """A config value that cannot work, named with where it came from, its key and its value.

    `source` is the file's path, "environment" (the key is then the variable's name) or
    "station config" for a config built in code; `key` is None when the whole file is at fault.
    The message is meant for the person setting the station up, so it also says what is accepted.
    """

    def __init__(
        self, source: str, key: str | None, value: object, why: str, *, detail: str | None = None
    ) -> None:
        self.source = source
        self.key = key
        self.value = value
        self.why = why
        if detail is None:
            shown = "" if value is _NOTHING else f" = {value!r}"
            detail = why if key is None else f"{key}{shown}: {why}"
        self.detail = detail
        super().__init__(f"{source}: {detail}")

    def relocated(self, source: str, key: str | None = None) -> ConfigError:
        """The same refusal, named at its real source (a config is checked before it knows its file)."""
        if key is None or key == self.key:
            return ConfigError(source, self.key, self.value, self.why, detail=self.detail)
        return ConfigError(source, key, self.value, self.why)


_NOTHING: Final = object()  # ConfigError's value when there is none to show (a missing key)


def config_file_path() -> Path:
    """The station config file: TRACESTATION_CONFIG, else station.toml in the user config folder."""
    override = os.environ.get(ENV_CONFIG_FILE)
    if override:
        return Path(override)
    return Path(platformdirs.user_config_dir(APP_NAME, APP_AUTHOR)) / "station.toml"


def preview_folder() -> Path:
    """Where the preview printer writes its PNG labels when [printer] names no folder."""
    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR)) / "labels"


def documents_folder() -> Path:
    """Where a station saves the documents it makes (packing lists, recall reports)."""
    return Path(platformdirs.user_documents_dir()) / APP_NAME


class FrozenTable(Mapping[str, PrinterValue]):
    """A read-only, hashable copy of a TOML table: a frozen config must not change under its holder."""

    __slots__ = ("_values",)

    def __init__(self, values: Mapping[str, PrinterValue] | None = None) -> None:
        self._values: dict[str, PrinterValue] = dict(values or {})

    def __getitem__(self, key: str) -> PrinterValue:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __hash__(self) -> int:
        return hash(frozenset(self._values.items()))

    def __repr__(self) -> str:
        return f"FrozenTable({self._values!r})"


@dataclass(frozen=True, kw_only=True)
class ScannerConfig:
    """The [scanner] table: a serial scanner's port, or none for a keyboard-wedge scanner.

    prefix and suffix are what the scanner is programmed to send around each code (stripped from
    the scan); gap_ms is the longest pause between two keystrokes of one keyboard-wedge scan, which
    tells a scan from typing.
    """

    serial_port: str | None = None
    baud: int = 9600
    prefix: str = ""
    suffix: str = "\r"
    gap_ms: int = 40

    def __post_init__(self) -> None:
        self.check(_MEMORY)

    def check(self, source: str) -> None:
        """Refuses a value that cannot work, naming `source` (the file it came from)."""
        if self.serial_port is not None:
            _text(source, "[scanner] serial_port", self.serial_port, "the scanner's serial port (COM3)")
        _choice(source, "[scanner] baud", self.baud, BAUD_RATES)
        _text(source, "[scanner] prefix", self.prefix, "what the scanner sends before a code", empty=True)
        # A keyboard wedge ends a code with a key (Enter or Tab), or with nothing but a pause.
        _choice(source, "[scanner] suffix", self.suffix, SUFFIXES)
        _whole(source, "[scanner] gap_ms", self.gap_ms, GAP_MS, "milliseconds")


@dataclass(frozen=True, kw_only=True)
class StationConfig:
    """What a station PC needs to know before it can start; see the module docstring for the file.

    A config is checked when it is made, from the file or in code (`dataclasses.replace` by the
    setup dialog), so an invalid one never exists. `overrides` names the fields the environment
    set (see ENVIRONMENT): such a config is the effective one, shown and used, never saved.
    """

    version: int = CURRENT_VERSION
    station_code: str | None = None
    language: str = DEFAULT_LANGUAGE
    database_url: str | None = None
    idle_lock_minutes: int = DEFAULT_IDLE_LOCK_MINUTES
    window: str = DEFAULT_WINDOW
    printer: Mapping[str, PrinterValue] = field(default_factory=FrozenTable)
    scanner: ScannerConfig = field(default_factory=ScannerConfig)
    overrides: frozenset[str] = field(default=frozenset(), compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.printer, FrozenTable):
            if not isinstance(self.printer, Mapping):
                raise ConfigError(_MEMORY, "[printer]", self.printer, "a table of printer settings")
            object.__setattr__(self, "printer", FrozenTable(self.printer))
        self.check(_MEMORY)
        unknown = set(self.overrides) - set(ENVIRONMENT)
        if unknown:
            raise ConfigError(_MEMORY, "overrides", sorted(unknown), f"one of {', '.join(ENVIRONMENT)}")

    def __hash__(self) -> int:
        return hash(
            (
                self.version,
                self.station_code,
                self.language,
                self.database_url,
                self.idle_lock_minutes,
                self.window,
                self.printer,
                self.scanner,
            )
        )

    def check(self, source: str) -> None:
        """Refuses a value that cannot work, naming `source` (the file it came from)."""
        if type(self.version) is not int or self.version != CURRENT_VERSION:
            raise ConfigError(
                source, "version", self.version, f"this TraceStation writes version {CURRENT_VERSION}"
            )
        if self.station_code is not None:
            _station_code(source, "[station] code", self.station_code)
        _choice(source, "[station] language", self.language, LANGUAGES)
        if self.database_url is not None:
            _database_url(source, "[database] url", self.database_url)
        _whole(source, "[station] idle_lock_minutes", self.idle_lock_minutes, IDLE_LOCK_MINUTES, "minutes")
        _choice(source, "[station] window", self.window, WINDOW_MODES)
        _printer(source, self.printer)
        if not isinstance(self.scanner, ScannerConfig):
            raise ConfigError(source, "[scanner]", self.scanner, "a ScannerConfig")
        self.scanner.check(source)

    @property
    def is_set_up(self) -> bool:
        """False until the station code is chosen: the application then opens the setup dialog."""
        return self.station_code is not None

    def printer_settings(self, preview: Path | None = None) -> PrinterSettings:
        """The settings [printer] makes; a preview printer writes to `preview`, else preview_folder()."""
        return PrinterSettings.from_mapping(dict(self.printer), preview_folder=preview or preview_folder())


# --- Reading ----------------------------------------------------------------------------------


def load(path: Path | None = None, environ: Mapping[str, str] | None = None) -> StationConfig:
    """The effective config: the file's own (`load_file`), with the environment's overrides applied.

    Without `path` the file is TRACESTATION_CONFIG of `environ` (the process environment by default),
    else station.toml in the user config folder, as config_file_path finds it.
    """
    environ = os.environ if environ is None else environ
    return apply_environment(load_file(_path(path, environ)), environ)


def load_file(path: Path | None = None) -> StationConfig:
    """The file's own config, without the environment: what the setup dialog edits and saves.

    A missing file is a station not set up yet (defaults, no station code); a file that exists is
    read strictly: unknown keys, wrong types and values out of range are refused.
    """
    path = config_file_path() if path is None else path
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return StationConfig()
    except OSError as error:
        raise ConfigError(str(path), None, _NOTHING, f"cannot be read ({error})") from error
    source = str(path)
    if raw.startswith(b"\xef\xbb\xbf"):
        raise ConfigError(
            source, None, _NOTHING, "starts with a byte order mark (UTF-8 with BOM): save it as plain UTF-8"
        )
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise ConfigError(source, None, _NOTHING, f"is not UTF-8 text ({error})") from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(source, None, _NOTHING, f"is not valid TOML ({error})") from error
    return _from_toml(data, source)


def resolve_database_url(environ: Mapping[str, str] | None = None, path: Path | None = None) -> URL:
    """The database this station uses: TRACESTATION_DATABASE_URL, else the file's [database] url,
    else the embedded SQLite database.

    The environment wins without the file being read, so an administrator can point a command at a
    database whatever state the file is in; a file that is read is read strictly (`load_file`).
    """
    environ = os.environ if environ is None else environ
    raw = environ.get(ENV_DATABASE_URL) or load_file(_path(path, environ)).database_url
    return database_url(raw) if raw else embedded_url()


def _path(path: Path | None, environ: Mapping[str, str]) -> Path:
    if path is not None:
        return path
    override = environ.get(ENV_CONFIG_FILE)
    return Path(override) if override else config_file_path()


def _from_toml(data: dict[str, Any], source: str) -> StationConfig:
    """The config a parsed file describes, after checking its version and the shape of its tables."""
    if "version" not in data:
        extra = sorted(set(data) - _LEGACY_TABLES)
        if extra:
            raise ConfigError(
                source,
                "version",
                _NOTHING,
                f"missing, and the file has {', '.join(extra)}, which no earlier release wrote "
                f"without a version: add version = {CURRENT_VERSION} at the top",
            )
    else:
        version = data["version"]
        if type(version) is not int or version < 1:
            raise ConfigError(
                source,
                "version",
                version,
                f"a whole number; this TraceStation writes version {CURRENT_VERSION}",
            )
        if version > CURRENT_VERSION:
            raise ConfigError(
                source,
                "version",
                version,
                f"written by a newer TraceStation; this one reads up to version {CURRENT_VERSION}: "
                "install the newer TraceStation on this station, or set it up again",
            )
        # Older versions would be migrated here, one step at a time; version 1 is the first.
    unknown = sorted(set(data) - set(_TABLES) - {"version"})
    if unknown:
        raise ConfigError(
            source, unknown[0], data[unknown[0]], f"unknown; the file has version, {', '.join(_TABLES)}"
        )
    tables = {name: _table(data, name, source) for name in _TABLES}
    station, database, scanner = tables["station"], tables["database"], tables["scanner"]
    url = database.get("url")
    if isinstance(url, str) and not url.strip():
        url = None  # a blank url is "the embedded database", as resolve_database_url reads it
    try:
        config = StationConfig(
            version=CURRENT_VERSION,
            station_code=station.get("code"),
            language=station.get("language", DEFAULT_LANGUAGE),
            database_url=url,
            idle_lock_minutes=station.get("idle_lock_minutes", DEFAULT_IDLE_LOCK_MINUTES),
            window=station.get("window", DEFAULT_WINDOW),
            printer=_checked_printer(source, tables["printer"]),
            scanner=_scanner(source, scanner),
        )
    except ConfigError as error:
        if error.source != _MEMORY:
            raise
        raise error.relocated(source) from None
    return config


def _table(data: dict[str, Any], name: str, source: str) -> dict[str, Any]:
    table = data.get(name, {})
    if not isinstance(table, dict):
        raise ConfigError(source, name, table, f"must be a table ([{name}])")
    unknown = sorted(set(table) - _TABLES[name])
    if unknown:
        raise ConfigError(
            source,
            f"[{name}] {unknown[0]}",
            table[unknown[0]],
            f"unknown; [{name}] has {', '.join(sorted(_TABLES[name]))}",
        )
    return table


def _checked_printer(source: str, table: dict[str, Any]) -> FrozenTable:
    _printer(source, table)
    return FrozenTable(table)


def _scanner(source: str, table: dict[str, Any]) -> ScannerConfig:
    values = {name: table[name] for name in _TABLES["scanner"] if name in table}
    try:
        return ScannerConfig(**values)
    except ConfigError as error:
        raise error.relocated(source) from None


def apply_environment(config: StationConfig, environ: Mapping[str, str] | None = None) -> StationConfig:
    """`config` with what the environment sets, checked like the file; an empty variable is unset.

    The fields it set are named in `overrides`, so the result is never saved back into the file.
    """
    environ = os.environ if environ is None else environ
    changes: dict[str, Any] = {}
    for name, variable in ENVIRONMENT.items():
        value = environ.get(variable)
        if not value:  # as resolve_database_url treats an empty TRACESTATION_DATABASE_URL
            continue
        if name == "idle_lock_minutes":
            text = value.strip()
            if not re.fullmatch(r"[0-9]+", text):
                raise ConfigError(
                    _ENV, variable, value, f"a whole number of minutes, {_range(IDLE_LOCK_MINUTES)}"
                )
            changes[name] = int(text)
        else:
            changes[name] = value
    if not changes:
        return config
    try:
        return replace(config, **changes, overrides=config.overrides | set(changes))
    except ConfigError as error:
        raise error.relocated(_ENV, _VARIABLES.get(error.key or "", error.key)) from None


# The variable that set a field, by the field's key in the file.
_VARIABLES: Final[Mapping[str, str]] = {
    "[station] code": ENV_STATION,
    "[station] language": ENV_LANGUAGE,
    "[database] url": ENV_DATABASE_URL,
    "[station] idle_lock_minutes": ENV_IDLE_LOCK_MINUTES,
    "[station] window": ENV_WINDOW,
}


# --- Checks -----------------------------------------------------------------------------------


def _text(source: str, key: str, value: object, what: str, *, empty: bool = False) -> None:
    if type(value) is not str:
        raise ConfigError(source, key, value, f"text: {what}")
    if not empty and not value.strip():
        raise ConfigError(source, key, value, f"{what}; leave the key out rather than leave it empty")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ConfigError(source, key, value, "not valid text (a lone surrogate)") from None


def _choice(source: str, key: str, value: object, choices: tuple[Any, ...]) -> None:
    if type(value) is not type(choices[0]) or value not in choices:
        shown = (repr(choice) if isinstance(choice, str) else str(choice) for choice in choices)
        raise ConfigError(source, key, value, f"one of {', '.join(shown)}")


def _whole(source: str, key: str, value: object, allowed: range, unit: str) -> None:
    if type(value) is not int or value not in allowed:
        raise ConfigError(source, key, value, f"a whole number of {unit}, {_range(allowed)}")


def _range(allowed: range) -> str:
    return f"{allowed.start} to {allowed.stop - 1}"


def _station_code(source: str, key: str, value: object) -> None:
    what = "the code of a station in the database"
    _text(source, key, value, what)
    value = str(value)
    if (
        value != value.strip()
        or len(value) > CODE_LENGTH
        or any(ch.isspace() or not ch.isprintable() for ch in value)
    ):
        raise ConfigError(source, key, value, f"{what}: up to {CODE_LENGTH} characters, no spaces")


def _database_url(source: str, key: str, value: object) -> None:
    what = "postgresql+psycopg2://user@host/database, or sqlite:///path/to/file.sqlite3"
    if type(value) is not str:
        raise ConfigError(source, key, value, f"text: {what}")
    try:
        # The same reading the application will do, so a URL accepted here is one it can use.
        database_url(value)
    except (ValueError, ArgumentError):
        raise ConfigError(source, key, _hide_password(value), f"a PostgreSQL or SQLite URL: {what}") from None


def _hide_password(url: str) -> str:
    """The URL as an error message may show it: an installer's screenshot must not leak a password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ValueError, ArgumentError):
        return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


def _printer(source: str, table: Mapping[str, object]) -> None:
    """[printer] through PrinterSettings.from_mapping, after refusing unknown keys and wrong types."""
    for key, value in table.items():
        wanted = PRINTER_TYPES.get(key)
        if wanted is None:
            raise ConfigError(
                source, f"[printer] {key}", value, f"unknown; [printer] has {', '.join(PRINTER_TYPES)}"
            )
        if type(value) is not wanted:
            kind = {str: "text", int: "a whole number", bool: "true or false"}[wanted]
            raise ConfigError(source, f"[printer] {key}", value, kind)
    try:
        PrinterSettings.from_mapping(dict(table), preview_folder=preview_folder())
    except SettingsError as error:
        # Its message already reads "[printer] dpi = 100: 203 or 300"; the key is picked out of it.
        named = re.match(r"\[printer\] (\w+) = ", str(error))
        key = named.group(1) if named else None
        raise ConfigError(
            source,
            "[printer]" if key is None else f"[printer] {key}",
            table.get(key, _NOTHING) if key else _NOTHING,
            str(error),
            detail=str(error),
        ) from None


# --- Writing ----------------------------------------------------------------------------------


def dumps(config: StationConfig) -> str:
    """The TOML text of `config`: every key that has a value (None is left out; TOML has no null).

    Defaults are written too, so whoever opens the file on a station sees all it does, and a later
    release's new default does not change a station that is working.
    """
    station: dict[str, PrinterValue] = {}
    if config.station_code is not None:
        station["code"] = config.station_code
    station |= {
        "language": config.language,
        "idle_lock_minutes": config.idle_lock_minutes,
        "window": config.window,
    }
    scanner = config.scanner
    tables: dict[str, Mapping[str, PrinterValue]] = {
        "station": station,
        "database": {} if config.database_url is None else {"url": config.database_url},
        "printer": config.printer,
        "scanner": ({} if scanner.serial_port is None else {"serial_port": scanner.serial_port})
        | {
            "baud": scanner.baud,
            "prefix": scanner.prefix,
            "suffix": scanner.suffix,
            "gap_ms": scanner.gap_ms,
        },
    }
    document: dict[str, Any] = {"version": config.version}
    document |= {name: dict(table) for name, table in tables.items() if table}
    return "# TraceStation station config, written by TraceStation.\n" + tomli_w.dumps(document)


def save(config: StationConfig, path: Path | None = None) -> Path:
    """Writes `config` to the file atomically and returns where: a crash or power cut mid-write leaves
    the old file or the new one, never half of one (a temporary file in the same folder, fsynced,
    then os.replace). The folder is made if needed; an existing file keeps its permissions, a new one
    is readable by its user only (it may hold a database password).

    A config with environment overrides is refused: save the file's own config (`load_file`), with
    the changes made to it, so a value that came from the environment is not written into the file.
    """
    if config.overrides:
        variables = ", ".join(ENVIRONMENT[name] for name in sorted(config.overrides))
        raise ConfigError(
            _MEMORY,
            "overrides",
            sorted(config.overrides),
            f"set by the environment ({variables}); save the file's own config (load_file) instead",
        )
    path = config_file_path() if path is None else path
    text = dumps(config)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(text.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileNotFoundError):  # a new file keeps mkstemp's owner-only mode
            os.chmod(temporary, stat.S_IMODE(path.stat().st_mode))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)
    return path


def _sync_folder(folder: Path) -> None:
    """Makes the rename itself durable (POSIX); Windows has no directory handles to fsync."""
    if os.name != "posix":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
