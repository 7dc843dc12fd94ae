"""``run.py serve``: the long-running loop. The scheduler is only a clock tick, never the memory.

Jobs are plain methods that return "did I find work?"; what is due lives in the ledger (deadlines on
cases, claimed notices, outbox rows, the keys of the daily summary, the digests and the weekly summary),
so a restart forgets nothing and a run missed earlier the same day while the service was down is done
once on start-up (an earlier day's is recorded as skipped: cakra/jobs.py). Every job records and delivers
under the ledger's cycle lock, and one ``serve`` per ledger runs at a time (the serve lock, which names
the running one's pid). A failing job is logged and the loop goes on; SIGTERM or Ctrl-C stops it between
jobs.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import datetime
from functools import partial

import schedule

from cakra.app import App, build_app
from cakra.common.errors import CakraError
from cakra.config import Config
from cakra.health import watched_poll
from cakra.jobs import (
    STALE_AFTER,
    digests,
    local_day,
    locked,
    sends_on,
    skip_missed,
    skipped_digest_keys,
    summary,
    summary_key,
    weekly,
    weekly_key,
)
from cakra.ledger.lock import serve_lock
from cakra.ledger.runs import latest_run
from cakra.periodic_jobs import recap, recap_key

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
        # The monthly recap of periodic reports (cakra/periodic_jobs.py): only for a [periodic] SOP.
        self.recap_day = app.config.periodic.recap_day if app.sop.periodic else 0
        self.stopping = threading.Event()

    def poll_job(self) -> bool:
        """One cycle; True when it found work."""
        return self.guard("poll", lambda: watched_poll(self.app, self.clock()).found_work)

    def report_job(self) -> bool:
        """Today's summary once its time has come, once per day (keyed by the day, as ``report`` is).

        Not on a closed day (unless configured); an earlier day's missed summary is recorded as skipped.
        """
        now, app = self.clock(), self.app
        run = latest_run(now, self.report_time, app.config.tz, partial(sends_on, app))
        if run is None:
            return False
        if run.date() != local_day(app, now):
            return self.skip("report", now, [summary_key(run.date())], "ringkasan")
        return self.locked("report", lambda: self.delivered(now, summary(app, now) is not None))

    def digest_job(self) -> bool:
        """Each role's digest of today once its time has come (once per day and role); not on a closed
        day (unless configured); an earlier day's missed digests are recorded as skipped, never sent late."""
        if self.digest_time is None:
            return False
        now, at, app = self.clock(), self.digest_time, self.app
        run = latest_run(now, at, app.config.tz, partial(sends_on, app))
        if run is None:
            return False
        if run.date() != local_day(app, now):
            return self.skip("digest", now, skipped_digest_keys(app, run.date()), "rekap harian")
        return self.locked(
            "digest", lambda: self.delivered(now, digests(app, now, run_date=run.date(), at=at) > 0)
        )

    def weekly_job(self) -> bool:
        """The weekly leadership summary of the latest ``weekly_day`` whose time has come (once per week),
        on a sending day; one missed by more than a day is recorded as skipped, never sent late."""
        if self.weekly_day is None:
            return False
        now, weekday, app = self.clock(), self.weekly_day, self.app
        run = latest_run(now, self.weekly_time, app.config.tz, lambda day: day.weekday() == weekday)
        if run is None or not sends_on(app, local_day(app, now)):
            return False
        if now - run > STALE_AFTER:  # e.g. the first start after adopting a form, on a Thursday
            return self.skip("weekly", now, [weekly_key(app, run)], "ringkasan mingguan")
        return self.locked("weekly", lambda: self.delivered(now, weekly(app, now, run=run) is not None))

    def recap_job(self) -> bool:
        """The monthly recap of the latest ``[periodic] recap_day`` whose time has come (once per
        month); one missed by more than a day is recorded as skipped, never sent late."""
        if not self.recap_day:
            return False
        now, app, day = self.clock(), self.app, self.recap_day
        run = latest_run(now, app.config.periodic.recap_time, app.config.tz, lambda d: d.day == day)
        if run is None:
            return False
        if now - run > STALE_AFTER:
            return self.skip("recap", now, [recap_key(app, run)], "rekap laporan desa")
        return self.locked("recap", lambda: self.delivered(now, recap(app, now, run=run) is not None))

    def skip(self, name: str, now: datetime, keys: list[str], what: str) -> bool:
        """Record missed runs ``keys`` as skipped; False: nothing was sent."""
        self.locked(name, lambda: skip_missed(self.app, now, keys, what))
        return False

    def delivered(self, now: datetime, made: bool) -> bool:
        """Deliver the outbox after a job recorded its messages (still under the lock); ``made`` back.
        Says in the log when the transport refused messages (not a silent '0')."""
        trouble = self.app.mailer.deliver(now).trouble()
        if trouble:
            log.warning("%s", trouble)
        return made

    def locked(self, name: str, job: Callable[[], bool]) -> bool:
        """``guard`` around ``job`` run under the ledger's cycle lock (waiting a bounded time for a cycle
        that another process is running)."""

        def run() -> bool:
            # Waiting on ``stopping`` keeps SIGTERM prompt: once set, the remaining tries go at once.
            with locked(self.app, pause=self.stopping.wait):
                return job()

        return self.guard(name, run)

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
        if self.recap_day:  # ticks daily; the job itself knows which day is due
            recap_at = self.app.config.periodic.recap_time.strftime("%H:%M")
            scheduler.every().day.at(recap_at, zone).do(self.recap_job)
        self.poll_job()  # first, so what follows reports the sheet as it is now
        # Runs missed while the service was down go out now, once (their keys are in the ledger).
        self.report_job()
        self.digest_job()
        self.weekly_job()
        self.recap_job()
        while not self.stopping.is_set():
            scheduler.run_pending()
            idle = scheduler.idle_seconds
            self.stopping.wait(timeout=max(1.0, min(idle if idle is not None else 1.0, 60.0)))
        log.info("berhenti dengan bersih")
        return 0


def serve(config: Config) -> int:
    """Run the service until SIGTERM/SIGINT; ``Busy`` (one line, exit 2) when another ``serve`` already
    runs on the same ledger."""
    with serve_lock(config.ledger_path):
        return _serve(config)


def _serve(config: Config) -> int:
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
