"""Print jobs and label content on units made by the real operations: every label reads back,
through the stations' own resolver, to the very unit it was printed for."""

from __future__ import annotations

import pytest
import zxingcpp

from demo.plant import METER
from models import print_jobs
from models.errors import DomainError, ErrorCode
from models.print_jobs import claim, mark_failed
from models.resolve import resolve
from models.schema import EventType, PrintJob, PrintJobStatus, Unit, WorkOrder
from printing.render import render
from printing.template import built_in
from tests.models import flows
from tests.support import OPERATOR, SUPERVISOR, Plant


def scans(plant: Plant, job: print_jobs.PrintJobResult) -> list[str]:
    """Each barcode of the rendered label, as a scanner sends it (AIM prefix and GS), resolved."""
    image = render(built_in(job.template), job.fields, dpi=203).convert("L")
    return [
        resolve(plant.db, symbol.symbology_identifier + symbol.bytes.decode("ascii")).code
        for symbol in zxingcpp.read_barcodes(image)
    ]


def test_labels_of_a_lot_a_serial_a_carton_and_a_pallet_scan_back_to_their_unit(plant: Plant) -> None:
    batch = flows.build_meters(plant, 2)
    box = flows.carton(plant, batch.meters)
    pallet = flows.pallet(plant, [box])
    for code, template in (
        (batch.pcb_lot, "material_lot"),
        (batch.meters[0], "serial"),
        (box, "carton"),
        (pallet, "pallet"),
    ):
        job = print_jobs.print_label(
            plant.db, plant.actor(OPERATOR, "PCK-01"), unit_code=code, printer="preview"
        )
        assert (code, job.template, job.status) == (code, template, "RESERVED")
        found = scans(plant, job)
        assert code in found, (template, found)
        if template == "carton":  # the content barcode names the item, not a unit
            assert job.fields["count"] == "2" and job.fields["lot"] == batch.work_order
            assert job.fields["content_barcode"] == f"(02)06901234000016(37)2(10){batch.work_order}"
        assert all(hit == code for hit in found if hit != METER), found
    compound = flows.compound_lot(plant)  # a lot of an item with a GTIN: GS1-128 and a Digital Link QR
    lot_job = print_jobs.print_label(
        plant.db, plant.actor(OPERATOR, "PCK-01"), unit_code=compound, printer="preview"
    )
    assert lot_job.fields["link"].startswith("https://id.gs1.org/01/06901234000023/10/")
    assert scans(plant, lot_job) == [compound, compound]
    serial = print_jobs.print_label(
        plant.db, plant.actor(OPERATOR, "PCK-01"), unit_code=batch.meters[1], printer="preview"
    )
    assert serial.fields["barcode"].startswith("(01)") and serial.fields["barcode_gs1"] is True
    assert [e.event_type for e in flows.events(plant, batch.meters[1], EventType.PRINT)] == [EventType.PRINT]


def test_a_job_is_recorded_before_it_is_sent_and_moves_only_forward(plant: Plant) -> None:
    [meter] = flows.released_meters(plant, 1)
    job = flows.replayed(
        plant,
        print_jobs.print_label,
        plant.actor(OPERATOR, "PCK-01"),
        unit_code=meter,
        printer="ZPL 10.0.0.9",
    )
    claimed = claim(plant.db, job.job_id, "ZPL 10.0.0.9:9100")
    assert claimed is not None and (claimed.template, claimed.fields, claimed.copies) == (
        "serial",
        job.fields,
        1,
    )
    assert claim(plant.db, job.job_id, "another station") is None  # only one station sends it
    assert mark_failed(plant.db, job.job_id, "10.0.0.9:9100: UNREACHABLE") is PrintJobStatus.FAILED
    assert claim(plant.db, job.job_id, "ZPL 10.0.0.9:9100") is not None  # sent again after the failure
    confirmed = flows.replayed(
        plant, print_jobs.confirm_label, plant.actor(OPERATOR, "PCK-01"), unit_code=meter
    )
    assert confirmed.status == PrintJobStatus.CONFIRMED  # the label scanned back
    [row] = flows.rows(plant, PrintJob, PrintJob.id == job.job_id)
    assert (row.status, row.error, row.printer) == (PrintJobStatus.CONFIRMED, None, "ZPL 10.0.0.9:9100")
    with pytest.raises(DomainError) as wrong:
        mark_failed(plant.db, job.job_id, "late")
    assert wrong.value.code is ErrorCode.PRINT_JOB_STATE
    with pytest.raises(DomainError) as missing:
        claim(plant.db, 999_999, "x")
    assert missing.value.code is ErrorCode.UNKNOWN_PRINT_JOB
    [scrapped] = flows.released_meters(plant, 1)
    flows.scrap(plant, scrapped)
    flows.refused(
        plant,
        ErrorCode.UNIT_SCRAPPED,
        lambda: print_jobs.print_label(plant.db, plant.actor(), unit_code=scrapped, printer="preview"),
    )
    flows.refused(
        plant,
        ErrorCode.LABEL_ALREADY_PRINTED,
        lambda: print_jobs.print_label(plant.db, plant.actor(), unit_code=meter, printer="preview"),
    )


