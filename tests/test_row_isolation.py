"""One response or operator row that cannot be processed is flagged on its own case; the cycle goes on.

Issue 9, reproduction 1: a NIK typed with superscript digits, or a timestamp cell of year 9999 or 1,
made every cycle exit with a traceback, so no later report ever became a case.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

import cakra.row_guard
import cakra.workflow.operator_edits
from tests.site import T0, WIB, Site, response

TICKET1, TICKET2, TICKET3 = "CAKRA-2026-000001", "CAKRA-2026-000002", "CAKRA-2026-000003"
FULL_NIK = re.compile(r"(?<!\d)\d{16}(?!\d)")


def flag(site: Site, ticket: str) -> str:
    return str(site.row(ticket)["Pesan Sistem"])


def test_superscript_nik_is_flagged_on_its_case_and_the_other_reports_go_on(site: Site) -> None:
    site.submit(response(0, nik="140401²²01900037"), response(1, nik="1404015501900002", name="Budi"))
    result = site.poll(T0 + timedelta(minutes=5))

    assert result.new == 2
    assert flag(site, TICKET1).startswith("Perlu dicek: NIK")
    assert "'²'" in flag(site, TICKET1)
    assert flag(site, TICKET2) == "Laporan baru diterima."
    site.submit(response(10, nik="1404015501900003", name="Citra"))
    assert site.poll(T0 + timedelta(minutes=12)).new == 1  # and every later cycle still takes reports


@pytest.mark.parametrize(
    "stamp",
    ["9999-12-31T23:59:59", "0001-01-01", datetime(1999, 12, 31, 23, 0), "31/12/9999 23:59:59", 2958465.5],
    ids=["year-9999", "year-1", "before-2000", "id-text-9999", "serial-9999"],
)
def test_implausible_timestamp_is_flagged_and_the_clock_starts_when_cakra_sees_it(
    site: Site, stamp: Any
) -> None:
    site.submit(response(0, timestamp=stamp), response(1, nik="1404015501900002", name="Budi"))
    seen = T0 + timedelta(minutes=5)
    result = site.poll(seen)

    assert result.new == 2
    assert flag(site, TICKET1).startswith("Perlu dicek: Cap waktu")
    row = site.row(TICKET1)
    assert row["Diterima"] == "23/11/2026 08:05"  # when Cakra first saw it
    assert row["Batas Waktu"] == "23/11/2026 08:20"  # the Operator's 15 minutes from then
    assert site.row(TICKET2)["Batas Waktu"] == "23/11/2026 08:16"


def test_timestamp_more_than_a_day_ahead_is_flagged_one_a_few_hours_ahead_is_not(site: Site) -> None:
    now = T0 + timedelta(minutes=5)
    ahead = [(now + timedelta(days=2)).replace(tzinfo=None), (now + timedelta(hours=3)).replace(tzinfo=None)]
    site.submit(
        response(0, timestamp=ahead[0]), response(0, timestamp=ahead[1], nik="1404015501900002", name="Budi")
    )
    site.poll(now)
    assert flag(site, TICKET1).startswith("Perlu dicek: Cap waktu di masa depan")
    assert flag(site, TICKET2) == "Laporan baru diterima."


def test_other_scripts_decimal_digits_are_read_as_ascii_digits(site: Site) -> None:
    arabic_indic = "١٤٠٤٠١٥٥٠١٩٠٠٠٠١"  # 1404015501900001
    fullwidth_phone = "０８１２３４５６７８９０"
    site.submit(response(0, nik=arabic_indic, phone=fullwidth_phone))
    site.poll(T0 + timedelta(minutes=5))

    row = site.row(TICKET1)
    assert row["Pesan Sistem"] == "Laporan baru diterima."
    assert row["NIK (disamarkan)"] == "1404********0001"
    assert row["No. HP"] == "+6281234567890"
    [case] = site.app.ledger.cases()
    assert case.report.nik == "1404015501900001"


def test_control_characters_are_removed_and_flagged(google_site: Site) -> None:
    """The Sheets API hands back any character a citizen pasted; a workbook or a later write must never
    meet a control character (openpyxl refuses them: the whole write would fail, every cycle)."""
    site = google_site
    site.submit(
        response(
            0, name="Andi\x00 Saputra\x1b", description="Keributan\x07 di pasar.", nik="1404\x0c015501900001"
        )
    )
    site.poll(T0 + timedelta(minutes=5))
    row = site.row(TICKET1)
    assert row["Nama Pelapor"] == "Andi Saputra"
    assert "Karakter tak terbaca dihapus dari Nama" in str(row["Pesan Sistem"])
    assert "Karakter tak terbaca dihapus dari Uraian" in str(row["Pesan Sistem"])
    assert row["NIK (disamarkan)"] == "1404********0001"


def _failing_for(real: Callable[..., Any], when: Callable[..., bool]) -> Callable[..., Any]:
    """``real``, but raising (after it ran, so its ledger writes must be undone) when ``when`` says so:
    a stand-in for a bug not met yet. The message carries a NIK, which the log must not show."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        value = real(*args, **kwargs)
        if when(*args, **kwargs):
            raise RuntimeError("unexpected trouble with 1404015501900001")
        return value

    return wrapper


