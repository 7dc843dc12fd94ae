"""The local workbook is shared with operators: the service's save never overwrites theirs.

Operators' saves are real file writes (openpyxl, as LibreOffice or Excel would replace the file) made
at the worst moments of a real cycle: after the cycle read the workbook, and while the service is
writing its temporary copy, just before the rename.
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from openpyxl.workbook.workbook import Workbook

from cakra.sheets.local import LocalWorkbook
from cakra.sheets.local_file import temp_path
from tests.site import T0, Site, response
from tests.workbook import shown_value

TICKETS = [f"CAKRA-2026-{n:06d}" for n in range(1, 7)]


def _six_cases(site: Site) -> None:
    site.submit(*(response(i, nik=f"14040155019000{i + 10}") for i in range(6)))
    site.poll(T0 + timedelta(minutes=10))
    assert [r["No. Tiket"] for r in site.status()] == TICKETS


def _operator_saves_during(
    site: Site, monkeypatch: pytest.MonkeyPatch, moment: str, edit: Callable[[], None]
) -> None:
    """Make ``edit`` (an operator's save) land at ``moment`` of the next cycle, once."""
    done = []
    if moment == "after the read":
        backend = site.app.sheets
        real_read = backend.read

        def read_then_edit(tabs):  # type: ignore[no-untyped-def]
            result = real_read(tabs)
            if not done:
                done.append(edit())
            return result

        monkeypatch.setattr(backend, "read", read_then_edit)
    else:  # while the service writes its temporary copy
        real_save = Workbook.save

        def save_then_edit(self, filename):  # type: ignore[no-untyped-def]
            real_save(self, filename)
            if not done and Path(filename).name.startswith(".cakra-sedang-menyimpan-"):
                done.append(edit())

        monkeypatch.setattr(Workbook, "save", save_then_edit)


@pytest.mark.parametrize("moment", ["after the read", "while the service saves"])
def test_an_operator_save_during_a_cycle_is_never_lost(
    site: Site, monkeypatch: pytest.MonkeyPatch, moment: str
) -> None:
    _six_cases(site)
    for i, ticket in enumerate(TICKETS):
        # A new response makes every cycle write (a new status row), so each save races a real write.
        site.submit(response(20 + i, nik=f"14040155019001{i + 10}"))
        with monkeypatch.context() as patch:
            _operator_saves_during(
                site, patch, moment, lambda t=ticket: site.edit(t, Tahap="3", Petugas=f"Op{t[-1]}")
            )
            site.poll(T0 + timedelta(minutes=30 + i))
        assert site.row(ticket)["Petugas"] == f"Op{ticket[-1]}"  # the operator's save stands
        site.poll(T0 + timedelta(minutes=31 + i))  # the next cycle takes it and writes its own
        assert site.app.ledger.cases_named([ticket], [])[0].step == "kasubbid"
        assert site.row(ticket)["Petugas"] == f"Op{ticket[-1]}"
    assert len(site.status()) == 12  # every new case's row was written after all
    assert not list(site.folder.glob(".cakra-*"))


def test_a_copy_opened_before_a_cycle_and_saved_after_it_loses_no_case_for_good(site: Site) -> None:
    _six_cases(site)
    stale = site.workbook.read_bytes()  # the operator opens the workbook...
    site.submit(response(30, nik="1404015501900200"))
    site.poll(T0 + timedelta(minutes=31))  # ...the service adds a case...
    assert len(site.status()) == 7
    site.workbook.write_bytes(stale)  # ...and the operator saves their old copy over it
    assert len(site.status()) == 6
    # The old copy also lacks the newest response: the first cycle after it sees the response tab
    # shrink and asks for a full read (tabs/view.py), which the next cycle makes.
    site.poll(T0 + timedelta(minutes=32))
    site.poll(T0 + timedelta(minutes=33))
    assert [r["No. Tiket"] for r in site.status()][-1] == "CAKRA-2026-000007"
    # The Riwayat rows the old copy lost are written again from the ledger.
    assert _riwayat(site) == _riwayat_from_ledger(site)
    assert "CAKRA-2026-000007" in {row[1] for row in _riwayat(site)}


def _riwayat(site: Site) -> list[tuple[str, ...]]:
    sheet = openpyxl.load_workbook(site.workbook, read_only=True)["Riwayat"]
    return [
        tuple("" if v is None else str(shown_value(v)) for v in row[:3])
        for row in sheet.iter_rows(min_row=2, values_only=True)
    ]


def _riwayat_from_ledger(site: Site) -> list[tuple[str, ...]]:
    from cakra.tabs.history import history_values

    return [tuple(history_values(e, site.app.sop, site.app.config.tz)[:3]) for e in site.app.ledger.history()]


def test_a_riwayat_row_wiped_by_hand_comes_back(site: Site) -> None:
    _six_cases(site)
    workbook = openpyxl.load_workbook(site.workbook)
    for cell in workbook["Riwayat"][3]:
        cell.value = None  # an operator clears one row of the audit trail
    workbook.save(site.workbook)
    site.poll(T0 + timedelta(minutes=20))
    assert _riwayat(site) == _riwayat_from_ledger(site)


@pytest.mark.parametrize("lock_name", [".~lock.cakra.xlsx#", "~$cakra.xlsx"])
def test_no_save_while_an_office_program_has_the_workbook_open(
    site: Site, lock_name: str, caplog: pytest.LogCaptureFixture
) -> None:
    _six_cases(site)
    lock = site.folder / lock_name
    lock.write_text("operator,komputer-1,01.12.2026 08:00,file:///home/operator/.config/libreoffice/4;")
    site.submit(response(30, nik="1404015501900200"))
    before = site.workbook.read_bytes()
    with caplog.at_level(logging.INFO):
        for minute in range(31, 34):
            result = site.poll(T0 + timedelta(minutes=minute))
            assert result.new == (1 if minute == 31 else 0)  # intake goes on: the case is in the ledger
    assert site.workbook.read_bytes() == before  # nothing written through the lock
    notes = [r for r in caplog.records if "open in an office program" in r.getMessage()]
    assert len(notes) == 1  # said once, not every cycle
    lock.unlink()
    site.poll(T0 + timedelta(minutes=35))
    assert [r["No. Tiket"] for r in site.status()][-1] == "CAKRA-2026-000007"


def test_check_says_when_the_workbook_is_open(site: Site) -> None:
    from cakra.check import checks

    _six_cases(site)
    (site.folder / ".~lock.cakra.xlsx#").write_text("operator")
    lines = [line for _, line in checks(site.app.config)]
    assert any(line.startswith("WARN") and ".~lock.cakra.xlsx#" in line for line in lines)


def test_a_save_keeps_the_workbooks_mode(site: Site) -> None:
    site.submit(response(0))
    site.poll(T0 + timedelta(minutes=1))
    os.chmod(site.workbook, 0o640)  # the agency shares it with a group of operators
    owner = site.workbook.stat().st_uid, site.workbook.stat().st_gid
    site.submit(response(5, nik="1404015501900002"))
    site.poll(T0 + timedelta(minutes=6))
    assert len(site.status()) == 2
    assert stat.S_IMODE(site.workbook.stat().st_mode) == 0o640
    assert (site.workbook.stat().st_uid, site.workbook.stat().st_gid) == owner


def test_temporary_copies_are_private_named_and_removed_at_the_next_start(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    site.submit(response(0))
    seen: list[tuple[str, int]] = []
    real_save = Workbook.save

    def save(self, filename):  # type: ignore[no-untyped-def]
        real_save(self, filename)
        seen.append((Path(filename).name, stat.S_IMODE(os.stat(filename).st_mode)))

    with monkeypatch.context() as patch:
        patch.setattr(Workbook, "save", save)
        site.poll(T0 + timedelta(minutes=1))
    assert seen and all(name.startswith(".cakra-sedang-menyimpan-") and mode == 0o600 for name, mode in seen)
    assert not list(site.folder.glob(".cakra-*"))

    # A save killed mid-way leaves its copy (of a process now gone) and an older version's copy.
    dead = temp_path(site.workbook, pid=_a_pid_that_is_gone())
    dead.write_bytes(site.workbook.read_bytes())
    legacy = site.folder / ".cakra-ab12cd_3.xlsx"
    legacy.write_bytes(site.workbook.read_bytes())
    alive = temp_path(site.workbook, pid=os.getppid())  # another process's save in progress
    alive.write_bytes(b"")
    LocalWorkbook(site.workbook, site.app.config.tz)
    assert not dead.exists() and not legacy.exists()
    assert alive.exists()


def _a_pid_that_is_gone() -> int:
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return pid
