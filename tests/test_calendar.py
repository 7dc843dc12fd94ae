"""Time limits and the business calendar: SOP-shaped examples, then properties against a slow reference.

Every datetime is fixed; the wall clock is never read. Reference dates (Indonesia, 2026):
Fri 14 Aug 2026 is the Friday before Independence Day (Mon 17 Aug), a long weekend.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

import holidays
import pytest
import time_machine
from hypothesis import given, settings
from hypothesis import strategies as st

from cakra.workflow import holidays_id
from cakra.workflow.calendar import BusinessCalendar, CalendarError, LimitError, TimeLimit

WIB = ZoneInfo("Asia/Jakarta")
WITA = ZoneInfo("Asia/Makassar")
WIT = ZoneInfo("Asia/Jayapura")
MINUTE = timedelta(minutes=1)
FRIDAY_BEFORE_17_AUG = datetime(2026, 8, 14, 15, 0, tzinfo=WIB)

# database=None: nothing is written into the shared tree; deadline=None: timing varies on busy CI machines.
FAST = settings(max_examples=200, deadline=None, database=None)
SLOW = settings(max_examples=80, deadline=None, database=None)


@pytest.fixture(scope="module")
def cal() -> BusinessCalendar:
    return BusinessCalendar(WIB)


def wib(*args: int) -> datetime:
    return datetime(*args, tzinfo=WIB)


def due(cal: BusinessCalendar, start: datetime, text: str) -> datetime | None:
    return cal.deadline(start, TimeLimit.parse(text))


# -- TimeLimit --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "amount", "unit", "working", "shown"),
    [
        ("15m", 15, "minutes", False, "15 menit"),
        ("30 menit", 30, "minutes", False, "30 menit"),
        ("1h", 1, "hours", False, "1 jam"),
        ("1 jam", 1, "hours", False, "1 jam"),
        ("3 hari", 3, "days", False, "3 hari"),
        ("3 hari kalender", 3, "days", False, "3 hari"),
        ("2 hari kerja", 2, "days", True, "2 hari kerja"),
        ("  2 Hari Kerja ", 2, "days", True, "2 hari kerja"),
        ("3 HK", 3, "days", True, "3 hari kerja"),
        ("4 jam kerja", 4, "hours", True, "4 jam kerja"),
        ("30 menit kerja", 30, "minutes", True, "30 menit kerja"),
    ],
)
def test_parse_reads_sop_limits(text: str, amount: int, unit: str, working: bool, shown: str) -> None:
    limit = TimeLimit.parse(text)
    assert limit == TimeLimit(amount, unit, working=working)  # type: ignore[arg-type]
    assert limit is not None and limit.working is working and str(limit) == shown
    assert TimeLimit.parse(str(limit)) == limit


@pytest.mark.parametrize("text", [None, "", "  ", "-", "tidak ada", "None"])
def test_no_limit_means_no_deadline(cal: BusinessCalendar, text: str | None) -> None:
    assert TimeLimit.parse(text) is None
    assert cal.deadline(FRIDAY_BEFORE_17_AUG, None) is None


@pytest.mark.parametrize("text", ["3 bulan", "dua hari", "2,5 jam", "3 hk kerja", "1 jam lembur"])
def test_unreadable_limits_say_how_to_write_them(text: str) -> None:
    with pytest.raises(LimitError, match="write e.g."):
        TimeLimit.parse(text)


def test_limits_built_in_code_are_checked_too() -> None:
    with pytest.raises(LimitError, match=">= 0"):
        TimeLimit(-1, "days", working=True)
    with pytest.raises(LimitError, match="unit"):
        TimeLimit(1, "months")  # type: ignore[arg-type]


# -- SOP examples -----------------------------------------------------------------------------------------


def test_friday_afternoon_before_a_long_weekend(cal: BusinessCalendar) -> None:
    start = FRIDAY_BEFORE_17_AUG  # Mon 17 Aug is Hari Kemerdekaan
    assert due(cal, start, "1 hari kerja") == wib(2026, 8, 18, 16, 0)  # close of Tuesday
    assert due(cal, start, "3 hari kerja") == wib(2026, 8, 20, 16, 0)  # LAPOR!: verify within 3 working days
    assert due(cal, start, "5 hari kerja") == wib(2026, 8, 24, 16, 0)  # LAPOR!: draft follow-up within 5
    assert due(cal, start, "4 jam kerja") == wib(2026, 8, 18, 10, 0)  # 1.5 h on Friday + 2.5 h on Tuesday
    # Not late on Tuesday morning: only Friday's last 90 minutes and half an hour have been used.
    tuesday_morning = wib(2026, 8, 18, 8, 0)
    limit = TimeLimit.parse("2 hari kerja")
    assert limit is not None
    assert cal.elapsed(start, tuesday_morning, working=True) == timedelta(hours=2)
    assert cal.share_elapsed(start, tuesday_morning, limit) < 0.2


def test_after_hours_and_weekend_reports_are_received_at_the_next_opening(cal: BusinessCalendar) -> None:
    tuesday_close = wib(2026, 8, 18, 16, 0)
    assert due(cal, wib(2026, 8, 14, 16, 29), "0 hari kerja") == wib(2026, 8, 14, 16, 30)  # same working day
    assert due(cal, wib(2026, 8, 14, 16, 29), "1 hari kerja") == tuesday_close
    for arrival in (wib(2026, 8, 14, 16, 30), wib(2026, 8, 15, 10, 0), wib(2026, 8, 17, 9, 0)):
        assert cal.next_working_moment(arrival) == wib(2026, 8, 18, 7, 30)
        assert due(cal, arrival, "1 hari kerja") == wib(2026, 8, 19, 16, 0)
        assert cal.elapsed(arrival, wib(2026, 8, 18, 7, 30), working=True) == timedelta(0)


def test_clock_limits_ignore_weekends_and_holidays(cal: BusinessCalendar) -> None:
    assert due(cal, wib(2026, 8, 15, 23, 50), "15 menit") == wib(
        2026, 8, 16, 0, 5
    )  # security report, Saturday
    assert due(cal, wib(2026, 8, 14, 16, 0), "1 jam") == wib(2026, 8, 14, 17, 0)  # after closing is fine
    assert due(cal, FRIDAY_BEFORE_17_AUG, "3 hari") == wib(2026, 8, 17, 15, 0)  # lands on the holiday
    assert cal.elapsed(wib(2026, 8, 15, 8, 0), wib(2026, 8, 17, 8, 0)) == timedelta(days=2)


def test_idul_fitri_and_cuti_bersama_from_extra_holidays() -> None:
    # The agency copies the SKB 3 Menteri dates: Nyepi, cuti bersama and Idul Fitri 1447 H in one range.
    lebaran = BusinessCalendar.from_config({"extra_holidays": ["2026-03-18..2026-03-24"]}, "Asia/Jakarta")
    plain = BusinessCalendar.from_config({"country_holidays": False}, "Asia/Jakarta")
    start = wib(2026, 3, 17, 14, 0)
    assert due(plain, start, "2 hari kerja") == wib(2026, 3, 19, 16, 0)
    assert due(lebaran, start, "2 hari kerja") == wib(2026, 3, 26, 16, 0)  # Wed 25 and Thu 26 count
    assert due(lebaran, start, "4 jam kerja") == wib(2026, 3, 25, 9, 30)  # 2 h on Tuesday, 2 h after Lebaran
    assert not any(lebaran.is_working_day(date(2026, 3, d)) for d in range(18, 25))


def test_cuti_bersama_flag_uses_the_packages_joint_leave_days() -> None:
    # Cuti bersama Idul Fitri 2025 (SKB 3 Menteri): 2, 3, 4 and 7 April; Idul Fitri itself 31 March, 1 April.
    public = BusinessCalendar.from_config({}, WIB)
    joint = BusinessCalendar.from_config({"cuti_bersama": True}, WIB)
    leave = [date(2025, 4, day) for day in (2, 3, 4, 7)]
    assert public.is_holiday(date(2025, 3, 31)) and joint.is_holiday(date(2025, 3, 31))
    assert not any(public.is_holiday(day) for day in leave)
    assert all(joint.is_holiday(day) for day in leave)
    start = wib(2025, 3, 27, 10, 0)  # Thursday; Friday 28 March is cuti bersama Nyepi
    assert due(public, start, "1 hari kerja") == wib(2025, 3, 28, 16, 30)
    assert due(joint, start, "1 hari kerja") == wib(2025, 4, 8, 16, 0)


def test_wita_and_wit_offices_read_the_same_instant_in_their_own_hours() -> None:
    instant = datetime(2026, 8, 14, 8, 0, tzinfo=UTC)  # 15:00 WIB = 16:00 WITA = 17:00 WIT
    makassar, jayapura = BusinessCalendar(WITA), BusinessCalendar("Asia/Jayapura")
    limit = TimeLimit.parse("1 hari kerja")
    assert makassar.is_working_time(instant) and not jayapura.is_working_time(instant)
    assert makassar.deadline(instant, limit) == datetime(2026, 8, 18, 16, 0, tzinfo=WITA)
    assert jayapura.deadline(instant, limit) == datetime(2026, 8, 19, 16, 0, tzinfo=WIT)  # received Tuesday
    result = jayapura.deadline(instant, TimeLimit.parse("1 jam"))
    assert result is not None and result.tzinfo is WIT and result.hour == 18


def test_friday_prayer_break_and_indonesian_or_english_day_names() -> None:
    cal = BusinessCalendar.from_config(
        {"working_hours": {"jumat": "07:30-11:30, 13:00-16:30", "Saturday": ["08.00–12.00"]}}, WIB
    )
    assert not cal.is_working_time(wib(2026, 8, 7, 12, 0))
    assert cal.next_working_moment(wib(2026, 8, 7, 12, 0)) == wib(2026, 8, 7, 13, 0)
    assert due(cal, wib(2026, 8, 7, 11, 0), "2 jam kerja") == wib(2026, 8, 7, 14, 30)
    assert due(cal, wib(2026, 8, 7, 16, 0), "1 jam kerja") == wib(2026, 8, 8, 8, 30)  # Saturday now open
    assert cal.working_intervals(date(2026, 8, 4)) == [(wib(2026, 8, 4, 7, 30), wib(2026, 8, 4, 16, 0))]


def test_working_time_boundaries(cal: BusinessCalendar) -> None:
    assert cal.is_working_time(wib(2026, 8, 18, 7, 30))  # opening minute counts
    assert not cal.is_working_time(wib(2026, 8, 18, 16, 0))  # closing instant does not
    assert not cal.is_working_time(wib(2026, 8, 17, 10, 0))  # holiday
    assert cal.next_working_moment(wib(2026, 8, 18, 9, 15)) == wib(2026, 8, 18, 9, 15)
    # A deadline may be a closing time, never the next opening.
    assert cal.add(wib(2026, 8, 18, 15, 0), timedelta(hours=1), working=True) == wib(2026, 8, 18, 16, 0)
    assert cal.add(wib(2026, 8, 18, 16, 0), timedelta(0), working=True) == wib(2026, 8, 19, 7, 30)


def test_point_at_share_in_the_limits_own_time(cal: BusinessCalendar) -> None:
    three_days = TimeLimit.parse("3 hari kerja")
    one_hour = TimeLimit.parse("1 jam")
    assert three_days is not None and one_hour is not None
    assert cal.budget(FRIDAY_BEFORE_17_AUG, three_days) == timedelta(hours=27)  # 1.5 + 3 x 8.5
    assert cal.point_at_share(FRIDAY_BEFORE_17_AUG, three_days, 0.8) == wib(2026, 8, 20, 10, 36)
    deadline = cal.deadline(FRIDAY_BEFORE_17_AUG, three_days)
    assert cal.point_at_share(FRIDAY_BEFORE_17_AUG, three_days, 1.0) == deadline
    assert cal.share_elapsed(FRIDAY_BEFORE_17_AUG, wib(2026, 8, 20, 10, 36), three_days) == pytest.approx(0.8)
    assert cal.point_at_share(wib(2026, 8, 15, 9, 0), three_days, 0) == wib(2026, 8, 18, 7, 30)
    # Clock limits count the night: half of "1 jam" from Saturday 23:30 is midnight.
    assert cal.point_at_share(wib(2026, 8, 15, 23, 30), one_hour, 0.5) == wib(2026, 8, 16, 0, 0)
    with pytest.raises(ValueError, match="share"):
        cal.point_at_share(FRIDAY_BEFORE_17_AUG, one_hour, -0.1)


def test_clock_time_is_absolute_across_a_dst_change() -> None:
    # Indonesia has no DST, but the calendar takes any zone: "1 jam" is 60 real minutes.
    ams = ZoneInfo("Europe/Amsterdam")
    cal = BusinessCalendar(ams, country=None)
    start = datetime(2026, 3, 29, 1, 30, tzinfo=ams)
    assert cal.deadline(start, TimeLimit.parse("1 jam")) == datetime(2026, 3, 29, 3, 30, tzinfo=ams)
    assert cal.elapsed(start, datetime(2026, 3, 29, 3, 30, tzinfo=ams)) == timedelta(hours=1)
    assert cal.deadline(start, TimeLimit.parse("1 hari")) == datetime(2026, 3, 30, 2, 30, tzinfo=ams)


def test_holidays_are_computed_lazily_per_year_and_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = holidays_id.holidays_lib.country_holidays

    def counting(country: str, *, years: int, **kwargs: object) -> holidays.HolidayBase:
        calls.append(years)
        return real(country, years=years, **kwargs)

    monkeypatch.setattr(holidays_id.holidays_lib, "country_holidays", counting)
    cal = BusinessCalendar(WIB)
    del calls[:]  # the constructor checks the country once
    for _ in range(3):
        due(cal, FRIDAY_BEFORE_17_AUG, "5 hari kerja")
    assert calls == [2026]
    due(cal, wib(2026, 12, 30, 9, 0), "5 hari kerja")
    assert calls == [2026, 2027]


def test_custom_holiday_source_replaces_the_package() -> None:
    cal = BusinessCalendar(WIB, holidays={date(2026, 8, 18)})
    assert cal.is_working_day(date(2026, 8, 17)) and not cal.is_working_day(date(2026, 8, 18))
    assert due(cal, FRIDAY_BEFORE_17_AUG, "1 hari kerja") == wib(2026, 8, 17, 16, 0)


def test_results_do_not_depend_on_the_wall_clock(cal: BusinessCalendar) -> None:
    for now in (datetime(1999, 1, 1, tzinfo=UTC), datetime(2031, 6, 1, tzinfo=UTC)):
        with time_machine.travel(now, tick=False):
            fresh = BusinessCalendar(WIB)
            assert due(fresh, FRIDAY_BEFORE_17_AUG, "3 hari kerja") == wib(2026, 8, 20, 16, 0)
            assert due(fresh, FRIDAY_BEFORE_17_AUG, "1 h") == wib(2026, 8, 14, 16, 0)


@pytest.mark.parametrize(
    ("config", "hint"),
    [
        ({"workinghours": {}}, "unknown calendar setting 'workinghours'"),
        ({"working_hours": {"senen": "07:30-16:00"}}, "unknown day 'senen'"),
        ({"working_hours": {"senin": "16:00-07:30"}}, "end before they start"),
        ({"working_hours": {"senin": "07:30-12:00, 11:00-16:00"}}, "overlap"),
        ({"working_hours": {"senin": "pagi"}}, "not understood"),
        ({"working_hours": {"senin": "07:75-16:00"}}, "not a clock time"),
        ({"working_hours": {"senin": "08:00-15:00", "monday": "08:00-15:00"}}, "appears twice"),
        (
            {"working_hours": {d: "" for d in ("senin", "selasa", "rabu", "kamis", "jumat")}},
            "open at least one",
        ),
        ({"working_hours": "07:30-16:00"}, "table of day = hours"),
        ({"extra_holidays": ["24-12-2026"]}, "YYYY-MM-DD"),
        ({"extra_holidays": "2026-12-24"}, "list of dates"),
        ({"extra_holidays": ["2026-12-31..2026-12-24"]}, "ends before it starts"),
        ({"country_holidays": "yes"}, "true or false"),
        ({"country_holidays": False, "cuti_bersama": True}, "needs country_holidays"),
        ({"country": "XX"}, "ISO code"),
    ],
)
def test_config_mistakes_are_explained_in_one_line(config: dict, hint: str) -> None:
    with pytest.raises(CalendarError, match=hint) as error:
        BusinessCalendar.from_config(config, WIB)
    assert isinstance(error.value, ValueError) and "\n" not in str(error.value)
    assert any(
        word in str(error.value)
        for word in ("use", "write", "give", "open", "list", "must", "needs", "split")
    )


def test_bad_timezone_and_naive_datetimes_are_rejected(cal: BusinessCalendar) -> None:
    with pytest.raises(CalendarError, match="Asia/Makassar"):
        BusinessCalendar.from_config({}, "Asia/Ujung_Pandang_Typo")
    with pytest.raises(CalendarError, match="unknown timezone"):
        BusinessCalendar("WITA")
    with pytest.raises(CalendarError, match="no timezone"):
        cal.is_working_time(datetime(2026, 8, 14, 15, 0))
    with pytest.raises(ValueError, match="negative"):
        cal.add(FRIDAY_BEFORE_17_AUG, -MINUTE, working=True)
    assert cal.add(FRIDAY_BEFORE_17_AUG, -MINUTE, working=False) == wib(2026, 8, 14, 14, 59)


# -- a slow, obviously-correct reference: minute by minute in local wall time (no DST in Indonesia) --------

REF_HOLIDAYS = frozenset(holidays.country_holidays("ID", years=range(2025, 2029)))
BASE = datetime(2026, 3, 1)  # naive local; the reference ranges cover Nyepi, Lebaran, Waisak, 17 Agustus
SPAN_MINUTES = 200 * 24 * 60


Week = list[list[tuple[int, int]]]  # per weekday, (open, close) minutes after local midnight
Schedule = tuple[Week, frozenset[date], BusinessCalendar]


def ref_open(week: Week, closed: frozenset[date], t: datetime) -> bool:
    minute = t.hour * 60 + t.minute
    return t.date() not in closed and any(a <= minute < b for a, b in week[t.weekday()])


def ref_step(week: Week, closed: frozenset[date], t: datetime) -> datetime:
    """The next minute to look at: skip whole closed days at once so the reference stays fast enough."""
    if t.date() in closed or not week[t.weekday()]:
        return datetime.combine(t.date() + timedelta(days=1), time())
    return t + MINUTE


def ref_add(week: Week, closed: frozenset[date], start: datetime, minutes: int) -> datetime:
    t, done = start, 0
    while True:
        if ref_open(week, closed, t):
            if minutes == 0:
                return t
            done += 1
            if done == minutes:
                return t + MINUTE
        t = ref_step(week, closed, t)


def ref_workday_deadline(week: Week, closed: frozenset[date], start: datetime, n: int) -> datetime:
    day = ref_add(week, closed, start, 0).date()
    while n:
        day += timedelta(days=1)
        n -= day not in closed and bool(week[day.weekday()])
    return datetime.combine(day, time()) + timedelta(minutes=week[day.weekday()][-1][1])


def as_text(intervals: list[tuple[int, int]]) -> str:
    return ", ".join(f"{a // 60:02d}:{a % 60:02d}-{b // 60:02d}:{b % 60:02d}" for a, b in intervals)


@st.composite
def schedules(draw: st.DrawFn) -> Schedule:
    """A random week (0-2 periods a day on a 15-minute grid, up to 24:00), random closed dates, and the calendar."""
    week: Week = []
    for _ in range(7):
        cuts = sorted(draw(st.sets(st.integers(0, 96), max_size=4)))
        cuts = cuts[: len(cuts) - len(cuts) % 2]
        week.append([(cuts[i] * 15, cuts[i + 1] * 15) for i in range(0, len(cuts), 2)])
    if not any(week):
        week[0] = [(450, 960)]
    extra = draw(st.frozensets(st.dates(date(2026, 3, 1), date(2026, 10, 31)), max_size=10))
    country = draw(st.sampled_from(["ID", None]))
    closed = extra | (REF_HOLIDAYS if country else frozenset())
    cal = BusinessCalendar(
        WIB, {day: as_text(week[day]) for day in range(7)}, extra_holidays=extra, country=country
    )
    return week, closed, cal


minute_starts = st.integers(0, SPAN_MINUTES).map(lambda m: BASE + timedelta(minutes=m))


@SLOW
@given(schedules(), minute_starts, st.integers(0, 600))
def test_add_working_time_agrees_with_the_minute_by_minute_reference(
    schedule: Schedule, start: datetime, minutes: int
) -> None:
    week, closed, cal = schedule
    weekly = sum(b - a for day in week for a, b in day)
    minutes = min(minutes, 2 * weekly)  # bound the reference's walk over very sparse weeks
    got = cal.add(start.replace(tzinfo=WIB), timedelta(minutes=minutes), working=True)
    assert got.replace(tzinfo=None) == ref_add(week, closed, start, minutes)


@SLOW
@given(schedules(), minute_starts, st.integers(0, 4 * 24 * 60))
def test_elapsed_working_time_agrees_with_the_reference(
    schedule: Schedule, start: datetime, span: int
) -> None:
    week, closed, cal = schedule
    ends = [start + timedelta(minutes=m) for m in range(span)]
    expected = sum(ref_open(week, closed, t) for t in ends)
    got = cal.elapsed(
        start.replace(tzinfo=WIB), (start + timedelta(minutes=span)).replace(tzinfo=WIB), working=True
    )
    assert got == timedelta(minutes=expected)


@SLOW
@given(schedules(), minute_starts, st.integers(0, 6))
def test_hari_kerja_deadline_agrees_with_the_reference(
    schedule: Schedule, start: datetime, days: int
) -> None:
    week, closed, cal = schedule
    got = cal.deadline(start.replace(tzinfo=WIB), TimeLimit(days, "days", working=True))
    assert got is not None and got.replace(tzinfo=None) == ref_workday_deadline(week, closed, start, days)


# -- properties of the default (Indonesian government) calendar, at microsecond resolution -----------------

DEFAULT = BusinessCalendar(WIB)
instants = st.datetimes(datetime(2025, 12, 1), datetime(2026, 12, 31)).map(lambda t: t.replace(tzinfo=WIB))
any_zone = st.sampled_from([WIB, WITA, WIT, UTC])
durations = st.timedeltas(timedelta(0), timedelta(hours=120))  # up to ~14 working days
working_limits = st.builds(
    TimeLimit, st.integers(0, 10), st.sampled_from(["minutes", "hours", "days"]), st.just(True)
)


def in_working_hours(cal: BusinessCalendar, moment: datetime) -> bool:
    """In ``(open, close]`` of some working period: where a positive working duration may end."""
    local = moment.astimezone(cal.tz).date()
    periods = cal.working_intervals(local) + cal.working_intervals(local - timedelta(days=1))
    return any(opens < moment <= closes for opens, closes in periods)


@FAST
@given(instants, durations, any_zone)
def test_elapsed_inverts_add(start: datetime, duration: timedelta, zone: tzinfo) -> None:
    end = DEFAULT.add(start.astimezone(zone), duration, working=True)
    assert end.tzinfo is WIB
    assert DEFAULT.elapsed(start, end, working=True) == duration


@FAST
@given(instants, durations)
def test_add_lands_in_working_hours_and_never_on_a_holiday(start: datetime, duration: timedelta) -> None:
    end = DEFAULT.add(start, duration, working=True)
    assert in_working_hours(DEFAULT, end) if duration else DEFAULT.is_working_time(end)
    assert not DEFAULT.is_holiday(end.date()) and end.weekday() < 5


@FAST
@given(instants, instants, durations)
def test_add_is_monotonic_in_start(a: datetime, b: datetime, duration: timedelta) -> None:
    a, b = min(a, b), max(a, b)
    assert DEFAULT.add(a, duration, working=True) <= DEFAULT.add(b, duration, working=True)


@FAST
@given(instants, durations, durations)
def test_add_is_monotonic_in_duration(start: datetime, d1: timedelta, d2: timedelta) -> None:
    d1, d2 = min(d1, d2), max(d1, d2)
    assert DEFAULT.add(start, d1, working=True) <= DEFAULT.add(start, d2, working=True)


@FAST
@given(instants, durations, st.dates(date(2025, 12, 1), date(2027, 1, 31)))
def test_every_holiday_is_skipped(start: datetime, duration: timedelta, holiday: date) -> None:
    with_holiday = BusinessCalendar(WIB, extra_holidays=[holiday])
    before, after = (
        DEFAULT.add(start, duration, working=True),
        with_holiday.add(start, duration, working=True),
    )
    lost = DEFAULT.elapsed(start, before, working=True) - with_holiday.elapsed(start, before, working=True)
    # Later exactly when the new holiday took away working time the old result relied on; a zero duration
    # relies on nothing but the opening it lands on.
    moved = lost > timedelta(0) if duration else before.date() == holiday
    assert after >= before and (after > before) == moved
    assert with_holiday.elapsed(start, after, working=True) == duration
    assert not with_holiday.is_working_time(datetime.combine(holiday, time(10), WIB))


@FAST
@given(instants, instants, instants)
def test_elapsed_is_additive_and_antisymmetric(a: datetime, b: datetime, c: datetime) -> None:
    for working in (True, False):
        ab, bc = DEFAULT.elapsed(a, b, working=working), DEFAULT.elapsed(b, c, working=working)
        assert ab + bc == DEFAULT.elapsed(a, c, working=working)
        assert ab == -DEFAULT.elapsed(b, a, working=working)


@FAST
@given(instants)
def test_next_working_moment_is_the_first_working_instant(moment: datetime) -> None:
    nxt = DEFAULT.next_working_moment(moment)
    assert nxt >= moment and DEFAULT.is_working_time(nxt)
    assert DEFAULT.elapsed(moment, nxt, working=True) == timedelta(0)
    assert DEFAULT.next_working_moment(nxt) == nxt
    assert (nxt == moment) == DEFAULT.is_working_time(moment)


@FAST
@given(instants, instants, st.integers(0, 10), st.integers(0, 10))
def test_hari_kerja_deadlines_are_closing_times_monotonic_and_give_n_full_days(
    a: datetime, b: datetime, n: int, m: int
) -> None:
    a, b, n, m = min(a, b), max(a, b), min(n, m), max(n, m)
    limit = TimeLimit(n, "days", working=True)
    end = DEFAULT.deadline(a, limit)
    assert end is not None and end == DEFAULT.working_intervals(end.date())[-1][1]
    assert end <= DEFAULT.deadline(b, limit) and end <= DEFAULT.deadline(
        a, TimeLimit(m, "days", working=True)
    )
    # At least n full working days after the day of receipt, and no whole working day more.
    receipt = DEFAULT.next_working_moment(a).date()
    full_days = sum(
        DEFAULT.is_working_day(receipt + timedelta(days=k)) for k in range(1, (end.date() - receipt).days + 1)
    )
    assert full_days == n


@FAST
@given(
    instants,
    st.one_of(working_limits, st.builds(TimeLimit, st.integers(0, 10), st.just("hours"))),
    st.floats(0, 1.5),
)
def test_shares_are_monotonic_consistent_and_in_working_hours(
    start: datetime, limit: TimeLimit, share: float
) -> None:
    point = DEFAULT.point_at_share(start, limit, share)
    assert DEFAULT.point_at_share(start, limit, share / 2) <= point
    if share <= 1:
        assert point <= DEFAULT.point_at_share(start, limit, 1.0) == DEFAULT.deadline(start, limit)
    if limit.working and DEFAULT.budget(start, limit):
        assert in_working_hours(DEFAULT, point) or DEFAULT.is_working_time(point)
        assert DEFAULT.share_elapsed(start, point, limit) == pytest.approx(share, abs=1e-6)


@FAST
@given(
    st.builds(TimeLimit, st.integers(0, 10_000), st.sampled_from(["minutes", "hours", "days"]), st.booleans())
)
def test_limits_survive_a_round_trip_through_text(limit: TimeLimit) -> None:
    assert TimeLimit.parse(str(limit)) == limit
