"""Synthetic form responses for the demo and the tests. Every name and NIK here is invented.

NIKs are built to be structurally valid (Riau province 14, Indragiri Hilir 04) unless a case wants an
invalid one; no real person's data is used anywhere.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

RESPONSE_HEADERS = [
    "Timestamp",
    "Nama Lengkap",
    "NIK",
    "Nomor HP",
    "Email Address",
    "Jenis Laporan",
    "Kecamatan",
    "Desa/Kelurahan",
    "Uraian Kejadian",
    "Foto Kejadian",
    "Foto KTP",
    "Kerahasiaan",  # the citizen's choice: Biasa / Rahasia / Anonim (workflow/privacy.py)
]

_FIRST = [
    "Andi",
    "Siti",
    "Rudi",
    "Dewi",
    "Hendra",
    "Nurul",
    "Fajar",
    "Rina",
    "Agus",
    "Wulan",
    "Bayu",
    "Intan",
]
_LAST = ["Saputra", "Lestari", "Pratama", "Rahmawati", "Kurniawan", "Syahputri", "Hidayat", "Maharani"]
_KECAMATAN = {
    "Tembilahan": ["Tembilahan Kota", "Seberang Tembilahan", "Pekan Arba"],
    "Tembilahan Hulu": ["Tembilahan Barat", "Sungai Intan"],
    "Enok": ["Enok", "Suhada"],
    "Reteh": ["Pulau Kijang", "Sungai Undan"],
    "Kuala Indragiri": ["Sapat", "Tanjung Melayu"],
}
CATEGORIES = [
    "Konflik sosial",
    "Gangguan ketertiban umum",
    "Bencana alam",
    "Kegiatan mencurigakan",
    "Unjuk rasa",
    "Kerawanan pemilu",
]
_STORIES = [
    "Terjadi keributan antarwarga di dekat pasar pada malam hari, beberapa orang terluka ringan.",
    "Banjir rob menggenangi jalan utama desa setinggi lutut sejak subuh.",
    "Ada sekelompok orang tidak dikenal membagikan selebaran provokatif di masjid.",
    "Rencana unjuk rasa warga terkait sengketa lahan perkebunan besok pagi.",
    "Pohon tumbang menutup jalan dan menimpa kabel listrik.",
    "Spanduk bernada SARA dipasang di persimpangan jalan.",
    "Perselisihan batas kebun antara dua kelompok warga memanas.",
    "Abrasi pantai mengancam rumah warga di tepi sungai.",
]


def make_nik(rng: random.Random, *, female: bool = False, valid: bool = True) -> str:
    """A synthetic, structurally valid NIK from Indragiri Hilir (or a broken one when ``valid`` is False)."""
    district = rng.randint(1, 20)
    day = rng.randint(1, 28) + (40 if female else 0)
    month = rng.randint(1, 12)
    year = rng.randint(60, 99)
    nik = f"1404{district:02d}{day:02d}{month:02d}{year:02d}{rng.randint(1, 9999):04d}"
    if not valid:
        return nik[:-1]  # 15 digits
    return nik


def _drive(rng: random.Random, form: str) -> str:
    file_id = "".join(
        rng.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") for _ in range(28)
    )
    return (
        f"https://drive.google.com/open?id={file_id}"
        if form == "open"
        else f"https://drive.google.com/file/d/{file_id}/view"
    )


def _phone(rng: random.Random) -> str:
    prefix = rng.choice(["811", "812", "813", "821", "822", "852", "853", "857", "877", "878", "895"])
    digits = f"{prefix}{rng.randint(1000000, 99999999)}"
    style = rng.randrange(4)
    if style == 0:
        return f"0{digits[:3]}-{digits[3:7]}-{digits[7:]}"
    if style == 1:
        return f"+62 {digits[:3]} {digits[3:7]} {digits[7:]}"
    if style == 2:
        return f"62{digits}"
    return f"0{digits}"


def demo_responses(start: datetime, count: int = 32, seed: int = 7, spacing: int = 3) -> list[list[object]]:
    """``count`` varied responses (header not included), the first at ``start``, ``spacing`` minutes apart.

    The mix: complete reports, missing KTP photo, missing event photo, invalid NIK, a near-duplicate,
    formula-looking text, Indonesian date text instead of a date cell, several photos in one cell, and a
    few reporters who chose "Anonim" or "Rahasia".
    """
    rng = random.Random(seed)
    rows: list[list[object]] = []
    for index in range(count):
        when = start + timedelta(minutes=spacing * index, seconds=rng.randint(0, 59))
        female = rng.random() < 0.5
        kecamatan = rng.choice(list(_KECAMATAN))
        name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
        row: list[object] = [
            when.replace(tzinfo=None),
            name,
            make_nik(rng, female=female),
            _phone(rng),
            f"{name.split()[0].lower()}{index}@contoh.example",
            rng.choice(CATEGORIES),
            kecamatan,
            rng.choice(_KECAMATAN[kecamatan]),
            rng.choice(_STORIES),
            _drive(rng, rng.choice(["open", "file"])),
            _drive(rng, rng.choice(["open", "file"])),
            "Anonim" if index % 8 == 7 else "Rahasia" if index % 12 == 10 else "Biasa",
        ]
        variant = index % 8
        if variant == 1:
            row[10] = ""  # missing KTP photo
        elif variant == 2:
            row[2] = make_nik(rng, valid=False)  # invalid NIK
        elif variant == 3:
            row[0] = when.strftime("%-d/%-m/%Y %-H:%M:%S")  # Indonesian date text
        elif variant == 4:
            row[8] = '=HYPERLINK("http://contoh.example/x","klik") laporan palsu? @admin'
        elif variant == 5:
            row[9] = f"{_drive(rng, 'open')}, {_drive(rng, 'file')}"  # two photos in one cell
        elif variant == 6:
            row[9] = ""  # missing event photo
        rows.append(row)
    # A near-duplicate: the same reporter sends almost the same report again twenty minutes later.
    original = rows[0]
    again = list(original)
    again[0] = (
        original[0] + timedelta(minutes=spacing * 2, seconds=30)
        if isinstance(original[0], datetime)
        else original[0]
    )
    again[8] = str(original[8]) + " Mohon segera ditindaklanjuti."
    rows.insert(3, again)  # the form appends in arrival order: after the rows that came before it
    return rows
