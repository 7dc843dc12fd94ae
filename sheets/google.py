"""The Google backend: Sheets API v4 through gspread, at one read and one write per spreadsheet per cycle.

- Reads: ONE ``values:batchGet`` with every tab the cycle needs, ``UNFORMATTED_VALUE`` and
  ``SERIAL_NUMBER`` (dates come back as serial days; ingest converts them in the spreadsheet's own
  timezone, read once from its metadata and cached). Ragged rows and a missing ``values`` key are normal.
- Writes: ONE ``values:batchUpdate`` with ``valueInputOption=RAW`` holding only changed cells, coalesced
  into row runs; nothing at all when nothing changed. Never USER_ENTERED, never per-cell updates.
- A write addressed by row key (``sheets.base.RowKey``: the status tab's rows, by ticket) costs ONE more
  request, a ``values:batchGet`` of the header row and the key column made just before the write, so
  the write lands on the rows as they are then (``readdress``), not as the cycle read them. New rows
  (new cases) go in ONE more request, a ``spreadsheets.batchUpdate`` that inserts blank rows and fills
  them (``insertDimension`` + ``updateCells``, atomic), so they can never land on a row that holds a case.
- The grid is grown (``appendDimension``) only when a write would pass its edge, with headroom, so it
  is a rare extra request rather than one per cycle.
- Every request goes through ONE seam, gspread's ``http_client``: ``sheets.retry.RetryingHTTPClient``
  (bounded exponential backoff with jitter, one-line ``SheetError``s). ``api_endpoint`` (the emulator) is
  a transport adapter mounted on the session (``sheets.endpoint``).
- Plain arguments only: credentials are loaded by the caller (``cakra.credentials``), tab names and ids
  come from it too; nothing here reads the app's config.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

import gspread
from google.auth.credentials import Credentials
from google.auth.transport.requests import AuthorizedSession
from gspread.urls import SPREADSHEET_BATCH_UPDATE_URL

from cakra.common.errors import SheetError
from cakra.sheets.base import Block, CellWrite, KeyColumn, Tab, assemble, readdress
from cakra.sheets.endpoint import point_session_at
from cakra.sheets.retry import RetryingHTTPClient, RetryPolicy

GRID_HEADROOM = 1000
USER_AGENT = "cakra (gzip)"


def quote_tab(name: str) -> str:
    """A tab name as A1 notation wants it: always quoted, inner quotes doubled (safe for any name)."""
    return "'" + name.replace("'", "''") + "'"


def column_letter(col: int) -> str:
    letters = ""
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


WHOLE = Block(1, None, 1, 18278)  # a whole tab, placed from A1 (its width is never used)


def block_a1(tab: str, block: Block | None) -> str:
    """A block as an A1 range: ``'T'`` (whole tab), ``'T'!1:1`` (rows), ``'T'!C2:C`` (to the bottom)."""
    if block is None:
        return quote_tab(tab)
    if block.last_col is None:
        return f"{quote_tab(tab)}!{block.first_row}:{block.last_row}"
    first = f"{column_letter(block.first_col)}{block.first_row}"
    last = column_letter(block.last_col) + ("" if block.last_row is None else str(block.last_row))
    return f"{quote_tab(tab)}!{first}:{last}"


class GoogleSheets:
    """A SheetBackend over one or two spreadsheets (form responses; optionally a separate status one)."""

    def __init__(
        self,
        client: gspread.Client,
        spreadsheet_id: str,
        responses_tabs: Sequence[str],
        status_spreadsheet_id: str = "",
    ) -> None:
        """``client`` must send through a ``RetryingHTTPClient`` (``connect`` builds one); the response tabs
        live in ``spreadsheet_id``, every other tab in ``status_spreadsheet_id`` (default: the same)."""
        if not isinstance(client.http_client, RetryingHTTPClient):
            raise TypeError("GoogleSheets needs a gspread.Client built with http_client=RetryingHTTPClient")
        self.client = client
        self.http: RetryingHTTPClient = client.http_client
        self.main_id = spreadsheet_id
        self.status_id = status_spreadsheet_id or spreadsheet_id
        self.responses_tabs = set(responses_tabs)
        self._meta: dict[
            str, dict[str, Any]
        ] = {}  # spreadsheet id -> {"tz": ZoneInfo, "sheets": {title: props}}

    @classmethod
    def connect(
        cls,
        credentials: Credentials,
        spreadsheet_id: str,
        responses_tabs: Sequence[str],
        *,
        status_spreadsheet_id: str = "",
        api_endpoint: str = "",
    ) -> GoogleSheets:
        """A backend whose requests carry ``credentials`` (scoped for Sheets; ``cakra.credentials`` loads
        them), sent to ``api_endpoint`` instead of Google when given. Nothing is requested yet."""
        session = AuthorizedSession(credentials)
        if api_endpoint:
            point_session_at(session, api_endpoint)
        # Google compresses an answer only when the user agent says "gzip" (and Accept-Encoding allows
        # it, which requests does): a 50,000-case read shrinks from about 9 MB to under 1 MB on the wire.
        session.headers["User-Agent"] = USER_AGENT
        client = gspread.Client(auth=None, session=session, http_client=RetryingHTTPClient)  # type: ignore[arg-type]
        client.set_timeout(60)
        return cls(client, spreadsheet_id, responses_tabs, status_spreadsheet_id)

    @property
    def policy(self) -> RetryPolicy:
        """How requests are retried (tests inject an instant ``sleep``)."""
        return self.http.policy

    @policy.setter
    def policy(self, policy: RetryPolicy) -> None:
        self.http.policy = policy

    # metadata ------------------------------------------------------------------------------------
    def _spreadsheet_for(self, tab: str) -> str:
        return self.main_id if tab in self.responses_tabs else self.status_id

    def spreadsheet_for(self, tab: str) -> str:
        """The id of the spreadsheet that holds ``tab``."""
        return self._spreadsheet_for(tab)

    def batch_update(self, spreadsheet_id: str, what: str, requests_: list[dict[str, Any]]) -> Any:
        """One structural ``spreadsheets.batchUpdate`` (new tabs, grid growth, formatting); ``what`` names
        it in the error line ("create the tab 'X'")."""
        url = SPREADSHEET_BATCH_UPDATE_URL % spreadsheet_id
        return self.http.request("post", url, json={"requests": requests_}, purpose=what).json()

    def fetch_metadata(self, spreadsheet_id: str, fields: str) -> Any:
        """The spreadsheet's metadata, only ``fields`` (a field mask)."""
        return self.http.fetch_sheet_metadata(spreadsheet_id, {"fields": fields})

    def _metadata(self, spreadsheet_id: str, refresh: bool = False) -> dict[str, Any]:
        if refresh or spreadsheet_id not in self._meta:
            raw = self.fetch_metadata(
                spreadsheet_id, "properties(timeZone,title),sheets(properties(sheetId,title,gridProperties))"
            )
            self._meta[spreadsheet_id] = {
                "tz": ZoneInfo(raw["properties"].get("timeZone") or "Asia/Jakarta"),
                "title": raw["properties"].get("title", ""),
                "sheets": {s["properties"]["title"]: s["properties"] for s in raw.get("sheets", [])},
            }
        return self._meta[spreadsheet_id]

    @property
    def timezone(self) -> ZoneInfo:
        return self._metadata(self.main_id)["tz"]

    def tab_names(self) -> list[str]:
        names = list(self._metadata(self.main_id)["sheets"])
        if self.status_id != self.main_id:
            names += list(self._metadata(self.status_id)["sheets"])
        return names

    def sheet_properties(self, tab: str) -> dict[str, Any]:
        return self._metadata(self._spreadsheet_for(tab))["sheets"][tab]

    # reads ---------------------------------------------------------------------------------------
    def read(self, tabs: Sequence[str]) -> dict[str, Tab | None]:
        return self.read_blocks(dict.fromkeys(tabs))

    def read_blocks(self, wanted: Mapping[str, Sequence[Block] | None]) -> dict[str, Tab | None]:
        try:
            return self._read(wanted)
        except SheetError:
            self.forget_metadata()  # a tab may have been renamed or deleted: look again next cycle
            raise

    def _read(self, wanted: Mapping[str, Sequence[Block] | None]) -> dict[str, Tab | None]:
        result: dict[str, Tab | None] = dict.fromkeys(wanted)
        by_book: dict[str, list[tuple[str, Block | None]]] = defaultdict(list)
        for tab, blocks in wanted.items():
            spreadsheet_id = self._spreadsheet_for(tab)
            if tab in self._metadata(spreadsheet_id)["sheets"]:
                by_book[spreadsheet_id].extend((tab, block) for block in (blocks or [None]))
        for spreadsheet_id, parts in by_book.items():
            # Column by column when only parts are read (a ticket or timestamp column is then one list,
            # not 50,000 one-cell rows: a third fewer bytes, and faster to make and to parse).
            by_columns = all(block is not None for _, block in parts)
            params = {
                "valueRenderOption": "UNFORMATTED_VALUE",
                "dateTimeRenderOption": "SERIAL_NUMBER",
                "majorDimension": "COLUMNS" if by_columns else "ROWS",
            }
            ranges = [block_a1(tab, block) for tab, block in parts]
            reply = self.http.values_batch_get(spreadsheet_id, ranges, params=params)
            read: dict[str, list[tuple[Block, list[list[Any]]]]] = defaultdict(list)
            for (tab, block), value_range in zip(parts, reply.get("valueRanges", []), strict=True):
                read[tab].append((block or WHOLE, value_range.get("values", [])))
            for tab, pieces in read.items():
                result[tab] = assemble(tab, pieces, by_columns=by_columns)
        return result

    # writes --------------------------------------------------------------------------------------
    def write(self, cells: Sequence[CellWrite]) -> int:
        if not cells:
            return 0
        try:
            return self._write(cells)
        except SheetError:
            self.forget_metadata()
            raise

    def _write(self, cells: Sequence[CellWrite]) -> int:
        by_book: dict[str, list[CellWrite]] = defaultdict(list)
        for cell in cells:
            by_book[self._spreadsheet_for(cell.tab)].append(cell)
        written = 0
        for spreadsheet_id, book_cells in by_book.items():
            if any(cell.key is not None for cell in book_cells):
                book_cells = readdress(book_cells, self._key_columns(spreadsheet_id, book_cells))
            in_place = [cell for cell in book_cells if cell.key is None]
            if in_place:
                self._grow_grid(spreadsheet_id, in_place)
                body = {"valueInputOption": "RAW", "data": coalesce(in_place)}
                self.http.values_batch_update(spreadsheet_id, body)
            self._insert_rows(spreadsheet_id, [cell for cell in book_cells if cell.key is not None])
            written += len(book_cells)
        return written

    def _insert_rows(self, spreadsheet_id: str, cells: Sequence[CellWrite]) -> None:
        """New keyed rows (new cases) as ONE ``spreadsheets.batchUpdate`` per spreadsheet: per tab an
        ``insertDimension`` of blank rows where ``readdress`` put them, then ``updateCells`` into those
        rows. The requests apply atomically, and rows that did not exist cannot hold a case, so a new row
        never overwrites one, even if an operator moved rows after the ticket check."""
        by_tab: dict[str, dict[int, dict[int, Any]]] = defaultdict(lambda: defaultdict(dict))
        for cell in cells:
            by_tab[cell.tab][cell.row][cell.col] = cell.value
        requests_: list[dict[str, Any]] = []
        sheets = self._metadata(spreadsheet_id)["sheets"]
        for tab, rows in by_tab.items():
            props = sheets.get(tab)
            if props is None:
                raise SheetError(f"tab {tab!r} is missing from the spreadsheet; run 'cakra init'")
            grid = props.setdefault("gridProperties", {})
            start = min(min(rows) - 1, grid.get("rowCount", 0))
            width = max(col for row in rows.values() for col in row)
            span = {"sheetId": props["sheetId"], "dimension": "ROWS", "startIndex": start}
            requests_ += [
                {
                    "insertDimension": {
                        "range": {**span, "endIndex": start + len(rows)},
                        "inheritFromBefore": start > 0,
                    }
                },
                {
                    "updateCells": {
                        "start": {"sheetId": props["sheetId"], "rowIndex": start, "columnIndex": 0},
                        "rows": [
                            {"values": [_cell_data(row.get(col)) for col in range(1, width + 1)]}
                            for _, row in sorted(rows.items())
                        ],
                        "fields": "userEnteredValue",
                    }
                },
            ]
            grid["rowCount"] = grid.get("rowCount", 0) + len(rows)
        if requests_:
            self.batch_update(spreadsheet_id, "add the new cases' rows", requests_)

    def _key_columns(self, spreadsheet_id: str, cells: Sequence[CellWrite]) -> dict[str, KeyColumn | None]:
        """ONE read of each keyed tab's header row and key column, as they are just before the write."""
        keyed = {cell.tab: cell.key.col for cell in cells if cell.key is not None}
        ranges = []
        for tab, col in keyed.items():
            ranges += [block_a1(tab, Block.rows(1, 1, None)), block_a1(tab, Block.column(col))]
        params = {"valueRenderOption": "UNFORMATTED_VALUE", "majorDimension": "COLUMNS"}
        reply = self.http.values_batch_get(spreadsheet_id, ranges, params=params)
        answers = [value_range.get("values", []) for value_range in reply.get("valueRanges", [])]
        out: dict[str, KeyColumn | None] = {}
        for number, tab in enumerate(keyed):
            header = [column[0] if column else None for column in answers[2 * number]]
            keys = answers[2 * number + 1][0] if answers[2 * number + 1] else []
            # Only the key column is known: new rows go below the last row holding a key.
            out[tab] = KeyColumn(header, keys, len(keys))
        return out

    def _grow_grid(self, spreadsheet_id: str, cells: Sequence[CellWrite]) -> None:
        """Append rows/columns when a write would pass a tab's edge (the values API refuses that)."""
        sheets = self._metadata(spreadsheet_id)["sheets"]
        requests_: list[dict[str, Any]] = []
        for tab in {c.tab for c in cells}:
            props = sheets.get(tab)
            if props is None:
                raise SheetError(f"tab {tab!r} is missing from the spreadsheet; run 'cakra init'")
            grid = props.get("gridProperties", {})
            rows_needed = max(c.row for c in cells if c.tab == tab) - grid.get("rowCount", 0)
            cols_needed = max(c.col for c in cells if c.tab == tab) - grid.get("columnCount", 0)
            for dimension, needed, headroom in (
                ("ROWS", rows_needed, GRID_HEADROOM),
                ("COLUMNS", cols_needed, 0),
            ):
                if needed > 0:
                    requests_.append(
                        {
                            "appendDimension": {
                                "sheetId": props["sheetId"],
                                "dimension": dimension,
                                "length": needed + headroom,
                            }
                        }
                    )
        if requests_:
            self.batch_update(spreadsheet_id, "grow the sheet", requests_)
            self._metadata(spreadsheet_id, refresh=True)

    def ensure_tab(self, name: str, header: Sequence[str]) -> bool:
        spreadsheet_id = self._spreadsheet_for(name)
        if name in self._metadata(spreadsheet_id)["sheets"]:
            return False
        add = {
            "addSheet": {
                "properties": {
                    "title": name,
                    "gridProperties": {
                        "rowCount": GRID_HEADROOM,
                        "columnCount": max(26, len(header)),
                        "frozenRowCount": 1,
                    },
                }
            }
        }
        self.batch_update(spreadsheet_id, f"create the tab {name!r}", [add])
        self._metadata(spreadsheet_id, refresh=True)
        self.write([CellWrite(name, 1, col, title) for col, title in enumerate(header, start=1)])
        return True

    def forget_metadata(self) -> None:
        """Drop cached metadata (after a failed cycle, in case an operator renamed or deleted a tab)."""
        self._meta.clear()


