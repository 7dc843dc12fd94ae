"""Waiting on the reporter: "Menunggu pelapor" stops a step's clock; the reporter's answer or the operator
restarts it; the deadline moves by the stopped time in the limit's own kind of time; the SLA excludes it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from cakra.common.errors import SopError
from cakra.notify.render import render_message
from cakra.notify.report import summary_context
from cakra.workflow.sla import step_times, visits
from cakra.workflow.sop import load_sop
from tests.helpers_time import REPORTER, recipients, use_working_days, wib
from tests.site import T0, Site, response

TICKET = "CAKRA-2026-000001"


def minutes(n: float):
    return T0 + timedelta(minutes=n)


def officials(site: Site, since: int) -> list[str]:
    return [r for r in recipients(site, since) if r != REPORTER.split("@")[0]]


def test_waiting_stops_the_clock_and_the_reporters_answer_restarts_it(site: Site) -> None:
    site.submit(response(0, ktp_photo=""))
    site.poll(minutes(1))
    site.edit(TICKET, Tahap="Menunggu pelapor", Petugas="Op. Sari", Disposisi="Minta foto KTP lewat WA")
    result = site.poll(minutes(5))
    assert result.paused == 1 and result.moved == 0
    row = site.row(TICKET)
    assert row["Tahap Saat Ini"] == "2. Operator (menunggu pelapor)"
    assert row["Terlambat"] == "Tidak (menunggu pelapor)"
    assert row["Batas Waktu"] == "23/11/2026 08:15 (waktu berhenti)"
    assert "Foto KTP pelapor" in str(row["Pesan Sistem"]) and "Op. Sari" in str(row["Pesan Sistem"])

    sent = len(site.emails())
    assert site.poll(minutes(30)).messages == 0  # past the old deadline: no reminder, no escalation
    assert site.row(TICKET)["Terlambat"] == "Tidak (menunggu pelapor)"

    # The reporter edits the response and adds the KTP photo: the clock runs again, 36 minutes later.
    site.set_response(0, response(40))  # the form restamps an edited response
    result = site.poll(minutes(41))
    assert result.resumed == 1
    row = site.row(TICKET)
    assert row["Tahap Saat Ini"] == "2. Operator" and row["Batas Waktu"] == "23/11/2026 08:51"
    assert "Pelapor melengkapi Foto KTP pelapor" in str(row["Pesan Sistem"])
    kinds = [(h.kind, h.deadline) for h in site.app.ledger.history(TICKET)]
    assert ("menunggu pelapor", None) in kinds and ("dilanjutkan", wib(2026, 11, 23, 8, 51)) in kinds

    assert site.poll(minutes(48.5)).reminders == 1  # 80 % point moved by the same 36 minutes
    assert site.poll(minutes(50)).messages == 0
    assert officials(site, sent) == ["operator"]

    # Handled at 08:45: on time against the extended deadline (late against the original 08:15).
    site.edit(TICKET, Tahap="3", Petugas="Op. Sari")
    site.poll(minutes(45 + 5))
    context = summary_context(site.app.mailer, site.app.book, minutes(51), "kepala_badan")
    operator = next(c for c in context["compliance"] if c["title"] == "2. Operator")
    assert (operator["on_time"], operator["late"], operator["paused"]) == (1, 0, 1)
    assert operator["paused_time"] == timedelta(minutes=36)
    sop = site.app.sop
    all_visits = visits(site.app.ledger.cases(), site.app.ledger.history(), sop, site.app.calendar)
    [times] = [t for t in step_times(all_visits, sop, minutes(51)) if t.step == "operator"]
    assert times.median == timedelta(minutes=50 - 36)  # time spent, waiting excluded


def test_a_partial_answer_keeps_waiting(site: Site) -> None:
    site.submit(response(0, ktp_photo="", event_photo=""))
    site.poll(minutes(1))
    site.edit(TICKET, Tahap="menunggu", Petugas="Op. Sari")
    site.poll(minutes(2))
    site.set_response(0, response(2.5, event_photo=""))  # only the KTP came
    assert site.poll(minutes(3)).resumed == 0
    row = site.row(TICKET)
    assert row["Tahap Saat Ini"] == "2. Operator (menunggu pelapor)"
    assert "Masih menunggu pelapor: Foto kejadian" in str(row["Pesan Sistem"])


def test_the_operator_resumes_a_working_time_step_and_only_working_time_is_added(site: Site) -> None:
    use_working_days(site)
    ticket = "ADUAN-2026-000001"
    site.submit(response(timestamp=wib(2026, 8, 14, 15, 0).replace(tzinfo=None)))
    site.poll(wib(2026, 8, 14, 15, 5))
    assert site.row(ticket)["Batas Waktu"] == "20/08/2026 16:00"
    site.edit(ticket, Tahap="Menunggu pelapor", Petugas="Admin Rina")
    site.poll(wib(2026, 8, 14, 15, 30))
    # Back on Tuesday 09.00: 1 h on Friday + 1.5 h on Tuesday stood still (not the 3.7 days in between).
    site.edit(ticket, Tahap="1. Verifikasi")
    result = site.poll(wib(2026, 8, 18, 9, 0))
    assert result.resumed == 1
    assert site.row(ticket)["Batas Waktu"] == "21/08/2026 10:00"
    [resumed] = [h for h in site.app.ledger.history(ticket) if h.kind == "dilanjutkan"]
    assert "Dilanjutkan oleh Admin Rina" in resumed.note and "2 jam 30 menit waktu kerja" in resumed.note


def test_moving_a_waiting_case_on_ends_the_wait_first(site: Site) -> None:
    site.submit(response(0, ktp_photo=""))
    site.poll(minutes(1))
    site.edit(TICKET, Tahap="Menunggu pelapor", Petugas="Op. Sari")
    site.poll(minutes(2))
    site.edit(TICKET, Tahap="Tidak valid")
    result = site.poll(minutes(10))
    assert result.moved == 1
    kinds = [h.kind for h in site.app.ledger.history(TICKET)]
    assert kinds[-2:] == ["dilanjutkan", "pindah tahap"]
    assert site.row(TICKET)["Tahap Saat Ini"] == "Tidak valid"
    site.edit(TICKET, Tahap="Menunggu pelapor")
    site.poll(minutes(11))
    assert "sudah ditutup" in str(site.row(TICKET)["Pesan Sistem"])


def test_the_waiting_choice_is_offered_and_reserved(tmp_path: Path) -> None:
    sop = load_sop(Path("workflow/sops/cakra-linmas.toml"))
    assert sop.choices()[-1] == "Menunggu pelapor"  # also in the Google dropdown made from choices()
    clash = tmp_path / "sop.toml"
    clash.write_text(
        Path("workflow/sops/cakra-linmas.toml")
        .read_text()
        .replace('title = "4. Kabid verifikasi"', 'title = "Menunggu pelapor"')
    )
    with pytest.raises(SopError, match="reserved for pausing a case"):
        load_sop(clash)


def test_waiting_is_shown_in_the_leadership_summary(site: Site) -> None:
    site.submit(response(0, ktp_photo=""))
    site.poll(minutes(1))
    site.edit(TICKET, Tahap="Menunggu pelapor", Petugas="Op. Sari")
    site.poll(minutes(2))
    site.set_response(0, response(11))
    site.poll(minutes(12))
    site.edit(TICKET, Tahap="3", Petugas="Op. Sari")
    site.poll(minutes(20))
    context = summary_context(site.app.mailer, site.app.book, minutes(21), "kepala_badan")
    text = render_message("summary", context).text
    assert (
        "2. Operator: 1 tepat waktu, 0 terlambat (100 %), 1 pernah menunggu pelapor (10 menit, tidak dihitung)"
        in text
    )
