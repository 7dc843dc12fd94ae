"""Who is expected to report: the roster of desa (or any reporting unit), with their officials' addresses.

A roster comes from the config (``[roster.<id>] title, aliases, emails``) and from a "Daftar Desa" tab
the kecamatan keeps (one row per desa: Desa, Alias, Email Aparat), merged: a tab row whose name matches a
config entry adds its aliases and addresses to it; any other row adds a desa. A submission names its desa
as the form's dropdown gave it; ``Roster.match`` finds it by id, title or alias, whatever the case,
spacing or a leading "Desa".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

_PREFIX = re.compile(r"^(desa|kelurahan|kel\.?|ds\.?)\s+")
_EMAIL = re.compile(r"[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+")


def desa_key(text: str) -> str:
    """``"  DESA  Juai "`` -> ``"juai"``: what two spellings of one desa have in common."""
    words = " ".join(re.sub(r"[_\-]+", " ", str(text or "")).split()).casefold()
    return _PREFIX.sub("", words).strip(" .")


@dataclass(frozen=True)
class Desa:
    id: str
    title: str
    aliases: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()


@dataclass(frozen=True)
class RosterRow:
    """One row of the "Daftar Desa" tab as typed (``row``: its sheet row, for the message beside it)."""

    row: int
    title: str
    aliases: str = ""
    emails: str = ""


@dataclass
class Roster:
    """The desa in the order they are listed (config first, then the tab's new ones)."""

    desa: dict[str, Desa] = field(default_factory=dict)
    # Sheet row -> one line in Bahasa Indonesia about what the tab's row lacks (written beside it).
    row_problems: dict[int, str] = field(default_factory=dict)

    # Every spelling's key -> desa id; built on first use (each cycle matches every submission: a
    # scan of the roster per submission grew with desa x reports).
    _keys: dict[str, str] | None = field(default=None, repr=False, compare=False)

    def match(self, text: str) -> Desa | None:
        """The desa ``text`` names (id, title or alias), or None; the first listed wins a shared alias."""
        wanted = desa_key(text)
        if not wanted:
            return None
        if self._keys is None:
            self._keys = {}
            for desa in self.desa.values():
                for name in (desa.id, desa.title, *desa.aliases):
                    self._keys.setdefault(desa_key(name), desa.id)
        found = self._keys.get(wanted)
        return self.desa[found] if found is not None else None

    def put(self, desa: Desa) -> None:
        """Add or replace a desa (forgets the spelling index)."""
        self.desa[desa.id] = desa
        self._keys = None

    def emails(self, desa_id: str) -> list[str]:
        desa = self.desa.get(desa_id)
        return list(desa.emails) if desa else []


def build_roster(configured: Mapping[str, Desa], rows: Sequence[RosterRow] = ()) -> Roster:
    """The config's desa, with the tab's rows merged in (see the module doc)."""
    roster = Roster(dict(configured))
    for row in rows:
        if not row.title.strip():
            if row.aliases.strip() or row.emails.strip():
                roster.row_problems[row.row] = "Nama desa kosong: baris ini diabaikan"
            continue
        emails = tuple(_EMAIL.findall(row.emails))
        leftover = _EMAIL.sub("", row.emails).replace(",", " ").replace(";", " ").split()
        if leftover:
            roster.row_problems[row.row] = f"Bukan alamat email: {leftover[0][:40]} (diabaikan)"
        elif not emails:
            roster.row_problems[row.row] = "Belum ada email aparat: pengingat tidak bisa dikirim ke desa ini"
        aliases = tuple(a.strip() for a in re.split(r"[,;]", row.aliases) if a.strip())
        known = roster.match(row.title)
        if known is not None:
            roster.put(
                Desa(
                    known.id,
                    known.title,
                    tuple(dict.fromkeys((*known.aliases, *aliases))),
                    tuple(dict.fromkeys((*known.emails, *emails))),
                )
            )
        else:
            desa_id = desa_key(row.title).replace(" ", "_")
            roster.put(Desa(desa_id, row.title.strip(), aliases, emails))
    return roster


def configured_desa(entries: Mapping[str, Mapping[str, object]]) -> dict[str, Desa]:
    """``[roster.<id>]`` tables (already checked by the config) as ``Desa``."""
    out: dict[str, Desa] = {}
    for desa_id, table in entries.items():
        out[desa_id] = Desa(
            desa_id,
            str(table.get("title") or desa_id.replace("_", " ").title()),
            tuple(_texts(table.get("aliases", ()))),
            tuple(_texts(table.get("emails", ()))),
        )
    return out


def _texts(values: object) -> Iterable[str]:
    return [str(v) for v in values] if isinstance(values, list | tuple) else []
