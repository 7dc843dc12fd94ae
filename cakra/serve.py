"""``run.py serve``: the long-running loop. The scheduler is only a clock tick, never the memory.

Jobs are plain methods that return "did I find work?"; what is due lives in the ledger (deadlines on
cases, claimed notices, outbox rows, the daily summary's key), so a restart forgets nothing and a run
missed while the service was down is done once on start-up. A failing job is logged and the loop goes
on; SIGTERM or Ctrl-C stops it between jobs.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import datetime, time

import schedule

from cakra.app import App, build_app
from cakra.config import Config
from cakra.cycle import poll
from cakra.errors import CakraError
from notify.report import send_summary

log = logging.getLogger("cakra.serve")


def parse_clock(text: str) -> time:
    try:
        hours, minutes = (int(part) for part in text.replace(".", ":").split(":"))
        return time(hours, minutes)
    except ValueError:
        raise CakraError(f'[serve] report_time {text!r} must be a local time like "07:00"') from None


class Service:
    """The jobs ``serve`` runs; ``clock`` is injectable so tests never wait for real time."""

    def __init__(self, app: App, clock: Callable[[], datetime] | None = None) -> None:
        self.app = app
        self.clock = clock or (lambda: datetime.now(app.config.tz))
        self.report_time = parse_clock(app.config.serve["report_time"])
        self.stopping = threading.Event()

    def poll_job(self) -> bool:
        """One cycle; True when it found work."""
        return self.guard("poll", lambda: poll(self.app, self.clock()).found_work)

    def report_job(self) -> bool:
        """Today's summary once it is due; keyed by date so a restart never sends it twice."""
        now = self.clock()
        if now.timetz().replace(tzinfo=None) < self.report_time:
            return False

        def send() -> bool:
            made = send_summary(self.app, now, key=f"daily-summary:{now:%Y-%m-%d}") is not None
            self.app.outbox.deliver(self.app.transport, now)
            return made

        return self.guard("report", send)

    def guard(self, name: str, job: Callable[[], bool]) -> bool:
        """Run ``job``; log a failure (one line for a user's mistake) and carry on."""
        try:
            return job()
        except CakraError as exc:
            log.error("%s gagal: %s", name, exc)
        except Exception:
            log.exception("%s gagal karena kesalahan tak terduga", name)
        return False

    def run(self) -> int:
        """Loop until ``stopping`` is set (by SIGTERM/SIGINT). Returns the exit status."""
        scheduler = schedule.Scheduler()
        scheduler.every(int(self.app.config.serve["poll_seconds"])).seconds.do(self.poll_job)
        scheduler.every().day.at(self.report_time.strftime("%H:%M"), self.app.config.raw["timezone"]).do(
            self.report_job
        )
        self.report_job()  # a summary missed while the service was down goes out now, once
        self.poll_job()
        while not self.stopping.is_set():
            scheduler.run_pending()
            idle = scheduler.idle_seconds
            self.stopping.wait(timeout=max(1.0, min(idle if idle is not None else 1.0, 60.0)))
        log.info("berhenti dengan bersih")
        return 0


def serve(config: Config) -> int:
    app = build_app(config)
    service = Service(app)

    def stop(signum: int, _frame: object) -> None:
        log.info("sinyal %s diterima; berhenti setelah pekerjaan ini", signal.Signals(signum).name)
        service.stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(
        f"Cakra berjalan: siklus tiap {config.serve['poll_seconds']} detik; hentikan dengan Ctrl-C",
        flush=True,
    )
    try:
        return service.run()
    finally:
        app.close()
