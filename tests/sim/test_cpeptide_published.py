"""The published C-peptide values the graft is calibrated and checked against (data file checks).

``src/endolab/sim/data/cpeptide_published.csv`` is read by validation/cpeptide_calibration.py;
these checks hold each row to the project's source rules and check each transcribed number
against the source's own words quoted in the row (docs/methods/sim.md §6).
"""

from __future__ import annotations

import csv
import re
from importlib import resources

import pytest

COLUMNS = [
    "source",
    "doi_or_url",
    "location",
    "population",
    "n",
    "statistic",
    "day",
    "measure",
    "value_pmol_l",
    "use",
    "evidence",
    "note",
]


def _rows() -> list[dict[str, str]]:
    path = resources.files("endolab.sim") / "data" / "cpeptide_published.csv"
    with path.open(encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == COLUMNS
        return list(reader)


ROWS = _rows()


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r['source'][:20]}-{r['day']}-{r['measure']}")
def test_every_row_names_its_source_population_statistic_and_evidence(row: dict[str, str]) -> None:
    assert row["source"] and row["location"] and row["population"] and row["statistic"]
    assert re.fullmatch(r"doi:10\.\d{4,9}/\S+|https://\S+", row["doi_or_url"])
    assert int(row["n"]) >= 1
    assert float(row["value_pmol_l"]) > 0
    assert row["measure"] in {"fasting", "mmtt_peak", "mmtt_increment"}
    assert row["use"] in {"target", "check", "shown"}
    assert row["evidence"].split(":")[0] in {"V", "U"}
    if row["use"] != "shown":
        assert row["day"] in {"90", "180", "365"}  # a scored value belongs to one visit day


def test_an_unverified_value_is_never_fitted() -> None:
    # docs/methods/index.md §1: a [U] number is never relied on; the fit uses only [V] rows
    for row in ROWS:
        if row["evidence"].startswith("U"):
            assert row["use"] != "target"


def test_each_value_is_the_sources_own_number_converted_to_pmol_per_litre() -> None:
    # hand conversion of the number quoted from the source in each row's note:
    # 1 nmol/L = 1,000 pmol/L (0.33 nmol/L → 330; 0.97 → 970; 0.76 → 760); pmol/L as quoted
    # ('1,036 pmol/L' → 1036)
    expected = {
        ("365", "fasting", "dc22-1155"): 0.33 * 1000,
        ("365", "mmtt_peak", "dc22-1155"): 0.97 * 1000,
        ("", "mmtt_increment", "diabetes.54.7.2060"): 0.76 * 1000,
        ("90", "mmtt_peak", "NEJMoa2506549"): 424.0,
        ("180", "mmtt_peak", "NEJMoa2506549"): 1036.0,
        ("365", "mmtt_peak", "NEJMoa2506549"): 1274.0,
        ("90", "mmtt_peak", "investors.vrtx.com"): 560.0,
    }
    seen = set()
    for row in ROWS:
        key = next(k for k in expected if (k[0], k[1]) == (row["day"], row["measure"])
                   and k[2] in row["doi_or_url"])  # fmt: skip
        seen.add(key)
        assert float(row["value_pmol_l"]) == pytest.approx(expected[key])
        quoted = re.search(r"(\d[\d,]*(?:\.\d+)?) (nmol|pmol)/L", row["note"])
        assert quoted is not None, row["note"]
        number = float(quoted.group(1).replace(",", ""))
        factor = 1000.0 if quoted.group(2) == "nmol" else 1.0
        assert number * factor == pytest.approx(float(row["value_pmol_l"]))
    assert seen == set(expected)


def test_the_mmtt_peak_is_scored_at_days_90_180_and_365() -> None:
    scored = {r["day"] for r in ROWS if r["measure"] == "mmtt_peak" and r["use"] != "shown"}
    assert scored == {"90", "180", "365"}
