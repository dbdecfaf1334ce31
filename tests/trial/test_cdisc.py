"""CDISC SDTM/ADaM export and SDTM import (issue 21, endolab.trial.cdisc).

Expected values come from the files' own inputs read by hand (the example dataset's CSV rows), from
hand calculations written out here (SDTM study days, ADaM BASE/CHG, ADTTE times), and from the CDISC
documents quoted at each test: the CGM example of the CDISC Diabetes TAUG ("ADaM BDS for average
glucose measurements": LBTESTCD GLUCPE, LBSPEC INTERSTITIAL FLUID, LBMETHOD CALCULATION, LBANMETH
DEVICE ALGORITHM) and the Dataset-JSON v1.1 schema (cdisc-org/DataExchange-DatasetJson,
schema/dataset.yaml: the required attributes). The XPT files are read back by pyreadstat (ReadStat's
reader, not the writer's code path).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner

from endolab.cli import app
from endolab.errors import DataFileError
from endolab.examples import write_examples
from endolab.trial import analyze, load_protocol, read_dataset
from endolab.trial.cdisc import adam_datasets, sdtm_datasets
from endolab.trial.cdisc.export import export_cdisc
from endolab.trial.cdisc.files import write_cdisc_folder
from endolab.trial.cdisc.importer import import_sdtm
from endolab.trial.cdisc.model import Dataset, Var
from endolab.trial.cdisc.rules import check_folder
from endolab.trial.report import endpoints_json_text
from tests.trial.builders import event, insulin, lab, person, write_dataset

pyreadstat = pytest.importorskip("pyreadstat")

TABLES = ("participants", "cgm", "labs", "insulin", "events")


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("ex")
    write_examples(root / "ex")
    return root / "ex" / "trial"


def _endpoints(folder: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(
        endpoints_json_text(analyze(read_dataset(folder), load_protocol()))
    )
    doc.pop("dataset")  # the folder's name and path: not a result
    return doc


@pytest.mark.parametrize("fmt", ["xpt", "json"])
def test_round_trip_sdtm_gives_the_same_endpoints(example: Path, tmp_path: Path, fmt: str) -> None:
    from endolab.trial.dataset import write_dataset as write_trial

    ds = read_dataset(example)
    export_cdisc(
        ds,
        tmp_path / "sdtm",
        standard="sdtm",
        format=fmt,  # type: ignore[arg-type]
        protocol=load_protocol(),
        study_id="EX1",
    )
    back = write_trial(import_sdtm(tmp_path / "sdtm"), tmp_path / "back")
    assert _endpoints(back) == _endpoints(example)
    again = read_dataset(back)
    for name in TABLES:  # every row and value, not only what the endpoints use
        a, b = getattr(ds, name), getattr(again, name)
        assert a.sort(a.columns).equals(b.sort(b.columns)), name


def test_round_trip_through_the_command_line(example: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    r1 = runner.invoke(
        app,
        [
            "trial",
            "export",
            str(example),
            "--standard",
            "sdtm",
            "--format",
            "xpt",
            "--out",
            str(tmp_path / "sd"),
        ],
    )
    assert r1.exit_code == 0, r1.output
    r2 = runner.invoke(
        app, ["trial", "import-sdtm", str(tmp_path / "sd"), "--out", str(tmp_path / "back")]
    )
    assert r2.exit_code == 0, r2.output
    a = runner.invoke(app, ["trial", "analyze", str(example), "--json"])
    b = runner.invoke(app, ["trial", "analyze", str(tmp_path / "back"), "--json"])
    ja, jb = json.loads(a.stdout), json.loads(b.stdout)
    ja.pop("dataset"), jb.pop("dataset")
    assert ja == jb


def _with_second_infusion(tmp_path: Path) -> Path:
    return write_dataset(
        tmp_path / "ds",
        participants=[
            person("P1", "A", second_infusion_date="2024-03-01"),  # day 60
            person("P2", "C", sex="M"),
        ],
        labs=[
            lab("P1", -7, "HBA1C", 8.0),
            lab("P1", 90, "HBA1C", 7.0),
            lab("P1", -7, "CPEP_FASTING", 0),
            lab("P1", 90, "CPEP_FASTING", 150),
            lab("P1", 90, "CPEP_STIM_PEAK", 420),
            lab("P1", 180, "CPEP_FASTING", 50),
            lab("P2", 90, "GLUCOSE_FASTING", 101),
        ],
        insulin=[*insulin("P1", range(-3, 200), 0.0), *insulin("P2", range(0, 100), 20.0)],
        events=[
            event("P2", 30),  # SHE on day 30
            event("P1", -1, "AE", "Nausea", "N", "POSSIBLE", "ONGOING"),
            event("P2", 99, "AE", "Sepsis", "Y", "N", "FATAL"),
        ],
    )


def test_round_trip_with_a_second_infusion_and_a_death(tmp_path: Path) -> None:
    from endolab.trial.dataset import write_dataset as write_trial

    folder = _with_second_infusion(tmp_path)
    ds = read_dataset(folder)
    export_cdisc(
        ds,
        tmp_path / "sdtm",
        standard="sdtm",
        format="xpt",
        protocol=load_protocol(),
        study_id="T1",
    )
    back = read_dataset(write_trial(import_sdtm(tmp_path / "sdtm"), tmp_path / "back"))
    for name in TABLES:
        a, b = getattr(ds, name), getattr(back, name)
        assert a.sort(a.columns).equals(b.sort(b.columns)), name


def _by_name(datasets: list[Dataset]) -> dict[str, pl.DataFrame]:
    return {d.name: d.frame for d in datasets}


def test_sdtm_study_days_and_exposure(tmp_path: Path) -> None:
    ds = read_dataset(_with_second_infusion(tmp_path))
    d = _by_name(sdtm_datasets(ds, study_id="T1"))
    # SDTMIG: --DY = date - RFSTDTC + 1 on/after RFSTDTC, date - RFSTDTC before (no day 0).
    # Infusion 2024-01-01; the second on 2024-03-01 = 31 (Jan) + 29 (Feb 2024) = day 60 -> EXSTDY 61.
    ex = d["EX"].filter(pl.col("USUBJID") == "T1-P1").sort("EXSEQ")
    assert ex["EXSTDTC"].to_list() == ["2024-01-01", "2024-03-01"]
    assert ex["EXSTDY"].to_list() == [1, 61]
    assert ex["EXDOSE"].to_list() == [4.0e8, None]  # the format has no dose for a second infusion
    dm = d["DM"].filter(pl.col("USUBJID") == "T1-P1")
    assert dm["RFSTDTC"].item() == "2024-01-01" and dm["RFXENDTC"].item() == "2024-03-01"
    ae = d["AE"].sort("USUBJID")
    assert ae["AESTDY"].to_list() == [-1, 100]  # day -1 stays -1; day 99 -> 100
    assert ae["AEREL"].to_list() == ["POSSIBLY RELATED", "NOT RELATED"]
    assert ae["AEOUT"].to_list() == ["NOT RECOVERED/NOT RESOLVED", "FATAL"]
    ce = d["CE"]
    assert ce["CESTDY"].to_list() == [31] and ce["CESEV"].to_list() == ["SEVERE"]
    assert ce["CECAT"].to_list() == ["HYPO EVENTS"]
    lb = d["LB"].filter(pl.col("USUBJID") == "T1-P1")
    peak = lb.filter(pl.col("LBTPT") == "MMTT PEAK")
    assert peak["LBTESTCD"].to_list() == ["CPEPTIDE"] and peak["LBSTRESN"].to_list() == [420.0]
    assert peak["LBDY"].to_list() == [91]
    for frame, seq in ((d["LB"], "LBSEQ"), (d["CM"], "CMSEQ"), (d["AE"], "AESEQ")):
        per = frame.group_by("USUBJID").agg(
            pl.col(seq).min().alias("first"), pl.col(seq).n_unique().alias("n"), pl.len()
        )
        assert (per["first"] == 1).all() and (per["n"] == per["len"]).all(), seq


def test_cgm_readings_follow_the_cdisc_cgm_example(example: Path) -> None:
    ds = read_dataset(example)
    lb = _by_name(sdtm_datasets(ds, study_id="EX1"))["LB"]
    cgm = lb.filter(pl.col("LBTESTCD") == "GLUCPE")
    assert cgm.height == 10752  # cgm.csv has 10,752 data rows
    assert set(cgm["LBTEST"]) == {"Plasma Equivalent Glucose"}
    assert set(cgm["LBSPEC"]) == {"INTERSTITIAL FLUID"}
    assert set(cgm["LBMETHOD"]) == {"CALCULATION"}
    assert set(cgm["LBANMETH"]) == {"DEVICE ALGORITHM"}
    assert set(cgm["LBSTRESU"]) == {"mg/dL"}
    # the first reading of cgm.csv: P01,2024-12-23T00:04:00,159 (14 days before day 0 -> LBDY -14)
    first = cgm.filter(pl.col("USUBJID") == "EX1-P01").row(0, named=True)
    assert (first["LBDTC"], first["LBORRES"], first["LBDY"]) == ("2024-12-23T00:04:00", "159", -14)
    labs = lb.filter(pl.col("LBTESTCD") != "GLUCPE")
    assert set(labs["LBTESTCD"]) == {"HBA1C", "CPEPTIDE", "GLUC"}
    units = dict(labs.select("LBTESTCD", "LBSTRESU").unique().iter_rows())
    assert units == {"HBA1C": "%", "CPEPTIDE": "pmol/L", "GLUC": "mg/dL"}
    dm = _by_name(sdtm_datasets(ds, study_id="EX1"))["DM"]
    assert set(dm["SEX"]) <= {"F", "M"} and set(dm["AGEU"]) == {"YEARS"}


def test_adam_baseline_change_and_times(tmp_path: Path) -> None:
    ds = read_dataset(_with_second_infusion(tmp_path))
    d = _by_name(adam_datasets(ds, load_protocol(), study_id="T1"))
    hba1c = d["ADLB"].filter((pl.col("USUBJID") == "T1-P1") & (pl.col("PARAMCD") == "HBA1C"))
    # 8.0 % on day -7 is the baseline (last on or before TRTSDT); 7.0 % on day 90: CHG = 7.0 - 8.0
    assert hba1c["ADY"].to_list() == [-7, 91]
    assert hba1c["ABLFL"].to_list() == ["Y", ""]
    assert hba1c["BASE"].to_list() == [8.0, 8.0]
    assert hba1c["CHG"].to_list() == [None, pytest.approx(-1.0)]
    tte = d["ADTTE"]
    she = tte.filter((pl.col("USUBJID") == "T1-P2") & (pl.col("PARAMCD") == "TTSHE")).row(
        0, named=True
    )
    # SHE on day 30 -> AVAL 30 days, event (CNSR 0), ADT = 2024-01-01 + 30 days = 2024-01-31
    assert (she["AVAL"], she["CNSR"], str(she["ADT"])) == (30.0, 0, "2024-01-31")
    # P1: C-peptide 150 on day 90 (>= 99.3 pmol/L) then 50 on day 180: graft failure on day 180
    graft = tte.filter((pl.col("USUBJID") == "T1-P1") & (pl.col("PARAMCD") == "TTGRAFT"))
    assert graft.select("AVAL", "CNSR").row(0) == (180.0, 0)
    # P1 never had SHE: censored at the last observation, day 199 (insulin rows to day 199)
    p1 = tte.filter((pl.col("USUBJID") == "T1-P1") & (pl.col("PARAMCD") == "TTSHE"))
    assert p1.select("AVAL", "CNSR", "CNSDTDSC").row(0) == (199.0, 1, "LAST OBSERVATION")
    adsl = d["ADSL"].sort("USUBJID")
    assert adsl["DTHFL"].to_list() == ["", "Y"]
    assert [str(x) for x in adsl["TRTEDT"].to_list()] == ["2024-03-01", "2024-01-01"]


@pytest.mark.parametrize("standard", ["sdtm", "adam"])
@pytest.mark.parametrize("fmt", ["xpt", "json"])
def test_structural_rules_pass(example: Path, tmp_path: Path, standard: str, fmt: str) -> None:
    export_cdisc(
        read_dataset(example),
        tmp_path / "o",
        standard=standard,  # type: ignore[arg-type]
        format=fmt,
        protocol=load_protocol(),
        study_id="EX1",
    )  # type: ignore[arg-type]
    report = check_folder(tmp_path / "o")
    assert report.errors == ()
    expected = (
        {"AE", "CE", "CM", "DM", "EX", "LB", "SUPPDM", "VS"}
        if standard == "sdtm"
        else {"ADSL", "ADLB", "ADTTE"}
    )
    assert set(report.datasets) == expected
    # the Required variables the endolab format has no data for, and only those
    missing = {g.split(" ")[0] for g in report.gaps}
    assert missing == (
        {"DM.SITEID", "DM.COUNTRY"} if standard == "sdtm" else {"ADSL.SITEID", "ADSL.RACE"}
    )


def test_the_rules_find_broken_files(tmp_path: Path) -> None:
    frame = pl.DataFrame(
        {
            "STUDYID": ["S", "S"],
            "DOMAIN": ["LB", "LB"],
            "USUBJID": ["S-1", "S-1"],
            "LBSEQ": [1, 1],
            "LBTESTCD": ["GLUC", "GLUC"],
            "LBTEST": ["Glucose", "Glucose"],
            "LONGNAME9": ["x" * 201, "y"],
        }
    )
    vars_ = tuple(
        Var(
            n,
            "A label that is much longer than forty characters" if n == "LBTEST" else n,
            "integer" if n == "LBSEQ" else "text",
        )
        for n in frame.columns
    )
    bad = Dataset("LB", "Laboratory Test Results", "SDTM Findings", vars_, frame)
    write_cdisc_folder([bad], tmp_path / "o", standard="sdtm", format="json", study_id="S")
    errors = "\n".join(check_folder(tmp_path / "o").errors)
    assert "variable name 'LONGNAME9'" in errors
    assert "LBTEST label" in errors
    assert "LONGNAME9 is 201 characters long" in errors
    assert "LBSEQ is not unique within a subject" in errors


def test_xpt_files_open_in_pyreadstat(example: Path, tmp_path: Path) -> None:
    export_cdisc(
        read_dataset(example),
        tmp_path / "o",
        standard="sdtm",
        format="xpt",
        protocol=load_protocol(),
        study_id="EX1",
    )
    frame, meta = pyreadstat.read_xport(str(tmp_path / "o" / "dm.xpt"), output_format="polars")
    assert meta.table_name == "DM" and meta.file_label == "Demographics"
    assert meta.column_names_to_labels["USUBJID"] == "Unique Subject Identifier"
    # participants.csv: P01,A,4.0e+08,2025-01-06,,8.1,38.0,3,71.5,44,F
    p01 = frame.filter(pl.col("SUBJID") == "P01").row(0, named=True)
    assert (p01["AGE"], p01["SEX"], p01["RFSTDTC"], p01["ARMCD"]) == (44.0, "F", "2025-01-06", "A")
    text = (tmp_path / "o" / "define.csv").read_text(encoding="utf-8")
    define = list(csv.DictReader(text.splitlines()))
    dm_rows = {r["variable"]: r for r in define if r["dataset"] == "DM"}
    assert list(dm_rows) == list(frame.columns)
    assert int(dm_rows["USUBJID"]["length"]) == meta.variable_storage_width["USUBJID"] == 7
    export_cdisc(
        read_dataset(example),
        tmp_path / "a",
        standard="adam",
        format="xpt",
        protocol=load_protocol(),
        study_id="EX1",
    )
    adsl, ameta = pyreadstat.read_xport(str(tmp_path / "a" / "adsl.xpt"), output_format="polars")
    assert ameta.original_variable_types["TRTSDT"] == "DATE9."
    assert str(adsl.filter(pl.col("SUBJID") == "P01")["TRTSDT"].item()) == "2025-01-06"


def test_dataset_json_has_the_v1_1_attributes(example: Path, tmp_path: Path) -> None:
    export_cdisc(
        read_dataset(example),
        tmp_path / "o",
        standard="adam",
        format="json",
        protocol=load_protocol(),
        study_id="EX1",
        created="2026-12-07T16:00:00Z",
    )
    doc = json.loads((tmp_path / "o" / "adsl.json").read_text(encoding="utf-8"))
    # required by schema/dataset.yaml of Dataset-JSON v1.1
    for key in (
        "datasetJSONCreationDateTime",
        "datasetJSONVersion",
        "itemGroupOID",
        "records",
        "name",
        "label",
        "columns",
    ):
        assert key in doc, key
    assert doc["datasetJSONVersion"].startswith("1.1")
    assert doc["records"] == len(doc["rows"]) == 4
    for col in doc["columns"]:
        assert {"itemOID", "name", "label", "dataType"} <= set(col)
        assert col["dataType"] in {
            "string",
            "integer",
            "decimal",
            "float",
            "double",
            "boolean",
            "datetime",
            "date",
            "time",
            "URI",
        }
    trtsdt = next(c for c in doc["columns"] if c["name"] == "TRTSDT")
    assert trtsdt["dataType"] == "date" and trtsdt["targetDataType"] == "integer"
    i = [c["name"] for c in doc["columns"]].index("TRTSDT")
    assert doc["rows"][0][i] == "2025-01-06"


def test_import_refuses_a_unit_it_does_not_read(example: Path, tmp_path: Path) -> None:
    export_cdisc(
        read_dataset(example),
        tmp_path / "o",
        standard="sdtm",
        format="json",
        protocol=load_protocol(),
        study_id="EX1",
    )
    lb = tmp_path / "o" / "lb.json"
    doc = json.loads(lb.read_text(encoding="utf-8"))
    names = [c["name"] for c in doc["columns"]]
    code, unit = names.index("LBTESTCD"), names.index("LBSTRESU")
    for row in doc["rows"]:
        if row[code] == "GLUCPE":
            row[unit] = "mmol/L"
    mine = tmp_path / "mine"
    mine.mkdir()
    for p in (tmp_path / "o").glob("*.json"):
        (mine / p.name).write_text(p.read_text(encoding="utf-8"), encoding="utf-8")
    (mine / "lb.json").write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(DataFileError, match="GLUCPE in 'mmol/L'") as err:
        import_sdtm(mine)
    assert err.value.code == "E_SDTM_UNIT"
    result = CliRunner().invoke(
        app, ["trial", "import-sdtm", str(mine), "--out", str(tmp_path / "x")]
    )
    assert result.exit_code == 3
    assert result.stderr.count("\n") == 1 and "GLUCPE in 'mmol/L'" in result.stderr
    assert not (tmp_path / "x").exists()
    (mine / "dm.json").unlink()
    with pytest.raises(DataFileError, match="no DM dataset"):
        import_sdtm(mine)


def test_export_refuses_bad_options_in_one_line(example: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    for args, text in (
        (["--standard", "send"], "--standard must be sdtm or adam"),
        (["--format", "sas7bdat"], "--format must be xpt or json"),
        (["--study-id", "bad id"], "--study-id must be"),
    ):
        r = runner.invoke(
            app, ["trial", "export", str(example), "--out", str(tmp_path / "o"), *args]
        )
        assert r.exit_code == 3, r.output
        assert text in r.stderr and r.stderr.count("\n") == 1
    assert not (tmp_path / "o").exists()


def test_adtte_origin_follows_the_survival_day0_rule(tmp_path: Path) -> None:
    """With ``[infusions] day0 = "last"`` the times to event count from P1's second infusion
    (2024-03-01), so STARTDT is that date and ADT = STARTDT + AVAL; P2 (one infusion) keeps
    2024-01-01. Under the default "first" STARTDT is 2024-01-01 for both."""
    from datetime import date, timedelta

    ds = read_dataset(_with_second_infusion(tmp_path))
    base = load_protocol()
    last = base.model_copy(update={"infusions": base.infusions.model_copy(update={"day0": "last"})})
    for protocol, p1_origin in ((base, date(2024, 1, 1)), (last, date(2024, 3, 1))):
        tte = _by_name(adam_datasets(ds, protocol, study_id="T1"))["ADTTE"]
        for row in tte.iter_rows(named=True):
            origin = p1_origin if row["USUBJID"] == "T1-P1" else date(2024, 1, 1)
            assert row["STARTDT"] == origin, (row["USUBJID"], row["PARAMCD"])
            assert row["ADT"] == origin + timedelta(days=row["AVAL"])
