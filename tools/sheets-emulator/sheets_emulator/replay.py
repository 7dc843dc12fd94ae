"""Replay recorded (vcrpy) Google API cassettes against a fresh emulator and compare answers.

For each interaction, in order: the recorded request (method, path, query, body) is sent to the
emulator with recorded ids translated to the emulator's; the status must match and the JSON bodies
must be equal after normalisation:

* ids the emulator generates (spreadsheet/file ids, sheetIds, protected/named range ids) are mapped
  recorded -> emulator the first time both answers show them at the same place;
* RFC 3339 timestamps are compared as ``<timestamp>``; ``etag`` keys are ignored;
* non-JSON bodies (CSV export, empty 204) are compared as text.

World state outside the cassette is reconstructed from the recording itself: spreadsheets the
cassette uses but never created (other tests' files in the same Drive) are seeded with their
recorded id/name/createdTime the first time they are referenced; ids the recording answers with 403
are registered as inaccessible (``emu.deny``); the emulator's default time zone is the recorded
account's (Etc/GMT) and its account e-mail the one the recording shows.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import requests

from .server import SheetsEmulator

_TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
_EMAIL = re.compile(r"[A-Za-z0-9._-]+@[A-Za-z0-9-]+\.iam\.gserviceaccount\.com")
_FILE_ID = re.compile(r"/(?:spreadsheets|files)/([A-Za-z0-9_-]{25,})")
STR_ID_KEYS = frozenset({"id", "spreadsheetId", "namedRangeId", "destinationSpreadsheetId"})
NUM_ID_KEYS = frozenset({"sheetId", "protectedRangeId", "sourceSheetId"})
IGNORED_KEYS = frozenset({"etag"})


@dataclass(frozen=True)
class Outcome:
    """Result of one replayed interaction."""

    cassette: str
    index: int
    method: str
    path: str
    passed: bool
    detail: str = ""

    @property
    def key(self) -> str:
        """``<cassette file>#<interaction index>``."""
        return f"{self.cassette}#{self.index}"


def _json(text: str | bytes | None) -> Any:
    if text in (None, "", b""):
        return None
    try:
        return json.loads(text)  # type: ignore[arg-type]
    except ValueError:
        return None


def _body_text(body: Any) -> str:
    if isinstance(body, dict):
        body = body.get("string", "")
    if isinstance(body, bytes):
        return body.decode("utf-8", "replace")
    return body or ""


