"""Dexcom Clarity exports in other languages (issue 20).

German: the header line of the example export the R package aidR ships
(``inst/extdata/dexcom_clarity_example.csv``, shown in its Dexcom Clarity vignette; GPL-3: the
header names and the layout were read, the fixture rows below are written here): ``;``-separated,
every cell quoted, 14 columns, metadata rows (first name, device, alerts) with an empty timestamp
and 13 cells, readings with ``EGV`` in the event-type column (aidR's rule in every language).
``Hoch``/``Niedrig``: the High/Low text a public pipeline reading German Clarity exports drops.
Spanish: the column names and the readings' event type of the public readers of the HUPA-UCM
data set (``Marca temporal (AAAA-MM-DDThh:mm:ss)``, ``Tipo de evento``, ``Nivel de glucosa
(mg/dl)``, ``Niveles estimados de glucosa``); only those columns are written [A: the rest of the
Spanish header is not known]. Italian: the column names public scripts reading Italian exports
use; refused in one line (no public source names the readings' event type).
"""

from __future__ import annotations

from datetime import datetime

import pytest

from endolab.cgm.readers import describe_file, detect_format, read_cgm, read_treatments
from endolab.errors import DataFileError

DE_HEADER = (
    '"Index";"Zeitstempel (JJJJ-MM-TTThh:mm:ss)";"Ereignisart";"Ereignis-Unterart";'
    '"Patienten-Info";"Geräteinfo";"Quellengerät-ID";"Glukosewert (mg/dL)";"Insulinwert (E)";'
    '"Kohlenh.-Wert (Gramm)";"Dauer (hh:mm:ss)";"Glukose-Änderungsgeschwindigkeit (mg/dL/min)";'
    '"Transmitterzeit (Lange Ganzzahl)";"Transmitter-ID"'
)


def _quoted(cells: list[str]) -> str:
    return ";".join(f'"{c}"' for c in cells)


def _german(
    unit: str = "mg/dL", values: tuple[str, ...] = ("120", "Hoch", "Niedrig", "95")
) -> bytes:
    header = DE_HEADER.replace("Glukosewert (mg/dL)", f"Glukosewert ({unit})")
    lines = [
        header,
        _quoted(["1", "", "Vorname", "", "XXX", "", "", "", "", "", "", "", ""]),
        _quoted(["4", "", "Gerät", "", "", "Dexcom G7", "iOS G7", "", "", "", "", "", ""]),
        _quoted(["7", "", "Warnung", "Hoch", "", "", "iOS G7", "160", "", "", "", "", ""]),
    ]
    for i, value in enumerate(values):
        when = f"2025-07-04T00:{5 * i:02d}:41"
        lines.append(
            _quoted(
                [str(13 + i), when, "EGV", "", "", "", "iOS G7", value, "", "", "", "", "1", "X"]
            )
        )
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_german_clarity_round_trip() -> None:
    data = _german()
    assert detect_format(data, name="P01.csv") == "dexcom"
    frame = read_cgm(data, name="P01.csv")
    # four EGV rows; the alert row's 160 (empty timestamp, "Warnung") is not a reading
    assert frame.height == 4
    assert frame["time"].to_list()[0] == datetime(2025, 7, 4, 0, 0, 41)
    assert frame["time"].to_list()[-1] == datetime(2025, 7, 4, 0, 15, 41)
    # Hoch / Niedrig kept as censored High / Low (401 / 39 mg/dL, as English High / Low)
    assert frame["gl"].to_list() == [120.0, 401.0, 39.0, 95.0]
    assert frame["censored"].to_list() == [0, 1, -1, 0]
    info = describe_file(data, name="P01.csv")
    assert (info.format, info.unit, info.n_high, info.n_low) == ("dexcom", "mg/dL", 1, 1)
    assert info.variant == "G7, de"  # the "Gerät" row names the system; the export language
    assert info.label == "Dexcom Clarity CSV (G7, de)"


def test_german_clarity_mmol_decimal_commas() -> None:
    # a German mmol/L export writes decimal commas: 5,8 mmol/L and 10,0 mmol/L
    frame = read_cgm(_german("mmol/L", ("5,8", "10,0")), name="P02.csv")
    assert frame.height == 2
    assert frame["mmol_l"].to_list() == [True, True]
    # mmol/L x GLUCOSE_MG_DL_PER_MMOL_L (18, the frame's conversion): 5.8 → 104.4, 10.0 → 180.0
    assert frame["gl"].to_list() == pytest.approx([104.4, 180.0])
    assert describe_file(_german("mmol/L", ("5,8", "10,0")), name="P02.csv").unit == "mmol/L"


def test_spanish_clarity_readings_by_their_event_type() -> None:
    header = "Index,Marca temporal (AAAA-MM-DDThh:mm:ss),Tipo de evento,Nivel de glucosa (mg/dl)"
    rows = [
        "1,2024-02-01T08:00:00,Niveles estimados de glucosa,110",
        "2,2024-02-01T08:02:00,Calibración,104",  # [A] a calibration: another event type
        "3,2024-02-01T08:05:00,Niveles estimados de glucosa,115",
    ]
    data = ("\n".join([header, *rows]) + "\n").encode()
    assert detect_format(data, name="es.csv") == "dexcom"
    frame = read_cgm(data, name="es.csv")
    assert frame["gl"].to_list() == [110.0, 115.0]
    assert frame["time"].to_list() == [datetime(2024, 2, 1, 8, 0), datetime(2024, 2, 1, 8, 5)]


def test_italian_and_unknown_clarity_refused_in_one_line() -> None:
    italian = (
        b"Indice;Data e ora (AAAA-MM-GGThh:mm:ss);Tipo di evento;Sottotipo di evento;"
        b"Valore del glucosio (mg/dL)\n1;2025-12-01T00:00:00;x;;100\n"
    )
    assert detect_format(italian, name="it.csv") == "dexcom"
    with pytest.raises(DataFileError, match=r"a Dexcom Clarity export in Italian: .*English") as e:
        read_cgm(italian, name="it.csv")
    assert "\n" not in str(e.value) and "row 1:" in str(e.value)
    # a date pattern in brackets of a language endolab does not know
    other = "Index;Tidsstempel (ÅÅÅÅ-MM-DDTtt:mm:ss)\n".encode()
    assert detect_format(other, name="x.csv") == "generic"  # not the hh:mm:ss pattern
    other = "Index;Tijdstempel (JJJJ-MM-DDThh:mm:ss);Gebeurtenis;Glucose (mg/dL)\n1;x;y;100\n"
    with pytest.raises(DataFileError, match=r"in a language endolab does not know"):
        read_cgm(other.encode(), name="nl.csv")


def test_german_clarity_treatments_refused() -> None:
    with pytest.raises(DataFileError, match=r"Clarity export in German are not read"):
        read_treatments(_german(), names=["P01.csv"])
