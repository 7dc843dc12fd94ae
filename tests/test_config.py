"""Configuration: defaults merged with the user's file, validated, every key documented."""

from __future__ import annotations

from pathlib import Path

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
    assert config.sheets["backend"] == "local"


def test_user_values_override_defaults_and_paths_resolve_against_the_config(tmp_path: Path) -> None:
    config = build_config(
        {"sheets": {"workbook": "data/x.xlsx"}, "serve": {"poll_seconds": 30}}, tmp_path / "c.toml"
    )
    assert config.sheets["workbook"] == str(tmp_path / "data" / "x.xlsx")
    assert config.serve["poll_seconds"] == 30 and config.serve["report_time"] == "07:00"
    assert config.sheets["status_tab"] == "Status Kasus"


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
