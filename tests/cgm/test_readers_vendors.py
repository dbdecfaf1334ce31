"""The vendor readers of issue 20: LibreView in six languages, Medtronic CareLink, Nightscout and
Tidepool JSON, ``detect_format`` / ``describe_file`` and ``endolab cgm detect``.

Every fixture is written here by hand; its header line reproduces the vendor's, with the source
named beside it. Each test checks the values read against the values written in the file
(counts, first/last time, censored readings, unit), worked out by hand in the comments.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from endolab.cgm.readers import (
    describe_file,
    detect_format,
    insulin_daily_totals,
    read_cgm,
    read_treatments,
    write_insulin_csv,
)
from endolab.cgm.readers.libre import VARIABLE_MAP, header_key
from endolab.cli import app
from endolab.errors import DataFileError, InputError

runner = CliRunner()

# ------------------------------------------------------------------------------- LibreView

#: German LibreView header: the 18 first columns as in a public LibreView test fixture
#: (a Django test writing "Gerät,Seriennummer,Gerätezeitstempel,…", found with the code search;
#: the same names appear in several public parsers of German exports).
DE_HEADER = (
    "Gerät,Seriennummer,Gerätezeitstempel,Aufzeichnungstyp,Glukosewert-Verlauf mg/dL,"
    "Glukose-Scan mg/dL,Nicht numerisches schnellwirkendes Insulin,Schnellwirkendes Insulin "
    "(Einheiten),Nicht numerische Nahrungsdaten,Kohlenhydrate (Gramm),Kohlenhydrate (Portionen),"
    "Nicht numerisches Depotinsulin,Depotinsulin (Einheiten),Notizen,Glukose-Teststreifen mg/dL,"
    "Keton mmol/L,Mahlzeiteninsulin (Einheiten),Korrekturinsulin (Einheiten)"
)
#: Dutch header (mmol/l), as written by a public LibreView converter (found with the code search).
NL_HEADER = (
    "Apparaat,Serienummer,Tijdstempel apparaat,Gegevenstype,Historische glucose mmol/l,"
    "Scan Glucose mmol/l,Niet-numerieke snelwerkende insuline,Snelwerkende insuline (eenheden),"
    "Niet-numeriek voedsel,Koolhydraten (gram),Koolhydraten (porties),Niet-numerieke "
    "langwerkende insuline,Langwerkende insuline (eenheden),Notities,Strip Glucose mmol/l"
)
#: Spanish header, as in public test fixtures of LibreView readers (code search).
ES_HEADER = (
    "Dispositivo,Número de serie,Sello de tiempo del dispositivo,Tipo de registro,"
    "Historial de glucosa mg/dL,Escaneo de glucosa mg/dL"
)


def _libre(header: str, rows: list[str], banner: str = "Report,Generated on,x") -> bytes:
    return ("\n".join([banner, header, *rows]) + "\n").encode("utf-8")


def test_libre_german_mg_dl_keeps_lo_and_hi_and_skips_scans() -> None:
    n = DE_HEADER.count(",") + 1
    pad = "," * (n - 5)

    def row(t: str, kind: int, hist: str = "", scan: str = "") -> str:
        return f"FreeStyle Libre 2,X1,{t},{kind},{hist},{scan}" + pad[1:]

    data = _libre(
        DE_HEADER,
        [
            row("13.03.2024 07:05", 0, "120"),
            row("13.03.2024 07:20", 0, "LO"),
            row("13.03.2024 07:27", 1, scan="101"),  # a scan: skipped by default
            row("13.03.2024 07:35", 0, "HI"),
            row("13.03.2024 07:50", 0, "98"),
        ],
    )
    assert detect_format(data, name="p.csv") == "libre"
    frame = read_cgm(data, name="p.csv")
    # four historic readings (type 0): 120, LO (39, censored −1), HI (401, +1), 98
    assert frame.height == 4
    assert frame["gl"].to_list() == [120.0, 39.0, 401.0, 98.0]
    assert frame["censored"].to_list() == [0, -1, 1, 0]
    assert frame["time"][0] == datetime(2024, 3, 13, 7, 5)  # 13.03: day first (13 > 12)
    assert frame["time"][-1] == datetime(2024, 3, 13, 7, 50)
    assert "mmol_l" not in frame.columns
    found = describe_file(data, name="p.csv")
    assert (found.format, found.variant, found.unit) == ("libre", "de", "mg/dL")
    assert (found.n_readings, found.n_low, found.n_high) == (4, 1, 1)


def test_libre_dutch_mmol_l_with_decimal_commas() -> None:
    pad = "," * (NL_HEADER.count(",") - 5)
    data = _libre(
        NL_HEADER,
        [
            f'FreeStyle Libre 1,Y2,13-02-2024 23:50,0,"5,6",{pad}',
            f'FreeStyle Libre 1,Y2,14-02-2024 00:05,0,"10,0",{pad}',
        ],
    )
    frame = read_cgm(data, name="nl.csv")
    # 5,6 and 10,0 mmol/L × 18 = 100.8 and 180.0 mg/dL, measured in mmol/L
    assert frame["gl"].to_list() == pytest.approx([100.8, 180.0])
    assert frame["mmol_l"].to_list() == [True, True]
    # 13-02 and 14-02: first field > 12, so day first; the night crosses midnight
    assert frame["time"].to_list() == [datetime(2024, 2, 13, 23, 50), datetime(2024, 2, 14, 0, 5)]
    assert describe_file(data, name="nl.csv").variant == "nl"


def test_libre_spanish_header() -> None:
    data = _libre(ES_HEADER, ["FreeStyle LibreLink,,25-01-2024 08:00,0,150,"])
    frame = read_cgm(data, name="es.csv")
    assert frame["gl"].to_list() == [150.0]
    assert frame["time"].to_list() == [datetime(2024, 1, 25, 8, 0)]
    assert describe_file(data, name="es.csv").variant == "es"


#: French header: the 19 columns of a French export in order, as listed by a public pandera schema
#: that validates French LibreView exports (code search); "Horodatage de l'appareil" and
#: "Historique de la glycémie mg/dL" are also read by two other public readers of French exports.
FR_HEADER = (
    "Appareil,Numéro de série,Horodatage de l'appareil,Type d'enregistrement,"
    "Historique de la glycémie mg/dL,Numérisation de la glycémie mg/dL,"
    "Insuline à action rapide sans valeur numérique,Insuline à action rapide (unités),"
    "Alimentation sans valeur numérique,Glucides (grammes),Glucides (portions),"
    "Insuline à action longue sans valeur numérique,Insuline à action longue (unités),Remarques,"
    "Glycémie par bandelette mg/dL,Cétone mmol/L,Insuline repas (unités),"
    "Correction insuline (unités),Insuline modifiée par l'utilisateur (unités)"
)
#: Italian header: "Dispositivo", "Timestamp del dispositivo" and "Storico del glucosio mg/dL" as
#: four public scripts reading Italian exports name them (code search). [A] The other names are
#: not confirmed by a public source: "Numero di serie" and "Tipo di registrazione" stand in
#: (the reader takes the column after the timestamp as the record type).
IT_HEADER = (
    "Dispositivo,Numero di serie,Timestamp del dispositivo,Tipo di registrazione,"
    "Storico del glucosio mg/dL"
)


def test_libre_french_export_header() -> None:
    pad = "," * (FR_HEADER.count(",") - 5)
    data = _libre(
        FR_HEADER,
        [
            f"FreeStyle LibreLink,A1,14-02-2024 08:00,0,95,{pad}",
            f"FreeStyle LibreLink,A1,14-02-2024 08:10,1,,101{pad}",  # a scan: skipped
            f"FreeStyle LibreLink,A1,14-02-2024 08:15,0,LO,{pad}",
            f"FreeStyle LibreLink,A1,14-02-2024 08:30,0,HI,{pad}",
        ],
    )
    frame = read_cgm(data, name="fr.csv")
    # three historic rows (type 0): 95 mg/dL, LO → 39 censored −1, HI → 401 censored +1
    assert frame["gl"].to_list() == [95.0, 39.0, 401.0]
    assert frame["censored"].to_list() == [0, -1, 1]
    # 14-02: first field > 12, so day first
    assert frame["time"][0] == datetime(2024, 2, 14, 8, 0)
    assert frame["time"][-1] == datetime(2024, 2, 14, 8, 30)
    found = describe_file(data, name="fr.csv")
    assert (found.format, found.variant, found.unit) == ("libre", "fr", "mg/dL")
    assert (found.n_readings, found.n_low, found.n_high) == (3, 1, 1)
    scans = read_cgm(data, name="fr.csv", include_scans=True)
    assert scans["gl"].to_list() == [95.0, 101.0, 39.0, 401.0]  # the scan's 101 mg/dL joins


def test_libre_italian_export_header() -> None:
    data = _libre(
        IT_HEADER,
        [
            "FreeStyle Libre 2,B2,25-01-2024 23:45,0,180",
            "FreeStyle Libre 2,B2,25-01-2024 23:50,6,",  # a note (type 6): skipped
            "FreeStyle Libre 2,B2,26-01-2024 00:00,0,170",
        ],
    )
    frame = read_cgm(data, name="it.csv")
    assert frame["gl"].to_list() == [180.0, 170.0]
    assert frame["time"].to_list() == [datetime(2024, 1, 25, 23, 45), datetime(2024, 1, 26, 0, 0)]
    found = describe_file(data, name="it.csv")
    assert (found.format, found.variant, found.unit) == ("libre", "it", "mg/dL")
    assert found.n_readings == 2


def test_libre_record_type_found_after_the_timestamp() -> None:
    # [A] an Italian header whose record-type column has another name: the column after the
    # timestamp is the record type, so the type-1 row is skipped and the type-0 row kept
    header = "Dispositivo,Numero di serie,Timestamp del dispositivo,Tipo,Storico del glucosio mg/dL"
    data = _libre(header, ["L,1,25/01/2024 08:00,0,150", "L,1,25/01/2024 08:05,1,99"])
    assert read_cgm(data, name="x.csv")["gl"].to_list() == [150.0]
    assert [k for k, v in VARIABLE_MAP["it"].items() if v == "time"] == [
        "Timestamp del dispositivo"
    ]


def test_header_key_ignores_accents_case_and_punctuation() -> None:
    assert header_key("Gerätezeitstempel") == header_key("GERATEZEITSTEMPEL")
    assert header_key("Horodatage de l'appareil") == "horodatagedelappareil"


def test_libre_bad_value_names_the_line() -> None:
    data = _libre(ES_HEADER, ["L,,25-01-2024 08:00,0,150,", "L,,25-01-2024 08:15,0,abc,"])
    with pytest.raises(DataFileError) as caught:
        read_cgm(data, name="es.csv")
    assert "row 4" in str(caught.value)  # banner = line 1, header = line 2, readings 3 and 4


# ---------------------------------------------------------------------------- Dexcom Clarity

#: The Clarity header (G6 and G7 exports share it), as in public Clarity reader fixtures (code
#: search); the unit follows in brackets.
CLARITY_HEADER = (
    "Index,Timestamp (YYYY-MM-DDThh:mm:ss),Event Type,Event Subtype,Patient Info,Device Info,"
    "Source Device ID,Glucose Value ({u}),Insulin Value (u),Carb Value (grams),"
    "Duration (hh:mm:ss),Glucose Rate of Change ({u}/min),Transmitter Time (Long Integer),"
    "Transmitter ID"
)


def test_clarity_g7_mmol_l_with_low_high_and_events() -> None:
    lines = [
        CLARITY_HEADER.format(u="mmol/L"),
        "1,,FirstName,,Ada,,,,,,,,,",
        "2,,Device,,,Dexcom G7 Mobile App,iPhone G7,,,,,,,",
        "3,,Alert,High,,,iPhone G7,11.1,,,,,,",  # an alert threshold, not a reading
        "4,2024-05-01T08:00:00,EGV,,,,iPhone G7,6.2,,,,0.1,,X1",
        "5,2024-05-01T08:05:00,EGV,,,,iPhone G7,Low,,,,,,X1",
        "6,2024-05-01T08:10:00,Carbs,,,,iPhone G7,,,45,,,,",
        "7,2024-05-01T08:12:00,Insulin,Fast-Acting,,,iPhone G7,,4.5,,,,,",
        "8,2024-05-01T08:15:00,EGV,,,,iPhone G7,High,,,,,,X1",
        "9,2024-05-01T08:20:00,EGV,,,,iPhone G7,13.9,,,,,,X1",
    ]
    data = ("\n".join(lines) + "\n").encode()
    frame = read_cgm(data, name="g7.csv")
    # EGV rows only: 6.2 × 18 = 111.6, Low (39, −1), High (401, +1), 13.9 × 18 = 250.2
    assert frame["gl"].to_list() == pytest.approx([111.6, 39.0, 401.0, 250.2])
    assert frame["censored"].to_list() == [0, -1, 1, 0]
    assert frame["time"][0] == datetime(2024, 5, 1, 8, 0)
    assert frame["time"][-1] == datetime(2024, 5, 1, 8, 20)
    found = describe_file(data, name="g7.csv")
    assert (found.format, found.variant, found.unit) == ("dexcom", "G7", "mmol/L")
    assert (found.n_readings, found.n_low, found.n_high) == (4, 1, 1)


# --------------------------------------------------------------------------------- CareLink

#: The CareLink header of a MiniMed 780G export, as posted in tidepool-org/uploader issue #1427
#: (up to "Sensor Exception"); section marker lines as in that export's layout.
CARELINK_HEADER = (
    "Index;Date;Time;New Device Time;BG Source;BG Reading (mg/dL);Linked BG Meter ID;"
    "Basal Rate (U/h);Temp Basal Amount;Temp Basal Type;Temp Basal Duration (h:mm:ss);"
    "Bolus Type;Bolus Volume Selected (U);Bolus Volume Delivered (U);Bolus Duration (h:mm:ss);"
    "Prime Type;Prime Volume Delivered (U);Estimated Reservoir Volume after Fill (U);Alert;"
    "User Cleared Alerts;Suspend;Rewind;BWZ Estimate (U);BWZ Target High BG (mg/dL);"
    "BWZ Target Low BG (mg/dL);BWZ Carb Ratio (g/U);BWZ Insulin Sensitivity (mg/dL/U);"
    "BWZ Carb Input (grams);BWZ BG/SG Input (mg/dL);BWZ Correction Estimate (U);"
    "BWZ Food Estimate (U);BWZ Active Insulin (U);BWZ Status;Sensor Calibration BG (mg/dL);"
    "Sensor Glucose (mg/dL);ISIG Value;Event Marker;Bolus Number;Bolus Cancellation Reason;"
    "BWZ Unabsorbed Insulin Total (U);Final Bolus Estimate;Scroll Step Size;"
    "Insulin Action Curve Time;Sensor Calibration Rejected Reason;Preset Bolus;Bolus Source;"
    "BLE Network Device;Device Update Event;Network Device Associated Reason;"
    "Network Device Disassociated Reason;Network Device Disconnected Reason;Sensor Exception"
)
_COLS = CARELINK_HEADER.split(";")


def _cl_row(**cells: str) -> str:
    return ";".join(cells.get(c, "") for c in _COLS)


def _carelink(sensor_rows: list[str], header: str = CARELINK_HEADER) -> bytes:
    lines = [
        "Last Name;First Name;Patient ID;Start Date;End Date",
        ";;;2025/10/28;2025/10/29",
        "",
        "-------;MiniMed 780G MMT-1886;Pump;NG4114235H;-------",
        header,
        _cl_row(
            Index="0,00000",
            Date="2025/10/28",
            Time="06:24:38",
            **{"Bolus Volume Delivered (U)": "2,5", "BWZ Carb Input (grams)": "30"},
        ),
        "-------;MiniMed 780G MMT-1886;Sensor;GT1234567;-------",
        header,
        *sensor_rows,
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _sg(i: int, date: str, time: str, sg: str) -> str:
    return _cl_row(Index=f"{i},00000", Date=date, Time=time, **{"Sensor Glucose (mg/dL)": sg})


def test_carelink_reads_the_sensor_section() -> None:
    data = _carelink(
        [
            _sg(1, "2025/10/28", "06:25:00", "120"),
            _sg(2, "2025/10/28", "06:30:00", "125"),
            _sg(3, "2025/10/28", "06:35:00", ""),  # no reading in this line
            _sg(4, "2025/10/28", "06:40:00", "131"),
        ]
    )
    assert detect_format(data, name="cl.csv") == "carelink"
    frame = read_cgm(data, name="cl.csv")
    assert frame["gl"].to_list() == [120.0, 125.0, 131.0]
    assert frame["time"][0] == datetime(2025, 10, 28, 6, 25)
    assert frame["time"][-1] == datetime(2025, 10, 28, 6, 40)
    assert frame["censored"].to_list() == [0, 0, 0]
    found = describe_file(data, name="cl.csv")
    assert (found.format, found.unit, found.n_readings) == ("carelink", "mg/dL", 3)


def test_carelink_mmol_l_decimal_commas() -> None:
    header = CARELINK_HEADER.replace("Sensor Glucose (mg/dL)", "Sensor Glucose (mmol/L)")
    rows = [
        ";".join(
            {"Index": "1,00000", "Date": "2025/10/28", "Time": "06:25:00"}.get(c, "")
            if c != "Sensor Glucose (mg/dL)"
            else "5,5"
            for c in _COLS
        )
    ]
    frame = read_cgm(_carelink(rows, header), name="cl.csv")
    assert frame["gl"].to_list() == pytest.approx([99.0])  # 5,5 mmol/L × 18
    assert frame["mmol_l"].to_list() == [True]


def test_carelink_bad_date_names_the_line() -> None:
    data = _carelink([_sg(1, "2025/10/28", "06:25:00", "120"), _sg(2, "28-10", "06:30", "125")])
    with pytest.raises(DataFileError) as caught:
        read_cgm(data, name="cl.csv")
    # lines: 1-2 patient, 3 blank, 4 marker, 5 header, 6 pump row, 7 marker, 8 header, 9, 10
    assert "row 10" in str(caught.value)


# ------------------------------------------------------------------------------- Nightscout


def _ms(text: str) -> int:
    return int(datetime.fromisoformat(text + "+00:00").timestamp() * 1000)


def test_nightscout_entries_local_time_and_codes() -> None:
    entries = [
        # fields of a Nightscout entry (api/v1/entries.json): sgv [mg/dL], date [ms UTC],
        # dateString, utcOffset [min], type, direction
        {"sgv": 120, "date": _ms("2024-01-01T08:00:00"), "dateString": "2024-01-01T08:00:00.000Z",
         "utcOffset": 60, "type": "sgv", "direction": "Flat"},
        {"sgv": 39, "date": _ms("2024-01-01T08:05:00"), "utcOffset": 60, "type": "sgv"},
        {"mbg": 110, "date": _ms("2024-01-01T08:07:00"), "type": "mbg"},
        {"sgv": 5, "date": _ms("2024-01-01T08:10:00"), "utcOffset": 60, "type": "sgv"},
        {"sgv": 401, "date": _ms("2024-01-01T08:15:00"), "utcOffset": 60, "type": "sgv"},
    ]  # fmt: skip
    data = json.dumps(entries).encode()
    assert detect_format(data, name="ns.json") == "nightscout"
    with pytest.warns(Warning, match="status codes"):
        frame = read_cgm(data, name="ns.json")
    # 08:00 UTC + 60 min = 09:00 local; the mbg record and the status code 5 are not readings
    assert frame["time"].to_list() == [
        datetime(2024, 1, 1, 9, 0),
        datetime(2024, 1, 1, 9, 5),
        datetime(2024, 1, 1, 9, 15),
    ]
    assert frame["gl"].to_list() == [120.0, 39.0, 401.0]
    assert frame["censored"].to_list() == [0, -1, 1]


def test_nightscout_without_offset_uses_tz() -> None:
    entries = [{"sgv": 100, "date": _ms("2024-07-01T10:00:00"), "type": "sgv"}]
    frame = read_cgm(json.dumps(entries).encode(), name="n.json", tz="Europe/Berlin")
    assert frame["time"].to_list() == [datetime(2024, 7, 1, 12, 0)]  # CEST = UTC + 2 h


def test_nightscout_bad_sgv_is_one_line() -> None:
    data = json.dumps([{"sgv": "abc", "date": 1_700_000_000_000}]).encode()
    with pytest.raises(DataFileError, match="record 1: sgv 'abc' is not a number"):
        read_cgm(data, name="n.json")


# --------------------------------------------------------------------------------- Tidepool


def test_tidepool_cbg_from_the_data_model_examples() -> None:
    # the cbg examples of tidepool-org/data-model (device-data/types/cbg.md): client example
    # value 14.542959736539297 mmol/L, storage example 6.050315310239632 mmol/L; Tidepool divides
    # mg/dL by 18.01559 (device-data/units.md): 262 / 18.01559 = 14.5429597…, 109 / 18.01559 =
    # 6.0503153…, so the devices' values were 262 and 109 mg/dL
    records = [
        {"type": "cbg", "units": "mmol/L", "value": 14.542959736539297,
         "deviceTime": "2016-05-04T01:18:04", "time": "2016-05-04T08:18:04.889Z",
         "timezoneOffset": -420},
        {"type": "cbg", "units": "mmol/L", "value": 6.050315310239632,
         "time": "2016-05-04T08:23:04.000Z", "timezoneOffset": -420},
        {"type": "bolus", "subType": "normal", "normal": 2.5, "time": "2016-05-04T08:25:00Z"},
        {"type": "cbg", "units": "mg/dL", "value": 40, "time": "2016-05-04T08:28:04.000Z",
         "timezoneOffset": -420,
         "annotations": [{"code": "bg/out-of-range", "value": "low", "threshold": 40}]},
    ]  # fmt: skip
    data = json.dumps(records).encode()
    assert detect_format(data, name="tp.json") == "tidepool"
    frame = read_cgm(data, name="tp.json")
    assert frame["gl"].to_list() == pytest.approx([262.0, 109.0, 39.0], abs=1e-6)
    assert frame["censored"].to_list() == [0, 0, -1]
    # deviceTime as written; else 08:23:04 UTC − 420 min = 01:23:04
    assert frame["time"].to_list() == [
        datetime(2016, 5, 4, 1, 18, 4),
        datetime(2016, 5, 4, 1, 23, 4),
        datetime(2016, 5, 4, 1, 28, 4),
    ]


def test_tidepool_bad_units_named() -> None:
    data = json.dumps([{"type": "cbg", "units": "mg", "value": 5, "time": "2020-01-01T00:00Z"}])
    with pytest.raises(DataFileError, match=r"record 1 \(cbg\): units 'mg'"):
        read_cgm(data.encode(), name="tp.json")


def test_unknown_json_is_refused() -> None:
    with pytest.raises(DataFileError, match="neither Nightscout"):
        read_cgm(b'[{"foo": 1}]', name="x.json")


# ------------------------------------------------------------------------------ CLI detect


def test_cli_detect_names_format_unit_and_span(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes(_libre(ES_HEADER, ["L,,25-01-2024 08:00,0,150,", "L,,26-01-2024 08:00,0,LO,"]))
    result = runner.invoke(app, ["cgm", "detect", str(path)])
    assert result.exit_code == 0, result.output
    assert "LibreView CSV (es)" in result.stdout
    assert "glucose in mg/dL" in result.stdout
    assert "2 readings (1 Low, 0 High)" in result.stdout
    assert "2024-01-25 08:00 to 2024-01-26 08:00 (1 days)" in result.stdout
    out = runner.invoke(app, ["cgm", "detect", str(path), "--json"])
    payload = json.loads(out.stdout)
    assert payload["format"] == "libre" and payload["span_days"] == 1.0


def test_cli_detect_refuses_a_broken_file_with_exit_3(tmp_path: Path) -> None:
    path = tmp_path / "n.json"
    path.write_text('[{"sgv": "abc", "date": 1}]')
    result = runner.invoke(app, ["cgm", "detect", str(path)])
    assert result.exit_code == 3
    assert "record 1: sgv 'abc' is not a number" in result.output
    assert "Traceback" not in result.output


# ------------------------------------------------------------ insulin and carbohydrates


def test_treatments_from_clarity_and_daily_total(tmp_path: Path) -> None:
    lines = [
        CLARITY_HEADER.format(u="mg/dL"),
        "1,2024-05-01T08:00:00,EGV,,,,iPhone G7,120,,,,,,X1",
        "2,2024-05-01T08:10:00,Carbs,,,,iPhone G7,,,45,,,,",
        "3,2024-05-01T08:12:00,Insulin,Fast-Acting,,,iPhone G7,,4.5,,,,,",
        "4,2024-05-01T22:00:00,Insulin,Long-Acting,,,iPhone G7,,20,,,,,",
    ]
    path = tmp_path / "P01.csv"
    path.write_text("\n".join(lines) + "\n")
    t = read_treatments(path)
    assert t.select("kind", "insulin_u", "carbs_g").rows() == [
        ("carbs", None, 45.0),
        ("bolus", 4.5, None),
        ("long_acting", 20.0, None),
    ]
    totals = insulin_daily_totals(t)
    assert totals.rows() == [("P01", date(2024, 5, 1), 24.5)]  # 4.5 + 20 U
    out = write_insulin_csv(totals, tmp_path / "insulin.csv")
    assert out.read_text() == "participant_id,date,total_units\nP01,2024-05-01,24.5\n"
    with pytest.raises(InputError, match="exists"):
        write_insulin_csv(totals, tmp_path / "insulin.csv")


def test_treatments_from_carelink_basal_segments_and_boluses() -> None:
    pump = [
        _cl_row(Index="1,00000", Date="2025/10/28", Time="06:00:00", **{"Basal Rate (U/h)": "1"}),
        _cl_row(
            Index="2,00000",
            Date="2025/10/28",
            Time="07:00:00",
            **{"Bolus Volume Delivered (U)": "2,5", "BWZ Carb Input (grams)": "30"},
        ),
        _cl_row(Index="3,00000", Date="2025/10/28", Time="12:00:00", **{"Basal Rate (U/h)": "0,5"}),
        _cl_row(
            Index="4,00000",
            Date="2025/10/28",
            Time="18:00:00",
            **{"Bolus Volume Delivered (U)": "1,0", "BWZ Carb Input (grams)": "0"},
        ),
    ]
    lines = [
        "-------;MiniMed 780G MMT-1886;Pump;NG4114235H;-------",
        CARELINK_HEADER,
        *pump,
        "-------;MiniMed 780G MMT-1886;Sensor;GT1234567;-------",
        CARELINK_HEADER,
        _sg(5, "2025/10/28", "06:25:00", "120"),
    ]
    t = read_treatments(("\n".join(lines) + "\n").encode(), names=["P02.csv"])
    # basal 1 U/h 06:00–12:00 = 6 U, 0.5 U/h 12:00–18:00 (the last record) = 3 U;
    # boluses 2.5 + 1.0 U; carbs 30 g (the 0 g of a correction bolus is not a meal)
    assert t.filter(pl.col("kind") == "basal")["insulin_u"].to_list() == [6.0, 3.0]
    assert t.filter(pl.col("kind") == "carbs")["carbs_g"].to_list() == [30.0]
    assert insulin_daily_totals(t).rows() == [("P02", date(2025, 10, 28), 12.5)]


def test_treatments_from_nightscout() -> None:
    records = [
        {"eventType": "Meal Bolus", "created_at": "2024-01-01T11:00:00Z", "utcOffset": 60,
         "insulin": 4.5, "carbs": 40},
        {"eventType": "Correction Bolus", "created_at": "2024-01-01T22:30:00Z", "utcOffset": 60,
         "insulin": 1.5},
        {"eventType": "Temp Basal", "created_at": "2024-01-01T12:00:00Z", "absolute": 0.5,
         "duration": 30},
    ]  # fmt: skip
    with pytest.warns(Warning, match="1 temporary basal"):  # the profile's basal is not read
        t = read_treatments(json.dumps(records).encode(), names=["P03.json"])
    # 11:00 UTC + 60 min = 12:00; 22:30 UTC + 60 min = 23:30, the same local day; the temp basal
    # has no utcOffset: 12:00 UTC as written
    assert t["time"].to_list() == [
        datetime(2024, 1, 1, 12, 0),
        datetime(2024, 1, 1, 12, 0),
        datetime(2024, 1, 1, 12, 0),
        datetime(2024, 1, 1, 23, 30),
    ]
    # 4.5 + 1.5 U of boluses + the temp basal 0.5 U/h × 30 min = 0.25 U
    assert insulin_daily_totals(t).rows() == [("P03", date(2024, 1, 1), 6.25)]


def test_treatments_from_tidepool_split_basal_at_midnight() -> None:
    records = [
        {"type": "bolus", "subType": "normal", "normal": 2.5, "deviceTime": "2024-03-01T08:00:00",
         "time": "2024-03-01T07:00:00Z"},
        {"type": "bolus", "subType": "dual/square", "normal": 1.0, "extended": 2.0,
         "duration": 3600000, "deviceTime": "2024-03-01T12:00:00", "time": "2024-03-01T11:00:00Z"},
        {"type": "basal", "deliveryType": "scheduled", "rate": 0.8, "duration": 3600000,
         "deviceTime": "2024-03-01T23:30:00", "time": "2024-03-01T22:30:00Z"},
        {"type": "food", "nutrition": {"carbohydrate": {"net": 30, "units": "grams"}},
         "deviceTime": "2024-03-01T08:00:00", "time": "2024-03-01T07:00:00Z"},
    ]  # fmt: skip
    t = read_treatments(json.dumps(records).encode(), names=["P04.json"])
    # day 1: 2.5 + (1.0 + 2.0) + 0.8 U/h × 30 min = 5.9 U; day 2: 0.8 × 30 min = 0.4 U
    totals = insulin_daily_totals(t)
    assert totals["date"].to_list() == [date(2024, 3, 1), date(2024, 3, 2)]
    assert totals["total_units"].to_list() == pytest.approx([5.9, 0.4])
    assert t.filter(pl.col("kind") == "carbs")["carbs_g"].to_list() == [30.0]


def test_treatments_refused_for_a_format_without_them() -> None:
    with pytest.raises(DataFileError, match="carries no insulin"):
        read_treatments(b"id,time,gl\na,2024-01-01T00:00,100\n", names=["g.csv"])


# ------------------------------------------------------------------------ Tandem t:connect

#: Banner and section headers of the t:connect Therapy Timeline CSV as in the public test
#: fixtures of tconnectsync (tests of its therapy_timeline_csv parser).
TANDEM_BANNER = (
    "Tandem Diabetes Care Inc.\nt:connect Therapy Timeline Data Export\nPatient Name, X\n"
    "Patient DOB, 1/1/1990\nReport Generated On, 4/24/2021 7:50:04 PM\n"
)
TANDEM_CGM = "DeviceType,SerialNumber,Description,EventDateTime,Readings (CGM / BGM)"
TANDEM_BOLUS = (
    "Type,Description,BG,IOB,BolusRequestID,BolusCompletionID,CompletionDateTime,"
    "InsulinDelivered,FoodDelivered,CorrectionDelivered,CompletionStatusID,CompletionStatusDesc,"
    "BolusIsComplete,BolexCompletionID,BolexSize,BolexStartDateTime,BolexCompletionDateTime,"
    "BolexInsulinDelivered,BolexIOB,BolexCompletionStatusID,BolexCompletionStatusDesc,"
    "ExtendedBolusIsComplete,EventDateTime,RequestDateTime,BolusType,BolusRequestOptions,"
    "StandardPercent,Duration,CarbSize"
)


def _tandem() -> bytes:
    pump = '"t:slim X2 Insulin Pump","11111111"'
    cgm = [
        TANDEM_CGM,
        f'{pump},"EGV","2021-04-01T00:01:33","235",',
        f'{pump},"BG","2021-04-01T00:04:00","180",',  # a meter value: skipped
        f'{pump},"EGV","2021-04-01T00:06:33","230",',
        f'{pump},"EGV","2021-04-02T23:31:36","181",',
    ]
    bolus = [
        TANDEM_BOLUS,
        # the nine Bolex…/ExtendedBolusIsComplete fields are empty, as in the fixture
        '"Bolus","Standard/Correction","141",,"7001.000","7001.000","2021-04-01T12:58:26",'
        '"13.53","12.50","1.03","3","Completed","1",,,,,,,,,,'
        '"2021-04-01T12:53:36","2021-04-01T12:53:36","Carb","Standard/Correction","100.00","0",'
        '"75"',
    ]
    return (TANDEM_BANNER + "\n" + "\n".join(cgm) + "\n\n" + "\n".join(bolus) + "\n").encode()


def test_tandem_cgm_section_and_boluses() -> None:
    data = _tandem()
    assert detect_format(data, name="t.csv") == "tandem"
    with pytest.warns(Warning, match="longest 47 h 25 min"):  # 00:06:33 → 23:31:36 next day
        frame = read_cgm(data, name="t.csv")
    # three EGV rows (the BG row is a meter value)
    assert frame["gl"].to_list() == [235.0, 230.0, 181.0]
    assert frame["time"][0] == datetime(2021, 4, 1, 0, 1, 33)
    assert frame["time"][-1] == datetime(2021, 4, 2, 23, 31, 36)
    t = read_treatments(data, names=["t.csv"])
    assert t.select("kind", "insulin_u", "carbs_g").rows() == [
        ("carbs", None, 75.0),  # at EventDateTime 12:53:36
        ("bolus", 13.53, None),  # at CompletionDateTime 12:58:26
    ]
    assert insulin_daily_totals(t)["total_units"].to_list() == [13.53]


# ---------------------------------------------------------------------------------- Glooko

#: Glooko CSVs: one metadata line, then the header, as public Glooko readers describe the files
#: of the export's zip (CGM data/cgm_data_1.csv, Insulin data/bolus_data_1.csv).
GLOOKO_CGM = "Timestamp,CGM Glucose Value (mg/dl),Serial Number"
GLOOKO_BOLUS = (
    "Timestamp,Insulin Type,Blood Glucose Input (mg/dl),Carbs Input (g),Insulin Delivered (U)"
)


def _glooko_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "CGM data/cgm_data_1.csv",
            "Name:Test, Date Range:2024-01-15 - 2024-01-16\n"
            f"{GLOOKO_CGM}\n2024-01-15 08:30,120,SN1\n2024-01-15 08:35,125,SN1\n",
        )
        archive.writestr(
            "CGM data/cgm_data_2.csv",
            "Name:Test, Date Range:2024-01-15 - 2024-01-16\n"
            f"{GLOOKO_CGM}\n2024-01-15 08:40,130,SN1\n",
        )
        archive.writestr(
            "Insulin data/bolus_data_1.csv",
            "Name:Test, Date Range:2024-01-15 - 2024-01-16\n"
            f"{GLOOKO_BOLUS}\n2024-01-15 08:00,Novorapid,120,45,4.5\n2024-01-15 19:00,,,0,2\n",
        )
    return buffer.getvalue()


def test_glooko_zip_cgm_and_boluses() -> None:
    data = _glooko_zip()
    assert detect_format(data, name="glooko.zip") == "glooko"
    frame = read_cgm(data, name="P05.zip")
    # both cgm_data files: 120, 125, 130 mg/dL at 08:30, 08:35, 08:40
    assert frame["gl"].to_list() == [120.0, 125.0, 130.0]
    assert frame["time"][0] == datetime(2024, 1, 15, 8, 30)
    assert frame["time"][-1] == datetime(2024, 1, 15, 8, 40)
    t = read_treatments(data, names=["P05.zip"])
    assert t.select("kind", "insulin_u", "carbs_g").rows() == [
        ("bolus", 4.5, None),
        ("carbs", None, 45.0),
        ("bolus", 2.0, None),
    ]
    assert insulin_daily_totals(t).rows() == [("P05", date(2024, 1, 15), 6.5)]  # 4.5 + 2


def test_glooko_cgm_csv_alone_mmol_l() -> None:
    text = "Medical Record Number: 1\nTimestamp,CGM Glucose Value (mmol/l),Serial Number\n"
    text += "2024-01-15 08:30,5.5,SN1\n2024-01-15 08:35,Low,SN1\n"
    data = text.encode()
    assert detect_format(data, name="cgm_data_1.csv") == "glooko"
    frame = read_cgm(data, name="cgm_data_1.csv")
    assert frame["gl"].to_list() == pytest.approx([99.0, 39.0])  # 5.5 × 18; Low
    assert frame["censored"].to_list() == [0, -1]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'[{"sgv": 100, "date": 1e30, "type": "sgv"}]', "record 1 has no readable time"),
        (
            b'[{"type": "cbg", "units": "mg/dL", "value": 100, "time": "2020-01-01T00:00:00Z",'
            b' "timezoneOffset": 1e15}]',
            "record 1 (cbg) has no readable time",
        ),
    ],
)
def test_json_out_of_range_is_one_line(data: bytes, message: str) -> None:
    with pytest.raises(DataFileError, match=re.escape(message)):
        read_cgm(data, name="x.json")


def test_glooko_zip_bomb_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    import endolab.cgm.readers.glooko as glooko

    monkeypatch.setattr(glooko, "MAX_UNPACKED_BYTES", 100)  # the zip's CSVs unpack to > 100 B
    with pytest.raises(DataFileError, match="more than 0 MiB: not read"):
        read_cgm(_glooko_zip(), name="P05.zip")
