"""The command line: a user's mistake is one clear line and a non-zero exit, never a traceback."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest

import cakra.commands
from cakra.cli import build_parser, installed_version, main
from cakra.commands import COMMANDS
from tests.site import T0, Site, response

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "run.py"), *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("cakra:")]
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_poll_runs_one_cycle_and_exits_zero(site: Site) -> None:
    site.submit(response(0))
    result = run_cli("--config", str(site.write_config()), "poll")
    assert result.returncode == 0, result.stderr
    assert "1 kasus baru" in result.stdout
    assert len(site.status()) == 1


def test_config_may_follow_the_command(site: Site) -> None:
    site.submit(response(0))
    result = run_cli("poll", "--config", str(site.write_config()))
    assert result.returncode == 0, result.stderr
    assert "1 kasus baru" in result.stdout


@pytest.mark.parametrize(
    ("argv", "config", "verbose"),
    [
        (["poll"], "config.toml", False),
        (["--config", "a.toml", "poll"], "a.toml", False),
        (["poll", "--config", "a.toml"], "a.toml", False),
        (["--config", "a.toml", "-v", "poll"], "a.toml", True),
        (["poll", "-v", "--config", "a.toml"], "a.toml", True),
        (["--config", "a.toml", "poll", "--config", "b.toml"], "b.toml", False),  # the later one wins
        (["--config", "a.toml", "export", "--month", "2026-11"], "a.toml", False),
    ],
)
def test_config_and_verbose_before_or_after_the_command(argv: list[str], config: str, verbose: bool) -> None:
    args = build_parser().parse_args(argv)
    assert (args.config, args.verbose) == (config, verbose)


def test_a_wrong_option_is_one_line_naming_it() -> None:
    assert_one_line_error(run_cli("poll", "--month", "2026-11"), "unrecognized arguments: --month")
    assert_one_line_error(run_cli("demo", "--config", "x.toml"), "--config")  # demo reads no config
    assert_one_line_error(run_cli(), "COMMAND")


def test_help_and_version_exit_zero(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["--help"], ["--version"], *([c.name, "--help"] for c in COMMANDS)):
        with pytest.raises(SystemExit) as stop:
            main(argv)
        assert stop.value.code == 0, argv
    out = capsys.readouterr().out
    assert f"cakra {installed_version()}" in out
    assert all(command.description.splitlines()[0] in out for command in COMMANDS)


def test_the_registry_lists_every_command_module_once() -> None:
    helpers = {"base", "shared"}
    modules = {m.name for m in pkgutil.iter_modules(cakra.commands.__path__)} - helpers
    # A command's name is its module's, with "-" for "_" (validate_sop.py is "validate-sop").
    names = [command.name.replace("-", "_") for command in COMMANDS]
    assert sorted(names) == sorted(modules)
    assert all(command.summary and command.description for command in COMMANDS)


def test_missing_config_file(tmp_path: Path) -> None:
    assert_one_line_error(run_cli("--config", str(tmp_path / "nope.toml"), "poll"), "does not exist")


def test_unknown_config_key(site: Site) -> None:
    site.extra = {"sheets": {"workbok": "x.xlsx"}}
    assert_one_line_error(run_cli("--config", str(site.write_config()), "poll"), "sheets.workbok")


def test_wrong_type_and_choice(site: Site) -> None:
    site.extra = {"email": {"backend": "pigeon"}}
    assert_one_line_error(run_cli("--config", str(site.write_config()), "poll"), "pigeon", "smtp")


def test_role_without_recipients(site: Site) -> None:
    config = site.write_config()
    text = config.read_text().replace('[roles.kabid]\nemails = ["kabid@kesbangpol.contoh.example"]\n', "")
    config.write_text(text)
    assert_one_line_error(run_cli("--config", str(config), "poll"), "[roles.kabid]")


def test_bad_sop_file(site: Site) -> None:
    sop = site.folder / "sop.toml"
    sop.write_text('[[steps]]\nid = "a"\ntitle = "A"\nlimit = "15 parsecs"\nrole = "nobody"\n')
    site.extra = {"sop": str(sop)}
    # The first of its mistakes, with its line (validate-sop lists them all).
    assert_one_line_error(run_cli("--config", str(site.write_config()), "poll"), "sop.toml:4:", "15 parsecs")


def test_missing_response_tab(site: Site) -> None:
    workbook = openpyxl.load_workbook(site.workbook)
    workbook["Form Responses 1"].title = "Sheet1"
    workbook.save(site.workbook)
    assert_one_line_error(run_cli("--config", str(site.write_config()), "poll"), "responses_tab")


def test_unknown_header_names_the_field_and_the_fix(site: Site) -> None:
    """A title named under [columns] that the form lacks: intake goes on, each case is flagged (issue 9:
    it used to stop every cycle), and ``check`` fails naming the field, the fix and the likely column."""
    site.extra = {"columns": {"nik": ["Nomor Induk (16 digit)"]}}
    site.submit(response(0))
    workbook = openpyxl.load_workbook(site.workbook)
    workbook["Form Responses 1"]["C1"] = "Nomor KTP Anda"
    workbook.save(site.workbook)
    config = str(site.write_config())
    assert run_cli("--config", config, "poll").returncode == 0
    [row] = site.status()
    assert row["Pesan Sistem"] == "Perlu dicek: pertanyaan formulir 'Nomor Induk (16 digit)' tidak ditemukan"
    checked = run_cli("--config", config, "check")
    assert checked.returncode == 1 and "Traceback" not in checked.stderr
    [line] = [line for line in checked.stdout.splitlines() if line.startswith("FAIL")]
    for fragment in ("'nik'", "[columns]", "'Nomor KTP Anda'"):
        assert fragment in line


def test_jawaban_formulir_tab_and_cap_waktu_header_are_accepted(site: Site) -> None:
    site.submit(response(0))
    workbook = openpyxl.load_workbook(site.workbook)
    sheet = workbook["Form Responses 1"]
    sheet.title = "Jawaban Formulir 1"
    sheet["A1"] = "Cap waktu"
    workbook.save(site.workbook)
    result = run_cli("--config", str(site.write_config()), "poll")
    assert result.returncode == 0, result.stderr
    assert [r["No. Tiket"] for r in site.status()] == ["CAKRA-2026-000001"]


def test_init_creates_tabs_and_is_safe_twice(site: Site) -> None:
    config = site.write_config()
    first = run_cli("--config", str(config), "init")
    assert first.returncode == 0, first.stderr
    assert "Status Kasus" in first.stdout
    second = run_cli("--config", str(config), "init")
    assert second.returncode == 0 and "nothing to create" in second.stdout
    assert {"Status Kasus", "Riwayat"} <= set(openpyxl.load_workbook(site.workbook).sheetnames)


def test_logs_never_carry_a_full_nik(site: Site) -> None:
    site.submit(response(0, description="NIK saya 1404015501900001 tolong dibantu"))
    result = run_cli("-v", "--config", str(site.write_config()), "poll")
    assert result.returncode == 0, result.stderr
    assert "1404015501900001" not in result.stderr + result.stdout


def test_demo_leaves_a_working_setup(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = run_cli("demo", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "Demo siap" in result.stdout
    emails = list((out / "outbox").glob("*.eml"))
    assert len(emails) >= 5
    workbook = openpyxl.load_workbook(out / "cakra-demo.xlsx")
    assert {"Form Responses 1", "Status Kasus", "Riwayat"} <= set(workbook.sheetnames)
    status = list(workbook["Status Kasus"].iter_rows(values_only=True))
    header = list(status[0])
    assert len(status) - 1 >= 30
    current = {row[header.index("Tahap Saat Ini")] for row in status[1:]}
    assert {"Selesai", "Tidak valid", "3. Kasubbid"} <= current
    again = run_cli("--config", str(out / "config.toml"), "poll")
    assert again.returncode == 0, again.stderr


def test_pii_never_reaches_the_sheets(site: Site) -> None:
    site.submit(response(0, description="NIK saya 1404015501900001, mohon dibantu"))
    site.poll(T0 + timedelta(minutes=1))
    site.edit("CAKRA-2026-000001", Tahap="3", Petugas="Op", Disposisi="cek NIK 1404015501900001")
    site.poll(T0 + timedelta(minutes=2))
    workbook = openpyxl.load_workbook(site.workbook)
    for tab in ("Riwayat",):
        cells = [str(c) for row in workbook[tab].iter_rows(values_only=True) for c in row if c]
        assert not [c for c in cells if "1404015501900001" in c], tab
    status = workbook["Status Kasus"]
    header = [c.value for c in status[1]]
    service_cells = [
        str(row[i])
        for row in status.iter_rows(min_row=2, values_only=True)
        for i, h in enumerate(header)
        if row[i] and h != "Disposisi / Catatan"  # the operator's own cell is theirs, never rewritten
    ]
    assert not [c for c in service_cells if "1404015501900001" in c]


def test_a_second_poll_on_the_same_ledger_is_refused_while_one_runs(site: Site) -> None:
    from cakra.ledger.lock import cycle_lock

    site.submit(response(0))
    config = site.write_config()
    with cycle_lock(site.folder / "cakra.sqlite"):  # as if serve were mid-cycle
        busy = run_cli("--config", str(config), "poll")
    assert_one_line_error(busy, "another Cakra cycle is running")
    assert run_cli("--config", str(config), "poll").returncode == 0


def test_without_fcntl_a_poll_is_one_clear_line_not_an_import_error(site: Site) -> None:
    as_on_windows = "import sys; sys.modules['fcntl'] = None; from cakra.cli import main; sys.exit(main())"
    result = subprocess.run(
        [sys.executable, "-c", as_on_windows, "--config", str(site.write_config()), "poll"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert_one_line_error(result, "fcntl", "Linux and macOS")
    assert not (site.folder / "cakra.sqlite.lock").exists()
