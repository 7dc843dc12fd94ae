"""Working time wired through the service: the SOP's [calendar], the agency's override, deadlines that never
move once set, and a complaint SOP with limits in working days (tests/sops/working-days.toml) end to end over a long weekend.

Reference dates: Fri 14 Aug 2026 is the Friday before Independence Day (Mon 17 Aug); Tue 25 Aug 2026 is
Maulid Nabi. Every time is fixed; the wall clock is never read.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest

from cakra.app import make_calendar
from cakra.common.errors import ConfigError, SopError
from cakra.config import build_config
from cakra.ledger.store import Ledger
from cakra.notify.report import summary_context
from cakra.workflow.calendar_settings import CalendarSettings
from cakra.workflow.case import Case
from cakra.workflow.sop import load_sop
from tests.helpers_time import REPORTER, WORKING_DAYS_SOP, mail_to, plain, recipients, use_working_days, wib
from tests.site import Site, response

FRIDAY_15 = wib(2026, 8, 14, 15, 0)
TICKET = "ADUAN-2026-000001"


def stamp(moment) -> object:
    """A form timestamp cell (naive local time, as Google Forms writes it)."""
    return moment.replace(tzinfo=None)


def test_the_sops_calendar_is_used_and_the_agency_config_overrides_it(tmp_path: Path) -> None:
    sop = load_sop(WORKING_DAYS_SOP)
    assert sop.calendar["working_hours"] == {"jumat": "07:30-11:30, 13:00-16:30"}
    from_sop = make_calendar(build_config({"sop": str(WORKING_DAYS_SOP)}, tmp_path / "c.toml"), sop)
    assert not from_sop.is_working_time(wib(2026, 8, 14, 12, 0))  # the SOP's Friday prayer break
    assert from_sop.is_working_time(wib(2026, 8, 13, 12, 0))

    agency = build_config(
        {
            "sop": str(WORKING_DAYS_SOP),
            "calendar": {"working_hours": {"friday": "07:30-16:30"}, "extra_holidays": ["2026-08-18"]},
        },
        tmp_path / "c.toml",
    )
    merged = make_calendar(agency, sop)
    assert merged.is_working_time(wib(2026, 8, 14, 12, 0))  # "friday" replaced the SOP's "jumat"
    assert not merged.is_working_day(date(2026, 8, 18))  # the agency's local holiday
    limit = sop.steps["verifikasi"].limit
    assert from_sop.deadline(FRIDAY_15, limit) == wib(2026, 8, 20, 16, 0)
    assert merged.deadline(FRIDAY_15, limit) == wib(2026, 8, 21, 16, 30)  # one working day later


def test_agency_holidays_add_to_the_sops() -> None:
    sop = CalendarSettings.parse(
        {"extra_holidays": ["2026-12-24"], "working_hours": {"senin": "08:00-12:00"}}
    )
    agency = CalendarSettings.parse(
        {"extra_holidays": ["2026-12-31"], "working_hours": {"selasa": "08:00-12:00"}, "cuti_bersama": True}
    )
    merged = agency.over(sop)
    assert merged.extra_holidays == {date(2026, 12, 24), date(2026, 12, 31)}
    assert merged.working_hours == {0: ((480, 720),), 1: ((480, 720),)}
    assert merged.cuti_bersama is True


def test_calendar_mistakes_are_one_clear_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^\[calendar\] unknown calendar setting 'holiday'") as error:
        build_config({"calendar": {"holiday": ["2026-12-24"]}}, tmp_path / "c.toml")
    assert "\n" not in str(error.value)
    sop_file = tmp_path / "sop.toml"
    sop_file.write_text(WORKING_DAYS_SOP.read_text().replace("cuti_bersama = false", 'cuti_bersama = "ya"'))
    config = build_config({"sop": str(sop_file)}, tmp_path / "c.toml")
    with pytest.raises(SopError, match="cuti_bersama must be true or false"):
        make_calendar(config, load_sop(sop_file))


def test_a_calendar_change_never_moves_an_existing_deadline(site: Site) -> None:
    use_working_days(site)
    site.submit(response(timestamp=stamp(FRIDAY_15)))
    site.poll(FRIDAY_15 + timedelta(minutes=2))
    assert site.row(TICKET)["Batas Waktu"] == "20/08/2026 16:00"

    # The agency declares Tue-Thu closed (e.g. a flood); the running case keeps its deadline, a new one moves.
    use_working_days(site, calendar={"extra_holidays": ["2026-08-18..2026-08-20"]})
    site.submit(response(nik="1404015501900002", timestamp=stamp(FRIDAY_15 + timedelta(minutes=5))))
    site.poll(FRIDAY_15 + timedelta(minutes=10))
    first, second = site.app.ledger.cases()
    assert first.deadline == wib(2026, 8, 20, 16, 0)
    assert site.row(TICKET)["Batas Waktu"] == "20/08/2026 16:00"
    assert second.deadline == wib(2026, 8, 26, 16, 0)  # Fri, Mon 24, Wed 26 (Tue 25 is Maulid Nabi)
    # ...and the SLA judges the first case against the deadline it was given, not a recomputed one.
    context = summary_context(site.app.mailer, site.app.book, wib(2026, 8, 21, 8, 0), "sekretaris")
    verification = next(c for c in context["compliance"] if c["title"] == "1. Verifikasi")
    assert verification["late"] == 1  # both are in the step; only the first is past its stored deadline


def test_friday_afternoon_before_a_long_weekend_end_to_end(site: Site) -> None:
    use_working_days(site)
    site.submit(response(timestamp=stamp(FRIDAY_15)))
    site.poll(FRIDAY_15 + timedelta(minutes=2))

    # Received Friday 15.00: "3 hari kerja" skips Sat, Sun and Independence Day -> Thursday at closing.
    row = site.row(TICKET)
    assert (row["Tahap Saat Ini"], row["Batas Waktu"]) == ("1. Verifikasi", "20/08/2026 16:00")
    [ack] = mail_to(site, REPORTER)
    assert TICKET in ack["Subject"]
    assert "paling lambat Kamis, 20 Agustus 2026 16.00 WIB" in plain(ack)
    assert "1. Verifikasi (paling lama 3 hari kerja)" in plain(ack)

    # Over the long weekend and on Tuesday morning nothing is late and nobody is chased.
    sent = len(site.emails())
    for moment in (wib(2026, 8, 15, 10, 0), wib(2026, 8, 17, 9, 0), wib(2026, 8, 18, 8, 0)):
        result = site.poll(moment)
        assert result.messages == 0, moment
        assert site.row(TICKET)["Terlambat"] == "Tidak"
    assert len(site.emails()) == sent

    # 80 % of the 27 working hours: Thursday ~10.36 -> a reminder to the admin, in office hours.
    assert site.poll(wib(2026, 8, 20, 10, 30)).messages == 0
    assert site.poll(wib(2026, 8, 20, 10, 40)).reminders == 1
    assert recipients(site, sent) == ["admin"]
    assert "Pengingat" in plain(site.emails()[-1])

    # Late from 16.00, but an escalation never goes out at night: it waits for Friday's opening.
    sent = len(site.emails())
    night = site.poll(wib(2026, 8, 20, 20, 0))
    assert night.messages == 0 and site.row(TICKET)["Terlambat"] == "Ya"
    assert site.poll(wib(2026, 8, 21, 7, 30)).escalations == 1
    assert recipients(site, sent) == ["admin", "sekretaris"]

    # The next superior hears one step interval (3 hari kerja, Maulid skipped) later: Wed 26 at 16.00,
    # closing time -> sent at Thursday's opening.
    sent = len(site.emails())
    assert site.poll(wib(2026, 8, 26, 15, 0)).messages == 0
    assert site.poll(wib(2026, 8, 27, 7, 31)).escalations == 1
    assert recipients(site, sent) == ["kadis"]
    text = plain(site.emails()[-1])
    assert "Sudah diteruskan ke Sekretaris Dinas dan Kepala Dinas" in text
    assert "Terlambat di Admin Pengaduan (1. Verifikasi) sejak Kamis, 20 Agustus 2026 16.00 WIB" in text


def test_a_ledger_and_cases_from_before_stored_deadlines_still_open(tmp_path: Path) -> None:
    old = sqlite3.connect(tmp_path / "old.sqlite")
    old.execute(
        "CREATE TABLE history (id INTEGER PRIMARY KEY AUTOINCREMENT, ticket TEXT NOT NULL, at TEXT NOT NULL,"
        " kind TEXT NOT NULL, from_step TEXT, to_step TEXT, actor TEXT NOT NULL DEFAULT '',"
        " note TEXT NOT NULL DEFAULT '', sheet_row INTEGER, mirrored INTEGER NOT NULL DEFAULT 0)"
    )
    old.commit()
    old.close()
    (tmp_path / "old.sqlite").chmod(0o600)  # a ledger is refused when other users can read it
    ledger = Ledger(tmp_path / "old.sqlite")
    try:
        with ledger.transaction():
            ledger.record("T-1", FRIDAY_15, "dibuat", to_step="verifikasi", deadline=wib(2026, 8, 20, 16, 0))
        assert ledger.history("T-1")[0].deadline == wib(2026, 8, 20, 16, 0)
    finally:
        ledger.close()

    case_json = {
        "ticket": "T-1", "seq": 1, "step": "verifikasi", "step_entered_at": FRIDAY_15.isoformat(),
        "deadline": None, "created_at": FRIDAY_15.isoformat(), "closed_at": None, "duplicate_of": None,
        "operator": {}, "message": "",
        "report": {"response_key": "row:2", "response_row": 2, "fingerprint": "x",
                   "received_at": FRIDAY_15.isoformat(), "name": "", "nik": "", "phone": "", "email": "",
                   "category": "", "kecamatan": "", "desa": "", "description": "", "event_photos": [],
                   "ktp_photos": [], "missing_evidence": [], "problems": []},
    }  # fmt: skip
    case = Case.from_json(json.dumps(case_json))
    assert case.privacy == [] and not case.is_paused and case.report.privacy == []
