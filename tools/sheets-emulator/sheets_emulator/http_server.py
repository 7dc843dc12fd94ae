"""The stdlib HTTP request handler that feeds ``SheetsEmulator.dispatch``.

HTTP/1.1 with keep-alive (every answer has a Content-Length); chunked request bodies are accepted.
A ``DROP`` result shuts the socket down without writing any response bytes, which clients see as a
connection error (``requests.ConnectionError`` / ``RemoteDisconnected``).
"""

from __future__ import annotations

import socket
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler

from .http_types import Response

DROP = object()


class EmulatorRequestHandler(BaseHTTPRequestHandler):
    """Reads a request, dispatches it to the emulator, writes the answer."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "ESF"
    sys_version = ""

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _handle(self) -> None:
        body = self._read_body()
        path, _, query = self.path.partition("?")
        emulator = self.server.emulator  # type: ignore[attr-defined]
        result = emulator.dispatch(self.command, path, query, dict(self.headers.items()), body)
        if result is DROP or not isinstance(result, Response):
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self.send_response(result.status)
        self.send_header("Content-Type", result.content_type)
        self.send_header("Content-Length", str(len(result.body)))
        self.send_header("Cache-Control", "private")
        for key, value in result.headers.items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(result.body)

    def date_time_string(self, timestamp: float | None = None) -> str:
        return formatdate(timestamp, usegmt=True)

    def log_message(self, format: str, *args: object) -> None:
        """Silence the default stderr access log (the emulator has its own RequestLog)."""

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle
