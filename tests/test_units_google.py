"""Units on Google (issue 10's Done-when): through the real gspread client against the emulator, each
unit's own spreadsheet shows only its cases, a move typed there moves only its own case, and a cycle's
requests stay within the budget the README states."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from sheets_emulator.a1 import col_to_letters
from sheets_emulator.server import SheetsEmulator

from tests.google_site import GoogleSite
from tests.site import T0, response
from tests.test_units_local import DINKES, PUPR, ROLES, SOP
from tests.workbook import STATUS_TAB


def units_on_google(site: GoogleSite, emulator: SheetsEmulator) -> dict[str, str]:
    """Two unit spreadsheets (each would be shared with its unit only); returns unit -> spreadsheet id."""
    ids = {
        unit: emulator.create_spreadsheet(
            title=f"Cakra {unit}", sheets={"Sheet1": []}, time_zone="Asia/Jakarta"
        )
        for unit in ("dinas_pupr", "dinkes")
    }
    site.extra = {
        "sop": str(SOP),
        "roles": ROLES,
        "report": {"roles": ["kepala_dinas"]},
        "units": {
            unit: {"emails": [f"{unit}@pemda.example.go.id"], "spreadsheet_id": spreadsheet}
            for unit, spreadsheet in ids.items()
        },
    }
    return ids


def rows(emulator: SheetsEmulator, spreadsheet: str) -> dict[str, dict[str, str]]:
    header, *body = emulator.values(spreadsheet, STATUS_TAB)
    records = [dict(zip(header, [*r, *[""] * (len(header) - len(r))], strict=True)) for r in body]
    return {r["No. Tiket"]: r for r in records}


def type_into(emulator: SheetsEmulator, spreadsheet: str, ticket: str, **values: str) -> None:
    """A unit's officer types into its own spreadsheet (a new row when the ticket is not there)."""
    header, *body = emulator.values(spreadsheet, STATUS_TAB)
    tickets = [r[0] if r else "" for r in body]
    number = 2 + (tickets.index(ticket) if ticket in tickets else len(body))
    for key, value in {"No. Tiket": ticket, **values}.items():
        cell = f"{col_to_letters(header.index(key))}{number}"
        emulator.enter(spreadsheet, STATUS_TAB, cell, [[value]], typed=True)


def calls(emulator: SheetsEmulator, names: dict[str, str]) -> dict[str, list[str]]:
    """The cycle's API requests per spreadsheet (named by ``names``: id -> name)."""
    out: dict[str, list[str]] = defaultdict(list)
    for entry in emulator.log:
        if entry.kind in ("read", "write"):
            book = next((name for sid, name in names.items() if sid in entry.path), "?")
            out[book].append(f"{entry.method} {entry.path.rsplit('/', 1)[-1]}")
    return dict(out)


def test_a_unit_spreadsheet_shows_and_moves_only_its_own_cases(
    google_site: GoogleSite, google_emulator: SheetsEmulator
) -> None:
    site, emu = google_site, google_emulator
    ids = units_on_google(site, emu)
    names = {site.spreadsheet_id: "main", ids["dinas_pupr"]: "pupr", ids["dinkes"]: "dinkes"}
    site.submit(
        response(0, category="Jalan rusak"),
        response(1, category="Layanan kesehatan", nik="1404015501900002"),
    )
    at = T0 + timedelta(minutes=1)
    assert site.poll(at).new == 2
    assert site.row(PUPR)["Unit Tujuan"] == "Dinas PUPR"
    site.edit(PUPR, Tahap="3", Petugas="Rina (Kominfo)")
    site.edit(DINKES, Tahap="3", Petugas="Rina (Kominfo)", Unit_Tujuan="Dinkes")
    at += timedelta(minutes=5)
    assert site.poll(at).moved == 2

    pupr, dinkes = rows(emu, ids["dinas_pupr"]), rows(emu, ids["dinkes"])
    assert list(pupr) == [PUPR] and list(dinkes) == [DINKES]
    assert pupr[PUPR]["NIK (disamarkan)"] == "1404********0001" and pupr[PUPR]["Tahap"] == "3. Jawaban SKPD"

    # PUPR moves its case, and tries to move the clinic case by typing its ticket into its spreadsheet.
    type_into(emu, ids["dinas_pupr"], PUPR, Tahap="4. Koreksi jawaban", Petugas="Budi (PUPR)")
    type_into(emu, ids["dinas_pupr"], DINKES, Tahap="4. Koreksi jawaban")
    emu.log.reset()
    at += timedelta(minutes=5)
    assert site.poll(at).moved == 1
    assert rows(emu, site.spreadsheet_id)[PUPR]["Tahap Saat Ini"] == "4. Koreksi jawaban"
    assert rows(emu, site.spreadsheet_id)[DINKES]["Tahap Saat Ini"] == "3. Jawaban SKPD"
    assert rows(emu, ids["dinas_pupr"])[DINKES]["Pesan Sistem"].startswith("Ditolak: tiket ini bukan kasus")
    assert list(rows(emu, ids["dinkes"])) == [DINKES]
    # The budget: main 1 read + the ticket check + 1 write; each active unit 1 read, and the one with
    # changes the ticket check + 1 write. Nothing else (no metadata, no per-cell requests).
    read, check, write = "GET values:batchGet", "GET values:batchGet", "POST values:batchUpdate"
    assert calls(emu, names) == {
        "main": [read, check, write],
        "pupr": [read, check, write],
        "dinkes": [read],
    }

    # A quiet cycle: PUPR has no case at its step any more, so its spreadsheet is not even read.
    emu.log.reset()
    at += timedelta(minutes=5)
    assert site.poll(at).cells_written == 0
    assert calls(emu, names) == {"main": [read], "dinkes": [read]}


def test_init_makes_each_unit_spreadsheet_and_check_names_whom_to_share_it_with(
    google_site: GoogleSite, google_emulator: SheetsEmulator
) -> None:
    from cakra.check import checks
    from cakra.setup import initialise
    from cakra.tabs.status import HEADERS

    ids = units_on_google(google_site, google_emulator)
    done = list(initialise(google_site.app))
    assert "unit dinas_pupr: tab 'Status Kasus' created" in done
    assert "unit dinkes: dropdown on 'Tahap' set to the SOP's steps and endings" in done
    assert not any("Unit Tujuan" in line for line in done if line.startswith("unit "))  # dispatcher's only
    assert any("dropdown on 'Unit Tujuan'" in line for line in done if not line.startswith("unit "))
    assert google_emulator.values(ids["dinkes"], STATUS_TAB)[0] == HEADERS
    lines = [line for _, line in checks(google_site.app.config)]
    (pupr,) = [line for line in lines if "unit dinas_pupr screen" in line]
    assert pupr.startswith("ok") and ids["dinas_pupr"] in pupr and "share it with" in pupr and "@" in pupr
