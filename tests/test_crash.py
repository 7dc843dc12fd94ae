"""A poll SIGKILLed between recording a message and sending it loses nothing and repeats nothing."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

from tests.site import T0, Site, response
from tests.smtp_fixtures import SmtpServer

ROOT = Path(__file__).resolve().parents[1]

# The subprocess runs one real poll cycle. In "crash" mode it kills itself (SIGKILL: no cleanup, no
# flush) right before the Nth send — after the outbox rows were committed, before the server saw it.
SCRIPT = """
import os, signal, sys
from datetime import datetime
from pathlib import Path
from cakra.app import build_app
from cakra.config import load_config
from cakra.cycle import poll

config_path, now_text, mode, kill_at = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
app = build_app(load_config(Path(config_path)))
sends = 0

def before_send(row):
    global sends
    sends += 1
    if mode == "crash" and sends == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)

result = poll(app, datetime.fromisoformat(now_text), on_before_send=before_send)
print(result.delivered)
"""


def _run(config: Path, now: str, mode: str, kill_at: int = 0) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", SCRIPT, str(config), now, mode, str(kill_at)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_sigkill_before_send_then_restart_delivers_each_message_once(
    site: Site, smtp_server: SmtpServer
) -> None:
    site.email = {"backend": "smtp", "host": smtp_server.host, "port": smtp_server.port, "security": "none"}
    site.extra = {"citizen": {"send": False}}  # two role messages, no acknowledgements to reporters
    site.submit(response(0), response(1, nik="1404015501900002"))
    config = site.write_config()
    now = (T0 + timedelta(minutes=20)).isoformat()  # new and already overdue: operator + kasubbid

    crashed = _run(config, now, "crash", kill_at=2)
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    assert len(smtp_server.messages) == 1  # the first went out, the second was recorded only

    restarted = _run(config, now, "normal")
    assert restarted.returncode == 0, restarted.stderr
    again = _run(config, now, "normal")
    assert again.returncode == 0, again.stderr

    intended = [row.message_id for row in site.app.outbox.rows()]
    assert len(intended) == 2
    arrived = Counter(m.message["Message-ID"] for m in smtp_server.messages)
    assert arrived == Counter(intended)  # every intended message exactly once
    recipients = sorted(r for m in smtp_server.messages for r in m.rcpt_tos)
    assert recipients == ["kasubbid@kesbangpol.contoh.example", "operator@kesbangpol.contoh.example"]


def test_a_bounded_crash_campaign_loses_nothing(tmp_path: Path, smtp_server: SmtpServer) -> None:
    """One SIGKILL in each phase of a cycle (bench/crash_campaign.py runs 210; figures in the README)."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from crash_campaign import PHASES, run_campaign
    finally:
        sys.path.remove(str(ROOT / "bench"))
    figures = run_campaign(tmp_path, smtp_server, kills=len(PHASES), seed=1)
    assert figures.problems() == [], figures.report()
    assert all(figures.kills[phase] == 1 for phase in PHASES), figures.report()
    assert figures.responses == figures.cases > 1 and figures.operator_values > 0
    assert figures.lost_messages == 0 and figures.messages_arrived >= figures.messages_intended > 0
