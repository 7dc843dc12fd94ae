"""Reminders before a deadline, escalation up the chain after it, repeats while a step stays undone — each
once per case, step entry, level and role, whatever restarts or second processes happen.

The Cakra SOP: the operator's step has 15 minutes (clock time); operator -> kasubbid -> kabid -> kepala_badan.
T0 is Monday 23 November 2026 08:00 WIB.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from cakra.app import build_app
from cakra.common.errors import ConfigError
from cakra.config import build_config
from cakra.cycle import poll
from cakra.workflow.alerts import AlertPolicy, after, latest_repeat
from cakra.workflow.calendar import BusinessCalendar, TimeLimit
from tests.helpers_time import REPORTER, plain, recipients, wib
from tests.site import T0, Site, response

TICKET = "CAKRA-2026-000001"


def minutes(n: float):
    return T0 + timedelta(minutes=n)


def officials(site: Site, since: int) -> list[str]:
    return [r for r in recipients(site, since) if r != REPORTER.split("@")[0]]


def test_reminder_then_escalation_up_to_the_head_then_a_daily_repeat(site: Site) -> None:
    site.submit(response(0))
    site.poll(minutes(1))

    sent = len(site.emails())
    assert site.poll(minutes(11)).messages == 0
    assert site.poll(minutes(12.5)).reminders == 1  # 80 % of 15 minutes = 12 minutes
    assert officials(site, sent) == ["operator"]
    assert "Pengingat: kasus Anda mendekati batas waktu" in plain(site.emails()[-1])
    assert site.poll(minutes(13)).messages == 0

    # The deadline: the role and its direct superior (as before), then one superior per further 15 minutes.
    for at, expected, note in (
        (15, ["kasubbid", "operator"], "Sudah diteruskan ke Kasubbid\n"),
        (30, ["kabid"], "Sudah diteruskan ke Kasubbid dan Kabid\n"),
        (45, ["kaban"], "Sudah diteruskan ke Kasubbid, Kabid, dan Kepala Badan\n"),
    ):
        sent = len(site.emails())
        assert site.poll(minutes(at - 1)).messages == 0, at
        assert site.poll(minutes(at)).escalations == 1, at
        assert officials(site, sent) == expected, at
        assert any(note in plain(m) for m in site.emails()[sent:]), note

    # Still undone: the role and the head hear again one working day later, not every cycle.
    sent = len(site.emails())
    assert site.poll(T0 + timedelta(days=1, minutes=44)).messages == 0
    site.poll(T0 + timedelta(days=1, minutes=46))
    assert officials(site, sent) == ["kaban", "operator"]
    assert all("Pengingat ulang ke-1" in plain(m) for m in site.emails()[sent:])

    # A service down for three days sends the latest repeat once, not a backlog.
    sent = len(site.emails())
    site.poll(T0 + timedelta(days=4, minutes=50))
    assert officials(site, sent) == ["kaban", "operator"]
    assert all("Pengingat ulang ke-4" in plain(m) for m in site.emails()[sent:])
    assert site.poll(T0 + timedelta(days=4, minutes=55)).messages == 0


def test_each_alert_goes_once_across_a_restart_and_a_second_process(site: Site) -> None:
    site.submit(response(0))
    site.poll(minutes(1))
    site.close()  # a restart
    other = build_app(build_config(site.config_table(), site.folder / "config.toml"))  # a second process
    try:
        first = site.poll(minutes(16))
        second = poll(other, minutes(16))
    finally:
        other.close()
    assert first.escalations == 1 and second.messages == 0
    site.close()
    assert site.poll(minutes(17)).messages == 0


def test_a_new_step_entry_starts_its_own_alerts(site: Site) -> None:
    site.submit(response(0))
    site.poll(minutes(1))
    site.poll(minutes(16))  # operator's step escalated
    site.edit(TICKET, Tahap="3", Petugas="Op. Rahmat")
    site.poll(minutes(20))
    sent = len(site.emails())
    assert site.poll(minutes(32.5)).reminders == 1  # kasubbid's own 80 %, from 08:20
    assert officials(site, sent) == ["kasubbid"]


def test_shares_and_intervals_come_from_the_config(site: Site) -> None:
    site.extra = {
        "escalation": {"reminder_share": 0.5, "level_interval": "1 jam", "repeat_interval": "tidak ada"},
    }
    site.submit(response(0))
    site.poll(minutes(1))
    assert site.poll(minutes(7.5)).reminders == 1  # 50 %
    assert site.poll(minutes(15)).escalations == 1
    assert site.poll(minutes(74)).messages == 0
    sent = len(site.emails())
    assert site.poll(minutes(75)).escalations == 1  # kabid an hour after the deadline
    assert officials(site, sent) == ["kabid"]
    site.poll(minutes(135))  # kepala badan
    assert site.poll(T0 + timedelta(days=3)).messages == 0  # no repeats


def test_reminders_can_be_off_and_escalation_can_stop_at_the_direct_superior(site: Site) -> None:
    site.extra = {"escalation": {"reminder_share": 0, "level_interval": "tidak ada", "repeat_interval": ""}}
    site.submit(response(0))
    site.poll(minutes(1))
    assert site.poll(minutes(14)).messages == 0
    sent = len(site.emails())
    site.poll(minutes(15))
    assert site.poll(T0 + timedelta(days=5)).messages == 0
    assert officials(site, sent) == ["kasubbid", "operator"]


@pytest.mark.parametrize(
    ("table", "fragment"),
    [
        ({"reminder_share": 1.2}, "[escalation] reminder_share"),
        ({"level_interval": "sebentar"}, "[escalation] level_interval"),
        ({"repeat_interval": "0 jam"}, "repeat_interval must be longer than 0"),
        ({"reminder_share": "80%"}, "'escalation.reminder_share' must be float"),
    ],
)
def test_escalation_mistakes_are_one_clear_line(table: dict, fragment: str) -> None:
    with pytest.raises(ConfigError) as error:
        build_config({"escalation": table})
    assert fragment in str(error.value) and "\n" not in str(error.value)


def test_policy_defaults() -> None:
    policy = build_config({}).escalation
    assert policy == AlertPolicy(0.8, None, True, TimeLimit(1, "days", working=True))


def test_intervals_in_working_days_keep_the_time_of_day_within_office_hours() -> None:
    cal = BusinessCalendar("Asia/Jakarta")
    one_day = TimeLimit(1, "days", working=True)
    assert after(cal, wib(2026, 8, 13, 8, 45), one_day) == wib(2026, 8, 14, 8, 45)  # Thu -> Fri
    assert after(cal, wib(2026, 8, 14, 8, 45), one_day) == wib(2026, 8, 18, 8, 45)  # long weekend skipped
    assert after(cal, wib(2026, 8, 14, 16, 30), one_day) == wib(
        2026, 8, 18, 16, 0
    )  # Friday's close -> Tuesday's
    assert after(cal, wib(2026, 8, 15, 23, 0), one_day) == wib(2026, 8, 18, 16, 0)  # a Saturday night moment
    assert after(cal, wib(2026, 8, 14, 16, 0), TimeLimit(2, "hours", working=True)) == wib(2026, 8, 18, 9, 0)
    assert after(cal, wib(2026, 8, 14, 16, 0), TimeLimit(2, "hours")) == wib(2026, 8, 14, 18, 0)
    base = wib(2026, 8, 13, 8, 45)
    assert latest_repeat(cal, base, one_day, wib(2026, 8, 18, 8, 44)) == 1
    assert latest_repeat(cal, base, one_day, wib(2026, 8, 18, 8, 45)) == 2
    assert latest_repeat(cal, base, TimeLimit(15, "minutes"), base + timedelta(minutes=46)) == 3
    assert latest_repeat(cal, base, TimeLimit(15, "minutes"), base - timedelta(minutes=1)) == 0


@pytest.mark.parametrize("amount", [1, 2, 5])
def test_repeats_over_months_count_as_many_intervals_as_after_steps_through(amount: int) -> None:
    """``latest_repeat`` counts whole months at once; stepping with ``after`` is the definition it must match
    (weekends, Idul Fitri and month ends included)."""
    cal = BusinessCalendar("Asia/Jakarta")
    interval = TimeLimit(amount, "days", working=True)
    base = wib(2026, 1, 28, 9, 30)
    moments, due = [], base
    while due < wib(2027, 4, 1):
        due = after(cal, due, interval)
        moments.append(due)
    for k, moment in enumerate(moments[:-1], start=1):
        assert latest_repeat(cal, base, interval, moment - timedelta(minutes=1)) == k - 1
        assert latest_repeat(cal, base, interval, moment) == k
        assert latest_repeat(cal, base, interval, moment + timedelta(hours=20)) == k  # 05:30 next day
