"""The station config file: read strictly, written atomically, never mixed with the environment."""

from __future__ import annotations

import dataclasses
import os
import stat
import tomllib
from pathlib import Path

import pytest

from desktop import config as station_config
from desktop.config import (
    CURRENT_VERSION,
    ConfigError,
    ScannerConfig,
    StationConfig,
    apply_environment,
    dumps,
    load,
    load_file,
    preview_folder,
    resolve_database_url,
    save,
)

FULL = StationConfig(
    station_code="PACK-01",
    language="en_US",
    database_url="postgresql+psycopg2://trace:s3cret@db.plant:5432/trace",
    idle_lock_minutes=30,
    window="window",
    printer={"driver": "zpl", "connection": "tcp://10.0.0.9:9100", "dpi": 300, "darkness": 20, "copies": 2},
    scanner=ScannerConfig(serial_port="COM3", baud=115200, prefix="]C1", suffix="\r\n", gap_ms=25),
)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "station.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_missing_file_is_a_station_not_set_up_yet(tmp_path: Path) -> None:
    config = load(tmp_path / "station.toml", environ={})
    assert config == StationConfig()
    assert config.station_code is None and not config.is_set_up
    assert (config.version, config.language, config.database_url) == (CURRENT_VERSION, "zh_CN", None)
    assert config.idle_lock_minutes == 15
    assert config.window == "fullscreen"  # a station PC is a kiosk unless told otherwise
    assert config.scanner == ScannerConfig(serial_port=None, baud=9600, prefix="", suffix="\r", gap_ms=40)
    settings = config.printer_settings()
    assert settings.driver == "preview"
    assert Path(settings.connection) == preview_folder()
    assert preview_folder().name == "labels"
    assert not (tmp_path / "station.toml").exists()  # reading never creates the file


def test_the_default_path_is_the_one_the_config_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, 'version = 1\n[station]\ncode = "RCV-01"\n')
    monkeypatch.setenv("TRACESTATION_CONFIG", str(path))
    assert load_file().station_code == "RCV-01"
    assert load(environ={"TRACESTATION_CONFIG": str(path)}).station_code == "RCV-01"
    other = tmp_path / "other"
    other.mkdir()
    assert save(dataclasses.replace(load_file(), language="en_US")) == path
    assert load_file(path).language == "en_US"
    assert list(other.iterdir()) == []


@pytest.mark.parametrize(
    "config",
    [
        StationConfig(),
        FULL,
        StationConfig(
            station_code="装配-01",
            scanner=ScannerConfig(prefix='"q"\\\x1d', suffix="\t", gap_ms=1000),
            printer={
                "driver": "escpos",
                "connection": "serial://COM4?baud=19200",
                "font": "C:\\Fonts\\msyh.ttc",
            },
        ),
        StationConfig(printer={"driver": "preview", "connection": "/srv/labels", "cut": False}),
    ],
    ids=["defaults", "full", "escaped-text", "preview-folder"],
)
def test_what_is_saved_loads_back_the_same(tmp_path: Path, config: StationConfig) -> None:
    path = save(config, tmp_path / "station.toml")
    loaded = load(path, environ={})
    assert loaded == config
    assert dict(loaded.printer) == dict(config.printer)
    assert loaded.scanner.suffix == config.scanner.suffix
    assert tomllib.loads(path.read_text(encoding="utf-8"))["version"] == CURRENT_VERSION
    assert path.read_text(encoding="utf-8") == dumps(config)
    # Saving what was loaded changes nothing.
    save(loaded, path)
    assert path.read_text(encoding="utf-8") == dumps(config)


def test_the_database_url_is_read_from_the_same_file(tmp_path: Path) -> None:
    path = save(FULL, tmp_path / "station.toml")
    url = resolve_database_url({}, path)
    assert (url.drivername, url.host, url.database, url.password) == (
        "postgresql+psycopg2",
        "db.plant",
        "trace",
        "s3cret",
    )
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data["database"] == {"url": FULL.database_url}
    assert "database" not in tomllib.loads(dumps(StationConfig()))  # none: the embedded database


def test_a_blank_database_url_is_the_embedded_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, '[database]\nurl = ""\n')
    assert load_file(path).database_url is None
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    url = resolve_database_url({"TRACESTATION_DATABASE_URL": ""}, path)
    assert url.get_backend_name() == "sqlite" and url.database is not None
    assert Path(url.database).is_relative_to(tmp_path / "data")


