"""The embedded default backend: a local .xlsx workbook (openpyxl).

It behaves as the Google backend does: one read of every tab per cycle, one save per cycle at most,
no save when nothing changed, and every string stored as text. openpyxl turns a string that starts
with ``=`` into a formula unless the cell's type is forced back to string, which ``set_text`` does.

Operators open the same file in LibreOffice or Excel, so a save is optimistic (see ``cakra.sheets.
local_file``): the file is replaced only if it is still, byte for byte, the file the cycle read; never
while an office program's lock file sits beside it; the replacement keeps the file's mode and owner.
A save that would overwrite someone else's raises ``SheetBusy`` and the cycle writes nothing: the next
cycle reads the operator's changes and writes again.

How the service's tabs look (dropdowns, colours, dates as dates, protection) is the business of a layer
above: it hands the backend a ``Presentation``, which stores each written value and lays a tab out after
each change; the backend only calls it. Without one, every value is text and a new tab gets a bold header.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

import openpyxl
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from cakra.common.errors import SheetBusy, SheetError
from cakra.sheets.base import Block, CellValue, CellWrite, KeyColumn, Tab, project, readdress
from cakra.sheets.local_file import FileStamp, office_lock, remove_leftovers, replace_if_unchanged, stamp_of

log = logging.getLogger("cakra.sheets.local")

_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


class Presentation(Protocol):
    """How the tabs a layer above owns are stored and laid out; the backend calls it, knowing cells only.

    The round trip must be exact: a value ``put`` stores reads back (through ``read_rows``) as the very
    value written, so a cycle that compares what it reads with what it would write finds nothing to do."""

    def read_rows(self, tab: str, sheet: Worksheet) -> list[list[CellValue]] | None:
        """``sheet``'s rows as the service wrote them (a date cell as its text), or None: read it plainly."""
        ...

    def put(self, sheet: Worksheet, cell: Cell, value: str | int | float | None) -> None:
        """Store a value the service writes into ``cell`` (typed where the tab wants it, else as text)."""
        ...

    def lay_out(self, sheet: Worksheet) -> None:
        """Apply ``sheet``'s formatting, after it was created and after every write into it."""
        ...


