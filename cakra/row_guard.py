"""The cycle's last line of defence: one response or operator row that fails never stops the others.

Every known cause of a failing row is handled where it arises (ingest/fields.py reads any cell without
raising, implausible timestamps are flagged, ...). Whatever is left — a bug not met yet — must cost one
case, not every cycle: ``row_guard`` runs one row's work inside a SQLite savepoint of the cycle's
transaction; on an exception it undoes that row's ledger writes, puts the case back as it was, logs one
line (ticket or row number, exception type, message with every NIK-like run masked) and reports the
reason, which the caller flags on the case's row ("Perlu dicek: ...").

Environment failures (the ledger itself failing, a fixable ``CakraError``) are not a row's fault: they
propagate and end the cycle as before, losing nothing.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta, tzinfo
from functools import partial

from cakra.common.errors import CakraError
from cakra.common.pii import redact
from cakra.ingest.responses import failure_reason, unreadable_report
from cakra.ledger.store import Ledger
from cakra.workflow.case import Case, Report
from cakra.workflow.channels import is_manual
from cakra.workflow.context import StepContext
from cakra.workflow.engine import open_case, update_case
from cakra.workflow.operator_edits import RowFailure, RowGuard
from cakra.workflow.pause import resume_if_answered
from cakra.workflow.storage import NOTE

log = logging.getLogger("cakra.cycle")
_SAVEPOINT = "cakra_row"


def guard_for(ledger: Ledger) -> RowGuard:
    """A ``RowGuard`` (workflow/operator_edits.py) over ``ledger``'s open cycle transaction."""
    return partial(_guarded, ledger)


@contextmanager
def _guarded(ledger: Ledger, case: Case | None, what: str) -> Iterator[RowFailure]:
    conn, failure = ledger.conn, RowFailure()
    if not conn.in_transaction:
        # The savepoint must nest in the cycle's transaction: an outermost savepoint's RELEASE would
        # commit the cycle's work so far, and a crash after it would leave half a cycle in the ledger.
        conn.execute("BEGIN")
    snapshot = case.to_json() if case is not None else None
    conn.execute(f"SAVEPOINT {_SAVEPOINT}")
    try:
        yield failure
    except (CakraError, sqlite3.OperationalError):
        conn.execute(f"ROLLBACK TO {_SAVEPOINT}")
        raise
    except Exception as exc:  # anything else is this row's: flag it, go on
        conn.execute(f"ROLLBACK TO {_SAVEPOINT}")
        if case is not None and snapshot is not None:
            vars(case).update(vars(Case.from_json(snapshot)))
        failure.reason = failure_reason(exc)
        detail = " ".join(redact(str(exc)).split())[:200]
        log.error(
            "%s tidak bisa diproses (%s: %s); ditandai, siklus berlanjut", what, type(exc).__name__, detail
        )
    finally:
        conn.execute(f"RELEASE {_SAVEPOINT}")


def take_new_response(
    guard: RowGuard, report: Report, ctx: StepContext, window: timedelta, save: Callable[[Case], None]
) -> Case | None:
    """``report`` as a new case, saved; when that fails, a case holding only the response's place and
    the reason (flagged; its answers are in the response row). None only when even that fails: the
    response is then left for the next cycle (it is not marked as read), never dropped."""
    what = f"tanggapan baris {report.response_row}"
    with guard(None, what) as failure:
        case = open_case(report, ctx, window)
        save(case)
    if failure.reason is None:
        return case
    stand_in = unreadable_report(report.response_key, report.response_row, report.fingerprint, failure.reason)
    with guard(None, f"{what} (kasus pengganti)") as again:
        case = open_case(stand_in, ctx, window)
        save(case)
    return case if again.reason is None else None


def take_edited_response(
    guard: RowGuard, case: Case, report: Report, ctx: StepContext, tz: tzinfo, save: Callable[[Case], None]
) -> bool | None:
    """``case`` takes the edited ``report`` (and resumes when the edit supplied what it waited for), and
    is saved. Returns whether it resumed; None when the edit failed: the case then stays as it was,
    flagged, and the edit counts as read (not retried every cycle; a further edit is taken)."""
    with guard(case, f"perubahan tanggapan {case.ticket}") as failure:
        update_case(case, report, ctx.store, ctx.now, tz, ctx.sop)
        resumed = resume_if_answered(case, ctx)
        save(case)
    if failure.reason is None:
        return resumed
    case.report.fingerprint = report.fingerprint
    where = "tab Input Manual" if is_manual(report) else "tab tanggapan"
    case.message = (
        f"Perlu dicek: perubahan tanggapan (baris {report.response_row}) tidak bisa diproses "
        f"({failure.reason}); lihat baris itu di {where}."
    )
    ctx.store.record(case.ticket, ctx.now, NOTE, note=case.message)
    save(case)
    return None
