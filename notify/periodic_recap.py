"""The monthly recap of periodic reports for the Camat (``[periodic] recap_roles``), phone-first.

Over the last ``[periodic] recap_periods`` periods whose due day has passed (none before the monitoring
began): per desa, how many periods it reported, its on-time share, its state per period and the members
present over time (the plan's ``attendance_field``), with a small-multiples chart (one panel per desa,
one shared scale). The desa that reported least come first: the Camat's attention goes there. Keyed by
its month, so it is made once whoever runs it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from cakra.notify.charts import small_multiples
from cakra.notify.mailer import Mailer
from cakra.notify.outbox import InlineImage
from cakra.notify.report import send_to_report_roles
from cakra.workflow.calendar import BusinessCalendar
from cakra.workflow.periods import Period, PeriodicPlan
from cakra.workflow.roster import Roster
from cakra.workflow.storage import CaseBook
from cakra.workflow.submissions import PERBAIKAN, SUDAH, Submission, by_desa_period, cell_state, on_time

CHART_CID = "rekap-linmas@cakra"


def recap_rows(
    subs: Sequence[Submission],
    roster: Roster,
    periods: Sequence[Period],
    plan: PeriodicPlan,
    calendar: BusinessCalendar,
    now: datetime,
) -> list[dict[str, Any]]:
    """One row per desa (least reported first): reports, on time, share, states, attendance per period."""
    grouped = by_desa_period(subs)
    rows = []
    for desa_id, desa in roster.desa.items():
        states, attendance, reported, timely = [], [], 0, 0
        for period in periods:
            mine = grouped.get((desa_id, period.key), [])
            state = cell_state(mine, period, plan, calendar, now)
            states.append(state)
            attendance.append(mine[-1].attendance if mine else None)
            if state in (SUDAH, PERBAIKAN):
                reported += 1
                timely += on_time(mine, period, plan, calendar)
        rows.append(
            {
                "title": desa.title,
                "reported": reported,
                "on_time": timely,
                "share": 100 * timely / len(periods) if periods else None,
                "states": states,
                "attendance": attendance,
            }
        )
    return sorted(rows, key=lambda r: (r["reported"], r["on_time"], r["title"].casefold()))


def recap_context(
    mailer: Mailer,
    role_title: str,
    rows: list[dict[str, Any]],
    periods: Sequence[Period],
    now: datetime,
) -> dict[str, Any]:
    expected = len(rows) * len(periods)
    reported = sum(r["reported"] for r in rows)
    return {
        **mailer.base_context(now),
        "role_title": role_title,
        "periods": [p.label for p in periods],
        "short_periods": [p.short_label for p in periods],
        "first_period": periods[0].label if periods else "",
        "last_period": periods[-1].label if periods else "",
        "rows": rows,
        "expected": expected,
        "reported": reported,
        "silent": [r["title"] for r in rows if r["reported"] == 0],
        "chart_cid": CHART_CID,
    }


def send_recap(
    mailer: Mailer,
    book: CaseBook,
    roles: Sequence[str],
    rows: list[dict[str, Any]],
    periods: Sequence[Period],
    now: datetime,
    *,
    key: str,
) -> str | None:
    """Enqueue the recap for each of ``roles`` under ``{key}:{role}``; the last new Message-ID or None."""

    def build(role: str) -> tuple[dict[str, Any], list[InlineImage]]:
        context = recap_context(mailer, book.sop.roles[role].title, rows, periods, now)
        chart = small_multiples(
            "Anggota Linmas hadir per periode",
            [p.short_label.split()[0] for p in periods],
            {r["title"]: r["attendance"] for r in rows},
        )
        return context, [InlineImage(cid=CHART_CID, data=chart, filename="rekap-hadir.png")]

    return send_to_report_roles(mailer, book, roles, now, key, "periodic_recap", build)
