"""A Cakra site in a temp folder on the embedded default (local workbook, SQLite, outbox or SMTP).

Tests drive it the way people do: the "form" appends rows to the response tab, "operators" type into
the status tab, and the service runs ``poll`` cycles at chosen (injected) times. The form, its synthetic
answers and the workbook edits (``tests/workbook.py``) are the tests' own, independent of the demo's.
"""

from __future__ import annotations

import email
import tomllib
from collections.abc import Iterator
from datetime import datetime, timedelta
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from cakra.app import App, build_app
from cakra.config import build_config
from cakra.cycle import CycleResult, poll
from tests.smtp_fixtures import SmtpServer, smtp_email_table
from tests.workbook import (
    new_form_workbook,
    rewrite_response,
    status_records,
    sync_responses,
    type_into_case,
)

WIB = ZoneInfo("Asia/Jakarta")
T0 = datetime(2026, 11, 23, 8, 0, tzinfo=WIB)
ROLES = {
    "operator": ["operator@kesbangpol.contoh.example"],
    "kasubbid": ["kasubbid@kesbangpol.contoh.example"],
    "kabid": ["kabid@kesbangpol.contoh.example"],
    "kepala_badan": ["kaban@kesbangpol.contoh.example"],
}


def answers(
    minutes: float = 0,
    *,
    name: str = "Andi Saputra",
    nik: object = "1404015501900001",
    phone: object = "0812-3456-7890",
    category: str = "Konflik sosial",
    kecamatan: str = "Tembilahan",
    desa: str = "Pekan Arba",
    description: str = "Keributan di pasar malam.",
    event_photo: str = "https://drive.google.com/open?id=EVENTphoto0000000001",
    ktp_photo: str = "https://drive.google.com/file/d/KTPphoto00000000001/view",
    email_address: str = "andi@contoh.example",
    timestamp: object = None,
) -> dict[str, object]:
    """One synthetic form response (invented person): each question of the tests' form -> its answer."""
    stamp = timestamp if timestamp is not None else (T0 + timedelta(minutes=minutes)).replace(tzinfo=None)
    return {
        "Timestamp": stamp,
        "Nama Lengkap": name,
        "NIK": nik,
        "Nomor HP": phone,
        "Email Address": email_address,
        "Jenis Laporan": category,
        "Kecamatan": kecamatan,
        "Desa/Kelurahan": desa,
        "Uraian Kejadian": description,
        "Foto Kejadian": event_photo,
        "Foto KTP": ktp_photo,
    }


def response(minutes: float = 0, **changes: Any) -> list[object]:
    """One synthetic form response row: ``answers(minutes, **changes)`` in the form's column order."""
    return list(answers(minutes, **changes).values())


# The tests' form: the questions ``answers`` answers, then the citizen's choice of privacy (Biasa /
# Rahasia / Anonim), which ``tests.helpers_time.with_privacy`` adds to a row.
FORM_HEADERS = [*answers(), "Kerahasiaan"]


class Site:
    def __init__(self, folder: Path, email_backend: dict[str, Any] | None = None) -> None:
        self.folder = folder
        self.workbook = folder / "cakra.xlsx"
        self.outbox = folder / "outbox"
        self.rows: list[list[object]] = []
        self.email = email_backend or {"backend": "outbox", "outbox_dir": "outbox"}
        self.extra: dict[str, Any] = {}
        new_form_workbook(self.workbook, FORM_HEADERS)
        self._app: App | None = None

    def config_table(self) -> dict[str, Any]:
        table: dict[str, Any] = {
            "sheets": {"workbook": "cakra.xlsx"},
            "ledger": {"path": "cakra.sqlite"},
            # Each escalation in its own cycle, so alert tests see every level when it falls due; the
            # bundling of escalations ([email] bundle_minutes) is tested in tests/test_pacing.py.
            "email": {"from": "Cakra <cakra@kesbangpol.contoh.example>", "bundle_minutes": 0, **self.email},
            "roles": {role: {"emails": emails} for role, emails in ROLES.items()},
        }
        for key, value in self.extra.items():
            if isinstance(value, dict):
                table.setdefault(key, {}).update(value)
            else:
                table[key] = value
        return table

    def write_config(self) -> Path:
        path = self.folder / "config.toml"
        path.write_text(_toml(self.config_table()), encoding="utf-8")
        tomllib.loads(path.read_text())  # the file we hand to the CLI must itself be valid
        return path

    @property
    def app(self) -> App:
        if self._app is None:
            self._app = build_app(build_config(self.config_table(), self.folder / "config.toml"))
        return self._app

    def close(self) -> None:
        if self._app is not None:
            self._app.close()
            self._app = None

    def submit(self, *rows: list[object]) -> None:
        self.rows.extend(rows)
        sync_responses(self.workbook, self.rows)

    def poll(self, at: datetime) -> CycleResult:
        return poll(self.app, at)

    def edit(self, ticket: str, **values: str) -> None:
        """An operator types into the status sheet; keys are headers with spaces as underscores."""
        type_into_case(self.workbook, ticket, {_header(k): v for k, v in values.items()})

    def status(self) -> list[dict[str, object]]:
        return status_records(self.workbook)

    def row(self, ticket: str) -> dict[str, object]:
        return next(r for r in self.status() if r["No. Tiket"] == ticket)

    def emails(self) -> list[EmailMessage]:
        return [
            email.message_from_bytes(p.read_bytes(), policy=policy.default)  # type: ignore[misc]
            for p in sorted(self.outbox.glob("*.eml"))
        ]

    def set_response(self, index: int, row: list[object]) -> None:
        """The respondent edits a response: the form rewrites that same row in place."""
        self.rows[index] = row
        rewrite_response(self.workbook, index, row)


_HEADERS = {
    "Tahap": "Tahap",
    "Petugas": "Petugas",
    "Disposisi": "Disposisi / Catatan",
    "Hasil_Verifikasi": "Hasil Verifikasi",
    "Tindak_Lanjut": "Tindak Lanjut",
}


def _header(key: str) -> str:
    return _HEADERS.get(key, key.replace("_", " "))


def _toml(table: dict[str, Any], prefix: str = "") -> str:
    lines: list[str] = []
    tables: list[tuple[str, dict[str, Any]]] = []
    for key, value in table.items():
        if isinstance(value, dict):
            tables.append((f"{prefix}{key}", value))
        else:
            lines.append(f"{key} = {_value(value)}")
    out = "\n".join(lines) + "\n"
    for name, sub in tables:
        simple = {k: v for k, v in sub.items() if not isinstance(v, dict)}
        nested = {k: v for k, v in sub.items() if isinstance(v, dict)}
        if simple or not nested:
            out += f"\n[{name}]\n" + _toml(simple)
        for key, value in nested.items():
            out += f"\n[{name}.{key}]\n" + _toml(value, f"{name}.{key}.")
    return out


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    s = Site(tmp_path)
    yield s
    s.close()


__all__ = ["FORM_HEADERS", "ROLES", "T0", "WIB", "Site", "answers", "response", "site"]


@pytest.fixture
def smtp_site(site: Site, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> Site:
    """A site whose mail goes to the test's real SMTP server (aiosmtpd on loopback)."""
    site.email = smtp_email_table(smtp_server, monkeypatch)
    return site
