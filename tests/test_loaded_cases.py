"""Open cases kept decoded between cycles (``ledger/loaded.py``): a case is handed out again only while
it still equals its stored text; anything that may have changed it without storing it makes it decoded
afresh, and an idle cycle over kept cases reminds and counts exactly as one over fresh cases."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cakra.cycle import poll
from cakra.ledger.loaded import ReuseBroken
from cakra.ledger.store import Ledger
from cakra.sheet_write import month_visits
from cakra.tabs.dashboard import dashboard_grid, dashboard_writes
from tests.site import T0, Site, response

SINCE = T0 - timedelta(days=30)


def minutes(n: float):
    return T0 + timedelta(minutes=n)


def three_cases(site: Site) -> None:
    site.submit(
        response(0),
        response(1, nik="1404015501900002", name="Budi Contoh", kecamatan="Enok"),
        response(2, nik="1404015501900003", name="Citra Contoh", kecamatan="Reteh"),
    )
    site.poll(minutes(3))


def test_unchanged_cases_are_handed_out_again_and_changed_ones_decoded_afresh(site: Site) -> None:
    three_cases(site)
    ledger = site.app.ledger
    first = ledger.cases_open_or_since(SINCE, reuse=True)
    again = ledger.cases_open_or_since(SINCE, reuse=True)
    assert len(first) == 3 and all(a is b for a, b in zip(first, again, strict=True))
    # Without ``reuse`` (other callers): fresh objects, as before.
    assert not any(a is b for a, b in zip(first, ledger.cases_open_or_since(SINCE), strict=True))

    # Another process changes case 2; this one changes and saves case 3.
    other = Ledger(ledger.path)
    changed = other.cases_named(["CAKRA-2026-000002"], [])[0]
    changed.message = "diubah oleh perintah lain"
    with other.transaction():
        other.save_case(changed)
    other.close()
    again[2].message = "disimpan di siklus ini"
    with ledger.transaction():
        ledger.save_case(again[2])

    third = ledger.cases_open_or_since(SINCE, reuse=True)
    assert third[0] is first[0]
    assert third[1] is not first[1] and third[1].message == "diubah oleh perintah lain"
    assert third[2] is not again[2] and third[2].message == "disimpan di siklus ini"
    assert third == ledger.cases_open_or_since(SINCE)  # equal to what the ledger stores


def test_a_rolled_back_transaction_forgets_the_kept_cases(site: Site) -> None:
    three_cases(site)
    ledger = site.app.ledger
    kept = ledger.cases_open_or_since(SINCE, reuse=True)
    with pytest.raises(RuntimeError), ledger.transaction():
        kept[0].message = "perubahan yang dibatalkan"
        raise RuntimeError("the cycle failed before saving")
    after = ledger.cases_open_or_since(SINCE, reuse=True)
    assert after[0] is not kept[0] and after[0].message != "perubahan yang dibatalkan"


def test_a_failed_cycle_forgets_the_kept_cases(site: Site) -> None:
    three_cases(site)
    ledger = site.app.ledger
    kept = ledger.cases_open_or_since(SINCE, reuse=True)
    site.submit(response(4, nik="1404015501900004", name="Dewi Contoh"))

    def fail(_row: object) -> None:
        raise OSError("the mail transport broke mid-cycle")

    with pytest.raises(OSError):
        poll(site.app, minutes(5), on_before_send=fail)
    after = ledger.cases_open_or_since(SINCE, reuse=True)
    assert len(after) == 4 and not any(a is b for a, b in zip(kept, after, strict=False))


def test_a_full_read_keeps_nothing(site: Site) -> None:
    three_cases(site)
    ledger = site.app.ledger
    kept = ledger.cases_open_or_since(SINCE, reuse=True)
    assert len(ledger.cases()) == 3
    assert not any(a is b for a, b in zip(kept, ledger.cases_open_or_since(SINCE, reuse=True), strict=True))


def test_a_case_changed_without_saving_is_caught_in_tests(site: Site) -> None:
    three_cases(site)
    ledger = site.app.ledger
    ledger.cases_open_or_since(SINCE, reuse=True)[1].report.problems.append("tidak disimpan")
    with pytest.raises(ReuseBroken, match="CAKRA-2026-000002"):
        ledger.cases_open_or_since(SINCE, reuse=True)


def test_a_reminder_due_by_time_alone_reaches_the_kept_case_once(site: Site) -> None:
    site.submit(response(0))
    site.poll(minutes(1))
    assert site.poll(minutes(11)).messages == 0
    kept = site.app.ledger.cases_open_or_since(T0.replace(day=1), reuse=True)
    assert site.poll(minutes(12.5)).reminders == 1  # 80 % of the operator's 15 minutes, nothing else
    assert site.poll(minutes(13)).messages == 0
    # The idle cycles worked on the kept object: nothing about the case was stored anew.
    assert site.app.ledger.cases_open_or_since(T0.replace(day=1), reuse=True)[0] is kept[0]


def test_the_dashboard_over_kept_cases_equals_a_fresh_computation(site: Site) -> None:
    three_cases(site)
    site.edit("CAKRA-2026-000001", Tahap="3", Petugas="Op")
    site.poll(minutes(5))
    for at in (20, 40, 75):  # idle cycles: the deadlines pass by time alone
        site.poll(minutes(at))
    app, now = site.app, minutes(75)
    tab = app.sheets.read(["Ringkasan"])["Ringkasan"]
    assert tab is not None
    fresh = Ledger(app.ledger.path)
    try:
        cases = fresh.cases()
        visited = month_visits(app, cases, now, keep=False)
        grid = dashboard_grid(cases, visited, app.sop, now, app.config.tz, fresh.kecamatan_totals())
    finally:
        fresh.close()
    assert any(row[:3] == ["Jumlah", 3, 3] for row in grid)  # all three late by now, by time alone
    # What the idle cycles wrote is exactly the fresh computation: nothing would be written for it.
    assert dashboard_writes(tab, grid, now, app.config.tz) == []
