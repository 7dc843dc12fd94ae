"""The core's end-to-end path on the Google backend: real gspread + google-auth over HTTP to the emulator."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sheets_emulator.server import SheetsEmulator

from cakra.common.errors import SheetError
from cakra.sheets.retry import RetryPolicy
from tests.google_site import GoogleSite
from tests.site import T0, response

TICKET1 = "CAKRA-2026-000001"


def api_calls(emu: SheetsEmulator) -> list[str]:
    return [f"{e.method} {e.path.rsplit('/', 1)[-1]}" for e in emu.log if e.kind in ("read", "write")]


def no_wait(site: GoogleSite) -> list[float]:
    """Make the backend's retries instant; return the list its waits are recorded in."""
    waits: list[float] = []
    site.app.sheets.policy = RetryPolicy(sleep=waits.append, random=lambda: 0.5)  # type: ignore[attr-defined]
    return waits


def test_five_step_walk_through_the_real_client(
    google_site: GoogleSite, google_emulator: SheetsEmulator
) -> None:
    google_site.submit(response(0))
    assert google_site.poll(T0 + timedelta(minutes=1)).new == 1
    row = google_site.row(TICKET1)
    assert row["Tahap"] == "2. Operator" and row["Batas Waktu"] == "23/11/2026 08:15"
    assert row["NIK (disamarkan)"] == "1404********0001"
    at = T0 + timedelta(minutes=1)
    for choice in ("3. Kasubbid", "4. Kabid verifikasi", "5. Kepala Badan", "Selesai"):
        google_site.edit(TICKET1, Tahap=choice, Petugas="Petugas Uji")
        google_emulator.log.reset()
        at += timedelta(minutes=5)
        assert google_site.poll(at).moved == 1, choice
        calls = api_calls(google_emulator)
        # The read, the status rows' ticket column just before the write (issue 9), the write.
        assert calls == ["GET values:batchGet", "GET values:batchGet", "POST values:batchUpdate"], calls
        assert google_site.row(TICKET1)["Tahap Saat Ini"] == choice
    riwayat = google_site.tab("Riwayat")
    assert [r[4] for r in riwayat[1:] if r[2] == "pindah tahap"] == [
        "3. Kasubbid",
        "4. Kabid verifikasi",
        "5. Kepala Badan",
        "Selesai",
    ]


def test_nothing_changed_means_one_read_and_no_write(
    google_site: GoogleSite, google_emulator: SheetsEmulator
) -> None:
    google_site.submit(response(0), response(1, nik="1404015501900002"))
    google_site.poll(T0 + timedelta(minutes=2))
    google_emulator.log.reset()
    result = google_site.poll(T0 + timedelta(minutes=3))
    assert result.cells_written == 0
    assert api_calls(google_emulator) == ["GET values:batchGet"]


def test_formula_looking_input_stays_text_read_back_with_formula_render(google_site: GoogleSite) -> None:
    formula = '=IMPORTXML("http://contoh.example","//a")'
    google_site.submit(response(0, description=formula, name="@admin", phone="0812-3456-7890"))
    google_site.poll(T0 + timedelta(minutes=1))
    rows = google_site.tab("Status Kasus", render="FORMULA")
    header = rows[0]
    row = rows[1]
    assert row[header.index("Ringkasan")] == formula  # stored as the literal text, not a formula
    assert row[header.index("Nama Pelapor")] == "@admin"
    unformatted = google_site.tab("Status Kasus", render="UNFORMATTED_VALUE")
    assert unformatted[1][header.index("No. HP")] == "+6281234567890"  # text, not a number


def test_edited_response_updates_the_case(google_site: GoogleSite) -> None:
    google_site.submit(response(0, ktp_photo=""))
    google_site.poll(T0 + timedelta(minutes=1))
    google_site.set_response(0, response(5, description="Sudah reda, dua orang diamankan."))
    result = google_site.poll(T0 + timedelta(minutes=6))
    assert result.edited == 1 and result.new == 0
    row = google_site.row(TICKET1)
    assert row["Kelengkapan"] == "Lengkap" and "diamankan" in str(row["Ringkasan"])
    assert len(google_site.status()) == 1


