"""Daily digests per role on working days and the weekly leadership summary with inline charts: made once
per run (keyed in the ledger), a run missed while the service was down made on start-up, not doubled."""

from __future__ import annotations

from datetime import timedelta

from cakra.ledger.runs import latest_run
from cakra.serve import Service
from tests.helpers_time import REPORTER, plain, recipients, wib
from tests.site import T0, Site, response


def officials(site: Site, since: int) -> list[str]:
    return [r for r in recipients(site, since) if r != REPORTER.split("@")[0]]


def service(site: Site, moment) -> Service:
    return Service(site.app, clock=lambda: moment)


def two_cases(site: Site) -> None:
    """Two reports on Monday 23 November 2026 at 08:00 and 08:01, in the operator's 15-minute step."""
    site.submit(response(0), response(1, nik="1404015501900002", kecamatan="Enok"))
    site.poll(T0 + timedelta(minutes=2))


def test_each_role_gets_one_digest_per_working_day(site: Site) -> None:
    two_cases(site)
    sent = len(site.emails())
    # Started at 08:10: today's 07:30 digest was missed while the service was down, so it goes now.
    assert service(site, wib(2026, 11, 23, 8, 10)).digest_job() is True
    assert officials(site, sent) == ["operator"]  # the only role with open cases
    digest = site.emails()[-1]
    assert digest["Subject"].startswith(
        "[Cakra] Rekap harian Operator 23/11/2026 08.10: 2 kasus terbuka, 0 terlambat, 2"
    )
    assert "Jatuh tempo sebelum rekap berikutnya (Selasa, 24 November 2026 07.30 WIB) (2)" in plain(digest)

    assert service(site, wib(2026, 11, 23, 9, 0)).digest_job() is False  # not doubled...
    site.close()
    assert service(site, wib(2026, 11, 23, 12, 0)).digest_job() is False  # ...not even after a restart
    assert service(site, wib(2026, 11, 24, 7, 29)).digest_job() is False
    sent = len(site.emails())
    assert service(site, wib(2026, 11, 24, 7, 30)).digest_job() is True
    assert "Terlambat (2)" in plain(site.emails()[-1]) and officials(site, sent) == ["operator"]


def test_a_run_is_done_once_even_for_a_role_that_had_nothing_then(site: Site) -> None:
    site.submit(response(0))
    site.poll(T0 + timedelta(minutes=1))
    site.edit("CAKRA-2026-000001", Tahap="3", Petugas="Op")
    site.poll(T0 + timedelta(minutes=2))
    assert service(site, wib(2026, 11, 23, 8, 3)).digest_job() is True  # Kasubbid: one case; operator: none
    site.submit(response(4, nik="1404015501900002"))
    site.poll(T0 + timedelta(minutes=5))
    site.close()
    sent = len(site.emails())
    assert service(site, wib(2026, 11, 23, 9, 0)).digest_job() is False  # a restart: today's run is done
    assert officials(site, sent) == []


def test_no_digest_on_a_holiday_or_weekend(site: Site) -> None:
    two_cases(site)
    assert service(site, wib(2026, 12, 24, 7, 31)).digest_job() is True  # Thursday
    for moment in (wib(2026, 12, 25, 9, 0), wib(2026, 12, 26, 9, 0), wib(2026, 12, 28, 7, 29)):
        assert service(site, moment).digest_job() is False, moment  # Christmas, Saturday, before Monday's
    assert service(site, wib(2026, 12, 28, 7, 31)).digest_job() is True


def test_digest_roles_and_time_come_from_the_config(site: Site) -> None:
    site.extra = {"digest": {"time": "06:00", "roles": ["kasubbid"]}}
    two_cases(site)
    site.edit("CAKRA-2026-000001", Tahap="3", Petugas="Op")
    site.poll(T0 + timedelta(minutes=3))
    sent = len(site.emails())
    assert service(site, wib(2026, 11, 24, 6, 1)).digest_job() is True
    assert officials(site, sent) == ["kasubbid"]
    site.close()
    site.extra = {"digest": {"time": ""}}
    assert service(site, wib(2026, 11, 25, 9, 0)).digest_job() is False  # "" turns digests off


def test_latest_run_looks_back_over_closed_days() -> None:
    monday = wib(2026, 11, 23, 6, 0)
    friday = latest_run(
        monday, wib(2026, 1, 1, 7, 30).timetz().replace(tzinfo=None), monday.tzinfo, lambda d: d.weekday() < 5
    )
    assert friday == wib(2026, 11, 20, 7, 30)


def weekly_site(site: Site) -> None:
    """Reports spread over the three weeks before Monday 23 November 2026, in two categories."""
    rows = [
        response(-7 * 24 * 60 * weeks_ago, nik=f"14040155019000{n:02d}", category=category)
        for n, (weeks_ago, category) in enumerate(
            [
                (3, "Bencana alam"),
                (2, "Bencana alam"),
                (2, "Konflik sosial"),
                (1, "Konflik sosial"),
                (0, "Unjuk rasa"),
            ],
            start=1,
        )
    ]
    site.submit(*rows)
    site.poll(T0 + timedelta(minutes=1))


def test_weekly_summary_with_three_charts_goes_once_a_week(site: Site) -> None:
    weekly_site(site)
    # Last Monday's, missed by a week: stale news, recorded as skipped (not sent).
    assert service(site, wib(2026, 11, 23, 6, 59)).weekly_job() is False
    assert service(site, wib(2026, 11, 23, 7, 0)).weekly_job() is True  # this Monday's
    assert service(site, wib(2026, 11, 25, 9, 0)).weekly_job() is False
    weekly = [m for m in site.emails() if "mingguan" in m["Subject"]]  # (files sort by Date: look at all)
    assert sorted(str(m["To"]).split("@")[0] for m in weekly) == ["kaban", "kabid"]
    message = weekly[-1]
    html = message.get_body(("html",)).get_content()
    images = {p["Content-ID"] for p in message.walk() if p.get_content_type() == "image/png"}
    assert images == {
        "<ringkasan-tahap@cakra>",
        "<mingguan-kategori@cakra>",
        "<mingguan-sla@cakra>",
        "<mingguan-waktu@cakra>",
    }
    assert all(f'src="cid:{cid.strip("<>")}"' in html for cid in images)
    text = plain(message)
    assert "8 minggu terakhir (28/09/2026 07.00 s.d. 23/11/2026 07.00)" in text
    assert "Bencana alam: 0, 0, 0, 0, 0, 1, 1, 0" in text
    assert "Konflik sosial: 0, 0, 0, 0, 0, 0, 1, 1" in text
    assert "Unjuk rasa" not in text.split("Kasus per minggu")[1].split("Kepatuhan")[0]  # this week: not yet
    assert "2. Operator: 0 tepat waktu, 4 terlambat (0 %)" in text  # the four past weeks' reports


def test_start_up_makes_missed_runs_once(site: Site) -> None:
    two_cases(site)
    site.extra = {"serve": {"report_time": "07:00"}}
    site.close()
    start = Service(site.app, clock=lambda: wib(2026, 11, 23, 9, 0))
    start.stopping.set()  # run() does its start-up work, then leaves the loop at once
    assert start.run() == 0
    subjects = [m["Subject"] for m in site.emails()]
    assert sum("Rekap harian" in s for s in subjects) == 1
    assert sum("Ringkasan mingguan" in s for s in subjects) == 2  # kepala badan and kabid
    again = Service(site.app, clock=lambda: wib(2026, 11, 23, 9, 5))
    again.stopping.set()
    again.run()
    assert [m["Subject"] for m in site.emails()] == subjects