def _errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_response_that_fails_unexpectedly_becomes_a_flagged_case_and_the_cycle_goes_on(
    site: Site, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    real = cakra.row_guard.open_case
    monkeypatch.setattr(
        cakra.row_guard, "open_case", _failing_for(real, lambda report, *_: report.name == "Boom")
    )
    site.submit(
        response(0),
        response(1, name="Boom", nik="1404015501900002"),
        response(2, name="Citra", nik="1404015501900003"),
    )
    with caplog.at_level(logging.ERROR):
        result = site.poll(T0 + timedelta(minutes=5))

    assert result.new == 3
    assert flag(site, TICKET2).startswith("Perlu dicek: Tanggapan tidak bisa diproses otomatis")
    assert "RuntimeError" in flag(site, TICKET2) and "baris 3" in flag(site, TICKET2)
    assert flag(site, TICKET1) == flag(site, TICKET3) == "Laporan baru diterima."
    # What the failing attempt wrote was undone: the case was created once.
    assert [h.kind for h in site.app.ledger.history(TICKET2)] == ["dibuat"]
    [line] = _errors(caplog)
    assert "baris 3" in line and "RuntimeError" in line
    assert not FULL_NIK.search(line)
    # Marked as read: the next cycle does not fail (or log) again.
    caplog.clear()
    assert site.poll(T0 + timedelta(minutes=6)).new == 0
    assert _errors(caplog) == []


def test_an_edit_that_fails_unexpectedly_leaves_the_case_as_it_was_and_flagged(
    site: Site, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    site.submit(response(0), response(1, name="Budi", nik="1404015501900002"))
    site.poll(T0 + timedelta(minutes=5))
    real = cakra.row_guard.update_case
    monkeypatch.setattr(
        cakra.row_guard, "update_case", _failing_for(real, lambda case, *_: case.ticket == TICKET1)
    )
    site.set_response(0, response(20, description="Uraian yang diubah."))
    site.set_response(1, response(21, name="Budi", nik="1404015501900002", description="Ubah juga."))
    with caplog.at_level(logging.ERROR):
        site.poll(T0 + timedelta(minutes=25))  # the new timestamps are seen
        site.poll(T0 + timedelta(minutes=26))  # and the edited rows read

    [case1, case2] = site.app.ledger.cases()
    assert case1.report.description == "Keributan di pasar malam."  # as it was
    assert flag(site, TICKET1).startswith("Perlu dicek: perubahan tanggapan (baris 2)")
    assert case2.report.description == "Ubah juga."
    assert [h.kind for h in site.app.ledger.history(TICKET1)] == ["dibuat", "catatan"]
    [line] = _errors(caplog)
    assert TICKET1 in line and not FULL_NIK.search(line)


def test_an_operator_row_that_fails_unexpectedly_is_flagged_and_other_moves_go_through(
    site: Site, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    site.submit(response(0), response(1, name="Budi", nik="1404015501900002"))
    site.poll(T0 + timedelta(minutes=2))
    real = cakra.workflow.operator_edits.move
    monkeypatch.setattr(
        cakra.workflow.operator_edits, "move", _failing_for(real, lambda case, *_: case.ticket == TICKET1)
    )
    site.edit(TICKET1, Tahap="3. Kasubbid", Petugas="Op. Rahmat")
    site.edit(TICKET2, Tahap="3. Kasubbid", Petugas="Op. Rahmat")
    with caplog.at_level(logging.ERROR):
        result = site.poll(T0 + timedelta(minutes=5))

    assert result.moved == 1
    assert site.row(TICKET2)["Tahap Saat Ini"] == "3. Kasubbid"
    row1 = site.row(TICKET1)
    assert row1["Tahap Saat Ini"] == "2. Operator"  # the move was undone whole: step, history, notices
    assert str(row1["Pesan Sistem"]).startswith("Perlu dicek: isian baris ini tidak bisa diproses")
    assert [h.kind for h in site.app.ledger.history(TICKET1)] == ["dibuat"]
    [line] = _errors(caplog)
    assert TICKET1 in line and not FULL_NIK.search(line)
    # Answered once; when the cause is gone and the operator picks the step again, it goes through.
    caplog.clear()
    assert site.poll(T0 + timedelta(minutes=6)).moved == 0
    assert _errors(caplog) == []
    monkeypatch.setattr(cakra.workflow.operator_edits, "move", real)
    site.edit(TICKET1, Tahap="2. Operator")
    site.poll(T0 + timedelta(minutes=7))
    site.edit(TICKET1, Tahap="3. Kasubbid")
    assert site.poll(T0 + timedelta(minutes=8)).moved == 1
    assert site.row(TICKET1)["Tahap Saat Ini"] == "3. Kasubbid"


def test_the_guard_keeps_the_cycle_one_transaction(site: Site) -> None:
    """A row's savepoint must nest in the cycle's transaction, never commit half a cycle."""
    site.submit(response(0))
    site.poll(T0 + timedelta(minutes=1))
    ledger = site.app.ledger
    guard = cakra.row_guard.guard_for(ledger)
    with pytest.raises(KeyboardInterrupt), ledger.transaction():
        with guard(None, "test") as failure:
            ledger.record(TICKET1, datetime(2026, 11, 23, 9, 0, tzinfo=WIB), "catatan", note="kept?")
        assert failure.reason is None
        raise KeyboardInterrupt  # the cycle dies after the row
    assert [h.note for h in ledger.history(TICKET1) if h.kind == "catatan"] == []


def test_the_floor_of_a_sane_timestamp_is_configurable(site: Site) -> None:
    site.extra = {"intake": {"earliest_year": 2026}}
    site.submit(
        response(0, timestamp=datetime(2025, 6, 1, 9, 0)), response(1, nik="1404015501900002", name="Budi")
    )
    site.poll(T0 + timedelta(minutes=5))
    assert flag(site, TICKET1) == "Perlu dicek: Cap waktu terlalu lama (2025-06-01 09:00, sebelum 2026-01-01)"
    assert flag(site, TICKET2) == "Laporan baru diterima."