def test_a_reprint_is_a_supervisors_with_a_reason_and_prints_the_same_label(plant: Plant) -> None:
    [meter] = flows.released_meters(plant, 1)
    first = print_jobs.print_label(
        plant.db, plant.actor(OPERATOR, "PCK-01"), unit_code=meter, printer="preview"
    )
    flows.refused(
        plant,
        ErrorCode.ROLE_REQUIRED,
        lambda: print_jobs.reprint_label(
            plant.db, plant.actor(OPERATOR, "PCK-01"), job_id=first.job_id, reason="torn"
        ),
    )
    flows.refused(
        plant,
        ErrorCode.REASON_REQUIRED,
        lambda: print_jobs.reprint_label(
            plant.db, plant.actor(SUPERVISOR, "PCK-01"), job_id=first.job_id, reason=" "
        ),
    )
    flows.refused(
        plant,
        ErrorCode.UNKNOWN_PRINT_JOB,
        lambda: print_jobs.reprint_label(
            plant.db, plant.actor(SUPERVISOR, "PCK-01"), job_id=999_999, reason="torn"
        ),
    )
    again = print_jobs.reprint_label(
        plant.db,
        plant.actor(SUPERVISOR, "PCK-01"),
        job_id=first.job_id,
        reason="label torn at packing",
        copies=2,
    )
    assert (again.reprint_of, again.fields, again.copies) == (first.job_id, first.fields, 2)
    [reprint] = flows.events(plant, meter, EventType.REPRINT)
    assert reprint.reason == "label torn at packing"
    flows.refused(  # a serial on three labels is two units too many
        plant,
        ErrorCode.BAD_QUANTITY,
        lambda: print_jobs.reprint_label(
            plant.db, plant.actor(SUPERVISOR, "PCK-01"), job_id=first.job_id, reason="torn", copies=3
        ),
    )


# --- scan-back confirmation, and what a station still owes -----------------------------------------


def printed(plant: Plant, code: str, station: str = "PCK-01") -> print_jobs.PrintJobResult:
    """A label recorded and claimed for sending (SENT), as the station's printer path leaves it."""
    job = print_jobs.print_label(plant.db, plant.actor(OPERATOR, station), unit_code=code, printer="preview")
    assert claim(plant.db, job.job_id, "preview") is not None
    return job


