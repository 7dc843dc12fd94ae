"""The status sheet: one row per case, service-owned columns beside operator-owned ones.

Columns are found by header, so an operator who reorders columns or adds one breaks nothing; a missing
column is added at the right end. Every write to a case's row is addressed by its ticket and its
column's header (``sheets.base.RowKey``): the backend finds both again at write time, so rows or columns
an operator inserted, deleted, sorted or moved after the cycle's read never take another case's cells. The service writes only service-owned cells whose value differs from
what it read (zero cells when nothing changed) and never writes an operator-owned cell of an existing
row: it fills them once, when it adds the case's row.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from cakra.common.pii import mask_nik, redact, redact_value
from cakra.common.wording import format_time
from cakra.sheets.base import CellValue, CellWrite, RowKey, Tab
from cakra.workflow.case import Case
from cakra.workflow.handover import handover_summary
from cakra.workflow.operator_edits import OPERATOR_FIELDS
from cakra.workflow.pause import WAITING_NOTE, hold_note
from cakra.workflow.privacy import ANONYMOUS, CONFIDENTIAL, may_see_content, may_see_identity
from cakra.workflow.reach import whatsapp_link
from cakra.workflow.sop import Sop


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    operator: bool = False


# Sheet order for a new tab. "Tahap" is the operator's step choice; "Tahap Saat Ini" is the service's view.
COLUMNS: tuple[Column, ...] = (
    Column("ticket", "No. Tiket"),
    Column("received", "Diterima"),
    Column("category", "Jenis Laporan"),
    Column("location", "Lokasi"),
    Column("summary", "Ringkasan"),
    Column("kelengkapan", "Kelengkapan"),
    Column("name", "Nama Pelapor"),
    Column("nik", "NIK (disamarkan)"),
    Column("phone", "No. HP"),
    Column("current_step", "Tahap Saat Ini"),
    Column("role", "Penanggung Jawab"),
    Column("deadline", "Batas Waktu"),
    Column("late", "Terlambat"),
    *(Column(key, label, operator=True) for key, label in OPERATOR_FIELDS.items()),
    Column("message", "Pesan Sistem"),
    # What the step before produced (workflow/handover.py), and a WhatsApp link to a reporter without email
    # in an ``informs_reporter`` step (workflow/reach.py). Last, where a sheet in use gains them too.
    Column("handover", "Catatan Tahap Sebelumnya"),
    Column("reach", "Hubungi Pelapor"),
    # Where the case came in (workflow/channels.py): last, where an existing tab gains them too, so the
    # operator columns keep their places.
    Column("channel", "Saluran"),
    Column("reference", "No. Referensi"),
)
OPERATOR_KEYS = tuple(c.key for c in COLUMNS if c.operator)
SERVICE_KEYS = tuple(c.key for c in COLUMNS if not c.operator)
HEADERS = [c.header for c in COLUMNS]
_HEADER_OF = {c.key: c.header for c in COLUMNS}


def column_header(key: str) -> str:
    return _HEADER_OF[key]


def shown_text(values: dict[str, str]) -> str:
    """Service values as stored in the ledger (what the service last wrote on a case's row)."""
    return json.dumps([values[key] for key in SERVICE_KEYS], ensure_ascii=False)


HIDDEN_CONTENT = f"({CONFIDENTIAL}: isi laporan hanya untuk peran yang menangani)"


# An ``ongoing`` step has no deadline by design (a service running every working day): never late.
ONGOING_NOTE = "berjalan (tanpa batas waktu)"


def lateness(case: Case, now: datetime, held: str = WAITING_NOTE) -> str:
    """Text starting with "Ya" or "Tidak"; stable between cycles so it causes no writes of its own.
    ``held``: how the case's clock-stopping hold is named ("menunggu pelapor", "Pending")."""
    if case.is_overdue(now):
        return "Ya"
    if not case.is_open:
        return "Tidak (selesai)"
    if case.is_paused:
        return f"Tidak ({held})"
    return "Tidak"


def timely_values(case: Case, sop: Sop, now: datetime) -> dict[str, str]:
    """The service values whose text can change with time alone, the case unchanged. Values reused
    from the ledger's memory (``tabs/shown.py``) get these afresh every cycle, so a service column whose
    text depends on ``now`` must be computed here (``service_values`` takes them from here)."""
    return {"late": lateness(case, now, hold_note(case, sop) or WAITING_NOTE)}


def service_values(case: Case, sop: Sop, now: datetime, tz: ZoneInfo, summary_chars: int) -> dict[str, str]:
    """What the service shows for ``case`` in its own columns (all text; no full NIK, no free NIKs).

    The sheet is open to everyone who works cases, so it follows the strictest reader: an anonymous
    reporter is shown as "Anonim", a confidential report's content is not shown (see workflow/privacy.py).
    """
    report = case.report
    description = redact(report.description.replace("\n", " "))  # before cutting: no half NIK left
    if len(description) > summary_chars:
        description = description[: summary_chars - 1].rstrip() + "…"
    if not may_see_content(case, sop, None):
        description = HIDDEN_CONTENT
    identity = may_see_identity(case, sop, None)
    note = hold_note(case, sop)
    paused = f" ({note})" if note else ""
    deadline = format_time(case.deadline, tz)
    if case.is_open and case.step in sop.steps and sop.steps[case.step].ongoing:
        deadline = ONGOING_NOTE
    values = {
        "ticket": case.ticket,
        "received": format_time(report.received_at, tz),
        "category": report.category,
        "location": report.location,
        "summary": description,
        "kelengkapan": report.kelengkapan,
        "channel": report.channel,
        "reference": report.reference,
        "name": report.name if identity else ANONYMOUS,
        "nik": mask_nik(report.nik) if identity else "",
        "phone": report.phone if identity else "",
        "current_step": sop.state_title(case.step) + paused,
        "role": sop.step_roles_title(case.step),
        "deadline": f"{deadline} (waktu berhenti)" if deadline and case.is_paused else deadline,
        **timely_values(case, sop, now),
        "handover": handover_summary(case, with_notes=may_see_content(case, sop, None)),
        "reach": whatsapp_link(case, sop),  # "" unless phone-only, not anonymous, in an informing step
        "message": case.message,
    }
    # Every value passes ``redact`` where it becomes a cell: a NIK in any answer never reaches the tab.
    return redact_value(values)


def cell_text(value: CellValue) -> str:
    """A cell as the text it shows (``3.0`` read from a sheet is ``"3"``), to compare with what we would write."""
    if type(value) is str:  # most cells (every operator cell of every open case, every cycle)
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class StatusSheet:
    """The status tab as read this cycle, and the writes that bring it in line with the cases."""

    def __init__(self, tab: Tab) -> None:
        self.tab = tab
        self.positions: dict[str, int] = {}
        header = list(tab.header)
        self.header_writes: list[CellWrite] = []
        for column in COLUMNS:
            position = tab.column(column.header)
            if position is None:  # a deleted or never-made column comes back at the right end
                position = len(header)
                header.append(column.header)
                self.header_writes.append(CellWrite(tab.name, 1, position + 1, column.header))
            self.positions[column.key] = position
        self.operator_positions = [(key, self.positions[key]) for key in OPERATOR_KEYS]
        self.rows: dict[str, int] = {}
        self.duplicate_rows: list[int] = []
        ticket_col = self.positions["ticket"]
        for index in range(1, len(tab.rows)):
            ticket = cell_text(tab.cell(index, ticket_col))
            if not ticket:
                continue
            if ticket in self.rows:
                self.duplicate_rows.append(index)
            else:
                self.rows[ticket] = index
        self.next_row = max(len(tab.rows), 1)  # 0-based index of the first free row
        self.header = header  # as it will be once ``header_writes`` are written
        self._signature_order = sorted(self.operator_positions)

    def operator_signatures(self) -> dict[str, str]:
        """Ticket -> ``operator_signature`` of its row (workflow/case.py), for every row with a ticket.

        Runs over every row each cycle (50,000 at a large agency), hence the plain loop.
        """
        order = self._signature_order
        out: dict[str, str] = {}
        rows = self.tab.rows
        for ticket, index in self.rows.items():
            row = rows[index]
            width = len(row)
            parts = []
            for key, position in order:
                if position < width:
                    value = row[position]
                    if value is not None and value != "":
                        text = value.strip() if type(value) is str else cell_text(value)
                        if text:
                            parts.append(key + "\x1e" + text)
            out[ticket] = "\x1f".join(parts)
        return out

    def assume(self, shown: Mapping[str, str | Sequence[str]]) -> None:
        """Take ``shown`` (ticket -> ``shown_text``, or its values already decoded) as the service cells
        of those rows, instead of reading them: a partial read (tabs/view.py) has only the ticket and
        operator columns."""
        positions = [self.positions[key] for key in SERVICE_KEYS]
        for ticket, text in shown.items():
            index = self.rows.get(ticket)
            values = json.loads(text) if isinstance(text, str) else text
            if index is None or len(values) != len(positions):
                # Written by a version with other service columns: the row's cells count as unknown, so
                # the ones that differ are written (and remembered in this version's shape).
                continue
            row = self.tab.rows[index]
            if len(row) <= max(positions):
                row.extend([None] * (max(positions) + 1 - len(row)))
            for position, value in zip(positions, values, strict=True):
                row[position] = value

    def operator_values(self, ticket: str) -> dict[str, str] | None:
        """The operator-owned values of a case's row, or None when the case has no row."""
        index = self.rows.get(ticket)
        if index is None:
            return None
        row = self.tab.rows[index]
        width = len(row)
        return {key: cell_text(row[p]) if p < width else "" for key, p in self.operator_positions}

    def writes(
        self,
        cases: Iterable[Case],
        values: Callable[[Case], dict[str, str]],
        changed: dict[str, dict[str, str]] | None = None,
    ) -> list[CellWrite]:
        """Cells to write: changed service cells of existing rows, whole rows for cases without one.

        ``changed`` (when given) receives ticket -> service values of every row that gets a write.
        """
        out = list(self.header_writes)
        positions = self.positions
        name, ticket_col = self.tab.name, self.positions["ticket"] + 1
        ticket_header = _HEADER_OF["ticket"]
        for case in cases:
            wanted = values(case)
            index = self.rows.get(case.ticket)
            before = len(out)
            key = RowKey(ticket_header, ticket_col, case.ticket, new=index is None)
            if index is None:
                index = self.next_row
                self.next_row += 1
                self.rows[case.ticket] = index
                row_values = {**wanted, **{k: case.operator.get(k, "") for k in OPERATOR_KEYS}}
                if not row_values["step_choice"]:
                    row_values["step_choice"] = wanted["current_step"]
                out.extend(
                    CellWrite(name, index + 1, positions[k] + 1, value, key, _HEADER_OF[k])
                    for k, value in row_values.items()
                    if value != ""
                )
            else:
                row = self.tab.rows[index]
                width = len(row)
                for k, value in wanted.items():
                    position = positions[k]
                    cell = row[position] if position < width else None
                    # Most cells are unchanged strings: compare directly before normalising (hot loop).
                    if cell != value and cell_text(cell) != value:
                        out.append(CellWrite(name, index + 1, position + 1, value, key, _HEADER_OF[k]))
            if changed is not None and len(out) > before:
                changed[case.ticket] = wanted
        return out
