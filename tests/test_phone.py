"""Every email reads on a phone, and the demo morning is quieter for the Kepala Badan.

The demo morning (cakra/demo/) makes every kind of message: acknowledgement, closing message, role
emails (new, entered, due soon, late, escalated), daily digests and the weekly summary; ``cakra report``
adds the daily summary. Each message's HTML (its inline charts as data: URIs) is laid out in headless
Chromium (Debian's ``chromium`` package; ``.ci/run`` installs it) in a 390 px wide frame — an iframe,
because headless Chromium will not make its window narrower than 500 px — and nothing may be wider than
the screen. Without Chromium the test is skipped with a message saying how to get it.
"""

from __future__ import annotations

import base64
import email
import html
import json
import logging
import re
import shutil
import subprocess
from datetime import datetime
from email import policy
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cakra.cli import main
from cakra.demo.morning import run_demo

SCREEN = 390
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


@pytest.fixture(scope="module")
def morning(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo folder after the morning, plus a daily summary (``cakra report``)."""
    out = tmp_path_factory.mktemp("phone") / "demo"
    cakra_log = logging.getLogger("cakra")
    level = cakra_log.level
    try:
        assert run_demo(out) == 0
        # `cakra report` reads the wall clock, and sends nothing on a closed day: make it the demo's Monday.
        with time_machine.travel(datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Jakarta")), tick=False):
            assert main(["--config", str(out / "config.toml"), "report"]) == 0
    finally:
        cakra_log.setLevel(level)
    return out


def messages(out: Path) -> list[EmailMessage]:
    return [
        email.message_from_bytes(path.read_bytes(), policy=policy.default)  # type: ignore[misc]
        for path in sorted((out / "outbox").glob("*.eml"))
    ]


def test_the_kepala_badan_gets_fewer_than_half_the_messages_of_before(morning: Path) -> None:
    # Before escalations were bundled, the morning sent him 8 (7 role emails, one per cycle from 08.25,
    # and the weekly summary); now his escalations wait up to [email] bundle_minutes (30) or ride along
    # with the case that entered his own step at 08.35.
    kaban = [m for m in messages(morning) if str(m["To"]).startswith("kaban@")]
    role_mail = [m for m in kaban if str(m["Subject"]).strip().startswith("[Cakra] Kepala Badan:")]
    assert len(kaban) - 1 < 8 / 2  # the daily summary from `cakra report` is not part of the morning
    assert len(role_mail) == 2
    assert "1 masuk tahap Anda" in str(role_mail[0]["Subject"])


def _kind(message: EmailMessage) -> str:
    subject = str(message["Subject"]).strip()
    for kind, pattern in (
        ("tanda terima", r"^Laporan Anda telah diterima"),
        ("penutupan", r"^Laporan CAKRA-.*: (Selesai|Tidak valid)$"),
        ("rekap harian", r"Rekap harian"),
        ("ringkasan mingguan", r"Ringkasan mingguan"),
        ("ringkasan harian", r"^\[Cakra\] Ringkasan \d"),
        ("eskalasi", r"^\[Cakra\] [^:]+: \d+ terlambat di bawah Anda$"),
        ("dikembalikan", r"^\[Cakra\] [^:]+: .*dikembalikan ke tahap Anda"),
        ("tugas peran", r"^\[Cakra\] [^:]+: .*(laporan baru|masuk tahap Anda|terlambat di tahap Anda)"),
    ):
        if re.search(pattern, subject):
            # A role email carrying a handover (the step before's notes) is measured on its own too.
            handover = "Dari tahap sebelumnya" in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
            return "serah terima" if kind == "tugas peran" and handover else kind
    return subject


def _with_images(message: EmailMessage) -> str:
    """The HTML part with each ``cid:`` image inlined as a data: URI, as a mail client shows it."""
    body = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    for part in message.walk():
        if part.get_content_maintype() == "image" and part["Content-ID"]:
            data = base64.b64encode(part.get_payload(decode=True)).decode()  # type: ignore[arg-type]
            cid = part["Content-ID"].strip("<>")
            body = body.replace(f"cid:{cid}", f"data:{part.get_content_type()};base64,{data}")
    return body


_MEASURE = """
window.addEventListener('load', function () {
  var out = [];
  document.querySelectorAll('iframe').forEach(function (frame) {
    var doc = frame.contentDocument, wide = [];
    doc.querySelectorAll('body *').forEach(function (el) {
      var right = el.getBoundingClientRect().right;
      if (right > %(screen)d + 0.5) wide.push(el.tagName + ' ' + Math.round(right) + 'px ' + (el.textContent || el.getAttribute('alt') || '').trim().slice(0, 50));
    });
    out.push({name: frame.title, inner: frame.contentWindow.innerWidth,
              scroll: doc.documentElement.scrollWidth, wide: wide.slice(0, 5)});
  });
  var pre = document.createElement('pre');
  pre.id = 'cakra-widths';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
"""


def measure(pages: dict[str, str], folder: Path) -> list[dict[str, object]]:
    """Lay out each HTML page in a ``SCREEN`` px frame in headless Chromium; the widths it reports."""
    frames = "".join(
        f'<iframe title="{html.escape(name)}" style="width:{SCREEN}px;height:800px;border:0;display:block" '
        f'srcdoc="{html.escape(page, quote=True)}"></iframe>'
        for name, page in pages.items()
    )
    host = folder / "phone.html"
    host.write_text(
        f"<!DOCTYPE html><html><body style='margin:0'>{frames}<script>{_MEASURE % {'screen': SCREEN}}</script>"
        "</body></html>",
        encoding="utf-8",
    )
    run = subprocess.run(
        [
            shutil.which("chromium") or "/usr/bin/chromium",
            *CHROMIUM_FLAGS,
            f"--user-data-dir={folder / 'chromium-profile'}",
            "--window-size=500,900",
            "--virtual-time-budget=5000",
            "--dump-dom",
            host.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    found = re.search(r'<pre id="cakra-widths">(.*?)</pre>', run.stdout, re.S)
    assert found, f"Chromium reported nothing (exit {run.returncode}): {run.stderr[-500:]}"
    return json.loads(html.unescape(found.group(1)))


@pytest.mark.skipif(
    not (shutil.which("chromium") or Path("/usr/bin/chromium").exists()),
    reason="Chromium is not installed (apt-get install -y chromium; .ci/run installs it): "
    "the 390 px layout check of every email is skipped",
)
def test_every_email_fits_a_390_px_phone_screen(morning: Path, tmp_path: Path) -> None:
    pages: dict[str, str] = {}
    for message in messages(morning):
        pages.setdefault(_kind(message), _with_images(message))
    assert set(pages) == {
        "tanda terima",
        "penutupan",
        "tugas peran",
        "eskalasi",
        "dikembalikan",
        "serah terima",
        "rekap harian",
        "ringkasan mingguan",
        "ringkasan harian",
    }
    results = measure(pages, tmp_path)
    assert [r["name"] for r in results] == list(pages)
    assert all(r["inner"] == SCREEN for r in results), results
    too_wide = [r for r in results if r["scroll"] > SCREEN or r["wide"]]
    assert not too_wide, json.dumps(too_wide, indent=1, ensure_ascii=False)
