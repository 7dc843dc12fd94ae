"""The ledger file: private to the service's user, never mistaken for a new one, failures in one line."""

from __future__ import annotations

import os
import resource
import signal
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest

from tests.site import T0, Site, response
from tests.test_cli import ROOT, assert_one_line_error, run_cli


@contextmanager
def _umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_ledger_and_its_wal_and_shm_are_private(site: Site) -> None:
    site.submit(response(0))
    with _umask(0o022):  # the usual umask: files readable by everyone unless made otherwise
        site.poll(T0 + timedelta(minutes=1))
        ledger = site.folder / "cakra.sqlite"
        assert {p.name for p in site.folder.glob("cakra.sqlite*")} >= {"cakra.sqlite", "cakra.sqlite-wal"}
        for path in site.folder.glob("cakra.sqlite*"):
            assert _mode(path) == 0o600, path
        assert _mode(ledger) == 0o600


def test_a_ledger_other_users_can_read_is_refused_with_the_chmod_that_fixes_it(site: Site) -> None:
    site.submit(response(0))
    config = site.write_config()
    assert run_cli("--config", str(config), "poll").returncode == 0
    ledger = site.folder / "cakra.sqlite"
    ledger.chmod(0o644)
    assert_one_line_error(run_cli("--config", str(config), "poll"), "other users", f"chmod 600 {ledger}")
    ledger.chmod(0o600)
    Path(f"{ledger}-wal").touch()
    Path(f"{ledger}-wal").chmod(0o640)
    assert_one_line_error(run_cli("--config", str(config), "poll"), "cakra.sqlite-wal", "chmod 600")


def _foreign_sqlite(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)")
    conn.commit()
    conn.close()


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda p: p.write_bytes(b""), "empty file"),
        (lambda p: p.write_text("nama,nik\nAndi,1404015501900001\n"), "not a SQLite database"),
        (_foreign_sqlite, "without Cakra's tables"),
    ],
    ids=["zero-byte", "text", "other-sqlite"],
)
def test_a_file_that_is_not_a_cakra_ledger_is_refused_not_taken_as_new(
    site: Site, make, fragment: str
) -> None:  # type: ignore[no-untyped-def]
    ledger = site.folder / "cakra.sqlite"
    make(ledger)
    ledger.chmod(0o600)
    before = ledger.read_bytes()
    site.submit(response(0))
    result = run_cli("--config", str(site.write_config()), "poll")
    assert_one_line_error(result, str(ledger), fragment)
    assert ledger.read_bytes() == before  # untouched
    # No case opened again (the status tab was not even made), nobody acknowledged twice.
    assert "Status Kasus" not in openpyxl.load_workbook(site.workbook).sheetnames
    assert not list((site.folder / "outbox").glob("*.eml"))


def test_a_truncated_ledger_is_one_line_saying_to_restore_it(site: Site) -> None:
    site.submit(*(response(i, nik=f"14040155019000{i + 10}", description="x" * 3000) for i in range(20)))
    config = site.write_config()
    assert run_cli("--config", str(config), "poll").returncode == 0
    ledger = site.folder / "cakra.sqlite"
    conn = sqlite3.connect(ledger)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = ledger.read_bytes()
    ledger.write_bytes(data[: len(data) // 3])
    result = run_cli("--config", str(config), "poll")
    assert_one_line_error(result, "ledger", "damaged", "restore")


def _poll_with_file_size_limit(config: Path, limit: int) -> subprocess.CompletedProcess[str]:
    """``cakra poll`` where no file may grow past ``limit`` bytes: writes fail as on a full disk."""

    def limit_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run(
        [sys.executable, str(ROOT / "run.py"), "--config", str(config), "poll"],
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=limit_files,
    )


def test_a_full_disk_is_one_line_and_loses_nothing(site: Site) -> None:
    site.submit(response(0))
    config = site.write_config()
    assert run_cli("--config", str(config), "poll").returncode == 0
    site.submit(*(response(i + 1, nik=f"14040155019000{i + 10}", description="y" * 4000) for i in range(40)))
    result = _poll_with_file_size_limit(config, 64 * 1024)
    assert_one_line_error(result)
    again = run_cli("--config", str(config), "poll")  # space freed
    assert again.returncode == 0, again.stderr
    assert len(site.status()) == 41
    assert sorted(row["No. Tiket"] for row in site.status()) == [f"CAKRA-2026-{n:06d}" for n in range(1, 42)]


def test_an_unwritable_workbook_folder_is_one_line(site: Site, tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root writes into any folder")
    site.submit(response(0))
    config = site.write_config()
    site.folder.chmod(0o555)
    try:
        assert_one_line_error(run_cli("--config", str(config), "poll"), "write access")
    finally:
        site.folder.chmod(0o755)
