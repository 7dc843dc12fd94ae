"""Which header of the response tab holds which form field, and which tab the form writes to.

Question titles differ from agency to agency, so each field is found through a list of header names: the
agency's own (config ``[columns]``) first, then the built-in ones below. The config only validates its
table against ``FIELDS``; the names themselves, and how they combine, live here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

# Google names the response tab by the form's language; either is accepted when the default is kept.
DEFAULT_RESPONSE_TABS = ("Form Responses 1", "Jawaban Formulir 1")

# Form fields the ingest step knows, with the header names it recognises out of the box.
DEFAULT_ALIASES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "timestamp": ("Timestamp", "Cap waktu", "Stempel waktu", "Waktu"),
        "name": ("Nama", "Nama Lengkap", "Nama Pelapor", "Name"),
        "nik": ("NIK", "Nomor Induk Kependudukan", "NIK Pelapor", "No. KTP", "Nomor KTP"),
        "phone": (
            "Nomor HP",
            "No. HP",
            "No HP",
            "Nomor Telepon",
            "No. Telepon",
            "Telepon",
            "Nomor WhatsApp",
            "Phone",
        ),
        "email": ("Email", "Email Address", "Alamat email", "E-mail"),
        "category": ("Jenis Laporan", "Jenis Pengaduan", "Kategori", "Category"),
        "kecamatan": ("Kecamatan",),
        "desa": ("Desa", "Desa/Kelurahan", "Kelurahan", "Desa / Kelurahan"),
        "description": ("Uraian", "Uraian Kejadian", "Isi Laporan", "Keterangan", "Deskripsi", "Description"),
        "event_photo": (
            "Foto Kejadian",
            "Upload Foto Kejadian",
            "Foto kejadian",
            "Lampiran (tautan)",
            "Lampiran",
        ),
        "ktp_photo": ("Foto KTP", "Upload Foto KTP", "Foto KTP Pelapor", "Foto KTP (tautan)"),
        # "Rahasia" / "Anonim" chosen by the citizen (workflow/privacy.py reads the answer).
        "privacy": ("Kerahasiaan", "Kerahasiaan Laporan", "Jenis Pelaporan", "Rahasia / Anonim"),
        # How the report reached the agency and its reference there (the Input Manual tab has both; a
        # form may ask them too). workflow/channels.py names the channels.
        "channel": ("Saluran", "Saluran Pengaduan", "Sumber Laporan", "Media Pengaduan"),
        "reference": (
            "No. Referensi (LAPOR!)",
            "No. Referensi",
            "Nomor Referensi",
            "No. Tracking LAPOR!",
            "Nomor Tracking LAPOR!",
        ),
    }
)
FIELDS: tuple[str, ...] = tuple(DEFAULT_ALIASES)
REQUIRED_FIELDS = ("timestamp",)


def response_tab_names(configured: str) -> tuple[str, ...]:
    """The tabs to look for the form's answers in: both of Google's names when ``configured`` is one of
    them (the default), else only ``configured``."""
    return DEFAULT_RESPONSE_TABS if configured in DEFAULT_RESPONSE_TABS else (configured,)


@dataclass(frozen=True)
class ColumnAliases:
    """Header names per field: ``extra`` (the agency's ``[columns]``, fields of ``FIELDS`` only) tried
    before the built-in ones. A field named in ``extra`` is one the service relies on (its question
    missing from the tab is flagged, ingest/questions.py); a field set to ``[]`` is one the form does not
    ask, never looked for. The timestamp must always be found."""

    extra: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = sorted(set(self.extra) - set(FIELDS))
        if unknown:
            raise ValueError(f"unknown field {unknown[0]!r}; known fields: {', '.join(FIELDS)}")
        unaskable = [name for name in REQUIRED_FIELDS if name in self.unasked]
        if unaskable:
            raise ValueError(f"an empty list for {unaskable[0]!r}, which every form response has")

    @property
    def names(self) -> dict[str, tuple[str, ...]]:
        """Every field's header names, in the order they are tried (fields the form does not ask left out)."""
        return {
            name: (*self.extra.get(name, ()), *known)
            for name, known in DEFAULT_ALIASES.items()
            if name not in self.unasked
        }

    @property
    def unasked(self) -> frozenset[str]:
        """Fields the agency's form does not ask (``[columns] phone = []``)."""
        return frozenset(name for name, names in self.extra.items() if not names)

    @property
    def required(self) -> tuple[str, ...]:
        """Fields the service relies on finding: the timestamp (without it no response can be read) and
        each field the agency named headers for (missing, it flags every case read meanwhile)."""
        return (*REQUIRED_FIELDS, *(name for name, names in self.extra.items() if names))
