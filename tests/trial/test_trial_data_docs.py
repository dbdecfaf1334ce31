"""docs/trial-data.md against the reader's schema (issue 13): the page a newcomer builds a dataset from.

Every column the reader knows is documented with its type, whether it is required and its unit;
nothing is documented that the reader does not know; every accepted code is listed; the example of
each file on the page is a valid dataset; no page points outside the repository.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from endolab.trial import plausibility
from endolab.trial.dataset import (
    COLUMN_NOTES,
    ENUMS,
    FILES,
    LAB_TESTS,
    check_dataset,
    columns_markdown,
    template_readme,
    write_template,
)

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "trial-data.md"
KINDS = {"text": "text", "number": "number", "date": "date", "datetime": "date-time"}


def _sections(text: str) -> dict[str, str]:
    parts = re.split(r"^## ", text, flags=re.M)
    return {p.split("\n", 1)[0].strip(): p for p in parts[1:]}


def _column_rows(section: str) -> dict[str, list[str]]:
    """The rows of the table whose header starts with ``| column |``."""
    rows: dict[str, list[str]] = {}
    in_table = False
    for line in section.splitlines():
        if line.startswith("| column |"):
            in_table = True
            continue
        if in_table and line.startswith("|---"):
            continue
        if in_table and line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            rows[cells[0]] = cells
        elif in_table:
            break
    return rows


SECTIONS = _sections(PAGE.read_text(encoding="utf-8"))


@pytest.mark.parametrize("table", list(FILES))
def test_every_column_documented_and_nothing_unknown(table: str) -> None:
    assert table in SECTIONS, f"docs/trial-data.md has no section '## {table}'"
    documented = _column_rows(SECTIONS[table])
    known = {c.name: c for c in FILES[table]}
    assert set(documented) == set(known), (
        f"{table}: undocumented {sorted(set(known) - set(documented))}, "
        f"unknown to the reader {sorted(set(documented) - set(known))}"
    )
    for name, (_, kind, required, unit, _meaning) in documented.items():
        col = known[name]
        assert kind == KINDS[col.kind], (table, name, kind)
        assert required == ("yes" if col.required else "no"), (table, name, required)
        assert unit == COLUMN_NOTES[(table, name)][0], (table, name, unit)


@pytest.mark.parametrize("table", list(FILES))
def test_the_column_table_on_the_page_is_the_schema(table: str) -> None:
    # the page's column table is the declaration of endolab.trial.dataset.schema, cell for cell
    # (type, required, unit and meaning): one source for the reader, the template and the page
    assert columns_markdown(table) in SECTIONS[table], (
        f"docs/trial-data.md '## {table}' differs from the schema; it should read:\n"
        + columns_markdown(table)
    )


def test_every_code_and_lab_unit_is_listed() -> None:
    text = PAGE.read_text(encoding="utf-8")
    for (_table, _column), codes in ENUMS.items():
        for code in codes:
            assert f"`{code}`" in text, code
    for test, unit in LAB_TESTS.items():
        assert re.search(rf"\| `{test}` \|[^\n]*\| {re.escape(unit)} \|", text), test


def test_every_plausibility_threshold_is_stated() -> None:
    text = PAGE.read_text(encoding="utf-8")
    for _table, _column, low, high, unit in plausibility.RANGES:
        assert f"{low:g}–{high:,.0f} {unit}" in text, (low, high, unit)
    assert f"below {plausibility.CGM_MEDIAN_MMOL_L_BELOW:g} mg/dL" in text
    assert f"below {plausibility.HBA1C_FRACTION_BELOW:g}" in text
    assert f"above {plausibility.HBA1C_IFCC_FROM:g}" in text
    assert f"below {plausibility.CPEP_PMOL_L_SUSPECT_BELOW:g} pmol/L" in text
    assert f"weight {plausibility.WEIGHT_RATIO_SUSPECT:g} × the dataset's median weight" in text


def test_the_examples_on_the_page_are_a_valid_dataset(tmp_path: Path) -> None:
    text = PAGE.read_text(encoding="utf-8")
    for table in FILES:
        match = re.search(rf"`{table}\.csv`\n\n```\n(.*?)```", text, flags=re.S)
        assert match, f"no example of {table}.csv"
        (tmp_path / f"{table}.csv").write_text(match.group(1), encoding="utf-8")
    result = check_dataset(tmp_path)
    assert result.ok, [str(e) for e in result.errors]
    assert result.warnings == ()


def test_template_is_well_formed_but_has_no_data_and_its_readme_names_every_column(
    tmp_path: Path,
) -> None:
    # issue 18: the empty template passed `validate` and then `analyze` died with a KeyError;
    # its only problem is now that it has no participants
    target = write_template(tmp_path / "t")
    errors = check_dataset(target).errors
    assert [(e.code, e.file) for e in errors] == [("E_NO_PARTICIPANTS", "participants.csv")]
    assert "no participants" in str(errors[0])
    readme = (target / "README.md").read_text(encoding="utf-8")
    assert readme == template_readme()
    for table, columns in FILES.items():
        assert f"## {table}.csv" in readme
        for col in columns:
            assert f"- {col.name} (" in readme


def test_no_page_points_outside_the_repository() -> None:
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for needle in ("specs/", "../shared", "/work/shared"):
            assert needle not in text, f"{page.name} points outside the repository: {needle}"
