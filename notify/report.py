"""Leadership summaries, sent to the roles in ``[report] roles`` (Kepala Badan and Kabid) with charts inline:

- the **daily summary** (``run.py report`` and serve's daily job): counts, SLA compliance, overdue list, and
  a chart of cases per step;
- the **weekly summary** (serve's weekly job, ``run.py weekly``): the same, plus over the last
  ``[report] weekly_weeks`` weeks (seven-day periods ending at the moment it is made): cases per week by
  category, SLA compliance per step and median time per step, each as an inline chart.
Both are idempotent by key (the date, or the week), so a restart or a second tick never sends one twice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, tzinfo
from typing import Any

from cakra.notify.charts import bar_chart, stacked_columns
from cakra.notify.mailer import Mailer
from cakra.notify.outbox import InlineImage
from cakra.notify.views import case_view
from cakra.workflow.sla import compliance, step_times, visits
from cakra.workflow.storage import CaseBook

Build = Callable[[str], tuple[dict[str, Any], list[InlineImage]]]
OVERDUE_LISTED = 20  # late cases listed by name (oldest first); the rest are counted, with the link


def summary_context(mailer: Mailer, book: CaseBook, now: datetime, role: str) -> dict[str, Any]:
    """Everything the summary template shows, as ``role`` may see it."""
    sop = book.sop
    cases = book.archive.cases()
    open_cases = [c for c in cases if c.is_open]
    by_step = Counter(sop.state_title(c.step) for c in cases)
    step_rows = [{"title": title, "count": by_step[title]} for title in [*sop.choices()] if by_step[title]]
    per_step = compliance(visits(cases, book.archive.history(), sop, book.calendar), sop, now)
    overdue = sorted((c for c in open_cases if c.is_overdue(now)), key=lambda c: c.deadline or now)
    return {
        **mailer.base_context(now),
        "role_title": sop.roles[role].title,
        "total": len(cases),
        "open_count": len(open_cases),
        "closed_count": len(cases) - len(open_cases),
        "overdue_count": len(overdue),
        "paused_count": sum(c.is_paused for c in open_cases),
        "by_step": step_rows,
        "by_category": Counter(c.report.category or "Tanpa kategori" for c in cases).most_common(),
        "by_kecamatan": Counter(c.report.kecamatan or "Tidak diisi" for c in cases).most_common(),
        "compliance": [
            {
                "title": c.title,
                "on_time": c.on_time,
                "late": c.late,
                "percent": c.percent,
                "paused": c.paused,
                "paused_time": c.paused_time,
            }
            for c in per_step
        ],
        "overdue": [case_view(c, sop, role, now) for c in overdue[:OVERDUE_LISTED]],
        "chart_cid": "ringkasan-tahap@cakra",
    }


def _step_chart(context: dict[str, Any]) -> InlineImage:
    chart = bar_chart(
        "Kasus per tahap", [r["title"] for r in context["by_step"]], [r["count"] for r in context["by_step"]]
    )
    return InlineImage(cid=context["chart_cid"], data=chart, filename="ringkasan-tahap.png")


def send_to_report_roles(
    mailer: Mailer, book: CaseBook, roles: Sequence[str], now: datetime, key: str, template: str, build: Build
) -> str | None:
    """Render ``template`` for each of ``roles`` (``build(role)`` gives context and images) and enqueue it
    under ``{key}:{role}``; return the last new Message-ID (None if every one already existed)."""
    message_id = None
    with book.archive.transaction():
        for role in roles:
            recipients = mailer.recipients(role)
            if role not in book.sop.roles or not recipients:
                continue
            dedupe_key = f"{key}:{role}"
            if mailer.has(dedupe_key):
                continue  # already made: skip building the charts again
            context, images = build(role)
            message_id = (
                mailer.enqueue(
                    template,
                    context,
                    dedupe_key=dedupe_key,
                    role=role,
                    recipients=recipients,
                    now=now,
                    inline_images=images,
                )
                or message_id
            )
    return message_id


def send_summary(
    mailer: Mailer, book: CaseBook, roles: Sequence[str], now: datetime, *, key: str | None = None
) -> str | None:
    """Enqueue the daily summary for each of ``roles`` (``[report] roles``); return the last Message-ID
    (None if all existed).

    ``key`` makes a run idempotent (the daily job passes the date); a manual run keys by the minute.
    """

    def build(role: str) -> tuple[dict[str, Any], list[InlineImage]]:
        context = summary_context(mailer, book, now, role)
        return context, [_step_chart(context)]

    key = key or f"summary:{now:%Y-%m-%dT%H:%M}"
    return send_to_report_roles(mailer, book, roles, now, key, "summary", build)


def week_start(moment: datetime, tz: tzinfo) -> datetime:
    """Monday 00:00 (local) of the week ``moment`` falls in."""
    local = moment.astimezone(tz)
    monday = local.date() - timedelta(days=local.weekday())
    return datetime(monday.year, monday.month, monday.day, tzinfo=tz)


def weekly_context(mailer: Mailer, book: CaseBook, now: datetime, role: str, weeks: int) -> dict[str, Any]:
    """The daily summary's content plus the last ``weeks`` seven-day periods up to ``now``."""
    tz, sop = book.calendar.tz, book.sop
    until = now
    starts = [until - timedelta(weeks=n) for n in range(weeks, 0, -1)]
    since = starts[0]
    cases = book.archive.cases()
    all_visits = visits(cases, book.archive.history(), sop, book.calendar)
    per_week: dict[str, list[int]] = {}
    for case in cases:
        received = case.report.received_at
        if since <= received < until:
            index = (received - since) // timedelta(weeks=1)
            per_week.setdefault(case.report.category or "Tanpa kategori", [0] * weeks)[index] += 1
    per_step = compliance(all_visits, sop, now, since=since, until=until)
    times = step_times(all_visits, sop, now, since=since, until=until)
    return {
        **summary_context(mailer, book, now, role),
        "period_start": since,
        "period_end": until,
        "weeks": weeks,
        "week_labels": [f"{start.astimezone(tz):%d/%m}" for start in starts],
        "per_week": sorted(per_week.items(), key=lambda item: -sum(item[1])),
        "week_rows": week_rows(starts, per_week, tz),
        "week_compliance": [
            {"title": c.title, "on_time": c.on_time, "late": c.late, "percent": c.percent, "paused": c.paused}
            for c in per_step
        ],
        "week_times": [{"title": t.title, "count": t.count, "median": t.median, "p90": t.p90} for t in times],
        "cids": {
            "categories": "mingguan-kategori@cakra",
            "compliance": "mingguan-sla@cakra",
            "times": "mingguan-waktu@cakra",
        },
    }