def test_a_label_scanned_back_is_confirmed_once(plant: Plant) -> None:
    meters = flows.released_meters(plant, 2)
    job = printed(plant, meters[0])
    confirmed = flows.replayed(
        plant, print_jobs.confirm_label, plant.actor(OPERATOR, "PCK-01"), unit_code=meters[0]
    )
    assert (confirmed.job_id, confirmed.unit_code, confirmed.status) == (job.job_id, meters[0], "CONFIRMED")
    [row] = flows.rows(plant, PrintJob, PrintJob.id == job.job_id)
    assert row.status is PrintJobStatus.CONFIRMED
    again = flows.refused(
        plant,
        ErrorCode.PRINT_JOB_STATE,
        lambda: print_jobs.confirm_label(plant.db, plant.actor(OPERATOR, "PCK-01"), unit_code=meters[0]),
    )
    assert (again.params["job"], again.params["status"], again.params["wanted"]) == (
        job.job_id,
        "CONFIRMED",
        "CONFIRMED",
    )
    # No label at all, and a label reserved but never sent, cannot be confirmed either.
    flows.refused(
        plant,
        ErrorCode.UNKNOWN_PRINT_JOB,
        lambda: print_jobs.confirm_label(plant.db, plant.actor(OPERATOR, "PCK-01"), unit_code=meters[1]),
    )
    reserved = print_jobs.print_label(
        plant.db, plant.actor(OPERATOR, "PCK-01"), unit_code=meters[1], printer="preview"
    )
    error = flows.refused(
        plant,
        ErrorCode.PRINT_JOB_STATE,
        lambda: print_jobs.confirm_label(plant.db, plant.actor(OPERATOR, "PCK-01"), unit_code=meters[1]),
    )
    assert (error.params["job"], error.params["status"]) == (reserved.job_id, "RESERVED")
    flows.refused(
        plant,
        ErrorCode.UNKNOWN_CODE,
        lambda: print_jobs.confirm_label(plant.db, plant.actor(OPERATOR, "PCK-01"), unit_code="NOPE"),
    )


def test_a_station_owes_its_unconfirmed_serial_labels_and_its_failed_ones(plant: Plant) -> None:
    batch = flows.build_meters(plant, 4)
    meters = batch.meters
    jobs = [printed(plant, meter) for meter in meters[:3]]
    box = flows.carton(plant, [meters[3]])
    carton_job = printed(plant, box)  # a carton label is not scanned back: never awaited
    owed = print_jobs.station_labels(plant.db, "PCK-01")
    assert [(j.job_id, j.unit_code, j.unit_kind, j.status, j.work_order_code) for j in owed.awaiting] == [
        (job.job_id, meter, "SERIAL", "SENT", batch.work_order)
        for job, meter in zip(jobs, meters, strict=False)
    ]
    assert owed.unprinted == []
    assert print_jobs.station_labels(plant.db, "SHP-01") == print_jobs.StationLabels([], [])

    print_jobs.confirm_label(plant.db, plant.actor(OPERATOR, "PCK-01"), unit_code=meters[0])
    mark_failed(plant.db, jobs[1].job_id, "paper out")
    mark_failed(plant.db, carton_job.job_id, "paper out")
    owed = print_jobs.station_labels(plant.db, "PCK-01")
    assert [j.unit_code for j in owed.awaiting] == [meters[2]]
    assert [(j.unit_code, j.status) for j in owed.unprinted] == [(meters[1], "FAILED"), (box, "FAILED")]

    # A reprint replaces the label: the serial waits for the new one to be scanned back.
    again = print_jobs.reprint_label(
        plant.db, plant.actor(SUPERVISOR, "PCK-01"), job_id=jobs[0].job_id, reason="torn"
    )
    assert claim(plant.db, again.job_id, "preview") is not None
    owed = print_jobs.station_labels(plant.db, "PCK-01")
    assert [(j.job_id, j.unit_code) for j in owed.awaiting] == [
        (jobs[2].job_id, meters[2]),
        (again.job_id, meters[0]),
    ]
    last = print_jobs.last_label(plant.db, meters[0])
    assert last == print_jobs.LabelJob(again.job_id, meters[0], "SERIAL", "SENT", batch.work_order)
    assert print_jobs.last_label(plant.db, batch.pcb_lot) is None


def test_a_work_order_s_labels_count_created_labelled_and_confirmed_serials(plant: Plant) -> None:
    batch = flows.build_meters(plant, 3, headroom=2)
    before = print_jobs.work_order_labels(plant.db, batch.work_order)
    assert before == print_jobs.WorkOrderLabels(
        code=batch.work_order,
        status="RELEASED",
        item_code=METER,
        item_name_zh="单相智能电表",
        item_name_en="Single-phase smart meter",
        serialized=True,
        planned=5,
        created=3,
        labelled=0,
        confirmed=0,
        remaining=2,
    )
    printed(plant, batch.meters[0])
    printed(plant, batch.meters[1])
    print_jobs.confirm_label(plant.db, plant.actor(OPERATOR, "PCK-01"), unit_code=batch.meters[0])
    after = print_jobs.work_order_labels(plant.db, batch.work_order)
    assert (after.labelled, after.confirmed, after.remaining) == (2, 1, 2)
    assert not print_jobs.work_order_labels(plant.db, flows_compound_order(plant)).serialized
    with pytest.raises(DomainError) as unknown:
        print_jobs.work_order_labels(plant.db, "WO-NOPE")
    assert unknown.value.code is ErrorCode.UNKNOWN_WORK_ORDER