def _cell_data(value: str | int | float | None) -> dict[str, Any]:
    """A value as ``CellData`` for ``updateCells``: a string always as a string (never parsed: RAW)."""
    if value is None or value == "":
        return {}
    if isinstance(value, bool):
        return {"userEnteredValue": {"boolValue": value}}
    if isinstance(value, int | float):
        return {"userEnteredValue": {"numberValue": value}}
    return {"userEnteredValue": {"stringValue": value}}


def coalesce(cells: Sequence[CellWrite]) -> list[dict[str, Any]]:
    """Changed cells as value ranges: each run of adjacent cells in one row becomes one range."""
    ordered = sorted(cells, key=lambda c: (c.tab, c.row, c.col))
    ranges: list[dict[str, Any]] = []
    run: list[CellWrite] = []

    def flush() -> None:
        if run:
            first, last = run[0], run[-1]
            a1 = f"{quote_tab(first.tab)}!{column_letter(first.col)}{first.row}:{column_letter(last.col)}{last.row}"
            ranges.append(
                {
                    "range": a1,
                    "majorDimension": "ROWS",
                    "values": [["" if c.value is None else c.value for c in run]],
                }
            )
            run.clear()

    for cell in ordered:
        if run and (cell.tab, cell.row) == (run[-1].tab, run[-1].row) and cell.col == run[-1].col + 1:
            run.append(cell)
        else:
            flush()
            run.append(cell)
    flush()
    return ranges
