"""A station prints a unit's label: the job is recorded first, a failed printer leaves it
re-sendable, a retried action does not print twice; and `tracestation-admin print-test`."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from desktop import labels
from desktop.admin import main
from models import print_jobs
from models.schema import EventType, PrintJob, PrintJobStatus
from printing.settings import PrinterSettings
from tests.models import flows
from tests.printing.test_printers import FakePrinter
from tests.support import OPERATOR, Plant


def closed_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return probe.getsockname()[1]


def test_a_label_is_recorded_sent_and_never_printed_twice(plant: Plant, tmp_path: Path) -> None:
    [meter] = flows.released_meters(plant, 1)
    settings = PrinterSettings.from_mapping({}, preview_folder=tmp_path / "labels")
    actor = plant.actor(OPERATOR, "PCK-01")
    printed = labels.print_unit_label(plant.db, actor, meter, settings)
    assert printed.status is PrintJobStatus.SENT and str(tmp_path / "labels") in printed.detail
    again = labels.print_unit_label(plant.db, actor.retry(), meter, settings)  # a retried action
    assert (again.job_id, again.status) == (printed.job_id, PrintJobStatus.SENT)
    assert again.detail == "already sent or being sent"
    assert len(list((tmp_path / "labels").glob("*.png"))) == 1
    assert [e.event_type for e in flows.events(plant, meter, EventType.PRINT)] == [EventType.PRINT]


def test_a_failed_printer_leaves_the_job_to_send_again(plant: Plant, tmp_path: Path) -> None:
    [meter] = flows.released_meters(plant, 1)
    down = PrinterSettings.from_mapping(
        {"driver": "zpl", "connection": f"tcp://127.0.0.1:{closed_port()}"}, preview_folder=tmp_path
    )
    failed = labels.print_unit_label(plant.db, plant.actor(OPERATOR, "PCK-01"), meter, down)
    assert failed.status is PrintJobStatus.FAILED and "UNREACHABLE" in failed.detail
    [row] = flows.rows(plant, PrintJob, PrintJob.id == failed.job_id)
    assert row.status is PrintJobStatus.FAILED and "UNREACHABLE" in (row.error or "")
    fake = FakePrinter()
    try:
        up = PrinterSettings.from_mapping(
            {"driver": "zpl", "connection": f"tcp://127.0.0.1:{fake.port}"}, preview_folder=tmp_path
        )
        sent = labels.send_job(plant.db, row.id, up)
        assert sent.status is PrintJobStatus.SENT
        assert fake.done.wait(5) and bytes(fake.received).startswith(b"^XA")
    finally:
        fake.close()
    assert print_jobs.job_status(plant.db, row.id) is PrintJobStatus.SENT


def test_print_test_prints_a_sample_or_says_why_not(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACESTATION_CONFIG", str(tmp_path / "station.toml"))
    (tmp_path / "station.toml").write_text('[printer]\ndriver = "preview"\n', encoding="utf-8")
    assert main(["print-test", "--template", "carton", "--connection", str(tmp_path / "out")]) == 0
    assert "carton" in capsys.readouterr().out and len(list((tmp_path / "out").glob("*.png"))) == 1
    assert main(["print-test", "--driver", "zpl", "--connection", f"tcp://127.0.0.1:{closed_port()}"]) == 2
    assert "UNREACHABLE" in capsys.readouterr().err
    assert main(["print-test", "--template", "box"]) == 2
    assert "no built-in label template" in capsys.readouterr().err
    (tmp_path / "station.toml").write_text("[printer\n", encoding="utf-8")
    assert main(["print-test"]) == 2
    assert "station.toml" in capsys.readouterr().err
