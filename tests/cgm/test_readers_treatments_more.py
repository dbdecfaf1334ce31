"""Insulin and carbohydrates the readers did not read before (issue 20): LibreView exports in
German, French, Dutch and Spanish.

Headers: the German, French and Dutch headers of tests/cgm/test_readers_vendors.py (each with its
public source named there); Spanish, the column names public readers of Spanish exports use
(libre.TREATMENT_MAP names them). Rows written by hand; amounts checked against the cells.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from endolab.cgm.readers import insulin_daily_totals, read_treatments
from endolab.cgm.readers.libre import TREATMENT_MAP
from endolab.errors import DataFileError
from tests.cgm.test_readers_vendors import DE_HEADER, ES_HEADER, FR_HEADER, IT_HEADER, NL_HEADER


def _export(header: str, cells: list[dict[str, str]], sep: str = ",") -> bytes:
    names = header.split(",")
    lines = ["Banner,x", sep.join(names)]
    for row in cells:
        lines.append(sep.join(row.get(n, "") for n in names))
    return ("\n".join(lines) + "\n").encode("utf-8")


@pytest.mark.parametrize(
    ("language", "header", "time_col", "rapid", "long", "grams"),
    [
        (
            "de",
            DE_HEADER,
            "Gerätezeitstempel",
            "Schnellwirkendes Insulin (Einheiten)",
            "Depotinsulin (Einheiten)",
            "Kohlenhydrate (Gramm)",
        ),
        (
            "fr",
            FR_HEADER,
            "Horodatage de l'appareil",
            "Insuline à action rapide (unités)",
            "Insuline à action longue (unités)",
            "Glucides (grammes)",
        ),
        (
            "nl",
            NL_HEADER,
            "Tijdstempel apparaat",
            "Snelwerkende insuline (eenheden)",
            "Langwerkende insuline (eenheden)",
            "Koolhydraten (gram)",
        ),
        (
            "es",
            ES_HEADER + ",Insulina de acción rápida (unidades),Carbohidratos (gramos),"
            "Insulina de acción larga (unidades)",
            "Sello de tiempo del dispositivo",
            "Insulina de acción rápida (unidades)",
            "Insulina de acción larga (unidades)",
            "Carbohidratos (gramos)",
        ),
    ],
)
def test_libre_insulin_and_carbs_in_other_languages(
    language: str, header: str, time_col: str, rapid: str, long: str, grams: str
) -> None:
    assert {rapid, long, grams} <= set(TREATMENT_MAP[language])
    rows = [
        {time_col: "13-03-2024 07:30", rapid: "4.5", grams: "45"},
        {time_col: "13-03-2024 22:00", long: "12"},
        {time_col: "14-03-2024 07:40", rapid: "3", grams: "0"},  # 0 g: no carbs row
    ]
    data = _export(header, [{"Gerät": "L", **r} for r in rows])
    t = read_treatments(data, names=[f"{language}.csv"])
    assert t.select("kind", "insulin_u", "carbs_g").rows() == [
        ("bolus", 4.5, None),
        ("carbs", None, 45.0),
        ("long_acting", 12.0, None),
        ("bolus", 3.0, None),
    ]
    assert t["time"][0] == datetime(2024, 3, 13, 7, 30)  # 13-03: day first
    # 13 March: 4.5 + 12 = 16.5 U; 14 March: 3 U
    totals = insulin_daily_totals(t)
    assert totals["total_units"].to_list() == [16.5, 3.0]


def test_libre_german_servings_without_grams_refused() -> None:
    rows = [{"Gerätezeitstempel": "13.03.2024 07:30", "Kohlenhydrate (Portionen)": "2"}]
    with pytest.raises(DataFileError, match=r"row 3.*servings"):
        read_treatments(_export(DE_HEADER, rows), names=["de.csv"])


def test_libre_italian_has_no_known_insulin_columns() -> None:
    rows = [{"Timestamp del dispositivo": "25-01-2024 08:00", "Tipo di registrazione": "0"}]
    with pytest.raises(DataFileError, match=r"LibreView \(it\).*en, de, fr, nl, es"):
        read_treatments(_export(IT_HEADER, rows), names=["it.csv"])
