"""Rendering: escaping rules, strictness, Indonesian filters and the base layout."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from jinja2 import Environment, UndefinedError

from cakra.common.wording import durasi
from cakra.notify.render import TEMPLATES_DIR, Rendered, environment, make_environment, render_message

# 07:05 UTC = 14.05 WIB = 15.05 WITA = 16.05 WIT on Monday 23 November 2026.
MOMENT = datetime(2026, 11, 23, 7, 5, tzinfo=UTC)


def write_templates(folder: Path, name: str, subject: str, text: str, html: str) -> Environment:
    email_dir = folder / "email"
    email_dir.mkdir(parents=True, exist_ok=True)
    (email_dir / f"{name}.subject.txt").write_text(subject)
    (email_dir / f"{name}.txt").write_text(text)
    (email_dir / f"{name}.html").write_text(html)
    return make_environment(folder)


def test_html_is_escaped_text_and_subject_are_not(tmp_path: Path) -> None:
    env = write_templates(
        tmp_path,
        "sample",
        "Laporan dari {{ nama }}\n",
        "Nama: {{ nama }}\n",
        "<p>Nama: {{ nama }}</p>\n",
    )
    nama = "<script>alert('x')</script> & Co"
    rendered = render_message("sample", {"nama": nama}, env=env)

    assert rendered == Rendered(
        subject=f"Laporan dari {nama}",
        text=f"Nama: {nama}\n",
        html="<p>Nama: &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Co</p>\n",
    )


def test_subject_is_one_line(tmp_path: Path) -> None:
    env = write_templates(tmp_path, "s", "{{ a }}\n\n{{ b }}\n", "", "")
    assert render_message("s", {"a": "Satu\r\nBcc: x@example.com", "b": "Dua"}, env=env).subject == (
        "Satu Bcc: x@example.com Dua"
    )


def test_undefined_variable_is_an_error(tmp_path: Path) -> None:
    env = write_templates(tmp_path, "s", "{{ hilang }}", "", "")
    with pytest.raises(UndefinedError):
        render_message("s", {}, env=env)


def test_text_templates_leave_no_blank_lines_for_block_tags(tmp_path: Path) -> None:
    env = write_templates(
        tmp_path,
        "s",
        "x",
        "Baris 1\n{% if tampil %}\n  {% if true %}\nBaris 2\n  {% endif %}\n{% endif %}\nBaris 3\n",
        "",
    )
    assert render_message("s", {"tampil": True}, env=env).text == "Baris 1\nBaris 2\nBaris 3\n"


def test_templates_from_strings_are_escaped() -> None:
    assert make_environment().from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"


def test_the_default_environment_is_one_shared_instance_over_the_project_templates() -> None:
    assert environment() is environment()
    assert TEMPLATES_DIR == Path(__file__).resolve().parents[1] / "templates"
    assert "email/_base.html" in environment().list_templates()


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("Asia/Jakarta", "Senin, 23 November 2026 14.05 WIB"),
        ("Asia/Pontianak", "Senin, 23 November 2026 14.05 WIB"),
        ("Asia/Makassar", "Senin, 23 November 2026 15.05 WITA"),
        ("Asia/Jayapura", "Senin, 23 November 2026 16.05 WIT"),
        ("UTC", "Senin, 23 November 2026 07.05 UTC"),
    ],
)
def test_tanggal_uses_the_context_timezone(zone: str, expected: str) -> None:
    template = make_environment().from_string("{{ t | tanggal }}")
    assert template.render(t=MOMENT, timezone=zone) == expected
    assert template.render(t=MOMENT, timezone=ZoneInfo(zone)) == expected


def test_tanggal_defaults_to_wib_and_accepts_an_explicit_zone() -> None:
    env = make_environment()
    assert env.from_string("{{ t | tanggal }}").render(t=MOMENT) == "Senin, 23 November 2026 14.05 WIB"
    assert env.from_string("{{ t | tanggal('Asia/Jayapura') }}").render(
        t=MOMENT, timezone="Asia/Jakarta"
    ) == ("Senin, 23 November 2026 16.05 WIT")
    new_year = datetime(2026, 12, 31, 17, 30, tzinfo=UTC)  # already 1 January in WIB
    assert env.from_string("{{ t | tanggal }}").render(t=new_year) == "Jumat, 1 Januari 2027 00.30 WIB"


def test_tanggal_pendek_and_missing_values() -> None:
    env = make_environment()
    assert env.from_string("{{ t | tanggal_pendek }}").render(t=MOMENT) == "23/11/2026 14.05"
    assert env.from_string("{{ t | tanggal_pendek }}").render(t=MOMENT, timezone="Asia/Makassar") == (
        "23/11/2026 15.05"
    )
    assert env.from_string("{{ t | tanggal }}|{{ t | tanggal_pendek }}").render(t=None) == "-|-"


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        make_environment().from_string("{{ t | tanggal }}").render(t=datetime(2026, 11, 23, 14, 5))


def test_tanggal_converts_from_any_offset() -> None:
    wita_input = datetime(2026, 11, 23, 15, 5, tzinfo=timezone(timedelta(hours=8)))
    assert make_environment().from_string("{{ t | tanggal }}").render(t=wita_input) == (
        "Senin, 23 November 2026 14.05 WIB"
    )


@pytest.mark.parametrize(
    ("delta", "expected"),
    [
        (timedelta(hours=1, minutes=5), "1 jam 5 menit"),
        (timedelta(days=2, hours=3, minutes=59), "2 hari 3 jam"),
        (timedelta(days=2, minutes=5), "2 hari 5 menit"),
        (timedelta(days=1), "1 hari"),
        (timedelta(minutes=15, seconds=59), "15 menit"),
        (timedelta(seconds=30), "kurang dari 1 menit"),
        (timedelta(0), "kurang dari 1 menit"),
        (-timedelta(hours=2), "-2 jam"),
        (None, "-"),
    ],
)
def test_durasi(delta: timedelta | None, expected: str) -> None:
    assert durasi(delta) == expected


def test_base_layout_wraps_content_and_warns_about_personal_data() -> None:
    child = make_environment().from_string(
        '{% extends "email/_base.html" %}{% block content %}<p>{{ isi }}</p>{% endblock %}'
    )
    html = child.render(agency_name="Kesbangpol <Kota> Contoh", isi="Laporan & tindak lanjut")

    assert '<html lang="id">' in html
    assert "Kesbangpol &lt;Kota&gt; Contoh" in html
    assert "<p>Laporan &amp; tindak lanjut</p>" in html
    assert "dikirim secara otomatis oleh Cakra" in html
    assert "Undang-Undang Nomor 27 Tahun 2022" in html and "Pelindungan Data Pribadi" in html
    assert "Jangan meneruskan" in html
    assert "<style" not in html  # inline styles only: many mail clients drop <style> blocks


def test_base_layout_needs_agency_name() -> None:
    child = make_environment().from_string('{% extends "email/_base.html" %}')
    with pytest.raises(UndefinedError):
        child.render()


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{ 8.333|persen }}", "8,3 %"),
        ("{{ 100.0|persen }}", "100 %"),
        ("{{ none|persen }}", "-"),
        ("{{ 3000|angka }}", "3.000"),
        ("{{ 12345.61|angka }}", "12.345,6"),
        ("{{ 3.0|angka }}", "3"),
    ],
)
def test_numbers_are_written_the_indonesian_way(template: str, expected: str) -> None:
    assert environment().from_string(template).render() == expected


def test_charts_are_drawn_at_twice_their_display_width_with_indonesian_numbers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import struct

    import matplotlib.pyplot as plt

    from cakra.notify import charts

    drawn: list[str] = []
    original = plt.Axes.text

    def keep(self, x, y, s, *args, **kwargs):  # the real Axes.text; records what the chart writes
        drawn.append(s)
        return original(self, x, y, s, *args, **kwargs)

    monkeypatch.setattr(plt.Axes, "text", keep)
    png = charts.bar_chart("SLA", ["2. Operator", "3. Kasubbid"], [8.3, 100.0], unit=" %")
    width, _ = struct.unpack(">II", png[16:24])
    assert width == 2 * charts.DISPLAY_PX
    assert [s.strip() for s in drawn] == ["8,3 %", "100 %"]
    columns = charts.stacked_columns("Per minggu", ["28/09", "05/10"], {"A": [1, 2], "B": [0, 3]})
    assert struct.unpack(">II", columns[16:24])[0] == 2 * charts.DISPLAY_PX
