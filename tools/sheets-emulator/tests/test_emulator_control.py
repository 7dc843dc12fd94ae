"""Emulator test controls: quotas with an injected clock, faults, the request log, ``main``."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import gspread
import pytest
import requests
from sheets_emulator.errors import ApiError
from sheets_emulator.server import SheetsEmulator


class FakeClock:
    """A settable clock (seconds)."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_read_quota_429_and_window_reset(emulator: SheetsEmulator, gc: gspread.Client) -> None:
    ws = gc.create("quota").sheet1
    clock = FakeClock(1_700_000_040.0)
    emulator.quotas.set(reads_per_minute=2, writes_per_minute=1, clock=clock)
    ws.get("A1")
    ws.get("A1")
    with pytest.raises(gspread.exceptions.APIError) as err:
        ws.get("A1")
    error = err.value.response.json()["error"]
    assert error["code"] == 429 and error["status"] == "RESOURCE_EXHAUSTED"
    assert error["message"].startswith(
        "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute per user' "
        "of service 'sheets.googleapis.com'"
    )
    ws.update([["w"]], "A1")
    with pytest.raises(gspread.exceptions.APIError) as werr:
        ws.update([["w"]], "A2")
    assert "'Write requests per minute per user'" in werr.value.response.json()["error"]["message"]
    clock.now += 60  # next minute window
    assert ws.get("A1") == [["w"]]
    emulator.quotas.set()  # unlimited again
    for _ in range(5):
        ws.get("A1")


def test_status_faults_filtered_by_method_and_path(emulator: SheetsEmulator, gc: gspread.Client) -> None:
    ws = gc.create("faults").sheet1
    emulator.faults.add(status=503, count=2, method="POST", path_contains="values:batchUpdate")
    ws.get("A1")  # not matching: unaffected
    for _ in range(2):
        with pytest.raises(gspread.exceptions.APIError) as err:
            ws.batch_update([{"range": "A1", "values": [["x"]]}])
        assert err.value.response.status_code == 503
        assert err.value.response.json()["error"]["status"] == "UNAVAILABLE"
    ws.batch_update([{"range": "A1", "values": [["x"]]}])
    assert ws.acell("A1").value == "x"
    assert not emulator.faults.pending
    statuses = [e.status for e in emulator.log if e.path.endswith("values:batchUpdate")]
    assert statuses == [503, 503, 200]


def test_drop_and_delay_faults(emulator: SheetsEmulator, http: requests.Session) -> None:
    sid = emulator.create_spreadsheet("drop")
    url = f"{emulator.base_url}/v4/spreadsheets/{sid}"
    emulator.faults.add(drop=True, count=1)
    with pytest.raises(requests.ConnectionError):
        http.get(url)
    slept: list[float] = []
    emulator.faults.sleep = slept.append
    emulator.faults.add(delay=30.0, count=1)
    assert http.get(url).status_code == 200
    assert slept == [30.0]
    emulator.faults.sleep = __import__("time").sleep
    emulator.faults.add(delay=0.01, count=1, status=500)
    late = requests.get(url, timeout=5)
    assert late.status_code == 500 and late.json()["error"]["status"] == "INTERNAL"
    assert [e.status for e in emulator.log][-3:] == [0, 200, 500]


def test_request_log_bytes_and_counters(emulator: SheetsEmulator, http: requests.Session) -> None:
    sid = emulator.create_spreadsheet("log")
    body = json.dumps({"values": [["a", "b"]]}).encode()
    put = http.put(
        f"{emulator.base_url}/v4/spreadsheets/{sid}/values/Sheet1!A1",
        params={"valueInputOption": "RAW"},
        data=body,
        headers={"Content-Type": "application/json"},
    )
    got = http.get(f"{emulator.base_url}/v4/spreadsheets/{sid}/values/Sheet1!A1:B1")
    entries = list(emulator.log)
    assert [(e.method, e.kind, e.status) for e in entries] == [("PUT", "write", 200), ("GET", "read", 200)]
    assert entries[0].bytes_in == len(body) and entries[0].bytes_out == len(put.content)
    assert entries[1].bytes_in == 0 and entries[1].bytes_out == len(got.content)
    assert entries[0].query == "valueInputOption=RAW" and entries[0].path.endswith("/values/Sheet1!A1")
    assert (emulator.log.reads, emulator.log.writes) == (1, 1)
    emulator.log.reset()
    assert len(emulator.log) == 0 and emulator.log.reads == 0


def test_main_serves_until_sigterm(tmp_path: Path) -> None:
    """``python -m sheets_emulator`` runs the installed package from any folder."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "sheets_emulator", "--port", "0"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        base_url = proc.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:")
        created = requests.post(f"{base_url}/v4/spreadsheets", json={"properties": {"title": "x"}}, timeout=5)
        assert created.status_code == 200 and created.json()["properties"]["timeZone"] == "Asia/Jakarta"
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0


def test_concurrent_clients_are_serialised_safely(emulator: SheetsEmulator) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from sheets_emulator.client import gspread_client

    sid = emulator.create_spreadsheet("threads")

    def write(i: int) -> None:
        gspread_client(emulator.base_url).open_by_key(sid).sheet1.update([[f"v{i}"]], f"A{i + 1}")

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(write, range(40)))
    assert emulator.values(sid, "Sheet1") == [[f"v{i}"] for i in range(40)]
    assert emulator.log.writes == 40 and all(e.status == 200 for e in emulator.log)


def test_operate_applies_a_persons_structural_change_without_billing_the_client(
    emulator: SheetsEmulator,
) -> None:
    sid = emulator.create_spreadsheet(title="ops", sheets={"T": [["Nama"], ["b"], ["c"], ["a"]]})
    sheet_id = 0
    emulator.log.reset()
    rows = {
        "sheetId": sheet_id,
        "startRowIndex": 1,
        "endRowIndex": 4,
        "startColumnIndex": 0,
        "endColumnIndex": 1,
    }
    emulator.operate(sid, [{"sortRange": {"range": rows, "sortSpecs": [{"dimensionIndex": 0}]}}])
    assert emulator.values(sid, "T") == [["Nama"], ["a"], ["b"], ["c"]]
    inserted = {"sheetId": sheet_id, "dimension": "ROWS", "startIndex": 1, "endIndex": 2}
    emulator.operate(sid, [{"insertDimension": {"range": inserted}}])
    assert emulator.values(sid, "T") == [["Nama"], [], ["a"], ["b"], ["c"]]
    assert len(emulator.log) == 0
    with pytest.raises(ApiError):
        emulator.operate(sid, [{"insertDimension": {"range": inserted}}, {"noSuchRequest": {}}])
    assert emulator.values(sid, "T") == [["Nama"], [], ["a"], ["b"], ["c"]]  # all or nothing
