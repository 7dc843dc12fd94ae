"""A form question the service relied on and can no longer find: flagged, checked, and recovered.

Issue 9, reproduction 6: retitling "Uraian Kejadian" or "NIK" in the form left ``check`` saying all
good, gave new cases an empty description and NIK with "Kelengkapan: Lengkap", and neither restoring the
title nor mapping it under ``[columns]`` ever brought the data back.
"""

from __future__ import annotations

from datetime import timedelta

import openpyxl
import pytest

from cakra.check import run_checks
from cakra.ingest.columns import ColumnAliases
from cakra.ingest.questions import form_questions
from cakra.sheets.base import Tab
from tests.site import FORM_HEADERS, T0, Site, response

TICKET1, TICKET2 = "CAKRA-2026-000001", "CAKRA-2026-000002"
NEW_TITLES = {"Uraian Kejadian": "Kronologi Kejadian", "NIK": "Nomor Induk Kependudukan (16 digit)"}


def retitle(site: Site, old: str, new: str) -> None:
    """The agency edits the question's title in the form; Google renames the response tab's header."""
    workbook = openpyxl.load_workbook(site.workbook)
    [cell] = [cell for cell in workbook["Form Responses 1"][1] if cell.value == old]
    cell.value = new
    workbook.save(site.workbook)


def reopen(site: Site, columns: dict[str, list[str]]) -> None:
    """IT edits [columns] in the config; the service restarts with it."""
    site.close()
    site.extra = {"columns": columns}


def check_lines(site: Site) -> tuple[int, list[str]]:
    lines: list[str] = []
    code = run_checks(site.app.config, out=lines.append)
    return code, lines


@pytest.mark.parametrize("how", ["restore the title", "map it under [columns]"])
@pytest.mark.parametrize(
    ("title", "field", "attr"), [("Uraian Kejadian", "description", "description"), ("NIK", "nik", "nik")]
)
def test_a_retitled_question_is_flagged_checked_and_its_answers_come_back(
    site: Site, title: str, field: str, attr: str, how: str
) -> None:
    site.submit(response(0))
    at = T0 + timedelta(minutes=1)
    site.poll(at)
    assert check_lines(site)[0] == 0

    retitle(site, title, NEW_TITLES[title])
    site.submit(response(5, name="Budi", nik="1404015501900002", description="Banjir di jalan desa."))
    for minutes in (6, 7):  # the cycle that sees the header change reads everything in the next one
        site.poll(at + timedelta(minutes=minutes))

    row = site.row(TICKET2)
    lost = f"pertanyaan formulir '{title}' tidak ditemukan"
    assert row["Kelengkapan"] == f"Perlu dicek: {lost}"  # not "Lengkap"
    assert lost in str(row["Pesan Sistem"])
    assert getattr(site.app.ledger.cases()[1].report, attr) == ""  # unknown, and said so
    assert site.row(TICKET1)["Kelengkapan"] == "Lengkap"  # read before the change: untouched
    code, lines = check_lines(site)
    assert code == 1
    [fail] = [line for line in lines if line.startswith("FAIL")]
    assert f"'{title}'" in fail and f"'{field}'" in fail and "[columns]" in fail
    assert repr(NEW_TITLES[title]) in fail  # the question it most likely is now
    [note] = [line for line in lines if line.startswith("note") and "does not read" in line]
    assert f"{NEW_TITLES[title]!r} (maybe {field})" in note

    if how == "restore the title":
        retitle(site, NEW_TITLES[title], title)
    else:
        reopen(site, {field: [NEW_TITLES[title]]})
    for minutes in (10, 11):
        site.poll(at + timedelta(minutes=minutes))

    case = site.app.ledger.cases()[1]
    expected = "Banjir di jalan desa." if attr == "description" else "1404015501900002"
    assert getattr(case.report, attr) == expected
    row = site.row(TICKET2)
    assert row["Kelengkapan"] == "Lengkap"
    [entry] = [h for h in site.app.ledger.history(TICKET2) if h.kind == "data formulir"]
    assert f"'{title}'" in entry.note
    assert not [
        h for h in site.app.ledger.history(TICKET2) if h.kind == "diubah pelapor"
    ]  # not the reporter's doing
    assert check_lines(site)[0] == 0


def test_a_question_the_form_no_longer_asks_can_be_declared_so(site: Site) -> None:
    site.submit(response(0))
    site.poll(T0 + timedelta(minutes=1))
    retitle(site, "Nomor HP", "Catatan tambahan")
    reopen(site, {"phone": []})
    site.submit(response(5, name="Budi", nik="1404015501900002"))
    site.poll(T0 + timedelta(minutes=6))
    assert site.row(TICKET2)["Pesan Sistem"] == "Laporan baru diterima."
    assert check_lines(site)[0] == 0


def test_a_question_never_relied_on_is_not_flagged(site: Site) -> None:
    """A form that never asked a question (no earlier cycle found it, [columns] does not name it)."""
    retitle(site, "Uraian Kejadian", "Hobi")
    site.submit(response(0))
    site.poll(T0 + timedelta(minutes=1))
    assert site.row(TICKET1)["Kelengkapan"] == "Lengkap"
    code, lines = check_lines(site)
    assert code == 0
    assert any("'Hobi'" in line for line in lines if line.startswith("note"))


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("Uraian Kejadian", "Kronologi Kejadian", "description"),
        ("NIK", "Nomor Induk Kependudukan (16 digit)", "nik"),
        ("Nomor HP", "No. WhatsApp", "phone"),
        ("Foto KTP", "Foto KTP (wajib)", "ktp_photo"),
        ("Nama Lengkap", "Nama lengkap pelapor", "name"),
        ("Kerahasiaan", "Warna favorit", None),
    ],
)
def test_unrecognised_titles_are_matched_to_the_field_they_most_likely_are(
    old: str, new: str, field: str | None
) -> None:
    form = Tab("Form Responses 1", [[new if title == old else title for title in FORM_HEADERS]])
    questions = form_questions(form, ColumnAliases(), relied={})
    assert questions.unrecognised == [new]
    assert questions.suggestions(ColumnAliases()) == {new: field}
