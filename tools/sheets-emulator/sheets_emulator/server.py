"""``SheetsEmulator``: the loopback HTTP server, its public test API and ``main``.

Public API (others code against this shape)::

    emu = SheetsEmulator(require_auth=False)
    emu.start()                      # 127.0.0.1, free port, daemon thread
    emu.base_url                     # "http://127.0.0.1:PORT"
    sid = emu.create_spreadsheet(title="...", sheets={"Form Responses 1": [[...], ...]},
                                 time_zone="Asia/Jakarta")          # direct seeding, no HTTP
    emu.values(sid, "Form Responses 1", render="FORMULA")           # direct inspection
    emu.operate(sid, [{"insertDimension": {...}}])   # a person's structural change in the UI, no HTTP
    emu.log / emu.log.reset() / emu.log.reads / emu.log.writes
    emu.faults.add(status=503, count=2, method="POST", path_contains="values:batchUpdate")
    emu.quotas.set(reads_per_minute=60, writes_per_minute=60, clock=fake_clock)
    emu.stop()

Request pipeline: fault injection -> bearer check (``require_auth``) -> quota -> route, all state
changes under the store lock; every request (also refused or dropped ones) lands in ``log``.
"""

from __future__ import annotations

import signal
import socket
import threading
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from http.server import ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

from .auth import TokenAuthority
from .batch_api import apply_requests
from .control import AUTH, DRIVE, READ, WRITE, FaultInjector, LogEntry, QuotaTracker, RequestLog
from .defaults import DEFAULT_ACCOUNT
from .errors import ApiError
from .http_server import DROP, EmulatorRequestHandler
from .http_types import Request, Response, error_response
from .ranges import resolve
from .render import Renderer
from .routes import classify, match
from .store import Store
from .writes import apply_plan, plan_write

Dispatched = Response | object


