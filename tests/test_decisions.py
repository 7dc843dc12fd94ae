"""Decisions, conditions, holds, multi-role steps and ongoing steps, walked through the service the way
operators use it (the status tab of the local workbook, real .eml outbox), with frozen time."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from cakra.workflow.sop import BUILTIN_SOPS, load_sop
from tests.helpers_time import recipients
from tests.site import FORM_HEADERS, T0, Site, response
from tests.workbook import new_form_workbook

BIMA_ROLES = {
    "pengusul": ["staf@dukcapil.bimakota.example.go.id"],
    "kasi_inovasi": ["kasi@dukcapil.bimakota.example.go.id"],
    "kabid": ["kabid@dukcapil.bimakota.example.go.id"],
    "pejabat_struktural": ["struktural@dukcapil.bimakota.example.go.id"],
    "kepala_dinas": ["kadis@dukcapil.bimakota.example.go.id"],
}
DPMD_ROLES = {
    "admin": ["admin@dpmd.kapuashulu.example.go.id"],
    "admin_lapor": ["lapor@dpmd.kapuashulu.example.go.id"],
    "kabid": ["kabid@dpmd.kapuashulu.example.go.id"],
    "sekretaris": ["sekretaris@dpmd.kapuashulu.example.go.id"],
    "tim_penanganan": ["tim@dpmd.kapuashulu.example.go.id"],
    "kepala_dinas": ["kadis@dpmd.kapuashulu.example.go.id"],
}

SIPENDEKAR_ROLES = {
    "admin_diskominfo": {"emails": ["admin@diskominfotik.example.go.id"]},
    "kepala_diskominfotik": {"emails": ["kadis@diskominfotik.example.go.id"]},
}
SIPENDEKAR_UNITS = tuple(load_sop(BUILTIN_SOPS / "sipendekar.toml").units)


def at(minutes: float):
    return T0 + timedelta(minutes=minutes)


def step_by(site: Site, ticket: str, when: float, choice: str, petugas: str = "Petugas Uji") -> None:
    site.edit(ticket, Tahap=choice, Petugas=petugas)
    site.poll(at(when))


def history(site: Site, ticket: str) -> list[tuple[str, str | None, str | None, str]]:
    return [(h.kind, h.from_step, h.to_step, h.note) for h in site.app.ledger.history(ticket)]


def test_a_decision_loops_back_and_goes_on_with_its_answer_in_the_history(site: Site) -> None:
    site.extra = {"sop": "dukcapil-bima-inovasi", "roles": {r: {"emails": e} for r, e in BIMA_ROLES.items()}}
    ticket = "INOVASI-2026-000001"
    site.submit(response(0))
    site.poll(at(1))
    assert site.row(ticket)["Tahap Saat Ini"] == "1. Ide dan konsep"
    step_by(site, ticket, 10, "Ya")  # not at the decision yet: refused, naming where the answer belongs
    assert "adalah jawaban di tahap '3. Keputusan Kepala Dinas'" in str(site.row(ticket)["Pesan Sistem"])
    step_by(site, ticket, 20, "2")
    step_by(site, ticket, 30, "3. Keputusan Kepala Dinas")
    step_by(site, ticket, 40, "tidak")  # the label, any case: back to the idea
    assert site.row(ticket)["Tahap Saat Ini"] == "1. Ide dan konsep"
    moves = [h for h in history(site, ticket) if h[0] == "pindah tahap"]
    assert moves[-1][1:3] == ("keputusan", "konsep") and moves[-1][3] == "Dikembalikan: Keputusan: Tidak"
    step_by(site, ticket, 50, "2")
    step_by(site, ticket, 60, "3")
    step_by(site, ticket, 70, "Ya")
    assert site.row(ticket)["Tahap Saat Ini"] == "4. Draf inovasi"
    for minutes, choice in ((80, "5"), (90, "6"), (100, "7"), (110, "8")):
        step_by(site, ticket, minutes, choice)
    row = site.row(ticket)
    # The innovation runs: an ongoing step, never late however long it runs.
    assert (
        row["Tahap Saat Ini"] == "8. Inovasi berjalan"
        and row["Batas Waktu"] == "berjalan (tanpa batas waktu)"
    )
    site.poll(at(60 * 24 * 90))
    assert site.row(ticket)["Terlambat"] == "Tidak"
    assert [h[3] for h in history(site, ticket) if h[2] == "draf"] == ["Keputusan: Ya"]


def _dpmd_site(site: Site, saluran: str | None) -> str:
    site.extra = {"sop": "dpmd-kapuas-hulu", "roles": {r: {"emails": e} for r, e in DPMD_ROLES.items()}}
    if saluran is not None:  # a form that asks the channel (the built-in field "channel")
        new_form_workbook(site.workbook, [*FORM_HEADERS, "Saluran"])
        site.submit([*response(0), "", saluran])
    else:
        site.submit(response(0))
    site.poll(at(1))
    return "DPMD-2026-000001"


def test_a_lapor_only_step_is_skipped_visibly_for_other_channels(site: Site) -> None:
    ticket = _dpmd_site(site, "Surat")
    assert site.row(ticket)["Tahap Saat Ini"] == "1. Pencatatan pengaduan"
    step_by(site, ticket, 10, "2")  # bound for the LAPOR! disposition: not a LAPOR! complaint
    row = site.row(ticket)
    assert row["Tahap Saat Ini"] == "3. Analisis Kabid"
    note = "Tahap '2. Terima dan disposisi LAPOR!' dilewati: syarat Saluran = LAPOR! tidak terpenuhi"
    assert ("dilewati", "disposisi_lapor", None, note) in history(site, ticket)
    assert note in str(row["Pesan Sistem"])
    # "1 minggu" from the move: seven days of clock time.
    assert row["Batas Waktu"] == "30/11/2026 08:10"


def test_a_lapor_complaint_takes_the_lapor_step(site: Site) -> None:
    ticket = _dpmd_site(site, "lapor!")
    assert site.app.ledger.cases()[0].report.channel == "LAPOR!"
    step_by(site, ticket, 10, "2")
    assert site.row(ticket)["Tahap Saat Ini"] == "2. Terima dan disposisi LAPOR!"
    assert not [h for h in history(site, ticket) if h[0] == "dilewati"]


def _sipendekar_site(site: Site, jenis: str) -> str:
    units = {u: {"emails": [f"{u}@skpd.example.go.id"], "workbook": f"{u}.xlsx"} for u in SIPENDEKAR_UNITS}
    site.extra = {"sop": "sipendekar", "roles": SIPENDEKAR_ROLES, "units": units}
    new_form_workbook(site.workbook, [*FORM_HEADERS, "Jenis Masukan"])
    site.submit([*response(0), "", jenis])
    site.poll(at(1))
    return "SIPENDEKAR-2026-000001"


def test_a_choice_field_answer_that_is_no_choice_is_kept_and_flagged(site: Site) -> None:
    ticket = _sipendekar_site(site, "pengaduan")
    assert site.app.ledger.cases()[0].report.fields["jenis"] == "pengaduan"
    assert "Jenis masukan 'pengaduan' bukan pilihan" in str(site.row(ticket)["Pesan Sistem"])


def test_a_reporter_changing_a_declared_field_is_named_in_the_history(site: Site) -> None:
    ticket = _sipendekar_site(site, "kritik")
    assert site.app.ledger.cases()[0].report.fields["jenis"] == "Kritik"  # matched to its choice
    # Google Forms rewrites the edited response in place, with the time of the edit.
    site.set_response(0, [*response(0, timestamp=at(20).replace(tzinfo=None)), "", "Saran"])
    site.poll(at(21))
    site.poll(at(22))  # the restamped row is read whole the cycle after its new stamp is seen
    edits = [h[3] for h in history(site, ticket) if h[0] == "diubah pelapor"]
    assert edits == ["Pelapor mengubah tanggapan: Jenis masukan"]
    assert site.app.ledger.cases()[0].report.fields["jenis"] == "Saran"


def _with_holds(site: Site, tmp: Path) -> None:
    sop = tmp / "sop.toml"
    sop.write_text(
        (BUILTIN_SOPS / "cakra-linmas.toml").read_text()
        + '\n[holds.pending]\ntitle = "Pending"\nstops_clock = false\n'
        + '\n[holds.tunda]\ntitle = "Ditunda Kepala"\nstops_clock = true\n'
    )
    site.extra = {"sop": str(sop)}


def test_a_hold_that_keeps_the_clock_running(site: Site, tmp_path: Path) -> None:
    _with_holds(site, tmp_path)
    ticket = "CAKRA-2026-000001"
    site.submit(response(0))
    site.poll(at(1))
    step_by(site, ticket, 5, "pending")
    row = site.row(ticket)
    assert row["Tahap Saat Ini"] == "2. Operator (Pending)" and row["Batas Waktu"] == "23/11/2026 08:15"
    site.poll(at(20))
    assert site.row(ticket)["Terlambat"] == "Ya"  # the clock ran on
    step_by(site, ticket, 25, "2. Operator")  # picking the step again ends the hold
    assert site.row(ticket)["Tahap Saat Ini"] == "2. Operator"
    kinds = [(h[0], h[3]) for h in history(site, ticket)]
    assert ("ditahan (waktu berjalan)", "Pending: waktu tahap tetap berjalan") in kinds
    assert ("dilanjutkan", "Dilanjutkan oleh Petugas Uji; Pending selesai") in kinds


def test_a_hold_that_stops_the_clock(site: Site, tmp_path: Path) -> None:
    _with_holds(site, tmp_path)
    ticket = "CAKRA-2026-000001"
    site.submit(response(0))
    site.poll(at(1))
    step_by(site, ticket, 5, "Ditunda Kepala")
    row = site.row(ticket)
    assert row["Tahap Saat Ini"] == "2. Operator (Ditunda Kepala)"
    assert row["Batas Waktu"] == "23/11/2026 08:15 (waktu berhenti)"
    site.poll(at(30))
    assert site.row(ticket)["Terlambat"] == "Tidak (Ditunda Kepala)"
    step_by(site, ticket, 35, "3")  # moving on ends the hold; the 30 stopped minutes stay off the step
    assert site.row(ticket)["Tahap Saat Ini"] == "3. Kasubbid"
    assert "ditahan" in [h[0] for h in history(site, ticket)]


def test_every_role_of_a_multi_role_step_is_told_and_shown(site: Site) -> None:
    site.extra = {"roles": {"tim_lapangan": {"emails": ["tim@kesbangpol.contoh.example"]}}}
    ticket = "CAKRA-2026-000001"
    site.submit(response(0))
    site.poll(at(1))
    step_by(site, ticket, 5, "3")
    sent = len(site.emails())
    step_by(site, ticket, 10, "4")
    assert recipients(site, sent) == ["kabid", "tim"]
    assert site.row(ticket)["Penanggung Jawab"] == "Kabid / Tim Lapangan"
