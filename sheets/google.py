"""The Google backend: Sheets API v4 through gspread, at one read and one write per spreadsheet per cycle.

- Reads: ONE ``values:batchGet`` with every tab the cycle needs, ``UNFORMATTED_VALUE`` and
  ``SERIAL_NUMBER`` (dates come back as serial days; ingest converts them in the spreadsheet's own
  timezone, read once from its metadata and cached). Ragged rows and a missing ``values`` key are normal.
- Writes: ONE ``values:batchUpdate`` with ``valueInputOption=RAW`` holding only changed cells, coalesced
  into row runs; nothing at all when nothing changed. Never USER_ENTERED, never per-cell updates.
- The grid is grown (``appendDimension``) only when a write would pass its edge, with headroom, so it
  is a rare extra request rather than one per cycle.
- Every request goes through ``sheets.retry.call``: bounded exponential backoff with jitter.
"""

from __future__ import annotations

import stat
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import google.auth
import google.auth._helpers
import gspread
import requests
from google.auth.transport.requests import AuthorizedSession
from google.oauth2 import service_account

from cakra.common.errors import ConfigError, SheetError
from cakra.sheets.base import Block, CellWrite, Tab, assemble
from cakra.sheets.endpoint import point_session_at
from cakra.sheets.retry import RetryPolicy, call

if TYPE_CHECKING:
    from cakra.config import Config
    from cakra.workflow.sop import Sop

SCOPES = ["https://www.googleapis.com/auth/spreadsheets"]  # values and formatting only; no Drive access
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


def load_credentials(
    key_path: Path | str | None, scopes: Sequence[str] = SCOPES, *, google_endpoint: bool = True
) -> Any:
    """A service-account key (refused when others can read it) or Application Default Credentials.

    ``google_endpoint=False`` (an ``api_endpoint`` such as the local emulator) turns off google-auth's
    Regional Access Boundary lookup, which would otherwise call iamcredentials.googleapis.com: a
    boundary means nothing to an endpoint that is not Google's, and that call must not leave the machine.
    """
    credentials = _load_credentials(key_path, scopes)
    if not google_endpoint and hasattr(credentials, "_set_regional_access_boundary"):
        forever = google.auth._helpers.utcnow() + timedelta(days=36500)
        credentials._set_regional_access_boundary({"encodedLocations": "0x0", "expiry": forever})
    return credentials


def _load_credentials(key_path: Path | str | None, scopes: Sequence[str]) -> Any:
    if not key_path:
        try:
            credentials, _ = google.auth.default(scopes=list(scopes))
        except google.auth.exceptions.DefaultCredentialsError:
            raise ConfigError(
                "no Google credentials: set [sheets] credentials to a service-account key under credentials/,"
                " or configure Application Default Credentials"
            ) from None
        return credentials
    path = Path(key_path)
    if not path.exists():
        raise ConfigError(
            f"[sheets] credentials {path} does not exist; download the service-account key there"
        )
    if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(f"the key {path} can be read by other users; fix it with: chmod 600 {path}")
    try:
        return service_account.Credentials.from_service_account_file(str(path), scopes=list(scopes))
    except (ValueError, KeyError) as exc:
        raise ConfigError(f"[sheets] credentials {path} is not a service-account key ({exc})") from None


class GoogleSheets:
    """A SheetBackend over one or two spreadsheets (form responses; optionally a separate status one)."""

    def __init__(
        self,
        client: gspread.Client,
        spreadsheet_id: str,
        responses_tabs: Sequence[str],
        status_spreadsheet_id: str = "",
        policy: RetryPolicy | None = None,
    ) -> None:
        self.client = client
        self.policy = policy or RetryPolicy()
        self.main_id = spreadsheet_id
        self.status_id = status_spreadsheet_id or spreadsheet_id
        self.responses_tabs = set(responses_tabs)
        self.http = client.http_client
        self._meta: dict[
            str, dict[str, Any]
        ] = {}  # spreadsheet id -> {"tz": ZoneInfo, "sheets": {title: props}}

    @classmethod
    def from_config(cls, config: Config, session: requests.Session | None = None) -> GoogleSheets:
        sheets = config.sheets
        if session is None:
            credentials = load_credentials(sheets.credentials, google_endpoint=not sheets.api_endpoint)
            session = AuthorizedSession(credentials)
        if sheets.api_endpoint:
            point_session_at(session, sheets.api_endpoint)
        # Google compresses an answer only when the user agent says "gzip" (and Accept-Encoding allows
        # it, which requests does): a 50,000-case read shrinks from about 9 MB to under 1 MB on the wire.
        session.headers["User-Agent"] = USER_AGENT
        client = gspread.Client(auth=None, session=session)  # type: ignore[arg-type]  # the session carries auth
        client.set_timeout(60)
        return cls(client, sheets.spreadsheet_id, sheets.response_tabs, sheets.status_spreadsheet_id)

    # metadata ------------------------------------------------------------------------------------
    def _spreadsheet_for(self, tab: str) -> str:
        return self.main_id if tab in self.responses_tabs else self.status_id

    def spreadsheet_for(self, tab: str) -> str:
        """The id of the spreadsheet that holds ``tab``."""
        return self._spreadsheet_for(tab)

    def batch_update(self, spreadsheet_id: str, what: str, requests_: list[dict[str, Any]]) -> Any:
        """One structural ``spreadsheets.batchUpdate`` (new tabs, grid growth, formatting)."""
        return call(
            what, lambda: self.http.batch_update(spreadsheet_id, {"requests": requests_}), self.policy
        )

    def fetch_metadata(self, spreadsheet_id: str, fields: str) -> Any:
        return call(
            "read the spreadsheet's metadata",
            lambda: self.http.fetch_sheet_metadata(spreadsheet_id, {"fields": fields}),
            self.policy,
        )

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
            reply = call(
                "read the tabs",
                lambda spreadsheet_id=spreadsheet_id, ranges=ranges, params=params: (
                    self.http.values_batch_get(spreadsheet_id, ranges, params=params)
                ),
                self.policy,
            )
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
        for spreadsheet_id, book_cells in by_book.items():
            self._grow_grid(spreadsheet_id, book_cells)
            body = {"valueInputOption": "RAW", "data": coalesce(book_cells)}
            call(
                "write the changed cells",
                lambda spreadsheet_id=spreadsheet_id, body=body: self.http.values_batch_update(
                    spreadsheet_id, body
                ),
                self.policy,
            )
        return len(cells)

    def _grow_grid(self, spreadsheet_id: str, cells: Sequence[CellWrite]) -> None:
        """Append rows/columns when a write would pass a tab's edge (the values API refuses that)."""
        sheets = self._metadata(spreadsheet_id)["sheets"]
        requests_: list[dict[str, Any]] = []
        for tab in {c.tab for c in cells}:
            props = sheets.get(tab)
            if props is None:
                raise SheetError(f"tab {tab!r} is missing from the spreadsheet; run 'python run.py init'")
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

    def prepare_status_tab(self, tab: str, sop: Sop) -> Iterator[str]:
        """``init``'s formatting of the status tab (dropdown, protection, colours); idempotent."""
        from cakra.tabs.google_format import prepare_status_tab

        yield from prepare_status_tab(self, tab, sop)

    def forget_metadata(self) -> None:
        """Drop cached metadata (after a failed cycle, in case an operator renamed or deleted a tab)."""
        self._meta.clear()


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