def test_the_database_is_the_environment_s_then_the_file_s_then_the_embedded_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, '[database]\nurl = "postgresql+psycopg2://ts@db/trace"\n')
    url = resolve_database_url({"TRACESTATION_DATABASE_URL": "postgresql://ts@db.plant/trace"}, path)
    assert (url.drivername, url.host) == ("postgresql+psycopg2", "db.plant")
    assert resolve_database_url({}, path).host == "db"
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    embedded = resolve_database_url({}, tmp_path / "missing.toml")
    assert embedded.get_backend_name() == "sqlite" and embedded.database is not None
    assert Path(embedded.database).is_relative_to(tmp_path / "data")
    # The environment wins without the file being read: an administrator can fix a broken station.
    broken = write(tmp_path, 'database = "sqlite:///x"\n')
    assert resolve_database_url({"TRACESTATION_DATABASE_URL": "sqlite:///y"}, broken).database == "y"
    with pytest.raises(ConfigError, match="must be a table"):
        resolve_database_url({}, broken)
    with pytest.raises(ValueError, match="PostgreSQL or SQLite"):
        resolve_database_url({"TRACESTATION_DATABASE_URL": "mysql://root@localhost/x"}, path)


def test_the_config_file_is_found_through_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACESTATION_CONFIG", str(tmp_path / "elsewhere.toml"))
    assert station_config.config_file_path() == tmp_path / "elsewhere.toml"


def test_the_environment_wins_and_is_never_written_back(tmp_path: Path) -> None:
    path = save(FULL, tmp_path / "station.toml")
    environ = {
        "TRACESTATION_DATABASE_URL": "postgresql://env:envpass@db.other/trace",
        "TRACESTATION_STATION": "SHIP-02",
        "TRACESTATION_LANGUAGE": "zh_CN",
        "TRACESTATION_IDLE_LOCK_MINUTES": " 5 ",
        "TRACESTATION_WINDOW": "fullscreen",
    }
    effective = load(path, environ)
    assert effective.database_url == "postgresql://env:envpass@db.other/trace"
    assert (effective.station_code, effective.language, effective.idle_lock_minutes) == (
        "SHIP-02",
        "zh_CN",
        5,
    )
    assert effective.printer == FULL.printer and effective.scanner == FULL.scanner
    assert effective.window == "fullscreen"
    assert effective.overrides == {"database_url", "station_code", "language", "idle_lock_minutes", "window"}

    # The effective config is refused by save: the password and the station came from the environment.
    with pytest.raises(ConfigError, match="TRACESTATION_DATABASE_URL") as refused:
        save(dataclasses.replace(effective, scanner=ScannerConfig()), path)
    assert refused.value.key == "overrides"
    assert load_file(path) == FULL

    # The setup dialog saves from the file's own config: the environment stays out of the file.
    own = load_file(path)
    assert own == FULL and own.overrides == frozenset()
    save(dataclasses.replace(own, idle_lock_minutes=60), path)
    text = path.read_text(encoding="utf-8")
    for value in ("envpass", "db.other", "SHIP-02"):
        assert value not in text
    assert load_file(path) == dataclasses.replace(FULL, idle_lock_minutes=60)
    assert load(path, environ).idle_lock_minutes == 5


