"""Configuration: defaults merged with the user's file, validated, every key documented."""

from __future__ import annotations

import re
from dataclasses import FrozenInstanceError
from datetime import date, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from cakra.common.errors import ConfigError, SopError
from cakra.config import DEFAULTS, build_config, load_config
from cakra.workflow.sop import load_sop

ROOT = Path(__file__).resolve().parents[1]


def _keys(table: dict, prefix: str = "") -> list[str]:
    out = []
    for key, value in table.items():
        if isinstance(value, dict) and value and key not in ("columns", "roles"):
            out += _keys(value, f"{prefix}{key}.")
        else:
            out.append(f"{prefix}{key}")
    return out


@pytest.mark.parametrize("key", _keys(DEFAULTS))
def test_every_key_is_documented_in_the_readme_and_the_example(key: str) -> None:
    section, _, name = key.rpartition(".")
    readme = (ROOT / "README.md").read_text()
    example = (ROOT / "config.example.toml").read_text()
    assert f"`{key}`" in readme, f"README's configuration reference lacks `{key}`"
    assert f"\n{name} = " in example or f"[{key}" in example or f"# {name} = " in example, key
    if section:
        assert f"[{section}]" in example


def test_example_config_is_valid() -> None:
    config = load_config(ROOT / "config.example.toml")
    assert config.sheets.backend == "local"


def test_user_values_override_defaults_and_paths_resolve_against_the_config(tmp_path: Path) -> None:
    config = build_config(
        {"sheets": {"workbook": "data/x.xlsx"}, "serve": {"poll_seconds": 30}}, tmp_path / "c.toml"
    )
    assert config.sheets.workbook == tmp_path / "data" / "x.xlsx"
    assert config.serve.poll_seconds == 30 and config.serve.report_time == time(7, 0)
    assert config.sheets.status_tab == "Status Kasus"


def test_every_section_is_parsed_once_into_typed_settings(tmp_path: Path) -> None:
    config = build_config(
        {
            "timezone": "Asia/Makassar",
            "sheets": {"credentials": "credentials/sa.json", "responses_tab": "Jawaban"},
            "email": {"from": "Dinas <cakra@dinas.example>", "outbox_dir": "/srv/outbox"},
            "intake": {"duplicate_window_hours": 48},
            "report": {"weekly_day": "jumat", "weekly_time": "16.30"},
            "digest": {"time": ""},
            "calendar": {"working_hours": {"sabtu": "08:00-12:00"}, "extra_holidays": ["2026-12-24"]},
            "escalation": {"repeat_interval": "tidak ada"},
            "columns": {"nik": ["NIK Anda"]},
            "roles": {"operator": {"emails": ["op@dinas.example"]}},
        },
        tmp_path / "c.toml",
    )
    assert config.tz == ZoneInfo("Asia/Makassar")
    assert config.sop_path.name == "cakra-linmas.toml" and config.ledger_path == tmp_path / "cakra.sqlite"
    assert config.sheets.credentials == tmp_path / "credentials" / "sa.json"
    assert config.sheets.response_tabs == ("Jawaban",)
    assert build_config({}).sheets.response_tabs == ("Form Responses 1", "Jawaban Formulir 1")
    assert build_config({}).sheets.credentials is None
    assert config.email.outbox_dir == Path("/srv/outbox") and config.email.domain == "dinas.example"
    assert config.intake.duplicate_window == timedelta(hours=48)
    assert (config.report.weekly_day, config.report.weekly_time) == (4, time(16, 30))
    assert config.digest.time is None and config.digest.roles == ()
    assert config.calendar.working_hours == {5: ((480, 720),)}
    assert config.calendar.extra_holidays == {date(2026, 12, 24)}
    assert config.escalation.repeat_interval is None
    assert config.columns.names["nik"][:2] == ("NIK Anda", "NIK") and "nik" in config.columns.required
    assert config.role_emails("operator") == ["op@dinas.example"] and config.role_emails("kabid") == []
    with pytest.raises(FrozenInstanceError):
        config.serve = config.serve  # type: ignore[misc]


def test_the_fingerprint_follows_every_setting(tmp_path: Path) -> None:
    same = [build_config({}, tmp_path / "c.toml").fingerprint for _ in range(2)]
    other = build_config({"intake": {"description_chars": 80}}, tmp_path / "c.toml").fingerprint
    assert same[0] == same[1] != other


