"""The "Input Manual" tab: a second intake, where the admin types complaints that did not come by the form.

Its columns follow the form's built-in fields (``ingest/columns.py`` finds them by the same aliases), with
"Tanggal Diterima" as the timestamp, "Saluran" (dropdown: ``MANUAL_CHANNELS``) and "No. Referensi
(LAPOR!)", then the SOP's declared fields, then two columns the service writes: "No. Tiket" (the case the
row became) and "Pesan Sistem" (what needs checking on it).

The tab is small (typed by hand), so each cycle reads it whole in the cycle's one read request. Rules:
- a row becomes a case once its "Uraian" is filled; a row still being typed (no Uraian) waits;
- the service columns are left out of a row's content, so writing them is never an edit of the row;
- the service's cells are addressed by the row's Uraian (``RowKey``), never by a bare row number: rows the
  admin sorts or inserts between the read and the write move nothing onto another row. A row whose
  Uraian is on another row too is not written (it could not be placed for certain); its case still runs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from cakra.common.pii import redact
from cakra.ingest.columns import ColumnAliases
from cakra.sheets.base import CellWrite, RowKey, Tab
from cakra.tabs.status import cell_text
from cakra.workflow.case import Case
from cakra.workflow.sop import Sop

DATE_HEADER = "Tanggal Diterima"
CHANNEL_HEADER = "Saluran"
DESCRIPTION_HEADER = "Uraian"
TICKET_HEADER = "No. Tiket"
MESSAGE_HEADER = "Pesan Sistem"
INPUT_HEADERS: tuple[str, ...] = (
    DATE_HEADER,
    CHANNEL_HEADER,
    "No. Referensi (LAPOR!)",
    "Nama Pelapor",
    "NIK",
    "No. HP",
    "Email",
    "Jenis Laporan",
    "Kecamatan",
    "Desa",
    DESCRIPTION_HEADER,
    "Kerahasiaan",
    "Lampiran (tautan)",
    "Foto KTP (tautan)",
)
SERVICE_HEADERS = (TICKET_HEADER, MESSAGE_HEADER)
# The Input Manual tab's columns are the service's own headers: the form's aliases find each field, with
# the date of receipt as the timestamp. The agency's [columns] are about its form, so they are not used.
MANUAL_COLUMNS = ColumnAliases(extra={"timestamp": (DATE_HEADER,)})
CHANNEL_PROMPT = "Pilih saluran laporan ini diterima"


def manual_headers(sop: Sop) -> list[str]:
    """The header row ``init`` gives a new Input Manual tab (the SOP's declared fields before the service's
    columns, under the first of their header names)."""
    declared = [f.headers[0] for f in sop.fields.values() if f.headers and f.headers[0] not in INPUT_HEADERS]
    return [*INPUT_HEADERS, *declared, *SERVICE_HEADERS]


@dataclass
class ManualSheet:
    """The Input Manual tab as read this cycle: what the admin typed, and where the service writes."""

    tab: Tab  # as read
    content: Tab  # the same rows without the service's columns (what identity and ingest see)
    ready: list[int]  # 0-based indices of rows with an Uraian: read as reports
    waiting: list[int]  # rows with something typed but no Uraian yet
    tickets: dict[int, str]  # sheet row -> the ticket written on it
    header_writes: list[CellWrite] = field(default_factory=list)
    positions: dict[str, int] = field(default_factory=dict)  # service header -> 0-based column

    @classmethod
    def of(cls, tab: Tab) -> ManualSheet | None:
        """The tab's reading, or None when it cannot be read this cycle (no "Uraian" or "Tanggal Diterima"
        column: those put back by ``header_writes`` on a sheet built from ``header_only``)."""
        header = list(tab.header)
        writes: list[CellWrite] = []
        positions: dict[str, int] = {}
        for title in (*SERVICE_HEADERS, DATE_HEADER, DESCRIPTION_HEADER):
            position = tab.column(title)
            if position is None:  # deleted by someone: comes back at the right end
                position = len(header)
                header.append(title)
                writes.append(CellWrite(tab.name, 1, position + 1, title))
            positions[title] = position
        service = {positions[title] for title in SERVICE_HEADERS}
        rows = [[None if i in service else v for i, v in enumerate(row)] for row in tab.rows]
        content = Tab(tab.name, rows)
        sheet = cls(tab, content, [], [], {}, writes, positions)
        if not sheet.readable:
            return sheet if writes else None
        described = positions[DESCRIPTION_HEADER]
        for index in range(1, len(rows)):
            ticket = cell_text(tab.cell(index, positions[TICKET_HEADER]))
            if ticket:
                sheet.tickets[index + 1] = ticket
            if cell_text(content.cell(index, described)):
                sheet.ready.append(index)
            elif any(cell_text(v) for v in rows[index]):
                sheet.waiting.append(index)
        return sheet

    @property
    def readable(self) -> bool:
        """Whether this cycle reads rows (the columns it needs were there when read)."""
        return (
            self.content.column(DESCRIPTION_HEADER) is not None
            and self.content.column(DATE_HEADER) is not None
        )

    def writes(
        self, row_tickets: Mapping[int, str], fresh: set[str], load: Callable[[set[str]], Mapping[str, Case]]
    ) -> list[CellWrite]:
        """Cells that show each row's case (``row_tickets``: sheet row -> its ticket): the ticket where
        the row does not show it, the message where it is empty, wrong ticket, or the case is in
        ``fresh`` (opened or edited this cycle: its flags may have changed). ``load(tickets)`` gives the
        cases those rows need. Addressed by the row's Uraian (see the module doc)."""
        out = list(self.header_writes)
        if not self.readable:
            return out
        described, ticket_at, message_at = (self.positions[h] for h in (DESCRIPTION_HEADER, *SERVICE_HEADERS))
        counts = Counter(cell_text(self.tab.cell(index, described)) for index in self.ready)
        due = {
            row: ticket
            for row, ticket in row_tickets.items()
            if ticket in fresh
            or cell_text(self.tab.cell(row - 1, ticket_at)) != ticket
            or not cell_text(self.tab.cell(row - 1, message_at))
        }
        cases = load(set(due.values()))
        header = self.tab.header
        uraian = header[described] if described < len(header) else DESCRIPTION_HEADER
        for row, ticket in sorted(due.items()):
            key_text = cell_text(self.tab.cell(row - 1, described))
            case = cases.get(ticket)
            if case is None or not key_text or counts[key_text] != 1:
                continue  # a row that cannot be placed for certain is left as it is
            key = RowKey(uraian, described + 1, key_text)
            for title, position, value in (
                (TICKET_HEADER, ticket_at, ticket),
                (MESSAGE_HEADER, message_at, row_message(case)),
            ):
                if cell_text(self.tab.cell(row - 1, position)) != value:
                    out.append(CellWrite(self.tab.name, row, position + 1, value, key, title))
        return out


def row_message(case: Case) -> str:
    """What the admin reads beside the row: the case it became, and what to check (no NIK: the tab is
    open to every official of the spreadsheet)."""
    problems = case.report.problems
    check = f" Perlu dicek: {'; '.join(problems)}" if problems else ""
    return redact(f"Menjadi kasus {case.ticket}.{check}")
