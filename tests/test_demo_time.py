"""The demo's simulated morning shows the time features: acknowledgement, reminder, escalation, a pause
resumed by the reporter, the closing reply, the digests and the weekly summary."""

from __future__ import annotations

import email
import logging
from email import policy
from pathlib import Path

import openpyxl

from cakra.demo.morning import run_demo
from cakra.demo.scenario import highlights
from cakra.ledger.store import Ledger


def test_the_demo_morning_shows_every_kind_of_time_message(tmp_path: Path) -> None:
    cakra_log = logging.getLogger("cakra")
    level = cakra_log.level
    try:
        assert run_demo(tmp_path / "demo") == 0
    finally:
        cakra_log.setLevel(level)
    out = tmp_path / "demo"
    found = highlights(sorted((out / "outbox").glob("*.eml")))
    assert list(found) == [
        "tanda terima pelapor",
        "pengingat",
        "eskalasi",
        "balasan penutup",
        "rekap harian",
        "ringkasan mingguan",
    ]
    closing = email.message_from_bytes(found["balasan penutup"].read_bytes(), policy=policy.default)
    assert "dimediasi Tim Linmas" in closing.get_body(("plain",)).get_content()  # type: ignore[union-attr]

    ledger = Ledger(out / "cakra-demo.sqlite")
    try:
        kinds = [h.kind for h in ledger.history("CAKRA-2026-000011")]
    finally:
        ledger.close()
    assert kinds[:4] == ["dibuat", "menunggu pelapor", "diubah pelapor", "dilanjutkan"]
    assert "Ringkasan" in openpyxl.load_workbook(out / "cakra-demo.xlsx").sheetnames