@pytest.mark.parametrize(
    ("user", "fragment"),
    [
        ({"sheet": {}}, "unknown key 'sheet'"),
        ({"email": {"port": "587"}}, "'email.port' must be int"),
        ({"timezone": "WIB"}, "Asia/Jakarta"),
        ({"roles": {"operator": {"emails": ["bukan-email"]}}}, "[roles.operator]"),
        ({"columns": {"alamat": ["Alamat"]}}, "unknown field 'alamat'"),
        ({"sheets": {"backend": "google"}}, "spreadsheet_id"),
        ({"sheets": {"verify_rows": 0}}, "verify_rows must be at least 1"),
        ({"serve": {"poll_seconds": 0}}, "[serve] poll_seconds must be more than 0"),
        ({"serve": {"poll_seconds": -60}}, "[serve] poll_seconds must be more than 0"),
        ({"serve": {"report_time": "pagi"}}, "[serve] report_time = 'pagi' must be a local time"),
        ({"intake": {"duplicate_window_hours": -1}}, "[intake] duplicate_window_hours must be 0 or more"),
        ({"intake": {"description_chars": 0}}, "[intake] description_chars must be at least 1"),
        ({"email": {"timeout": -5}}, "[email] timeout must be at least 1"),
        ({"email": {"port": 0}}, "[email] port must be from 1 to 65535"),
        ({"email": {"port": 70000}}, "[email] port must be from 1 to 65535"),
        ({"email": {"security": "tls"}}, "[email] security = 'tls'; choose one of starttls, ssl, none"),
        ({"email": {"backend": "gmail"}}, "needs delegated_user"),
        ({"email": {"api_endpoint": "localhost:8085"}}, "[email] api_endpoint = 'localhost:8085' must look"),
        ({"sheets": {"api_endpoint": "127.0.0.1"}}, "[sheets] api_endpoint = '127.0.0.1' must look"),
        ({"report": {"weekly_weeks": 0}}, "[report] weekly_weeks must be 1 or more"),
        ({"report": {"weekly_day": "someday"}}, "[report] weekly_day = 'someday'"),
        ({"report": {"roles": ["kabid", 3]}}, "[report] roles must be a list of SOP role ids"),
        ({"digest": {"time": "25:00"}}, "[digest] time = '25:00' must be a local time"),
        ({"calendar": {"cuti_bersama": True, "country_holidays": False}}, "[calendar] cuti_bersama = true"),
    ],
)
def test_mistakes_are_one_clear_line(user: dict, fragment: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as error:
        build_config(user, tmp_path / "c.toml")
    assert fragment in str(error.value) and "\n" not in str(error.value)


def test_builtin_sop_loads_with_its_five_steps() -> None:
    sop = load_sop(ROOT / "workflow" / "sops" / "cakra-linmas.toml")
    assert [s.role for s in sop.steps.values()] == [
        "pelapor",
        "operator",
        "kasubbid",
        "kabid",
        "kepala_badan",
    ]
    assert sop.steps["kabid"].limit is None and str(sop.steps["kepala_badan"].limit) == "1 jam"
    assert sop.superiors("operator") == ["kasubbid", "kabid", "kepala_badan"]
    assert [r for r, role in sop.roles.items() if role.sees_identity] == ["kasubbid", "kabid"]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('[[steps]]\nid="a"\ntitle="A"\nrole="x"\n', "add [roles.x]"),
        ('[roles.x]\n[[steps]]\nid="a"\ntitle="A"\nrole="x"\nnext=["b"]\n', "no step or ending"),
        ('[roles.x]\n[[steps]]\nid="a"\ntitle="A"\nrole="x"\nlimit="soon"\n', "not understood"),
        ('[roles.x]\n[[steps]]\nid="a"\ntitle="A"\nrole="x"\ncolour="red"\n', "unknown key 'colour'"),
        ('[roles.x]\n[[steps]]\nid="a"\ntitle="A"\nrole="x"\n', "no ending can be reached"),
        ("steps = [", "not valid TOML"),
    ],
)
def test_bad_sop_files_are_named_with_the_fix(text: str, fragment: str, tmp_path: Path) -> None:
    path = tmp_path / "sop.toml"
    path.write_text(text)
    with pytest.raises(SopError) as error:
        load_sop(path)
    assert fragment in str(error.value)


def test_the_admin_section_is_typed_and_checked(tmp_path: Path) -> None:
    config = build_config(
        {
            "ledger": {"path": "data/l.sqlite"},
            "admin": {"emails": ["it@dinas.example"], "undelivered_after": "30 menit"},
        },
        tmp_path / "c.toml",
    )
    admin = config.admin
    assert admin.emails == ("it@dinas.example",) and admin.failures_before_alert == 5
    assert admin.undelivered_after == timedelta(minutes=30)
    assert admin.heartbeat_file == tmp_path / "data" / "l.sqlite.heartbeat"  # beside the ledger
    assert admin.backup_dir == tmp_path / "backups" and admin.backup_keep == 14
    for wrong, fragment in (
        ({"emails": ["it"]}, "[admin] emails must be a list of email addresses"),
        ({"undelivered_after": "2 hari kerja"}, "write clock time such as"),
        ({"undelivered_after": "sebentar"}, "[admin] undelivered_after:"),
        ({"failures_before_alert": 0}, "[admin] failures_before_alert must be at least 1"),
        ({"backup_keep": 0}, "[admin] backup_keep must be at least 1"),
    ):
        with pytest.raises(ConfigError, match=re.escape(fragment)):
            build_config({"admin": wrong})


def test_editing_admin_does_not_change_the_fingerprint() -> None:
    assert (
        build_config({"admin": {"emails": ["it@dinas.example"]}}).fingerprint == build_config({}).fingerprint
    )
    assert build_config({"intake": {"description_chars": 80}}).fingerprint != build_config({}).fingerprint


@pytest.mark.parametrize(
    ("table", "says"),
    [
        ({"email": {"bundle_minutes": -5}}, "[email] bundle_minutes must be 0 or more"),
        (
            {"citizen": {"reply_to": "meja pengaduan"}},
            "[citizen] reply_to = 'meja pengaduan' is not an email",
        ),
    ],
)
def test_pacing_and_reply_to_are_checked_when_the_config_loads(
    tmp_path: Path, table: dict[str, dict[str, object]], says: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        build_config(table, tmp_path / "c.toml")
    assert str(caught.value).startswith(says)


def test_pacing_and_reply_to_defaults(tmp_path: Path) -> None:
    config = build_config({"citizen": {"reply_to": " pengaduan@instansi.go.id "}}, tmp_path / "c.toml")
    assert config.email.bundle_minutes == 30
    assert config.citizen.reply_to == "pengaduan@instansi.go.id"
