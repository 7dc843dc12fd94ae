"""``run.py serve``: the long-running loop. The scheduler is only a clock tick, never the memory.

Jobs are plain methods that return "did I find work?"; what is due lives in the ledger (deadlines on
cases, claimed notices, outbox rows, the keys of the daily summary, the digests and the weekly summary),
so a restart forgets nothing and a run missed while the service was down is done once on start-up. A failing job is logged and the loop goes
on; SIGTERM or Ctrl-C stops it between jobs.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import datetime

import schedule

from cakra.app import App, build_app
from cakra.common.errors import CakraError
from cakra.config import Config
from cakra.health import watched_poll
from cakra.jobs import digests, summary, weekly
from cakra.ledger.runs import latest_run
from cakra.notify.report import week_start
from cakra.schedule import schedules

log = logging.getLogger("cakra.serve")


class Service:
    """The jobs ``serve`` runs; ``clock`` is injectable so tests never wait for real time."""

    def __init__(self, app: App, clock: Callable[[], datetime] | None = None) -> None:
        self.app = app
        self.clock = clock or (lambda: datetime.now(app.config.tz))
        self.report_time = app.config.serve.report_time
        self.digest_time = app.config.digest.time
        self.weekly_time = app.config.report.weekly_time
        self.weekly_day = app.config.report.weekly_day
        self.stopping = threading.Event()

    def poll_job(self) -> bool:
        """One cycle; True when it found work."""
        return self.guard("poll", lambda: watched_poll(self.app, self.clock()).found_work)

    def report_job(self) -> bool:
        """Today's summary once it is due; keyed by date so a restart never sends it twice."""
        now = self.clock()
        if now.timetz().replace(tzinfo=None) < self.report_time:
            return False

        def send() -> bool:
            made = summary(self.app, now, key=f"daily-summary:{now:%Y-%m-%d}") is not None
            self.deliver(now)
            return made

        return self.guard("report", send)

    def digest_job(self) -> bool:
        """Each role's digest of the latest working day whose digest time has come (once per day and role)."""
        plan = schedules(self.app)["digest harian"]
        if plan is None:
            return False
        now, at = self.clock(), plan[0]
        run = latest_run(now, at, self.app.config.tz, plan[1])
        if run is None:
            return False

        def send() -> bool:
            made = digests(self.app, now, run_date=run.date(), at=at)
            self.deliver(now)
            return made > 0

        return self.guard("digest", send)

    def weekly_job(self) -> bool:
        """The weekly leadership summary of the latest ``weekly_day`` whose time has come (once per week)."""
        plan = schedules(self.app)["ringkasan mingguan"]
        if plan is None:
            return False
        now = self.clock()
        run = latest_run(now, plan[0], self.app.config.tz, plan[1])
        if run is None:
            return False

        def send() -> bool:
            week = week_start(run, self.app.config.tz)  # the same key as ``run.py weekly`` that week
            made = weekly(self.app, now, key=f"weekly-summary:{week:%Y-%m-%d}") is not None
            self.deliver(now)
            return made

        return self.guard("weekly", send)

    def deliver(self, now: datetime) -> None:
        """Send what is due; say in the log when the transport refused messages (not a silent '0')."""
        trouble = self.app.mailer.deliver(now).trouble()
        if trouble:
            log.warning("%s", trouble)

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
        scheduler.every(self.app.config.serve.poll_seconds).seconds.do(self.poll_job)
        zone = self.app.config.tz.key
        scheduler.every().day.at(self.report_time.strftime("%H:%M"), zone).do(self.report_job)
        if self.digest_time is not None:
            scheduler.every().day.at(self.digest_time.strftime("%H:%M"), zone).do(self.digest_job)
        if self.weekly_day is not None:  # ticks daily; the job itself knows which day is due
            scheduler.every().day.at(self.weekly_time.strftime("%H:%M"), zone).do(self.weekly_job)
        self.poll_job()  # first, so what follows reports the sheet as it is now
        # Runs missed while the service was down go out now, once (their keys are in the ledger).
        self.report_job()
        self.digest_job()
        self.weekly_job()
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
        f"Cakra berjalan: siklus tiap {config.serve.poll_seconds} detik; hentikan dengan Ctrl-C",
        flush=True,
    )
    try:
        return service.run()
    finally:
        app.close()
