"""Issue 9, reproduction 8: what used to end in a traceback is one line and exit 2, or retried."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sheets_emulator.server import SheetsEmulator

from cakra.common.errors import ConfigError, SheetError
from cakra.config import build_config
from tests.google_site import GoogleSite
from tests.site import T0, Site, response
from tests.test_cli import ROOT, assert_one_line_error, run_cli
from tests.test_google_cycle import no_wait

SOP = ROOT / "workflow" / "sops" / "cakra-linmas.toml"


def _sop_without_kabid(folder: Path) -> Path:
    """The built-in SOP with its "4. Kabid verifikasi" step removed, as an agency might edit it."""
    text = SOP.read_text(encoding="utf-8")
    start = text.index('[[steps]]\nid = "kabid"')
    end = text.index("[[steps]]", start + 1)
    text = text[:start] + text[end:]
    text = text.replace(
        'next = ["kabid", "operator", "tidak_valid"]', 'next = ["kepala_badan", "operator", "tidak_valid"]'
    )
    text = text.replace('next = ["selesai", "kabid"]', 'next = ["selesai", "kasubbid"]')
    path = folder / "sop-tanpa-kabid.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_sop_that_dropped_a_step_open_cases_are_in_is_refused_naming_both(site: Site) -> None:
    site.submit(response(0), response(1, nik="1404015501900002"))
    site.poll(T0 + timedelta(minutes=1))
    site.edit("CAKRA-2026-000002", Tahap="3. Kasubbid", Petugas="Op")
    site.poll(T0 + timedelta(minutes=2))
    site.edit("CAKRA-2026-000002", Tahap="4. Kabid verifikasi", Petugas="Ks")
    site.poll(T0 + timedelta(minutes=3))
    site.close()
    site.extra = {"sop": str(_sop_without_kabid(site.folder))}
    result = run_cli("--config", str(site.write_config()), "poll")
    assert_one_line_error(result, "'kabid'", "CAKRA-2026-000002", "put the step back")
    assert "CAKRA-2026-000001" not in result.stderr  # only the cases in the dropped step are named


def test_an_sop_that_dropped_a_step_no_open_case_is_in_is_fine(site: Site) -> None:
    site.submit(response(0))
    site.poll(T0 + timedelta(minutes=1))
    site.close()
    site.extra = {"sop": str(_sop_without_kabid(site.folder))}
    assert run_cli("--config", str(site.write_config()), "poll").returncode == 0


@pytest.mark.parametrize("sender", ["Cakra", "Cakra <cakra>", "@kesbangpol.example", "a@b\nBcc: x@y.example"])
def test_a_sender_that_is_no_address_is_refused_when_the_config_loads(sender: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as error:
        build_config({"email": {"from": sender}}, tmp_path / "c.toml")
    assert "[email] from" in str(error.value) and "\n" not in str(error.value)


def test_a_sender_that_is_no_address_is_one_line_from_the_cli(site: Site) -> None:
    site.submit(response(0))
    site.email = {**site.email, "from": "Cakra"}
    assert_one_line_error(run_cli("--config", str(site.write_config()), "poll"), "[email] from = 'Cakra'")
    assert not site.outbox.exists() or not list(site.outbox.glob("*.eml"))


def test_serve_with_poll_seconds_zero_is_one_line(site: Site) -> None:
    site.extra = {"serve": {"poll_seconds": 0}}
    result = run_cli("--config", str(site.write_config()), "serve")
    assert_one_line_error(result, "[serve] poll_seconds must be more than 0")


def test_serve_stops_at_once_on_sigterm_even_mid_wait(site: Site) -> None:
    site.extra = {"serve": {"poll_seconds": 3600}}
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "run.py"), "--config", str(site.write_config()), "serve"],
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    for line in process.stderr:  # wait for the first cycle to finish: serve is now waiting an hour
        if re.search(r"siklus selesai", line):
            break
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=20) == 0


def _token_connection_drops(site: GoogleSite, emulator: SheetsEmulator, times: int) -> list[float]:
    """A response waiting, and the next ``times`` connections to the token endpoint dropped; the
    backend's retry waits are recorded (not slept) in the list returned."""
    site.submit(response(0))
    waits = no_wait(site)
    emulator.faults.add(drop=True, count=times, path_contains="token")
    return waits


def test_a_dropped_token_connection_is_retried_as_transient(
    google_site: GoogleSite, google_emulator: SheetsEmulator
) -> None:
    waits = _token_connection_drops(google_site, google_emulator, 2)
    assert google_site.poll(T0 + timedelta(minutes=1)).new == 1
    assert len(waits) == 2  # the same bounded backoff as every other Google call
    assert [r["No. Tiket"] for r in google_site.status()] == ["CAKRA-2026-000001"]


def test_a_token_connection_down_for_good_is_one_line(
    google_site: GoogleSite, google_emulator: SheetsEmulator
) -> None:
    waits = _token_connection_drops(google_site, google_emulator, 100)
    with pytest.raises(SheetError) as error:
        google_site.poll(T0 + timedelta(minutes=1))
    assert "attempts" in str(error.value) and "\n" not in str(error.value)
    assert len(waits) == 6
