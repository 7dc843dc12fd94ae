"""The pure parts of periodic reports: periods named in a form, due days in the agency's calendar, the
roster's matching, and one-line refusals of a broken [periodic] plan or roster."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from cakra.common.errors import ConfigError, SopError
from cakra.config import build_config
from cakra.workflow.calendar import BusinessCalendar
from cakra.workflow.periods import PeriodicPlan, due_at, parse_count, parse_period, period_by_timestamp
from cakra.workflow.roster import Desa, RosterRow, build_roster
from cakra.workflow.sop import BUILTIN_SOPS, load_sop

WIB = ZoneInfo("Asia/Jakarta")
CALENDAR = BusinessCalendar.from_config({}, "Asia/Jakarta")
MONTHLY = PeriodicPlan("month", 5, "aparat_desa", "operator_kecamatan", ("diterima",))
WEEKLY = PeriodicPlan("week", 0, "aparat_desa", "operator_kecamatan", ("diterima",))
RECEIVED = date(2026, 12, 2)


@pytest.mark.parametrize(
    "answer",
    [
        "November 2026",
        "nov 2026",
        "Nopember 2026",
        "Bulan November 2026",
        "11/2026",
        "2026-11",
        "15/11/2026",
        "2026-11-15",
        "2026-11-15 00:00:00",
        "November",
    ],
)
def test_a_month_named_in_many_ways(answer: str) -> None:
    period = parse_period(answer, "month", RECEIVED)
    assert period is not None and period.key == "2026-11" and period.label == "November 2026"


@pytest.mark.parametrize("answer", ["bulan lalu", "13/2026", "31/02/2026", "", "Minggu ke-3"])
def test_what_names_no_month(answer: str) -> None:
    assert parse_period(answer, "month", RECEIVED) is None


def test_a_month_without_a_year_is_the_latest_one_not_after_the_report() -> None:
    assert parse_period("Desember", "month", date(2027, 1, 3)).key == "2026-12"  # type: ignore[union-attr]


def test_weeks_by_date_or_iso_week() -> None:
    assert parse_period("18/11/2026", "week", RECEIVED).start == date(2026, 11, 16)  # type: ignore[union-attr]
    assert parse_period("2026-W47", "week", RECEIVED).key == "2026-W47"  # type: ignore[union-attr]
    assert parse_period("November 2026", "week", RECEIVED) is None  # a month is no week


def test_a_due_day_on_a_closed_day_moves_to_the_next_working_day() -> None:
    november = parse_period("November 2026", "month", RECEIVED)
    assert november is not None
    # 5 December 2026 is a Saturday: due on Monday the 7th, late from the 8th, local time.
    assert due_at(november, MONTHLY, CALENDAR) == datetime(2026, 12, 8, tzinfo=WIB)
    week = parse_period("2026-W47", "week", RECEIVED)
    assert week is not None and due_at(week, WEEKLY, CALENDAR) == datetime(2026, 11, 24, tzinfo=WIB)


def test_without_a_period_answer_the_previous_period_while_it_is_still_due() -> None:
    assert period_by_timestamp(datetime(2026, 12, 7, 20, tzinfo=WIB), MONTHLY, CALENDAR).key == "2026-11"
    assert period_by_timestamp(datetime(2026, 12, 8, 1, tzinfo=WIB), MONTHLY, CALENDAR).key == "2026-12"


def test_counts_typed_into_a_form() -> None:
    assert [parse_count(t) for t in ("12", "12 orang", "12.0", "", "dua belas")] == [12, 12, 12, None, None]


def test_the_roster_matches_titles_aliases_and_takes_the_tabs_rows() -> None:
    roster = build_roster(
        {"juai_hilir": Desa("juai_hilir", "Contoh Hilir", ("Hilir",), ("a@contoh.example.go.id",))},
        [
            RosterRow(2, "contoh hilir", "Ds. Hilir Lama", "b@contoh.example.go.id"),
            RosterRow(3, "Contoh Baru", "", ""),
            RosterRow(4, "", "Alias saja", ""),
        ],
    )
    assert [d.title for d in roster.desa.values()] == ["Contoh Hilir", "Contoh Baru"]
    for typed in ("Contoh Hilir", "DESA CONTOH HILIR", "hilir", "Ds. Hilir Lama", "juai_hilir"):
        assert roster.match(typed) is roster.desa["juai_hilir"], typed
    assert roster.emails("juai_hilir") == ["a@contoh.example.go.id", "b@contoh.example.go.id"]
    assert roster.match("Contoh") is None and roster.match("") is None
    assert roster.row_problems == {
        3: "Belum ada email aparat: pengingat tidak bisa dikirim ke desa ini",
        4: "Nama desa kosong: baris ini diabaikan",
    }


def broken_sop(tmp_path: Path, old: str, new: str) -> Path:
    text = (BUILTIN_SOPS / "sinar-linmas-juai.toml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "broken.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('every = "month"', 'every = "year"', 'every = \'year\'; use "month" or "week"'),
        ("due = 5 ", "due = 31 ", 'for every = "month" give a day 1-28'),
        ('checker = "operator_kecamatan"', 'checker = "lurah"', "checker = 'lurah' is no role"),
        ('accepted = ["diterima"]', 'accepted = ["selesai"]', "accepted must list endings"),
        ('attendance_field = "jumlah_hadir"', 'attendance_field = "hadir"', "'hadir' is no declared field"),
        ("[periodic]\n", "[periodic]\nevery_day = true\n", "unknown key 'every_day'"),
        ('kind = "number"', 'kind = "angka"', "kind 'angka'"),
    ],
)
def test_a_broken_periodic_plan_is_refused_in_one_line(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    with pytest.raises(SopError) as refused:
        load_sop(broken_sop(tmp_path, old, new))
    assert message in str(refused.value) and "\n" not in str(refused.value)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"roster": {"hilir": {"emails": ["bukan-email"]}}}, "[roster.hilir] emails: 'bukan-email'"),
        ({"roster": {"hilir": {"kepala": "x"}}}, "[roster.hilir] has unknown key 'kepala'"),
        ({"periodic": {"recap_day": 31}}, "[periodic] recap_day must be a day 1-28"),
        ({"periodic": {"start": "kemarin"}}, "[periodic] start = 'kemarin' must be a date"),
        ({"periodic": {"remind": 3}}, "unknown key 'periodic.remind'"),
    ],
)
def test_a_broken_roster_or_periodic_setting_is_refused_in_one_line(table: dict, message: str) -> None:
    with pytest.raises(ConfigError) as refused:
        build_config(table)
    assert message in str(refused.value)


def test_the_submitters_need_no_role_addresses_but_the_checker_does(tmp_path: Path) -> None:
    from cakra.app import check_roles

    sop = load_sop(BUILTIN_SOPS / "sinar-linmas-juai.toml")
    roles = {r: {"emails": [f"{r}@juai.example.go.id"]} for r in ("operator_kecamatan", "sekcam", "camat")}
    check_roles(build_config({"roles": roles}), sop)  # aparat_desa: reached per desa, through the roster
    del roles["operator_kecamatan"]
    with pytest.raises(ConfigError, match="operator_kecamatan"):
        check_roles(build_config({"roles": roles}), sop)


def test_the_example_config_of_sinar_linmas_is_valid() -> None:
    from cakra.app import check_roles
    from cakra.config import load_config

    config = load_config(Path(__file__).resolve().parents[1] / "examples" / "sinar-linmas-juai.toml")
    sop = load_sop(config.sop_path)
    check_roles(config, sop)
    assert sop.periodic is not None and len(config.roster) == 10
    assert all(e.endswith(".example.go.id") for d in config.roster.values() for e in d.emails)