def week_rows(starts: Sequence[datetime], per_week: dict[str, list[int]], tz: tzinfo) -> list[dict[str, Any]]:
    """The trend, one row per week (narrow enough for a phone): its start, its total, and the category
    reported most that week."""
    rows = []
    for index, start in enumerate(starts):
        counts = {name: weekly[index] for name, weekly in per_week.items() if weekly[index]}
        top = max(counts, key=lambda name: (counts[name], name)) if counts else ""
        rows.append(
            {
                "label": f"{start.astimezone(tz):%d/%m}",
                "total": sum(counts.values()),
                "top": top,
                "top_count": counts.get(top, 0),
            }
        )
    return rows


def _weekly_charts(context: dict[str, Any]) -> list[InlineImage]:
    cids = context["cids"]
    timed = [t for t in context["week_times"] if t["median"] is not None]
    decided = [c for c in context["week_compliance"] if c["percent"] is not None]
    charts = {
        "categories": stacked_columns(
            "Kasus per minggu per jenis laporan", context["week_labels"], dict(context["per_week"])
        ),
        "compliance": bar_chart(
            "Kepatuhan waktu (SLA) per tahap",
            [c["title"] for c in decided],
            [c["percent"] for c in decided],
            unit="%",
        ),
        "times": bar_chart(
            "Median waktu per tahap (jam)",
            [t["title"] for t in timed],
            [round(t["median"].total_seconds() / 3600, 1) for t in timed],
            unit=" jam",
        ),
    }
    return [
        InlineImage(cid=cids[name], data=data, filename=f"{cids[name].split('@')[0]}.png")
        for name, data in charts.items()
    ]


def send_weekly(
    mailer: Mailer, book: CaseBook, roles: Sequence[str], weeks: int, now: datetime, *, key: str | None = None
) -> str | None:
    """Enqueue the weekly summary (the last ``weeks`` weeks) for each of ``roles``; keyed by the week
    (Monday's date) unless ``key``."""

    def build(role: str) -> tuple[dict[str, Any], list[InlineImage]]:
        context = weekly_context(mailer, book, now, role, weeks)
        return context, [_step_chart(context), *_weekly_charts(context)]

    key = key or f"weekly-summary:{week_start(now, book.calendar.tz):%Y-%m-%d}"
    return send_to_report_roles(mailer, book, roles, now, key, "weekly", build)