def test_quota_storm_ends_with_nothing_lost_and_nothing_duplicated(
    google_site: GoogleSite, google_emulator: SheetsEmulator
) -> None:
    google_site.submit(*[response(i, nik=f"14040155019000{i:02d}") for i in range(1, 6)])
    waits = no_wait(google_site)
    clock = [0.0]
    google_emulator.quotas.set(reads_per_minute=1, writes_per_minute=1, clock=lambda: clock[0])

    def advance(seconds: float) -> None:  # the backend's "sleep": time passes in the emulator's quota window
        waits.append(seconds)
        clock[0] += seconds

    google_site.app.sheets.policy = RetryPolicy(sleep=advance, random=lambda: 0.5)  # type: ignore[attr-defined]
    result = google_site.poll(T0 + timedelta(minutes=6))
    assert result.new == 5
    assert any(e.status == 429 for e in google_emulator.log)
    assert waits, "the backend waited before retrying"
    assert [r["No. Tiket"] for r in google_site.status()] == [f"CAKRA-2026-{n:06d}" for n in range(1, 6)]
    clock[0] += 120
    assert google_site.poll(T0 + timedelta(minutes=7)).cells_written == 0


def test_quota_exhausted_for_too_long_fails_cleanly_and_the_next_cycle_carries_on(
    google_site: GoogleSite, google_emulator: SheetsEmulator
) -> None:
    google_site.submit(response(0))
    google_site.app.sheets.timezone  # noqa: B018  # metadata is read once, before the storm
    no_wait(google_site)
    google_emulator.quotas.set(reads_per_minute=0, writes_per_minute=0, clock=lambda: 0.0)
    with pytest.raises(SheetError) as error:
        google_site.poll(T0 + timedelta(minutes=1))
    assert "429" in str(error.value) and "next cycle" in str(error.value)
    google_emulator.quotas.set(reads_per_minute=600, writes_per_minute=600, clock=lambda: 0.0)
    assert google_site.poll(T0 + timedelta(minutes=2)).new == 1
    assert len(google_site.status()) == 1


def test_5xx_mid_write_then_a_clean_next_cycle(
    google_site: GoogleSite, google_emulator: SheetsEmulator
) -> None:
    google_site.poll(T0)  # first run: the status and history tabs are made
    google_site.submit(response(0), response(1, nik="1404015501900002"))
    waits = no_wait(google_site)
    google_emulator.faults.add(status=503, count=10, method="POST", path_contains="values:batchUpdate")
    with pytest.raises(SheetError):
        google_site.poll(T0 + timedelta(minutes=2))
    assert len(waits) == 6  # bounded: seven attempts, six waits
    assert google_site.app.ledger.cases()  # decided and kept, though not yet on the sheet
    result = google_site.poll(T0 + timedelta(minutes=3))
    assert result.new == 0 and result.cells_written > 0
    assert [r["No. Tiket"] for r in google_site.status()] == ["CAKRA-2026-000001", "CAKRA-2026-000002"]
    assert google_site.poll(T0 + timedelta(minutes=4)).cells_written == 0


def test_dropped_connection_is_retried(google_site: GoogleSite, google_emulator: SheetsEmulator) -> None:
    google_site.submit(response(0))
    no_wait(google_site)
    google_emulator.faults.add(drop=True, count=1, path_contains="values:batchGet")
    assert google_site.poll(T0 + timedelta(minutes=1)).new == 1


def test_key_readable_by_others_is_refused_with_the_fix(google_site: GoogleSite) -> None:
    google_site.key.chmod(0o644)
    from cakra.common.errors import ConfigError

    with pytest.raises(ConfigError) as error:
        google_site.app  # noqa: B018
    assert f"chmod 600 {google_site.key}" in str(error.value)


def test_every_request_asks_for_a_compressed_answer(
    google_site: GoogleSite, google_emulator: SheetsEmulator
) -> None:
    """Google gzips only for a user agent that says "gzip": a large read is ~10x smaller on the wire."""
    google_site.submit(response(0))
    google_site.poll(T0 + timedelta(minutes=1))
    sheets_calls = [e for e in google_emulator.log if e.kind in ("read", "write")]
    assert sheets_calls
    for entry in sheets_calls:
        assert "gzip" in entry.user_agent and "gzip" in entry.accept_encoding
