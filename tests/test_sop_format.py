"""The SOP format: the four shipped SOPs load and validate; broken files (each engine fault of issue 10
among them) are refused with one line naming the file, the line and the fix; "minggu" limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from cakra.cli import main
from cakra.common.errors import SopError
from cakra.workflow.calendar import BusinessCalendar, TimeLimit
from cakra.workflow.choice import read_choice
from cakra.workflow.sop import BUILTIN_SOPS, load_sop, sop_problems
from tests.helpers_time import wib

SHIPPED = sorted(BUILTIN_SOPS.glob("*.toml"))
GOOD = """\
id = "t"
intake_step = "lapor"

[roles.pelapor]
external = true

[roles.operator]
title = "Operator"

[[steps]]
id = "lapor"
title = "1. Lapor"
role = "pelapor"
next = ["periksa"]

[[steps]]
id = "periksa"
title = "2. Periksa"
role = "operator"
next = ["selesai"]

[[endings]]
id = "selesai"
title = "Selesai"
"""


def test_every_shipped_sop_is_valid_and_validate_sop_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert {p.stem for p in SHIPPED} == {
        "cakra-linmas",
        "sipendekar",
        "dpmd-kapuas-hulu",
        "dukcapil-bima-inovasi",
        "sinar-linmas-juai",
    }
    for path in SHIPPED:
        assert sop_problems(path)[1] == []
        assert main(["validate-sop", str(path)]) == 0
        assert capsys.readouterr().out.startswith("ok: ")


def test_the_shipped_sops_use_the_features_they_exist_for() -> None:
    linmas = load_sop(BUILTIN_SOPS / "cakra-linmas.toml")
    assert linmas.steps["kabid"].roles == ("kabid", "tim_lapangan") and linmas.steps["kabid"].role == "kabid"
    assert linmas.step_roles_title("kabid") == "Kabid / Tim Lapangan"
    assert linmas.evidence["link_cakra"].field == "link_cakra" and linmas.fields["link_cakra"].kind == "link"
    bengkalis = load_sop(BUILTIN_SOPS / "sipendekar.toml")
    assert bengkalis.steps["verifikasi"].assigns_unit and bengkalis.roles["admin_skpd"].per_unit
    assert bengkalis.steps["koreksi"].answers == {
        "Sesuai": "jawaban_pelapor",
        "Perlu perbaikan": "jawaban_skpd",
    }
    assert bengkalis.holds["pending"].stops_clock and len(bengkalis.units) >= 12
    assert "Pending" in bengkalis.choices() and bengkalis.choices()[-1] == "Menunggu pelapor"
    dpmd = load_sop(BUILTIN_SOPS / "dpmd-kapuas-hulu.toml")
    assert str(dpmd.steps["analisis"].limit) == "1 minggu"
    assert dpmd.steps["disposisi_lapor"].when is not None and dpmd.steps["info_pelapor"].informs_reporter
    bima = load_sop(BUILTIN_SOPS / "dukcapil-bima-inovasi.toml")
    assert bima.internal_intake and not linmas.internal_intake
    assert bima.steps["berjalan"].ongoing and bima.steps["berjalan"].limit is None


BROKEN = [
    # A list where one value is expected (issue 10: a list-valued role crashed with a traceback).
    (
        'title = "Operator"\n',
        'title = "Operator"\nsuperior = ["a", "b"]\n',
        9,
        "is a list where one text value is expected",
    ),
    # Two steps numbered 4: typing "4" silently picked the first.
    ('title = "2. Periksa"', 'title = "1. Periksa"', 18, "has number 1 like step 'lapor'"),
    # An omitted intake_step silently hid the first step.
    ('intake_step = "lapor"\n', "", None, "no 'intake_step'"),
    # An evidence field no form question provides always showed "Kurang".
    (
        "[[endings]]",
        '[evidence.foto]\nfield = "foto_rumah"\n\n[[endings]]',
        23,
        "which no form question provides",
    ),
    # Unknown keys are refused (the old docstring promised they were tolerated).
    ('next = ["selesai"]', 'next = ["selesai"]\ncolour = "red"', 21, "unknown key 'colour'"),
    ('next = ["selesai"]', 'next = ["tutup"]', 20, "lists next 'tutup', which is no step or ending"),
    ('role = "operator"', 'role = "kasi"', 19, "has role 'kasi'; add [roles.kasi]"),
    (
        'role = "operator"',
        'role = "operator"\nlimit = "2 purnama"',
        20,
        "time limit '2 purnama' is not understood",
    ),
    ('title = "2. Periksa"', 'title = "Selesai"', 22, "operators pick by title"),
    (
        'next = ["selesai"]',
        'next = ["selesai"]\nwhen = { field = "saluran", in = ["LAPOR!"] }',
        21,
        "names field 'saluran'",
    ),
    ('next = ["selesai"]', 'kind = "decision"', 16, "is a decision without 'answers'"),
]


@pytest.mark.parametrize(("old", "new", "line", "fragment"), BROKEN)
def test_broken_sop_files_are_one_line_with_their_line(
    old: str, new: str, line: int | None, fragment: str, tmp_path: Path
) -> None:
    path = tmp_path / "sop.toml"
    assert old in GOOD
    path.write_text(GOOD.replace(old, new, 1))
    _, problems = sop_problems(path)
    assert any(fragment in p for p in problems), problems
    with pytest.raises(SopError) as error:
        load_sop(path)
    assert "\n" not in str(error.value) and "Traceback" not in str(error.value)
    where = f"{path}:{line}: " if line else f"{path}: "
    assert any(p.startswith(where) and fragment in p for p in problems), problems


def test_validate_sop_lists_every_mistake_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "sop.toml"
    path.write_text(
        GOOD.replace('role = "operator"', 'role = "kasi"\nlimit = "3 purnama"')
        + '\n[[steps]]\nid = "yatim"\ntitle = "3. Yatim"\nrole = "operator"\nnext = ["yatim"]\n'
    )
    assert main(["validate-sop", str(path)]) == 2
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        f"{path}:19: step 'periksa' has role 'kasi'; add [roles.kasi]",
        f"{path}:20: step 'periksa': time limit '3 purnama' is not understood; write e.g. '15m', '1h', "
        "'3 hari', '1 minggu' or '2 hari kerja'",
        f"{path}:28: step 'yatim' cannot be reached from 'periksa'; list it in some 'next' or answer",
    ]
    path.write_text(
        GOOD + '\n[[steps]]\nid = "buntu"\ntitle = "3. Buntu"\nrole = "operator"\nnext = ["buntu"]\n'
    )
    path.write_text(path.read_text().replace('next = ["selesai"]', 'next = ["selesai", "buntu"]'))
    assert main(["validate-sop", str(path)]) == 2
    assert capsys.readouterr().out.splitlines() == [
        f"{path}:27: step 'buntu' has no way to an ending; add an ending or a later step to its 'next'"
    ]


def test_a_list_of_roles_is_a_multi_role_step_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "sop.toml"
    path.write_text(GOOD.replace('role = "operator"', 'role = ["operator", "pelapor"]'))
    step = load_sop(path).steps["periksa"]
    assert step.role == "operator" and step.roles == ("operator", "pelapor")


def test_ambiguous_choices_are_refused_listing_the_candidates(tmp_path: Path) -> None:
    path = tmp_path / "sop.toml"
    # The step's id "selesai" and the ending's title "Selesai": typing "selesai" names both.
    path.write_text(
        GOOD.replace('id = "periksa"', 'id = "tutup"').replace('next = ["periksa"]', 'next = ["tutup"]')
    )
    sop = load_sop(path)
    assert read_choice(sop, "tutup", "2").state == "tutup"
    clash = path.read_text().replace('title = "Selesai"', 'title = "Tutup"')
    path.write_text(clash)
    picked = read_choice(load_sop(path), "lapor", "tutup")
    assert picked is not None and picked.state is None
    assert (
        picked.refusal
        == "'tutup' cocok dengan beberapa tahap: '2. Periksa', 'Tutup'. Tulis judul tahap selengkapnya."
    )


def test_minggu_is_seven_days_and_minggu_kerja_five_working_days() -> None:
    week = TimeLimit.parse("1 minggu")
    assert week == TimeLimit(1, "weeks") and str(week) == "1 minggu" and TimeLimit.parse(str(week)) == week
    calendar = BusinessCalendar("Asia/Jakarta")
    monday = wib(2026, 11, 23, 9, 0)
    assert calendar.deadline(monday, week) == wib(2026, 11, 30, 9, 0)
    working = TimeLimit.parse("2 minggu kerja")
    assert calendar.deadline(monday, working) == calendar.deadline(
        monday, TimeLimit(10, "days", working=True)
    )


def test_each_shipped_sop_has_an_example_config_that_passes_the_role_check(tmp_path: Path) -> None:
    from cakra.app import check_roles
    from cakra.config import load_config

    for sop_file in SHIPPED:
        example = Path("examples") / f"{sop_file.stem}.toml"
        config = load_config(example)
        assert config.sop_path == sop_file
        check_roles(config, load_sop(config.sop_path))  # every role a case can reach has recipients
