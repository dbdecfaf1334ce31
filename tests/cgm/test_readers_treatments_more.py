"""Insulin and carbohydrates the readers did not read before (issue 20): LibreView exports in
German, French, Dutch and Spanish; the Nightscout profile's scheduled basal and percent temporary
basals; Tidepool temporary basals given as a percent; the basal rates of a Diasend ``.xls``.

Headers: the German, French and Dutch headers of tests/cgm/test_readers_vendors.py (each with its
public source named there); Spanish, the column names public readers of Spanish exports use
(libre.TREATMENT_MAP names them). Rows written by hand; amounts checked against the cells.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime, timedelta

import polars as pl
import pytest

from endolab.cgm.readers import (
    describe_file,
    detect_format,
    insulin_daily_totals,
    read_cgm,
    read_treatments,
)
from endolab.cgm.readers.libre import TREATMENT_MAP
from endolab.errors import DataFileError, InputError
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


# ------------------------------------------------------------------ Nightscout profile basal

#: A Nightscout profile export (/api/v1/profile.json): one document, its default profile's basal
#: schedule 00:00 0.8, 06:00 1.2, 22:00 0.6 U/h in Europe/Berlin (UTC+1 in January).
PROFILE = [
    {
        "startDate": "2024-01-01T00:00:00.000Z",
        "defaultProfile": "Default",
        "store": {
            "Default": {
                "timezone": "Europe/Berlin",
                "units": "mg/dl",
                "basal": [
                    {"time": "00:00", "value": 0.8, "timeAsSeconds": 0},
                    {"time": "06:00", "value": 1.2, "timeAsSeconds": 21600},
                    {"time": "22:00", "value": 0.6, "timeAsSeconds": 79200},
                ],
            }
        },
    }
]
TREATMENTS = [
    {"eventType": "Correction Bolus", "created_at": "2024-01-01T23:00:00Z", "utcOffset": 60,
     "insulin": 2.0},  # 2024-01-02 00:00 local: the first record
    {"eventType": "Temp Basal", "created_at": "2024-01-02T04:00:00Z", "utcOffset": 60,
     "percent": -50, "duration": 120},  # 05:00–07:00 at half the schedule
    {"eventType": "Temp Basal", "created_at": "2024-01-02T09:00:00Z", "utcOffset": 60,
     "absolute": 2.0, "duration": 60},  # 10:00, replaced at 10:30 by the next one
    {"eventType": "Temp Basal", "created_at": "2024-01-02T09:30:00Z", "utcOffset": 60,
     "absolute": 0, "duration": 30},  # 10:30–11:00 at 0 U/h
    {"eventType": "Meal Bolus", "created_at": "2024-01-02T23:00:00Z", "carbs": 30},
    # no utcOffset: the profile's Europe/Berlin gives 2024-01-03 00:00, the last record
]  # fmt: skip


def _json(records: object) -> bytes:
    return json.dumps(records).encode()


def test_nightscout_profile_schedule_and_percent_temp_basals() -> None:
    t = read_treatments(_json(TREATMENTS), names=["P20.json"], nightscout_profile=_json(PROFILE))
    basal = t.filter(pl.col("kind") == "basal")
    # 00:00–05:00 scheduled 0.8; 05:00–06:00 0.8 × (100 − 50)/100 = 0.4; 06:00–07:00 1.2 × 0.5
    # = 0.6; 07:00–10:00 1.2; 10:00–10:30 2.0 (then replaced); 10:30–11:00 0; 11:00–22:00 1.2;
    # 22:00–24:00 0.6 U/h
    assert basal.select("time", "duration_min").rows() == [
        (datetime(2024, 1, 2, 0, 0), 300.0),
        (datetime(2024, 1, 2, 5, 0), 60.0),
        (datetime(2024, 1, 2, 6, 0), 60.0),
        (datetime(2024, 1, 2, 7, 0), 180.0),
        (datetime(2024, 1, 2, 10, 0), 30.0),
        (datetime(2024, 1, 2, 10, 30), 30.0),
        (datetime(2024, 1, 2, 11, 0), 660.0),
        (datetime(2024, 1, 2, 22, 0), 120.0),
    ]
    # units: 0.8×5 = 4.0, 0.4, 0.6, 1.2×3 = 3.6, 2.0×0.5 = 1.0, 0, 1.2×11 = 13.2, 0.6×2 = 1.2
    assert basal["insulin_u"].to_list() == pytest.approx([4.0, 0.4, 0.6, 3.6, 1.0, 0.0, 13.2, 1.2])
    # the schedule alone would be 0.8×6 + 1.2×16 + 0.6×2 = 25.2 U; the temps change it by
    # −0.4 − 0.6 + (1.0 − 0.6) − 0.6 = −1.2 → 24.0 U basal, + 2 U bolus = 26.0 U on 2 January
    totals = insulin_daily_totals(t)
    assert totals.rows() == [("P20", date(2024, 1, 2), pytest.approx(26.0))]
    carbs = t.filter(pl.col("kind") == "carbs")
    assert carbs.select("time", "carbs_g").rows() == [(datetime(2024, 1, 3, 0, 0), 30.0)]


def test_nightscout_profile_documents_by_start_and_older_switch() -> None:
    flat = [{"time": "00:00", "value": 1.0}]
    half = [{"time": "00:00", "value": 0.5}]
    profile = [
        {"startDate": "2024-01-02T11:00:00Z", "defaultProfile": "B",
         "store": {"B": {"timezone": "Europe/Berlin", "basal": half}}},  # 12:00 local
        {"startDate": "2024-01-01T00:00:00Z", "defaultProfile": "A",
         "store": {"A": {"timezone": "Europe/Berlin", "basal": flat}}},
    ]  # fmt: skip
    records = [
        {"eventType": "Bolus", "created_at": "2024-01-01T23:00:00Z", "utcOffset": 60,
         "insulin": 1.0},
        {"eventType": "Profile Switch", "created_at": "2024-01-02T05:00:00Z", "utcOffset": 60,
         "profile": "A", "duration": 0},
        {"eventType": "Bolus", "created_at": "2024-01-02T23:00:00Z", "utcOffset": 60,
         "insulin": 1.0},
    ]  # fmt: skip
    t = read_treatments(_json(records), names=["P21.json"], nightscout_profile=_json(profile))
    # 2 January: 00:00–12:00 at 1.0 (document A; the 06:00 switch to A changes nothing) = 12 U,
    # 12:00–24:00 at 0.5 (B: the switch is older than document B, so Nightscout ignores it
    # there) = 6 U, + 1 U bolus = 19 U; 3 January: the 1 U bolus at 00:00
    assert insulin_daily_totals(t)["total_units"].to_list() == pytest.approx([19.0, 1.0])


def _local(hour: int, day: int = 2) -> str:
    """created_at of a record at ``hour`` local time (Europe/Berlin, UTC+1 in January)."""
    return (datetime(2024, 1, day, hour) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_nightscout_profile_switches_and_suspensions() -> None:
    # Nightscout's rules (lib/profilefunctions.js): the latest switch in effect wins; a name the
    # store does not have uses the switch's profileJson, else the default profile; percentage
    # scales the basal only with CircadianPercentageProfile; the timeshift does not move the
    # schedule. Suspend Pump / Resume Pump: Loop's event types (LoopKit NightscoutKit).
    profile = [{"startDate": "2024-01-01T00:00:00Z", "defaultProfile": "Day", "store": {
        "Day": {"timezone": "Europe/Berlin",
                "basal": [{"time": "00:00", "value": 1.0}, {"time": "12:00", "value": 2.0}]},
        "Sick": {"timezone": "Europe/Berlin", "basal": [{"time": "00:00", "value": 1.5}]},
    }}]  # fmt: skip
    night = json.dumps({"basal": [{"time": "00:00", "value": 0.4}]})
    records = [
        {"eventType": "Bolus", "created_at": _local(0), "utcOffset": 60, "insulin": 1.0},
        {"eventType": "Profile Switch", "created_at": _local(2), "utcOffset": 60,
         "profile": "Sick", "duration": 120},  # 02:00–04:00 at 1.5
        {"eventType": "Profile Switch", "created_at": _local(6), "utcOffset": 60,
         "profile": "Day", "duration": 0, "percentage": 150, "timeshift": 2,
         "CircadianPercentageProfile": True},  # from 06:00: Day × 150 %, not shifted
        {"eventType": "Temp Basal", "created_at": _local(8), "utcOffset": 60,
         "percent": -50, "duration": 60},  # 08:00–09:00: 1.5 × (100 − 50)/100 = 0.75
        {"eventType": "Suspend Pump", "created_at": _local(14), "utcOffset": 60},
        {"eventType": "Resume Pump", "created_at": _local(15), "utcOffset": 60},  # 14–15: 0
        {"eventType": "Profile Switch", "created_at": _local(18), "utcOffset": 60,
         "profile": "Ghost", "duration": 60, "percentage": 150},
        # 18:00–19:00: "Ghost" is nowhere → Day, and no CircadianPercentageProfile → 100 %: 2.0;
        # at 19:00 it has ended and the permanent 06:00 switch is back (3.0)
        {"eventType": "Profile Switch", "created_at": _local(22), "utcOffset": 60,
         "profile": "Night", "profileJson": night, "duration": 0},  # from 22:00: 0.4
        {"eventType": "Bolus", "created_at": _local(0, day=3), "utcOffset": 60, "insulin": 1.0},
    ]  # fmt: skip
    with pytest.warns(Warning, match="1 Profile Switch treatment.*timeshift"):
        t = read_treatments(_json(records), names=["P22.json"], nightscout_profile=_json(profile))
    basal = t.filter(pl.col("kind") == "basal")
    hours = [(r[0].hour, r[1] / 60) for r in basal.select("time", "duration_min").rows()]
    rates = [u / h for u, (_, h) in zip(basal["insulin_u"].to_list(), hours, strict=True)]
    assert hours == [(0, 2), (2, 2), (4, 2), (6, 2), (8, 1), (9, 3), (12, 2), (14, 1), (15, 3),
                     (18, 1), (19, 3), (22, 2)]  # fmt: skip
    assert rates == pytest.approx([1.0, 1.5, 1.0, 1.5, 0.75, 1.5, 3.0, 0.0, 3.0, 2.0, 3.0, 0.4])
    # basal: 2 + 3 + 2 + 3 + 0.75 + 4.5 + 6 + 0 + 9 + 2 + 9 + 0.8 = 42.05 U, + 1 U bolus
    assert insulin_daily_totals(t)["total_units"].to_list() == pytest.approx([43.05, 1.0])
    # a suspension without a resume runs to the end of the export: 14:00–24:00 at 0
    open_ended = [r for r in records if r["eventType"] != "Resume Pump"]
    with pytest.warns(Warning, match="timeshift"):
        t = read_treatments(
            _json(open_ended), names=["P22.json"], nightscout_profile=_json(profile)
        )
    # 2 + 3 + 2 + 3 + 0.75 + 4.5 + 6 (06:00–14:00 and before) = 21.25 U, + 1 U bolus
    assert insulin_daily_totals(t)["total_units"].to_list() == pytest.approx([22.25, 1.0])
    bad = [{**records[1], "duration": -5}]
    with pytest.raises(DataFileError, match=r"record 1: Profile Switch duration -5"):
        read_treatments(_json(bad), names=["P.json"], nightscout_profile=_json(profile))


def test_nightscout_profile_bad_entries_named() -> None:
    bad = [{**PROFILE[0], "store": {"Default": {"basal": [{"time": "25:00", "value": 1}]}}}]
    with pytest.raises(DataFileError, match=r"profile 'Default': basal entry 1: time '25:00'"):
        read_treatments(_json(TREATMENTS), names=["P.json"], nightscout_profile=_json(bad))
    worse = [{**PROFILE[0], "store": {"Default": {"basal": [{"time": "00:00", "value": -1}]}}}]
    with pytest.raises(DataFileError, match=r"value -1 is not a rate"):
        read_treatments(_json(TREATMENTS), names=["P.json"], nightscout_profile=_json(worse))
    records = [{"eventType": "Temp Basal", "created_at": "2024-01-02T04:00:00Z",
                "percent": -150, "duration": 30}]  # fmt: skip
    with pytest.raises(DataFileError, match=r"record 1: Temp Basal percent -150"):
        read_treatments(_json(records), names=["P.json"], nightscout_profile=_json(PROFILE))


def test_nightscout_profile_without_nightscout_treatments_refused() -> None:
    with pytest.raises(InputError, match="no Nightscout treatments file"):
        read_treatments(
            _export(DE_HEADER, [{"Gerätezeitstempel": "13.03.2024 07:30"}]),
            names=["de.csv"],
            nightscout_profile=_json(PROFILE),
        )


# ------------------------------------------------------------------ Tidepool percent temp basal


def test_tidepool_temp_basal_given_as_percent_of_the_suppressed_rate() -> None:
    # the data model's ingestion example (device-data/types/basal/temp.md): percent 0.8 of a
    # suppressed scheduled 0.575 U/h, whose rate field the model gives as 0.46 (0.8 × 0.575);
    # here the rate is left out, as the legacy API allows, and 6 h (21,600,000 ms) long:
    # 0.46 U/h × 6 h = 2.76 U
    temp = {"type": "basal", "deliveryType": "temp", "duration": 21600000, "percent": 0.8,
            "suppressed": {"type": "basal", "deliveryType": "scheduled", "rate": 0.575},
            "deviceTime": "2016-04-26T11:00:00", "time": "2016-04-26T18:00:00.000Z",
            "timezoneOffset": -420}  # fmt: skip
    suspend = {"type": "basal", "deliveryType": "suspend", "duration": 3600000,
               "deviceTime": "2016-04-26T17:00:00"}  # fmt: skip
    no_rate = {"type": "basal", "deliveryType": "temp", "duration": 3600000,
               "deviceTime": "2016-04-26T18:00:00"}  # fmt: skip
    with pytest.warns(Warning, match="1 basal record.*no rate"):
        t = read_treatments(_json([temp, suspend, no_rate]), names=["tp.json"])
    assert t.select("time", "insulin_u", "duration_min").rows() == [
        (datetime(2016, 4, 26, 11, 0), pytest.approx(2.76), 360.0),
        (datetime(2016, 4, 26, 17, 0), 0.0, 60.0),
    ]


# ------------------------------------------------------------------ Tidepool smbg


def test_tidepool_smbg_in_the_treatments_table() -> None:
    # the data model stores smbg in mmol/L divided from the meter's mg/dL by 18.01559
    # (device-data/units.md): 6.0504 mmol/L × 18.01559 = 109.0015 mg/dL; 5.55 mmol/L written as
    # mg/dL 100 by a meter that reports mg/dL
    records = [
        {"type": "smbg", "subType": "manual", "units": "mmol/L", "value": 6.0504,
         "deviceTime": "2024-05-01T07:10:00", "time": "2024-05-01T05:10:00.000Z"},
        {"type": "smbg", "units": "mg/dL", "value": 100, "deviceTime": "2024-05-01T12:00:00"},
        {"type": "bolus", "subType": "normal", "normal": 3.5, "deviceTime": "2024-05-01T07:15:00"},
    ]  # fmt: skip
    t = read_treatments(_json(records), names=["tp.json"])
    assert t.select("time", "kind", "insulin_u", "bg_mg_dl").rows() == [
        (datetime(2024, 5, 1, 7, 10), "smbg", None, pytest.approx(6.0504 * 18.01559)),
        (datetime(2024, 5, 1, 7, 15), "bolus", 3.5, None),
        (datetime(2024, 5, 1, 12, 0), "smbg", None, 100.0),
    ]
    # meter glucose is no insulin: the day's total is the 3.5 U bolus
    assert insulin_daily_totals(t)["total_units"].to_list() == [3.5]
    bad = [{"type": "smbg", "units": "mg", "value": 100, "deviceTime": "2024-05-01T12:00:00"}]
    with pytest.raises(DataFileError, match=r"record 1 \(smbg\): units 'mg'"):
        read_treatments(_json(bad), names=["tp.json"])


# ------------------------------------------------------------------ Tidepool xlsx: SMBG, percent


def test_tidepool_xlsx_smbg_sheet_and_percent_temp_basal() -> None:
    # The SMBG sheet's header in the field order of tidepool-org/export config.json ("smbg",
    # display name "SMBG"; a field without "header" is start-cased: subType -> "Sub Type");
    # the Basal sheet's header as in tests/cgm/test_readers_treatments.py (BASAL_HEADER: the
    # nested suppressed.rate written as "Suppressed Rate").
    openpyxl = pytest.importorskip("openpyxl")
    from tests.cgm.test_readers_treatments import BASAL_HEADER, COMMON, TAIL, _sheet_row

    smbg_header = [*COMMON, "Sub Type", "Value", "Units", *TAIL]
    book = openpyxl.Workbook()
    book.active.title = "EXPORT ERROR"
    sheets = {
        "SMBG": (smbg_header, [
            # mmol/L (the export's default unit) x 18.01559: 6.0504 -> 109.0015 mg/dL
            _sheet_row(smbg_header, datetime(2024, 5, 1, 7, 10), Value=6.0504, Units="mmol/L"),
            _sheet_row(smbg_header, datetime(2024, 5, 1, 12, 0), Value=100, Units="mg/dL"),
        ]),
        "Basal": (BASAL_HEADER, [
            # the data model's temp example: 0.8 x a suppressed 0.575 U/h = 0.46 U/h, 6 h = 360
            # min: 0.46 x 6 = 2.76 U (the JSON export's test gives the same)
            _sheet_row(BASAL_HEADER, datetime(2016, 4, 26, 11, 0), Delivery_Type="temp",
                       Duration_mins=360, Percent=0.8, Suppressed_Rate=0.575),
            # no rate, no percent, not a suspend: skipped with a warning (it counted 0 U before)
            _sheet_row(BASAL_HEADER, datetime(2016, 4, 26, 18, 0), Delivery_Type="temp",
                       Duration_mins=60),
        ]),
    }  # fmt: skip
    for name, (header, rows) in sheets.items():
        sheet = book.create_sheet(name)
        sheet.append(header)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    with pytest.warns(Warning, match="1 row.*'Basal' sheet carry no rate"):
        t = read_treatments(out.getvalue(), reader="tidepool_xlsx", names=["tp.xlsx"])
    assert t.select("time", "kind", "insulin_u", "duration_min", "bg_mg_dl").rows() == [
        (datetime(2016, 4, 26, 11, 0), "basal", pytest.approx(2.76), 360.0, None),
        (datetime(2024, 5, 1, 7, 10), "smbg", None, None, pytest.approx(109.0015, abs=1e-4)),
        (datetime(2024, 5, 1, 12, 0), "smbg", None, None, 100.0),
    ]
    assert t["source"].unique().to_list() == ["tidepool_xlsx"]
    # meter glucose is no insulin: the totals hold the basal day only
    assert insulin_daily_totals(t).select("date", "total_units").rows() == [
        (date(2016, 4, 26), pytest.approx(2.76))
    ]


# ------------------------------------------------------------------ Tandem Source zip


def _tandem_source_zip(cgm_rows: list[str]) -> bytes:
    """A Tandem Source export laid out as the example export the aidR package ships
    (inst/extdata/tandem_source_example, read only: one CSV per table, named
    <participant>_<serial>_<date>_<time>-CGM.csv …, each starting with its header row, the device
    and serial number on every row, times 2026-03-05T00:04:33); headers as in
    tests/cgm/test_readers_treatments.py; the rows written here."""
    from tests.cgm.test_readers_treatments import SOURCE_BASAL, SOURCE_BOLUS, SOURCE_CGM

    pump = "Tandem Mobi™ System,1111111"
    files = {
        "CGM": [SOURCE_CGM, *cgm_rows],
        "Bolus": [
            SOURCE_BOLUS,
            "Bolus,Food,Standard,140,1111111,2026-03-05T12:02:10,5.00,5.00,0.00,Completed,,,,,"
            "100,0,60,110,40,12",
        ],
        "Basal-doses": [SOURCE_BASAL, f"{pump},2026-03-05T00:05:00,0.06"],
        # the meter file, header as in aidR's example export: its BG rows are not readings
        "BG": [
            "Device Type,Serial Number,Description,Event Date Time,BG (mg/dL),Note",
            f"{pump},BG,2026-03-05T14:51:50,119,",
        ],
        # the hourly summary: left out (it would count the basal doses twice)
        "Hourly-basal-delivery": ["Device Type,Serial Number,Date,00,01", f"{pump},2026-03-05,9,9"],
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for kind, lines in files.items():
            name = f"tandem_source_example/XXX_1111111_10Mar2026_1111-{kind}.csv"
            archive.writestr(name, "\n".join(lines) + "\n")
    return buffer.getvalue()


def test_tandem_source_zip_of_table_files() -> None:
    pump = "Tandem Mobi™ System,1111111"
    rows = [f"{pump},EGV,2026-03-05T00:04:33,131", f"{pump},EGV,2026-03-05T00:09:32,126"]
    data = _tandem_source_zip(rows)
    assert detect_format(data, name="export.zip") == "tandem"
    frame = read_cgm(data, name="P30.zip")
    assert frame["gl"].to_list() == [131.0, 126.0]
    assert frame["time"].to_list() == [
        datetime(2026, 3, 5, 0, 4, 33),
        datetime(2026, 3, 5, 0, 9, 32),
    ]
    found = describe_file(data, name="P30.zip")
    assert (found.variant, found.unit, found.n_readings) == ("Source", "mg/dL", 2)
    t = read_treatments(data, names=["P30.zip"])
    # 0.06 U basal dose + 5.00 U bolus (the hourly file's 9 + 9 U not read) = 5.06 U
    assert insulin_daily_totals(t)["total_units"].to_list() == pytest.approx([5.06])
    assert t.filter(pl.col("kind") == "carbs")["carbs_g"].to_list() == [60.0]


def test_tandem_source_zip_error_names_the_member_and_line() -> None:
    data = _tandem_source_zip(["Tandem Mobi™ System,1111111,EGV,2026-03-32T00:04:33,131"])
    with pytest.raises(DataFileError, match=r"P31\.zip:tandem_source_example/.*-CGM\.csv.*row 2"):
        read_cgm(data, name="P31.zip")


# ------------------------------------------------------------------ Glooko in German


def test_glooko_german_export_zip() -> None:
    # laid out as the German example export aidR ships (inst/extdata/glooko_example, read only):
    # a metadata line, German headers, day-first dotted dates, decimal commas, newest row first
    meta = "Name:XXX XXX,Datumsbereich:22.06.2026 - 22.06.2026,"
    files = {
        "cgm_data_1.csv": [
            meta,
            "Zeitstempel,CGM-Glukosewert (mg/dl),Seriennummer",
            '22.06.2026 00:12,"215,0",00000000-000000000',
            '22.06.2026 00:07,"220,5",00000000-000000000',
            '22.06.2026 00:02,"109,0",00000000-000000000',
        ],
        "Insulin data/bolus_data_1.csv": [
            meta + ",,,,,,",
            "Zeitstempel,Insulin-Typ,Blutzuckereingabe (mg/dl),Kohlenhydrataufnahme (g),"
            "Kohlenhydratverhältnis,Abgegebenes Insulin (E),Anfängliche Abgabe (E),"
            "Verzögerte Abgabe (E),Seriennummer",
            '22.06.2026 13:17,Normal,"112,0","41,0","7,0","6,0",,,00000000-000000000',
            '22.06.2026 00:02,Normal,"112,0","10,0","10,0","1,25",,,00000000-000000000',
        ],
        "Insulin data/basal_data_1.csv": [
            meta + ",,,,",
            "Zeitstempel,Insulin-Typ,Dauer (Minuten),Prozentsatz (%),Rate,"
            "Abgegebenes Insulin (E),Seriennummer",
            '22.06.2026 21:12,Eingeplant,7,,"0,7",,00000000-000000000',
        ],
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, lines in files.items():
            archive.writestr(name, "\n".join(lines) + "\n")
    data = buffer.getvalue()
    assert detect_format(data, name="P40.zip") == "glooko"
    frame = read_cgm(data, name="P40.zip")  # no warning: the newest-first order is the export's
    # oldest first: 00:02 109.0, 00:07 220.5 ("220,5"), 00:12 215.0; 22.06: day first (22 > 12)
    assert frame["gl"].to_list() == [109.0, 220.5, 215.0]
    assert frame["time"].to_list() == [datetime(2026, 6, 22, 0, m) for m in (2, 7, 12)]
    t = read_treatments(data, names=["P40.zip"])
    assert t.select("time", "kind", "insulin_u", "carbs_g").rows() == [
        (datetime(2026, 6, 22, 0, 2), "bolus", 1.25, None),
        (datetime(2026, 6, 22, 0, 2), "carbs", None, 10.0),
        (datetime(2026, 6, 22, 13, 17), "bolus", 6.0, None),
        (datetime(2026, 6, 22, 13, 17), "carbs", None, 41.0),
        (datetime(2026, 6, 22, 21, 12), "basal", pytest.approx(0.7 * 7 / 60), None),
    ]
    # 1.25 + 6.0 + 0.7 U/h × 7 min (0.0817 U) = 7.3317 U
    assert insulin_daily_totals(t)["total_units"].to_list() == pytest.approx([7.25 + 0.7 * 7 / 60])


# ------------------------------------------------------------------ CareLink automated insulin


def test_carelink_aggregated_auto_insulin_is_that_days_basal() -> None:
    # a MiniMed 780G export's "Aggregated Auto Insulin Data" Pump section, as in the example
    # export the aidR package ships (inst/extdata/carelink_example.csv, read only): one row per
    # day, Bolus Volume Delivered = the day's automatic insulin, CLOSED_LOOP_AUTO_INSULIN
    from tests.cgm.test_readers_vendors import CARELINK_HEADER, _cl_row, _sg

    pump = [
        _cl_row(Index="1,00000", Date="2026/07/04", Time="02:00:43", **{"Basal Rate (U/h)": "0,8"}),
        _cl_row(
            Index="2,00000",
            Date="2026/07/04",
            Time="22:48:05",
            **{"Bolus Volume Delivered (U)": "1,9", "Bolus Type": "Normal"},
        ),
    ]
    aggregated = _cl_row(
        Index="3,00000",
        Date="2026/07/04",
        Time="00:00:00",
        **{"Bolus Type": "Normal", "Bolus Volume Delivered (U)": "20,494"},
    )
    lines = [
        "-------;MiniMed 780G MMT-1111;Pump;XXXXXXXXXX;-------",
        CARELINK_HEADER,
        *pump,
        "",
        "-------;MiniMed 780G MMT-1111;Pump;XXXXXXXXXX;Aggregated Auto Insulin Data",
        CARELINK_HEADER,
        aggregated,
        "",
        "-------;MiniMed 780G MMT-1111;Sensor;XXXXXXXXXX;-------",
        CARELINK_HEADER,
        _sg(4, "2026/07/04", "23:00:00", "150"),
    ]
    with pytest.warns(Warning, match="1 programmed basal segment.*1 day"):
        t = read_treatments(("\n".join(lines) + "\n").encode(), names=["P50.csv"])
    # the 20.494 U of automatic insulin is 4 July's basal; the programmed 0.8 U/h from 02:00 is
    # left out that day; the 1.9 U bolus stays: 22.394 U
    assert t.select("kind", "insulin_u", "duration_min").rows() == [
        ("basal", 20.494, None),
        ("bolus", 1.9, None),
    ]
    assert insulin_daily_totals(t)["total_units"].to_list() == pytest.approx([22.394])