def test_an_empty_variable_is_unset(tmp_path: Path) -> None:
    path = save(FULL, tmp_path / "station.toml")
    environ = {name: "" for name in station_config.ENVIRONMENT.values()}
    config = load(path, environ)
    assert config == FULL and config.overrides == frozenset()
    assert apply_environment(FULL, {}) is FULL


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        ('version = "1"', "version", "'1'"),
        ("version = 0", "version", "0"),
        ("version = 1\nstation = 5", "station", "5"),
        ("version = 1\nextra = 1", "extra", "1"),
        ('version = 1\n[station]\nlanguage = "fr_FR"', "[station] language", "'fr_FR'"),
        ('version = 1\n[station]\nlanguage = "zh-CN"', "[station] language", "'zh-CN'"),
        ("version = 1\n[station]\nidle_lock_minutes = 0", "[station] idle_lock_minutes", "0"),
        ('version = 1\n[station]\nwindow = "kiosk"', "[station] window", "'kiosk'"),
        ("version = 1\n[station]\nidle_lock_minutes = 241", "[station] idle_lock_minutes", "241"),
        ('version = 1\n[station]\nidle_lock_minutes = "15"', "[station] idle_lock_minutes", "'15'"),
        ("version = 1\n[station]\nidle_lock_minutes = 15.0", "[station] idle_lock_minutes", "15.0"),
        ("version = 1\n[station]\nidle_lock_minutes = true", "[station] idle_lock_minutes", "True"),
        ('version = 1\n[station]\ncode = ""', "[station] code", "''"),
        ("version = 1\n[station]\ncode = 12", "[station] code", "12"),
        ('version = 1\n[station]\ncode = "PACK 01"', "[station] code", "'PACK 01'"),
        ('version = 1\n[station]\ncode = "' + "X" * 65 + '"', "[station] code", "'XXX"),
        ('version = 1\n[station]\nname = "Packing"', "[station] name", "'Packing'"),
        (
            'version = 1\n[database]\nurl = "mysql://root@localhost/x"',
            "[database] url",
            "'mysql://root@localhost/x'",
        ),
        ('version = 1\n[database]\nurl = "not a url"', "[database] url", "'not a url'"),
        ("version = 1\n[database]\nurl = 5", "[database] url", "5"),
        ('version = 1\n[database]\nhost = "db"', "[database] host", "'db'"),
        ('version = 1\ndatabase = "sqlite:///x"', "database", "'sqlite:///x'"),
        ("version = 1\n[scanner]\nbaud = 9601", "[scanner] baud", "9601"),
        ('version = 1\n[scanner]\nbaud = "9600"', "[scanner] baud", "'9600'"),
        ("version = 1\n[scanner]\ngap_ms = 0", "[scanner] gap_ms", "0"),
        ("version = 1\n[scanner]\nsuffix = 13", "[scanner] suffix", "13"),
        ('version = 1\n[scanner]\nsuffix = "#"', "[scanner] suffix", "'#'"),
        ("version = 1\n[scanner]\nprefix = false", "[scanner] prefix", "False"),
        ('version = 1\n[scanner]\nserial_port = ""', "[scanner] serial_port", "''"),
        ('version = 1\n[scanner]\nport = "COM3"', "[scanner] port", "'COM3'"),
        ('version = 1\n[printer]\ndriver = "laser"', "[printer] driver", "'laser'"),
        ("version = 1\n[printer]\ndriver = 5", "[printer] driver", "5"),
        ("version = 1\n[printer]\ndpi = 100", "[printer] dpi", "100"),
        ('version = 1\n[printer]\ncut = "yes"', "[printer] cut", "'yes'"),
        ("version = 1\n[printer]\nfont = true", "[printer] font", "True"),
        (
            'version = 1\n[printer]\ndriver = "zpl"\nconnection = "tcp://x:99999"',
            "[printer] connection",
            "99999",
        ),
        ('version = 1\n[printer]\ndriver = "zpl"', "[printer] driver", "'zpl'"),
        ("version = 1\n[printer]\nspeed = 4", "[printer] speed", "4"),
    ],
)
def test_a_bad_value_is_refused_with_its_file_key_and_value(
    tmp_path: Path, text: str, key: str, value: str
) -> None:
    path = write(tmp_path, text + "\n")
    with pytest.raises(ConfigError) as refused:
        load(path, environ={})
    message = str(refused.value)
    assert message.startswith(f"{path}: ")
    assert key in message and value in message
    assert refused.value.source == str(path)
    assert refused.value.key == key


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("TRACESTATION_LANGUAGE", "fr_FR"),
        ("TRACESTATION_IDLE_LOCK_MINUTES", "soon"),
        ("TRACESTATION_IDLE_LOCK_MINUTES", "0"),
        ("TRACESTATION_IDLE_LOCK_MINUTES", "1_5"),
        ("TRACESTATION_IDLE_LOCK_MINUTES", "-5"),
        ("TRACESTATION_STATION", "PACK 01"),
        ("TRACESTATION_DATABASE_URL", "oracle://scott@db/orcl"),
    ],
)
def test_a_bad_environment_value_is_refused_naming_the_variable(
    tmp_path: Path, variable: str, value: str
) -> None:
    with pytest.raises(ConfigError, match=variable) as refused:
        load(tmp_path / "station.toml", environ={variable: value})
    assert refused.value.source == "environment"
    assert refused.value.key == variable


def test_a_password_is_not_shown_in_a_refusal(tmp_path: Path) -> None:
    path = write(tmp_path, 'version = 1\n[database]\nurl = "mysql://root:hunter2@db/x"\n')
    with pytest.raises(ConfigError, match=r"\[database\] url") as refused:
        load_file(path)
    assert "hunter2" not in str(refused.value)
    with pytest.raises(ConfigError) as refused:
        load(tmp_path / "none.toml", environ={"TRACESTATION_DATABASE_URL": "oracle://u:hunter2@db/x"})
    assert "hunter2" not in str(refused.value)


