"""An idle cycle reuses each status row's remembered service values (tabs/shown.py) while the stored
case and the layout are unchanged, and computes afresh what changed. Real workbook, real ledger, frozen
time; ``service_values`` is counted (the real function runs), never replaced."""

from __future__ import annotations

from datetime import timedelta

import pytest

import cakra.sheet_write
from cakra.ledger.store import Ledger
from tests.site import T0, Site, response

TICKETS = ("CAKRA-2026-000001", "CAKRA-2026-000002")


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The tickets whose status values a cycle computed (instead of reusing them)."""
    tickets: list[str] = []
    real = cakra.sheet_write.service_values

    def counted(case, *args, **kwargs):  # type: ignore[no-untyped-def]
        tickets.append(case.ticket)
        return real(case, *args, **kwargs)

    monkeypatch.setattr(cakra.sheet_write, "service_values", counted)
    return tickets


def two_open_cases(site: Site, computed: list[str]) -> None:
    site.submit(response(0), response(1, nik="1404015501900002", name="Budi Contoh"))
    assert site.poll(T0 + timedelta(minutes=2)).new == 2
    site.poll(T0 + timedelta(minutes=3))
    computed.clear()


def test_idle_cycles_reuse_values_and_a_case_late_by_time_alone_shows_ya(
    site: Site, computed: list[str]
) -> None:
    two_open_cases(site, computed)
    result = site.poll(T0 + timedelta(minutes=4))
    assert computed == [] and result.cells_written == 0  # nothing changed: nothing computed or written
    assert site.row(TICKETS[0])["Terlambat"] == "Tidak"

    deadline = site.app.ledger.cases()[0].deadline
    assert deadline is not None
    site.poll(deadline + timedelta(minutes=1))
    assert computed == []  # the cases did not change: their values were reused...
    assert site.row(TICKETS[0])["Terlambat"] == "Ya"  # ...with "Terlambat" computed afresh
    # Remembered as now shown: the next cycle writes nothing.
    assert site.poll(deadline + timedelta(minutes=2)).cells_written == 0


def test_a_case_changed_between_cycles_is_computed_afresh(site: Site, computed: list[str]) -> None:
    two_open_cases(site, computed)
    # Another process (a command, another helper's tool) changes a case's message in the ledger.
    other = Ledger(site.app.ledger.path)
    case = other.cases_named([TICKETS[1]], [])[0]
    case.message = "Catatan baru dari perintah lain."
    with other.transaction():
        other.save_case(case)
    other.close()

    site.poll(T0 + timedelta(minutes=5))
    assert computed == [TICKETS[1]]  # only the changed case
    assert site.row(TICKETS[1])["Pesan Sistem"] == "Catatan baru dari perintah lain."
    assert site.row(TICKETS[0])["Pesan Sistem"] != "Catatan baru dari perintah lain."


def test_a_case_moved_by_the_operator_is_computed_afresh(site: Site, computed: list[str]) -> None:
    two_open_cases(site, computed)
    site.edit(TICKETS[0], Tahap="3. Kasubbid")
    site.poll(T0 + timedelta(minutes=5))
    assert TICKETS[0] in computed and TICKETS[1] not in computed
    row = site.row(TICKETS[0])
    assert row["Tahap Saat Ini"] == "3. Kasubbid" and row["Penanggung Jawab"] == "Kasubbid"
    assert "Pindah ke '3. Kasubbid'" in str(row["Pesan Sistem"])


def test_a_configuration_change_computes_every_row_afresh(site: Site, computed: list[str]) -> None:
    two_open_cases(site, computed)
    site.close()
    site.extra = {"intake": {"description_chars": 10}}  # the summary column's length
    site.poll(T0 + timedelta(minutes=5))
    assert sorted(computed) == list(TICKETS)
    assert all(len(str(row["Ringkasan"])) <= 10 for row in site.status())
