"""A ``[calendar]`` table, read once: the SOP's and the agency's, layered, then one ``BusinessCalendar``.

Both an SOP file and the agency's config may have a ``[calendar]`` table; the agency's goes on top of the
SOP's (``agency.over(sop)``): its working hours replace the SOP's day by day, its extra holidays are
added to the SOP's, and any other key it sets wins. A ``CalendarSettings`` holds only what its table set
(``None`` = not set), so layering needs no defaults; they are applied when the week and the holiday
source are asked for. Keys: ``working_hours`` (day -> hours, over the default week), ``extra_holidays``
(dates or ``"YYYY-MM-DD..YYYY-MM-DD"``), ``country_holidays`` (bool, default true), ``country`` (ISO
code, default "ID"), ``cuti_bersama`` (bool, default false). Every mistake raises ``CalendarError`` with
one line saying what to fix.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cakra.workflow.holidays_id import (
    DEFAULT_WORKING_HOURS,
    CalendarError,
    DaySchedule,
    parse_dates,
    parse_day,
    parse_hours,
)

KEYS = ("working_hours", "extra_holidays", "country_holidays", "country", "cuti_bersama")


def read_hours(table: Mapping[Any, Any]) -> dict[int, DaySchedule]:
    """``{"jumat": "07:30-11:30, 13:00-16:30"}`` -> ``{4: ((450, 690), (780, 990))}``; a day given twice
    (``jumat`` and ``friday``) is a mistake."""
    week: dict[int, DaySchedule] = {}
    for key, value in table.items():
        day = parse_day(key)
        if day in week:
            raise CalendarError(f"day {key!r} appears twice in working_hours; give each day once")
        week[day] = parse_hours(value, day=str(key))
    return week


def full_week(hours: Mapping[int, DaySchedule]) -> tuple[DaySchedule, ...]:
    """Monday..Sunday: ``hours`` over the government default week; at least one day must be open."""
    default = {day: parse_hours(text) for day, text in DEFAULT_WORKING_HOURS.items()}
    week = tuple(hours.get(day, default[day]) for day in range(7))
    if not any(week):
        raise CalendarError(
            "working_hours close every day of the week; open at least one, e.g. senin = '07:30-16:00'"
        )
    return week


@dataclass(frozen=True)
class CalendarSettings:
    """What one ``[calendar]`` table says (``None``: the table leaves it to the one below, or the default)."""

    working_hours: Mapping[int, DaySchedule] = field(default_factory=dict)  # weekday (Monday = 0) -> hours
    extra_holidays: frozenset[date] = frozenset()
    country_holidays: bool | None = None
    country: str | None = None
    cuti_bersama: bool | None = None

    @classmethod
    def parse(cls, table: object) -> CalendarSettings:
        """Read a ``[calendar]`` table; the result is checked as it would stand on its own."""
        if not isinstance(table, Mapping):
            raise CalendarError(
                f"the calendar config must be a table of settings, not {type(table).__name__}"
            )
        unknown = sorted(str(key) for key in table if key not in KEYS)
        if unknown:
            raise CalendarError(f"unknown calendar setting {unknown[0]!r}; use only: {', '.join(KEYS)}")
        hours = table.get("working_hours", {})
        if not isinstance(hours, Mapping):
            raise CalendarError("working_hours must be a table of day = hours, e.g. senin = '07:30-16:00'")
        for key in ("country_holidays", "cuti_bersama"):
            if key in table and not isinstance(table[key], bool):
                raise CalendarError(f"{key} must be true or false, not {table[key]!r}")
        country = table.get("country")
        if country is not None and not isinstance(country, str):
            raise CalendarError(f"country must be an ISO code such as 'ID', not {country!r}")
        settings = cls(
            working_hours=read_hours(hours),
            extra_holidays=parse_dates(table.get("extra_holidays", ())),
            country_holidays=table.get("country_holidays"),
            country=country,
            cuti_bersama=table.get("cuti_bersama"),
        )
        settings.check()
        return settings

    def over(self, base: CalendarSettings) -> CalendarSettings:
        """These settings on top of ``base`` (see the module doc); the result is checked."""
        layered = CalendarSettings(
            working_hours={**base.working_hours, **self.working_hours},
            extra_holidays=base.extra_holidays | self.extra_holidays,
            country_holidays=_first(self.country_holidays, base.country_holidays),
            country=_first(self.country, base.country),
            cuti_bersama=_first(self.cuti_bersama, base.cuti_bersama),
        )
        layered.check()
        return layered

    def check(self) -> None:
        """Raise ``CalendarError`` when the settings contradict each other or close every day."""
        if self.cuti_bersama and self.country_holidays is False:
            raise CalendarError(
                "cuti_bersama = true needs country_holidays = true; list the dates in extra_holidays instead"
            )
        self.week()

    def week(self) -> tuple[DaySchedule, ...]:
        """Opening hours Monday..Sunday, the default week where the table says nothing."""
        return full_week(self.working_hours)

    @property
    def holiday_country(self) -> str | None:
        """Whose public holidays close the office (None: none, only ``extra_holidays``)."""
        return None if self.country_holidays is False else _first(self.country, "ID")

    @property
    def holiday_categories(self) -> tuple[str, ...]:
        """The ``holidays`` package's categories: ``"government"`` adds Indonesia's cuti bersama days."""
        return ("public", "government") if self.cuti_bersama else ("public",)


def _first(value: Any, fallback: Any) -> Any:
    return fallback if value is None else value