class SheetsEmulator:
    """A Google Sheets v4 (+ Drive v3 subset + OAuth token) emulator on a loopback port."""

    def __init__(
        self,
        *,
        require_auth: bool = False,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], float] = time.time,
        default_time_zone: str = "Asia/Jakarta",
        default_locale: str = "en_US",
        account_email: str = DEFAULT_ACCOUNT,
        token_lifetime: int = 3600,
        seed: int | None = None,
    ) -> None:
        self.require_auth = require_auth
        self.store = Store(
            clock=clock,
            default_locale=default_locale,
            default_time_zone=default_time_zone,
            account_email=account_email,
            seed=seed,
        )
        self.tokens = TokenAuthority(clock, token_lifetime)
        self.faults = FaultInjector()
        self.quotas = QuotaTracker()
        self.log = RequestLog()
        self.errors: list[str] = []  # tracebacks of unexpected handler failures (answered 500)
        self._host, self._port = host, port
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self) -> SheetsEmulator:
        """Bind and serve in a daemon thread; returns self."""
        if self._server is not None:
            return self
        server = ThreadingHTTPServer((self._host, self._port), EmulatorRequestHandler)
        server.daemon_threads = True
        server.emulator = self  # type: ignore[attr-defined]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name="sheets-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._server is None:
            return
        stopper = threading.Thread(target=self._server.shutdown, daemon=True)
        stopper.start()
        try:  # wake the selector at once instead of waiting for its poll interval
            socket.create_connection(self._server.server_address[:2], timeout=1).close()
        except OSError:
            pass
        stopper.join(timeout=5)
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> SheetsEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The bound port (after ``start``)."""
        if self._server is None:
            raise RuntimeError("emulator not started")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://{self._host}:{self.port}"

    @property
    def token_uri(self) -> str:
        """The OAuth token endpoint to put in service-account key files."""
        return f"{self.base_url}/token"

    # -- direct seeding and inspection ----------------------------------------------------------
    def create_spreadsheet(
        self,
        title: str = "Untitled spreadsheet",
        sheets: Mapping[str, Sequence[Sequence[Any]]] | None = None,
        time_zone: str | None = None,
        *,
        locale: str | None = None,
        value_input_option: str = "USER_ENTERED",
        spreadsheet_id: str | None = None,
    ) -> str:
        """Create a spreadsheet without HTTP; returns its id (see ``Store.create``)."""
        with self.store.lock:
            ss = self.store.create(
                title,
                sheets=sheets,
                locale=locale,
                time_zone=time_zone,
                spreadsheet_id=spreadsheet_id,
                value_input_option=value_input_option,
            )
            return ss.id

    def values(self, spreadsheet_id: str, tab: str, render: str = "FORMATTED_VALUE") -> list[list[Any]]:
        """The tab's values as values.get would return them (ragged, trailing blanks trimmed)."""
        with self.store.lock:
            ss = self.store.get(spreadsheet_id)
            target = resolve(ss, "'" + tab.replace("'", "''") + "'")
            return Renderer(ss, self.store.now).read(
                target.sheet, target.box, "ROWS", render, "SERIAL_NUMBER"
            )

    def enter(
        self, spreadsheet_id: str, tab: str, cell: str, rows: Sequence[Sequence[Any]], *, typed: bool
    ) -> None:
        """Put ``rows`` into ``tab`` from ``cell`` on, as a person or a form would, without HTTP.

        ``typed=True`` is a person typing in the Sheets UI: the text is parsed per the locale, so
        ``=…`` becomes a formula and ``0812…`` a number. ``typed=False`` is Google Forms storing
        answers: values are kept as given (a date serial stays a number, text stays text). Rows may run
        past the grid's last row (the grid grows, as it does for form responses). Not in ``log``: the
        log is the API client's bill alone.
        """
        with self.store.lock:
            ss = self.store.get(spreadsheet_id)
            target = resolve(ss, "'" + tab.replace("'", "''") + "'!" + cell, check_grid=False)
            option = "USER_ENTERED" if typed else "RAW"
            apply_plan(plan_write(ss, target, [list(r) for r in rows], "ROWS", option, allow_row_growth=True))
            self.store.touch(ss)

    def operate(self, spreadsheet_id: str, requests: Sequence[Mapping[str, Any]]) -> None:
        """Apply ``spreadsheets.batchUpdate`` requests (sortRange, insertDimension, deleteDimension,
        cutPaste, ...) as a person does in the Sheets UI: atomically, without HTTP, not in ``log``
        (the log is the API client's bill alone). Raises ``ApiError`` as the API would answer."""
        with self.store.lock:
            work, _ = apply_requests(self.store, self.store.get(spreadsheet_id), [dict(r) for r in requests])
            self.store.spreadsheets[spreadsheet_id] = work
            self.store.touch(work)

    def deny(self, spreadsheet_id: str) -> None:
        """Make an id answer 403 PERMISSION_DENIED (a sheet not shared with the account)."""
        with self.store.lock:
            self.store.denied.add(spreadsheet_id)

    def issue_token(self) -> str:
        """A valid bearer token without running the OAuth flow."""
        return self.tokens.issue()

    # -- request pipeline -----------------------------------------------------------------------
    def dispatch(
        self, method: str, path: str, query: str, headers: Mapping[str, str], body: bytes
    ) -> Dispatched:
        """Handle one request; returns a Response or ``DROP`` (close without answering)."""
        started = time.monotonic()
        decoded = unquote(path)
        kind = AUTH if path == "/token" else classify(method, path)
        result = self._answer(method, path, decoded, query, headers, body, kind)
        status = result.status if isinstance(result, Response) else 0
        out = len(result.body) if isinstance(result, Response) else 0
        said = {key.lower(): value for key, value in headers.items()}
        self.log.append(
            LogEntry(
                method,
                decoded,
                query,
                status,
                len(body),
                out,
                kind,
                time.monotonic() - started,
                said.get("user-agent", ""),
                said.get("accept-encoding", ""),
            )
        )
        return result

    def _answer(
        self,
        method: str,
        path: str,
        decoded: str,
        query: str,
        headers: Mapping[str, str],
        body: bytes,
        kind: str,
    ) -> Dispatched:
        fault = self.faults.take(method, decoded)
        if fault is not None:
            if fault.delay:
                self.faults.sleep(fault.delay)
            if fault.drop:
                return DROP
            if fault.status is not None:
                if fault.body is not None:
                    return Response(fault.status, fault.body)
                return error_response(fault.error())
        req = Request(method, path, query, headers, body)
        try:
            if kind == AUTH:
                return self.tokens.token_endpoint(req)
            if self.require_auth and kind in (READ, WRITE, DRIVE):
                self.tokens.check(headers.get("Authorization") or headers.get("authorization"))
            if kind in (READ, WRITE):
                self.quotas.admit(kind)
            found = match(method, path)
            if found is None:
                raise ApiError(404, f"Method not found: {method} {decoded}")
            handler, groups, _ = found
            with self.store.lock:
                return handler(self.store, req, **groups)
        except ApiError as err:
            return error_response(err)
        except Exception:  # an emulator bug must not look like a network failure
            self.errors.append(traceback.format_exc())
            return error_response(ApiError(500))


def main(port: int = 0, host: str = "127.0.0.1", *, require_auth: bool = False) -> None:
    """Serve until SIGINT/SIGTERM, printing the base URL first."""
    emu = SheetsEmulator(require_auth=require_auth, host=host, port=port).start()
    stop = threading.Event()

    def _stop(*_: object) -> None:
        stop.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    print(emu.base_url, flush=True)
    try:
        stop.wait()
    finally:
        emu.stop()