class LocalWorkbook:
    """A SheetBackend over one .xlsx file; ``reads``/``writes`` count file loads and saves."""

    def __init__(self, path: Path, timezone: ZoneInfo, presentation: Presentation | None = None) -> None:
        self.path = Path(path)
        self._tz = timezone
        self._presentation = presentation
        self.reads = 0
        self.writes = 0
        self._read_stamp: FileStamp | None = None  # the file as the last read saw it
        self._lock_noted: Path | None = None  # the office lock file last logged (logged once, not per cycle)
        remove_leftovers(self.path)

    @property
    def timezone(self) -> ZoneInfo:
        return self._tz

    def _load(self, read_only: bool) -> tuple[Workbook, FileStamp]:
        """The workbook and the stamp of exactly the bytes it was parsed from."""
        if not self.path.exists():
            raise SheetError(
                f"workbook {self.path} does not exist; run 'cakra init' or set [sheets] workbook"
            )
        try:
            with open(self.path, "rb") as handle:
                data = handle.read()
                stamp = stamp_of(handle.fileno(), data)
        except OSError as exc:
            raise SheetError(
                f"workbook {self.path} cannot be read ({exc.strerror}); check its permissions"
            ) from None
        try:
            return openpyxl.load_workbook(io.BytesIO(data), read_only=read_only), stamp
        except Exception as exc:  # openpyxl raises many types for a damaged file
            raise SheetError(f"workbook {self.path} cannot be opened ({exc}); is it an .xlsx file?") from None

    def office_lock(self) -> Path | None:
        """The lock file LibreOffice or Excel keeps beside the workbook while someone has it open."""
        return office_lock(self.path)

    def _refuse_if_open(self) -> None:
        """Raise ``SheetBusy`` while an office program holds the workbook (logged once per lock file)."""
        lock = self.office_lock()
        if lock is None:
            if self._lock_noted is not None:
                log.info(
                    "workbook %s is closed again (%s is gone); saving resumes",
                    self.path,
                    self._lock_noted.name,
                )
            self._lock_noted = None
            return
        if lock != self._lock_noted:
            log.warning(
                "workbook %s is open in an office program (%s): the service does not save it until it is"
                " closed; cases and messages go on meanwhile",
                self.path,
                lock.name,
            )
            self._lock_noted = lock
        raise SheetBusy(
            f"workbook {self.path} is open in an office program ({lock.name}); not saved this cycle"
        )

    def tab_names(self) -> list[str]:
        workbook, _ = self._load(read_only=True)
        try:
            return list(workbook.sheetnames)
        finally:
            workbook.close()

    def read_blocks(self, wanted: Mapping[str, Sequence[Block] | None]) -> dict[str, Tab | None]:
        """The workbook is read whole either way; ``project`` cuts it to what a partial read returns."""
        tabs = self.read(list(wanted))
        return {
            name: tab if tab is None or wanted[name] is None else project(tab, wanted[name])  # type: ignore[arg-type]
            for name, tab in tabs.items()
        }

    def read(self, tabs: Sequence[str]) -> dict[str, Tab | None]:
        workbook, self._read_stamp = self._load(read_only=True)
        self.reads += 1
        try:
            result: dict[str, Tab | None] = {}
            for name in tabs:
                if name not in workbook.sheetnames:
                    result[name] = None
                    continue
                sheet = workbook[name]
                typed = self._presentation.read_rows(name, sheet) if self._presentation else None
                rows: list[list[CellValue]] = []
                for raw in typed if typed is not None else sheet.iter_rows(values_only=True):
                    row = list(raw)
                    while row and row[-1] in (None, ""):
                        row.pop()  # ragged, like the Sheets API
                    rows.append(row)
                while rows and not rows[-1]:
                    rows.pop()
                result[name] = Tab(name, rows)
            return result
        finally:
            workbook.close()

    def write(self, cells: Sequence[CellWrite]) -> int:
        """Write ``cells`` in one save, only if the file is the one the last ``read`` saw (else
        ``SheetBusy``); keyed cells are placed by what the file holds now (the rows as an operator may
        have moved them since the cycle read), not by the rows the cycle remembers."""
        if not cells:
            return 0
        self._refuse_if_open()
        workbook, loaded = self._load(read_only=False)
        expected = self._read_stamp or loaded
        if loaded != expected:
            raise _someone_else_saved(self.path, "since this cycle read it")
        keyed = {cell.tab: cell.key for cell in cells if cell.key is not None}
        cells = readdress(
            cells,
            {
                tab: _key_column(workbook[tab], key.col) if tab in workbook.sheetnames else None
                for tab, key in keyed.items()
            },
        )
        if not cells:
            return 0
        for cell in cells:
            if cell.tab not in workbook.sheetnames:
                raise SheetError(f"tab {cell.tab!r} disappeared from {self.path} during the cycle; run again")
            sheet = workbook[cell.tab]
            target = sheet.cell(row=cell.row, column=cell.col)
            if self._presentation:
                self._presentation.put(sheet, target, cell.value)
            else:
                set_text(target, cell.value)
        if self._presentation:
            for tab in dict.fromkeys(cell.tab for cell in cells):
                self._presentation.lay_out(workbook[tab])
        self._save(workbook, expected)
        self.writes += 1
        return len(cells)

    def ensure_tab(self, name: str, header: Sequence[str]) -> bool:
        workbook, loaded = self._load(read_only=False) if self.path.exists() else (_new_workbook(), None)
        if name in workbook.sheetnames:
            return False
        self._refuse_if_open()
        sheet = workbook.create_sheet(name)
        for col, title in enumerate(header, start=1):
            cell = sheet.cell(row=1, column=col)
            set_text(cell, title)
            cell.font = Font(bold=True)
            cell.fill = _HEADER_FILL
            sheet.column_dimensions[get_column_letter(col)].width = max(12, min(40, len(title) + 4))
        sheet.freeze_panes = "A2"
        if self._presentation:
            self._presentation.lay_out(sheet)
        self._save(workbook, loaded)
        return True

    def lay_out(self, names: Sequence[str]) -> list[str]:
        """Apply the presentation to the tabs ``names`` that exist (``init`` on a workbook whose tabs an
        older version made) in one save; returns the tabs laid out."""
        if self._presentation is None or not self.path.exists():
            return []
        self._refuse_if_open()
        workbook, loaded = self._load(read_only=False)
        present = [name for name in names if name in workbook.sheetnames]
        for name in present:
            self._presentation.lay_out(workbook[name])
        if present:
            self._save(workbook, loaded)
        return present

    def _save(self, workbook: Workbook, expected: FileStamp | None) -> None:
        """Replace the file with ``workbook`` if it is still ``expected`` (None: it must not exist)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        written = replace_if_unchanged(self.path, expected, workbook.save)
        if written is None:
            raise _someone_else_saved(self.path, "while the service was saving")
        self._read_stamp = written  # the file is now the service's own: the next write may follow it


def _someone_else_saved(path: Path, when: str) -> SheetBusy:
    """The conflict, logged here once (the cycle does not log ``SheetBusy`` again)."""
    message = f"workbook {path} was saved by someone else {when}; not saved this cycle, their changes are read next cycle"
    log.warning("%s", message)
    return SheetBusy(message)


def _key_column(sheet: Worksheet, col: int) -> KeyColumn:
    """The header row, the values in column ``col`` and the last row holding anything, as now."""
    header = [cell.value for cell in sheet[1]]
    keys = [row[0] for row in sheet.iter_rows(min_col=col, max_col=col, values_only=True)]
    last = 0
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        if any(value not in (None, "") for value in row):
            last = number
    return KeyColumn(header, keys, last)


def _new_workbook() -> Workbook:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    return workbook


def set_text(cell: Cell, value: str | int | float | datetime | None) -> None:
    """Store ``value``; a string always as a string, even if it looks like a formula."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
