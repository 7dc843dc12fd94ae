"""The leadership summary (``run.py report`` and the daily job): counts, SLA compliance, overdue list,
and a chart embedded inline — sent to the roles in ``[report] roles`` (Kepala Badan and Kabid).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import TYPE_CHECKING, Any

from notify.charts import bar_chart
from notify.compose import base_context
from notify.outbox import InlineImage
from notify.render import render_message
from notify.views import case_view
from workflow.sla import compliance, visits

if TYPE_CHECKING:
    from cakra.app import App


def summary_context(app: App, now: datetime, role: str) -> dict[str, Any]:
    """Everything the summary template shows, as ``role`` may see it."""
    sop = app.sop
    cases = app.ledger.cases()
    open_cases = [c for c in cases if c.is_open]
    by_step = Counter(sop.state_title(c.step) for c in cases)
    step_rows = [{"title": title, "count": by_step[title]} for title in [*sop.choices()] if by_step[title]]
    per_step = compliance(visits(cases, app.ledger.history(), sop, app.calendar), sop, now)
    overdue = sorted((c for c in open_cases if c.is_overdue(now)), key=lambda c: c.deadline or now)
    return {
        **base_context(app, now),
        "total": len(cases),
        "open_count": len(open_cases),
        "closed_count": len(cases) - len(open_cases),
        "overdue_count": len(overdue),
        "by_step": step_rows,
        "by_category": Counter(c.report.category or "Tanpa kategori" for c in cases).most_common(),
        "by_kecamatan": Counter(c.report.kecamatan or "Tidak diisi" for c in cases).most_common(),
        "compliance": [
            {"title": c.title, "on_time": c.on_time, "late": c.late, "percent": c.percent} for c in per_step
        ],
        "overdue": [case_view(c, sop, role, now) for c in overdue],
        "chart_cid": "ringkasan-tahap@cakra",
    }


def send_summary(app: App, now: datetime, *, key: str | None = None) -> str | None:
    """Enqueue the summary for every report role; return the last Message-ID (None if all existed).

    ``key`` makes a run idempotent (the daily job passes the date); a manual run keys by the minute.
    """
    key = key or f"summary:{now:%Y-%m-%dT%H:%M}"
    message_id = None
    with app.ledger.transaction():
        for role in app.config.report["roles"]:
            recipients = app.config.role_emails(role)
            if role not in app.sop.roles or not recipients:
                continue
            context = summary_context(app, now, role)
            context["role_title"] = app.sop.roles[role].title
            chart = bar_chart(
                "Kasus per tahap",
                [r["title"] for r in context["by_step"]],
                [r["count"] for r in context["by_step"]],
            )
            rendered = render_message("summary", context)
            message_id = (
                app.outbox.enqueue(
                    dedupe_key=f"{key}:{role}",
                    role=role,
                    recipients=recipients,
                    sender=app.config.email["from"],
                    subject=rendered.subject,
                    text=rendered.text,
                    html=rendered.html,
                    inline_images=[
                        InlineImage(cid=context["chart_cid"], data=chart, filename="ringkasan-tahap.png")
                    ],
                    now=now,
                )
                or message_id
            )
    return message_id