def _ts(value: str) -> float:
    return datetime.strptime(value.replace("Z", "+0000"), "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()


class CassetteReplayer:
    """Replays one cassette file against its own emulator instance."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = path.name
        self.interactions: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["interactions"]
        text = path.read_text(encoding="utf-8")
        found = _EMAIL.search(text)
        self.account = found.group(0) if found else "emulator@example.iam.gserviceaccount.com"
        self.ids: dict[str, str] = {}
        self.nums: dict[int, int] = {}
        self.created = self._created_ids()
        self.known_times = self._known_times()

    def _created_ids(self) -> set[str]:
        out = set()
        for inter in self.interactions:
            req = inter["request"]
            path = urlsplit(req["uri"]).path
            if req["method"] == "POST" and (path.endswith("/drive/v3/files") or path.endswith("/copy")):
                body = _json(_body_text(inter["response"]["body"]))
                if isinstance(body, dict) and "id" in body:
                    out.add(body["id"])
        return out

    def _known_times(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for inter in self.interactions:
            body = _json(_body_text(inter["response"]["body"]))
            files = body.get("files", [body]) if isinstance(body, dict) else []
            for f in files:
                if isinstance(f, dict) and "id" in f and "createdTime" in f:
                    out.setdefault(f["id"], _ts(f["createdTime"]))
        return out

    # -- world state -------------------------------------------------------------------------
    def _seed(self, emu: SheetsEmulator, file_id: str, title: str) -> None:
        with emu.store.lock:
            if file_id not in emu.store.spreadsheets:
                emu.store.create(title, spreadsheet_id=file_id, created=self.known_times.get(file_id))
        self.ids.setdefault(file_id, file_id)

    def _prepare(self, emu: SheetsEmulator, inter: dict[str, Any]) -> None:
        req, resp = inter["request"], inter["response"]
        parts = urlsplit(req["uri"])
        status = resp["status"]["code"]
        body = _json(_body_text(resp["body"]))
        if req["method"] == "GET" and parts.path.endswith("/drive/v3/files") and isinstance(body, dict):
            listed = {f["id"]: f for f in body.get("files", [])}
            for fid, f in listed.items():
                if fid not in self.created:
                    self._seed(emu, fid, f.get("name", "Untitled"))
            query = (parse_qs(parts.query).get("q") or [""])[0]
            if " name " not in f" {query} ":
                with emu.store.lock:
                    for fid in list(emu.store.spreadsheets):
                        if fid not in self.created and fid not in listed and self.ids.get(fid) == fid:
                            del emu.store.spreadsheets[fid]
            return
        for fid in _FILE_ID.findall(parts.path):
            if fid in self.ids or fid in self.created:
                continue
            if status == 403:
                emu.deny(fid)
                self.ids[fid] = fid
            elif status < 400 and isinstance(body, dict):
                title = body.get("name") or (body.get("properties") or {}).get("title") or "Untitled"
                self._seed(emu, fid, title)

    # -- translation ---------------------------------------------------------------------------
    def _map_str(self, text: str) -> str:
        for rec, emu_id in self.ids.items():
            if rec != emu_id and rec in text:
                text = text.replace(rec, emu_id)
        return text

    def _translate(self, value: Any, key: str | None = None) -> Any:
        if isinstance(value, dict):
            return {k: self._translate(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [self._translate(v, key) for v in value]
        if key in NUM_ID_KEYS and isinstance(value, int) and not isinstance(value, bool):
            return self.nums.get(value, value)
        if isinstance(value, str):
            if key in NUM_ID_KEYS and value.isdigit():
                return str(self.nums.get(int(value), int(value)))
            return self._map_str(value)
        return value

    def _learn(self, rec: Any, got: Any, key: str | None = None) -> None:
        if isinstance(rec, dict) and isinstance(got, dict):
            for k, v in rec.items():
                if k in got:
                    self._learn(v, got[k], k)
        elif isinstance(rec, list) and isinstance(got, list):
            for a, b in zip(rec, got, strict=False):
                self._learn(a, b, key)
        elif key in STR_ID_KEYS and isinstance(rec, str) and isinstance(got, str):
            if rec not in self.ids and got not in self.ids.values():
                self.ids[rec] = got
        elif key in NUM_ID_KEYS and isinstance(rec, int) and isinstance(got, int):
            if rec not in self.nums and got not in self.nums.values():
                self.nums[rec] = got

    def _normalise(self, value: Any, key: str | None = None, recorded: bool = False) -> Any:
        if isinstance(value, dict):
            return {k: self._normalise(v, k, recorded) for k, v in value.items() if k not in IGNORED_KEYS}
        if isinstance(value, list):
            return [self._normalise(v, key, recorded) for v in value]
        if isinstance(value, str) and _TS.match(value):
            return "<timestamp>"
        if recorded:
            return self._translate(value, key)
        return value

    # -- running -------------------------------------------------------------------------------
    def run(self) -> list[Outcome]:
        """Replay every interaction on a fresh emulator."""
        emu = SheetsEmulator(
            default_time_zone="Etc/GMT", default_locale="en_US", account_email=self.account, seed=7
        )
        emu.start()
        session = requests.Session()
        try:
            return [self._one(emu, session, i, inter) for i, inter in enumerate(self.interactions)]
        finally:
            session.close()
            emu.stop()

    def _one(
        self, emu: SheetsEmulator, session: requests.Session, index: int, inter: dict[str, Any]
    ) -> Outcome:
        req, resp = inter["request"], inter["response"]
        parts = urlsplit(req["uri"])
        self._prepare(emu, inter)
        path = re.sub(
            r"/sheets/(\d+):copyTo",
            lambda m: f"/sheets/{self.nums.get(int(m.group(1)), m.group(1))}:copyTo",
            parts.path,
        )
        url = emu.base_url + self._map_str(path) + ("?" + self._map_str(parts.query) if parts.query else "")
        raw_body = req.get("body")
        data: bytes | None = None
        if raw_body is not None:
            text = _body_text(raw_body)
            parsed = _json(text)
            data = json.dumps(self._translate(parsed)).encode() if parsed is not None else text.encode()
        ctype = (req.get("headers", {}).get("Content-Type") or [None])[0]
        answer = session.request(
            req["method"], url, data=data, headers={"Content-Type": ctype} if ctype else {}, timeout=30
        )
        outcome = self._compare(index, req["method"], unquote(parts.path), resp, answer)
        if emu.errors:
            detail = emu.errors[-1].strip().splitlines()[-1]
            emu.errors.clear()
            return Outcome(
                self.name, index, req["method"], unquote(parts.path), False, f"emulator error: {detail}"
            )
        return outcome

    def _compare(
        self, index: int, method: str, path: str, resp: dict[str, Any], answer: requests.Response
    ) -> Outcome:
        def result(ok: bool, detail: str = "") -> Outcome:
            return Outcome(self.name, index, method, path, ok, detail)

        want_status = resp["status"]["code"]
        rec_text = _body_text(resp["body"])
        rec, got = _json(rec_text), _json(answer.content)
        if rec is not None and got is not None:
            self._learn(rec, got)
        if answer.status_code != want_status:
            return result(
                False, f"status {answer.status_code} != recorded {want_status}: {answer.text[:300]}"
            )
        if rec is None:
            same = answer.text.strip() == rec_text.strip()
            return result(same, "" if same else f"body {answer.text[:200]!r} != recorded {rec_text[:200]!r}")
        want, have = self._normalise(rec, recorded=True), self._normalise(got)
        diff = first_difference(want, have)
        return result(diff is None, diff or "")


def first_difference(want: Any, have: Any, where: str = "$") -> str | None:
    """Human-readable location of the first difference, or None when equal."""
    if isinstance(want, dict) and isinstance(have, dict):
        for k in sorted(set(want) | set(have)):
            if k not in have:
                return f"{where}.{k} missing (recorded {json.dumps(want[k])[:160]})"
            if k not in want:
                return f"{where}.{k} unexpected ({json.dumps(have[k])[:160]})"
            d = first_difference(want[k], have[k], f"{where}.{k}")
            if d:
                return d
        return None
    if isinstance(want, list) and isinstance(have, list):
        if len(want) != len(have):
            return f"{where} length {len(have)} != recorded {len(want)}: {json.dumps(have)[:160]} vs {json.dumps(want)[:160]}"
        for i, (a, b) in enumerate(zip(want, have, strict=True)):
            d = first_difference(a, b, f"{where}[{i}]")
            if d:
                return d
        return None
    if want != have or type(want) is not type(have):
        return f"{where}: {json.dumps(have)[:160]} != recorded {json.dumps(want)[:160]}"
    return None


def replay_directory(directory: Path) -> list[Outcome]:
    """Replay every ``*.json`` cassette in a directory (sorted by name)."""
    outcomes: list[Outcome] = []
    for path in sorted(directory.glob("*.json")):
        outcomes.extend(CassetteReplayer(path).run())
    return outcomes
