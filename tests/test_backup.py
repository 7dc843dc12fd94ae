"""``cakra backup``: a consistent copy of the live ledger (SQLite online backup), dated, 0600, pruned."""

from __future__ import annotations

import sqlite3
import stat
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine

from cakra.backup import backup_ledger
from cakra.cli import main
from cakra.ledger.store import Ledger
from tests.site import T0, Site, response


def _integrity(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


def test_a_backup_taken_while_a_cycle_writes_is_a_consistent_database(site: Site, tmp_path: Path) -> None:
    site.submit(*(response(minute) for minute in range(30)))
    site.poll(T0 + timedelta(minutes=31))
    site.close()
    ledger = site.folder / "cakra.sqlite"
    writer = Ledger(ledger)  # another process's cycle, on its own connection
    commits: list[int] = []

    def a_cycle_commits(_status: int, remaining: int, _total: int) -> None:
        """Between two steps of the copy, the 'cycle' commits a change (three times), as serve would."""
        if len(commits) < 3:
            with writer.transaction():
                writer.set_meta("test.cycle", str(len(commits)))
                writer.conn.execute("DELETE FROM history WHERE id = (SELECT MIN(id) FROM history)")
            commits.append(remaining)

    backup, _ = backup_ledger(ledger, tmp_path / "bak", T0, keep=3, pages=1, progress=a_cycle_commits)
    writer.close()
    assert len(commits) == 3 and all(remaining > 0 for remaining in commits)  # it really was mid-copy
    assert _integrity(backup) == "ok"
    with sqlite3.connect(backup) as copy, sqlite3.connect(ledger) as live:
        # The copy is the ledger as committed when it finished: the last commit included, nothing torn.
        for query in ("SELECT value FROM meta WHERE key = 'test.cycle'", "SELECT COUNT(*) FROM history"):
            assert copy.execute(query).fetchall() == live.execute(query).fetchall()
        assert copy.execute("SELECT COUNT(*) FROM cases").fetchone() == (30,)
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # one self-contained file
    assert not list((tmp_path / "bak").glob("*.partial"))


def test_the_cli_writes_a_dated_private_file_and_keeps_the_newest(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site.submit(response(0))
    site.poll(T0 + timedelta(minutes=1))
    site.close()
    config = str(site.write_config())
    out = tmp_path / "cadangan"
    for day in range(4):
        with time_machine.travel(T0 + timedelta(days=day), tick=False):
            assert main(["--config", config, "backup", "--out", str(out), "--keep", "2"]) == 0
    printed = capsys.readouterr().out
    assert "removed" in printed
    files = sorted(p.name for p in out.iterdir())
    assert files == ["cakra-20261125-080000.sqlite", "cakra-20261126-080000.sqlite"]
    for name in files:
        assert stat.S_IMODE((out / name).stat().st_mode) == 0o600
        assert _integrity(out / name) == "ok"


def test_backup_dir_and_keep_come_from_the_config(site: Site, capsys: pytest.CaptureFixture[str]) -> None:
    site.poll(T0)
    site.close()
    site.extra = {"admin": {"backup_dir": "arsip", "backup_keep": 1}}
    config = str(site.write_config())
    for minute in range(2):
        with time_machine.travel(T0 + timedelta(minutes=minute), tick=False):
            assert main(["--config", config, "backup"]) == 0
    assert [p.name for p in (site.folder / "arsip").iterdir()] == ["cakra-20261123-080100.sqlite"]


def test_a_missing_ledger_is_one_line_and_exit_2(site: Site, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(site.write_config()), "backup", "--out", str(site.folder / "b")]) == 2
    assert "does not exist; check [ledger] path" in capsys.readouterr().err