def flows_compound_order(plant: Plant) -> str:
    """The work order that made a compound lot (lot-tracked: no serials to label)."""
    lot = flows.compound_lot(plant, 10)
    [unit] = flows.rows(plant, Unit, Unit.code == lot)
    [order] = flows.rows(plant, WorkOrder, WorkOrder.id == unit.work_order_id)
    return order.code


def test_a_label_recorded_and_never_sent_is_owed_as_not_printed_and_sent_by_its_job(plant: Plant) -> None:
    """RESERVED: the station lost the database between recording a job and sending it."""
    batch = flows.build_meters(plant, 2)
    box = flows.carton(plant, [batch.meters[1]])
    serial = print_jobs.print_label(
        plant.db, plant.actor(OPERATOR, "PCK-01"), unit_code=batch.meters[0], printer="preview"
    )
    carton = print_jobs.print_label(
        plant.db, plant.actor(OPERATOR, "PCK-01"), unit_code=box, printer="preview"
    )
    owed = print_jobs.station_labels(plant.db, "PCK-01")
    assert owed.awaiting == []
    assert [(j.job_id, j.unit_code, j.status) for j in owed.unprinted] == [
        (serial.job_id, batch.meters[0], "RESERVED"),
        (carton.job_id, box, "RESERVED"),
    ]
    last = print_jobs.last_label(plant.db, batch.meters[0])
    assert last is not None and not last.printed
    # Not a first label any more: it is sent again by its job, which claim takes from RESERVED.
    flows.refused(
        plant,
        ErrorCode.LABEL_ALREADY_PRINTED,
        lambda: print_jobs.print_label(
            plant.db, plant.actor(OPERATOR, "PCK-01"), unit_code=batch.meters[0], printer="preview"
        ),
    )
    assert claim(plant.db, serial.job_id, "preview") is not None
    assert claim(plant.db, carton.job_id, "preview") is not None
    owed = print_jobs.station_labels(plant.db, "PCK-01")
    assert [(j.unit_code, j.status) for j in owed.awaiting] == [(batch.meters[0], "SENT")]
    assert owed.unprinted == []
    sent = print_jobs.last_label(plant.db, batch.meters[0])
    assert sent is not None and sent.printed


def test_a_reprint_recorded_and_never_sent_is_owed_as_not_printed(plant: Plant) -> None:
    [meter] = flows.released_meters(plant, 1)
    first = printed(plant, meter)
    print_jobs.confirm_label(plant.db, plant.actor(OPERATOR, "PCK-01"), unit_code=meter)
    again = print_jobs.reprint_label(
        plant.db, plant.actor(SUPERVISOR, "PCK-01"), job_id=first.job_id, reason="torn"
    )
    owed = print_jobs.station_labels(plant.db, "PCK-01")
    assert [(j.job_id, j.status) for j in owed.unprinted] == [(again.job_id, "RESERVED")]
    assert owed.awaiting == []


def test_units_still_owed_their_first_label(plant: Plant) -> None:
    meters = flows.released_meters(plant, 4)
    printed(plant, meters[0])
    failed = print_jobs.print_label(
        plant.db, plant.actor(OPERATOR, "PCK-01"), unit_code=meters[1], printer="preview"
    )
    assert claim(plant.db, failed.job_id, "preview") is not None
    mark_failed(plant.db, failed.job_id, "paper out")
    flows.scrap(plant, meters[3])
    # A unit with a job (sent or failed) is owed through its job; a scrapped one gets no label.
    assert print_jobs.unlabelled(plant.db, [meters[3], meters[2], meters[1], meters[0], meters[2]]) == [
        meters[2]
    ]
    assert print_jobs.unlabelled(plant.db, []) == []