def test_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, f'version = {CURRENT_VERSION + 1}\n[station]\ncode = "PACK-01"\nshift = "B"\n')
    with pytest.raises(ConfigError, match="newer TraceStation") as refused:
        load(path, environ={})
    assert str(path) in str(refused.value) and refused.value.key == "version"


def test_a_file_without_version_is_refused_unless_an_earlier_release_wrote_it(tmp_path: Path) -> None:
    path = write(tmp_path, '[station]\ncode = "PACK-01"\n')
    with pytest.raises(ConfigError, match="add version = 1") as refused:
        load_file(path)
    assert refused.value.key == "version"


@pytest.mark.parametrize(
    "text",
    [
        '[database]\nurl = "postgresql+psycopg2://ts@db/trace"\n\n[printer]\ndriver = "zpl"\n'
        'connection = "tcp://10.0.0.9:9100"\ndpi = 203\n',
        '[printer]\ndriver = "preview"\n',
        '[database]\nurl = "sqlite:////srv/trace.sqlite3"\n',
        "",
    ],
    ids=["database-and-printer", "printer", "database", "empty"],
)
def test_a_file_from_an_earlier_release_is_read_as_version_1(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, text)
    config = load(path, environ={})
    assert config.version == 1 and config.station_code is None
    legacy = tomllib.loads(text)
    assert config.database_url == legacy.get("database", {}).get("url")
    assert dict(config.printer) == legacy.get("printer", {})
    # Saved again, it gets its version and loads back the same.
    save(config, path)
    assert tomllib.loads(path.read_text(encoding="utf-8"))["version"] == 1
    assert load(path, environ={}) == config


def test_the_printer_table_goes_through_printer_settings(tmp_path: Path) -> None:
    path = write(tmp_path, 'version = 1\n[printer]\ndriver = "laser"\n')
    with pytest.raises(ConfigError, match=r"\[printer\] driver = 'laser': one of preview, escpos, zpl"):
        load_file(path)
    config = load_file(save(FULL, tmp_path / "station.toml"))
    settings = config.printer_settings()
    assert (settings.driver, settings.connection, settings.dpi, settings.darkness, settings.copies) == (
        "zpl",
        "tcp://10.0.0.9:9100",
        300,
        20,
        2,
    )
    preview = StationConfig().printer_settings(tmp_path / "labels")
    assert (preview.driver, preview.connection) == ("preview", str(tmp_path / "labels"))


def test_a_config_made_in_code_is_checked_too() -> None:
    with pytest.raises(ConfigError, match=r"\[station\] idle_lock_minutes = 0") as refused:
        dataclasses.replace(FULL, idle_lock_minutes=0)
    assert refused.value.source == "station config"
    with pytest.raises(ConfigError, match=r"\[printer\] native"):
        StationConfig(printer={"native": True})
    with pytest.raises(ConfigError, match="version"):
        StationConfig(version=2)


def test_a_config_is_frozen_and_hashable() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        FULL.language = "zh_CN"  # type: ignore[misc]
    with pytest.raises(TypeError):
        FULL.printer["dpi"] = 203  # type: ignore[index]
    assert hash(FULL) == hash(dataclasses.replace(FULL))
    assert len({FULL, dataclasses.replace(FULL), StationConfig()}) == 2


def test_the_write_is_atomic_and_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "nested" / "folder" / "station.toml"
    assert save(FULL, path) == path  # the folder is made
    assert [entry.name for entry in path.parent.iterdir()] == ["station.toml"]
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600  # it may hold a database password
        path.chmod(0o640)
    save(StationConfig(), path)
    assert [entry.name for entry in path.parent.iterdir()] == ["station.toml"]
    assert load_file(path) == StationConfig()
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o640  # an existing file keeps its permissions

    def power_cut(source: object, target: object) -> None:
        raise OSError("power cut")

    monkeypatch.setattr(station_config.os, "replace", power_cut)
    with pytest.raises(OSError, match="power cut"):
        save(FULL, path)
    assert [entry.name for entry in path.parent.iterdir()] == ["station.toml"]
    assert load_file(path) == StationConfig()  # the old file, whole


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"[printer\n", "not valid TOML"),
        (b"\xef\xbb\xbfversion = 1\n", "byte order mark"),
        (b'version = 1\n[station]\ncode = "\xff"\n', "not UTF-8"),
    ],
)
def test_an_unreadable_file_is_refused_naming_it(tmp_path: Path, content: bytes, why: str) -> None:
    path = tmp_path / "station.toml"
    path.write_bytes(content)
    with pytest.raises(ConfigError, match=why) as refused:
        load_file(path)
    assert str(refused.value).startswith(f"{path}: ")
