"""Edge cases of issue 21 on cohorts no paper published, each with its answer worked out by hand.

Times to event, Kaplan–Meier estimates, the ADTTE/SDTM values read back from the written files and
the rendered report (report.html with the KM and graft-state figures, tables.md with the KM table)
for: everyone censored at day 0; all events on one day; a second infusion after the last
observation; no C-peptide ever; a one-participant cohort; cohort names with spaces and non-ASCII
letters; participant ids with leading zeros, separators and spaces; dates across the 2024 leap day;
a death before the second infusion under ``day0 = "last"``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner

from endolab.cli import app
from endolab.trial import analyze, load_protocol, read_dataset
from endolab.trial.cdisc.export import export_cdisc
from endolab.trial.cdisc.files import read_cdisc_folder
from endolab.trial.cdisc.importer import import_sdtm
from endolab.trial.cdisc.rules import check_folder
from endolab.trial.dataset import write_dataset as write_trial
from endolab.trial.protocol import Protocol
from endolab.trial.report import endpoints_json_text, report_files
from endolab.trial.survival import survival_analysis, time_to_events
from tests.trial.builders import event, insulin, lab, on, person, write_dataset

pytest.importorskip("pyreadstat")
pytest.importorskip("lifelines")


def _protocol(day0: str = "first", **groups: list[str]) -> Protocol:
    base = load_protocol()
    return base.model_copy(
        update={
            "cohort_groups": {**base.cohort_groups, **groups},
            "infusions": base.infusions.model_copy(update={"day0": day0}),
        }
    )


def _times(folder: Path, protocol: Protocol) -> dict[tuple[str, str], tuple[Any, ...]]:
    tte = time_to_events(read_dataset(folder), protocol)
    return {
        (r["participant_id"], r["endpoint"]): (
            r["at_risk"],
            r["time_days"],
            r["event"],
            r["censor_reason"],
        )
        for r in tte.iter_rows(named=True)
    }


def _renders(folder: Path, protocol: Protocol) -> dict[str, str]:
    """report.html and tables.md of the analysis, as text (nothing raises)."""
    files = report_files(analyze(read_dataset(folder), protocol))
    html, md = files["report.html"].decode(), files["tables.md"].decode()
    assert "Time to event: Kaplan–Meier estimates" in md
    return {"html": html, "md": md}


def _round_trip(folder: Path, tmp: Path, protocol: Protocol, fmt: str = "xpt") -> Path:
    export_cdisc(read_dataset(folder), tmp / f"sdtm-{fmt}", standard="sdtm", format=fmt,  # type: ignore[arg-type]
                 protocol=protocol, study_id="EDGE")  # fmt: skip
    assert check_folder(tmp / f"sdtm-{fmt}").errors == ()
    back = write_trial(import_sdtm(tmp / f"sdtm-{fmt}"), tmp / f"back-{fmt}")

    def doc(f: Path) -> dict[str, Any]:
        d: dict[str, Any] = json.loads(endpoints_json_text(analyze(read_dataset(f), protocol)))
        d.pop("dataset")
        return d

    assert doc(back) == doc(folder)
    return back


def _adtte(folder: Path, tmp: Path, protocol: Protocol) -> pl.DataFrame:
    export_cdisc(read_dataset(folder), tmp / "adam", standard="adam", format="xpt",
                 protocol=protocol, study_id="EDGE")  # fmt: skip
    assert check_folder(tmp / "adam").errors == ()
    return read_cdisc_folder(tmp / "adam", ("ADTTE",))["ADTTE"].sort("USUBJID", "PARAMCD")


def test_everyone_censored_at_day_0(tmp_path: Path) -> None:
    # Two participants with no record after their infusion: followed 0 days, no event.
    folder = write_dataset(tmp_path / "ds", participants=[person("P1"), person("P2")])
    p = _protocol()
    times = _times(folder, p)
    assert times[("P1", "first_she")] == (True, 0, False, "last observation")
    assert times[("P1", "graft_failure")] == (False, None, None, None)  # never detected
    km = survival_analysis(read_dataset(folder), p).curve("first_she", "C")
    # KM: nobody has the event, S stays 1; both leave the risk set on day 0.
    assert km.table.select("time_days", "at_risk", "events", "censored", "survival").rows() == [
        (0.0, 2, 0, 2, 1.0)
    ]
    assert km.at_risk_at == {0: 2, 90: 0, 180: 0, 270: 0, 365: 0}
    assert km.survival_at(365) == 1.0
    adtte = _adtte(folder, tmp_path, p)
    assert adtte.select("PARAMCD", "AVAL", "CNSR").rows() == [("TTSHE", 0.0, 1.0)] * 2
    _round_trip(folder, tmp_path, p)
    _renders(folder, p)


def test_all_events_on_the_same_day(tmp_path: Path) -> None:
    # Three SHE on day 10 and one participant censored on day 10 (a lab that day, no SHE).
    folder = write_dataset(
        tmp_path / "ds",
        participants=[person(f"P{i}") for i in range(1, 5)],
        labs=[lab("P4", 10, "HBA1C", 7.0)],
        events=[event("P1", 10), event("P2", 10), event("P3", 10)],
    )
    p = _protocol()
    km = survival_analysis(read_dataset(folder), p).curve("first_she", "C")
    # Hand calculation: n = 4 at risk on day 10, d = 3 events (the censored one counts as at
    # risk on its own day): S(10) = 1 − 3/4 = 0.25.
    # Greenwood: Σ d/(n(n−d)) = 3/(4·1) = 0.75; log(−log) σ² = 0.75/(ln 0.25)² = 0.75/1.921812;
    # limits S^exp(±1.96σ).
    s = 0.25
    sigma = math.sqrt(0.75 / math.log(0.25) ** 2)
    lower, upper = s ** math.exp(1.96 * sigma), s ** math.exp(-1.96 * sigma)
    row = km.table.row(0, named=True)
    assert (row["time_days"], row["at_risk"], row["events"], row["censored"]) == (10.0, 4, 3, 1)
    assert row["survival"] == pytest.approx(s)
    assert row["ci_lower"] == pytest.approx(lower, rel=1e-3)  # 1.96 vs the exact z 1.959964
    assert row["ci_upper"] == pytest.approx(upper, rel=1e-3)
    assert lower == pytest.approx(0.00895, abs=5e-5) and upper == pytest.approx(0.6653, abs=5e-4)
    assert km.at_risk_at[0] == 4 and km.at_risk_at[90] == 0
    adtte = _adtte(folder, tmp_path, p)
    assert adtte.select("USUBJID", "AVAL", "CNSR").rows() == [
        ("EDGE-P1", 10.0, 0.0),
        ("EDGE-P2", 10.0, 0.0),
        ("EDGE-P3", 10.0, 0.0),
        ("EDGE-P4", 10.0, 1.0),
    ]
    _round_trip(folder, tmp_path, p)
    _renders(folder, p)


def _second_after_last(tmp_path: Path) -> Path:
    # P1: C-peptide 200 pmol/L on day 90, insulin-free days 1–119, HbA1c on day 100; the second
    # infusion on day 300, after the last observation (day 119).
    return write_dataset(
        tmp_path / "ds",
        participants=[person("P1", second_infusion_date=on(300)), person("P2")],
        labs=[lab("P1", 90, "CPEP_FASTING", 200), lab("P1", 100, "HBA1C", 6.5)],
        insulin=insulin("P1", range(1, 120), 0.0),
    )


def test_second_infusion_after_the_last_observation(tmp_path: Path) -> None:
    folder = _second_after_last(tmp_path)
    first, last = _protocol("first"), _protocol("last")
    t = _times(folder, first)
    # day0 = "first": graft detected on day 90, never failed: censored at day 119; independent
    # from day 1 (14 insulin-free days), never lost: censored at day 119.
    assert t[("P1", "graft_failure")] == (True, 119, False, "last observation")
    assert t[("P1", "insulin_independence_loss")] == (True, 119, False, "last observation")
    # day0 = "last": every record is before day 0 (119 − 300 = −181): nothing counts, the SHE
    # time is censored at day 0, graft and independence are never reached after day 0.
    t = _times(folder, last)
    assert t[("P1", "first_she")] == (True, 0, False, "last observation")
    assert t[("P1", "graft_failure")] == (False, None, None, None)
    assert t[("P1", "insulin_independence_loss")] == (False, None, None, None)
    adtte = _adtte(folder, tmp_path, last)
    p1 = adtte.filter(pl.col("USUBJID") == "EDGE-P1").row(0, named=True)
    # STARTDT = the second infusion, 2024-01-01 + 300 days = 2024-10-27 (2024 is a leap year)
    assert (str(p1["STARTDT"]), str(p1["ADT"]), p1["AVAL"]) == ("2024-10-27", "2024-10-27", 0.0)
    _round_trip(folder, tmp_path, last)
    _renders(folder, last)


def test_no_c_peptide_ever_is_not_at_risk_of_graft_failure(tmp_path: Path) -> None:
    folder = write_dataset(
        tmp_path / "ds",
        participants=[person("P1"), person("P2")],
        labs=[lab("P1", 90, "HBA1C", 6.5), lab("P2", 90, "CPEP_FASTING", 150)],
    )
    p = _protocol()
    t = _times(folder, p)
    # P1 has no C-peptide: graft failure is undefined, P1 is not at risk (docs/trial.md,
    # [survival]); P2 was detected (150 ≥ 99.3) and is censored at day 90.
    assert t[("P1", "graft_failure")] == (False, None, None, None)
    assert t[("P2", "graft_failure")] == (True, 90, False, "last observation")
    km = survival_analysis(read_dataset(folder), p).curve("graft_failure", "C")
    assert (km.n, km.events) == (1, 0)
    adtte = _adtte(folder, tmp_path, p)
    assert adtte.filter(pl.col("PARAMCD") == "TTGRAFT")["USUBJID"].to_list() == ["EDGE-P2"]
    _round_trip(folder, tmp_path, p)
    _renders(folder, p)


def test_one_participant_cohort(tmp_path: Path) -> None:
    folder = write_dataset(
        tmp_path / "ds", participants=[person("P1", "A")], events=[event("P1", 30)]
    )
    p = _protocol()
    km = survival_analysis(read_dataset(folder), p).curve("first_she", "A")
    # n = 1, its event on day 30: S(30) = 1 − 1/1 = 0; Greenwood's variance divides by
    # n − d = 0, so the interval is undefined (left empty, not a number).
    assert km.table.select("time_days", "at_risk", "events", "survival").rows() == [
        (30.0, 1, 1, 0.0)
    ]
    assert km.table["ci_lower"].to_list() == [None] and km.table["ci_upper"].to_list() == [None]
    assert km.survival_at(29) == 1.0 and km.survival_at(30) == 0.0
    _round_trip(folder, tmp_path, p, "json")
    out = _renders(folder, p)
    assert "0 %" in out["md"]


def test_cohort_names_with_spaces_and_unicode(tmp_path: Path) -> None:
    cohorts = ("Part A – low dose", "Kohorte ü")
    folder = write_dataset(
        tmp_path / "ds",
        participants=[person("P1", cohorts[0]), person("P2", cohorts[1]), person("P3", cohorts[1])],
        events=[event("P2", 5)],
        labs=[lab("P3", 9, "HBA1C", 7.0)],
    )
    p = _protocol(**{c: [c] for c in cohorts})
    km = survival_analysis(read_dataset(folder), p).curve("first_she", cohorts[1])
    # P2's SHE on day 5 of 2 at risk: S(5) = 1/2; P3 censored on day 9.
    assert km.table.select("time_days", "at_risk", "events", "survival").rows() == [
        (5.0, 2, 1, 0.5),
        (9.0, 1, 0, 0.5),
    ]
    for fmt in ("xpt", "json"):
        back = _round_trip(folder, tmp_path, p, fmt)
        assert sorted(read_dataset(back).participants["cohort"].to_list()) == sorted(
            [cohorts[0], cohorts[1], cohorts[1]]
        )
    out = _renders(folder, p)
    assert cohorts[0] in out["md"] and cohorts[1] in out["html"]


def test_participant_ids_usubjid_carries(tmp_path: Path) -> None:
    ids = ["007", "P-01/x.1", "A B", "Ü2"]
    folder = write_dataset(
        tmp_path / "ds",
        participants=[person(i) for i in ids],
        events=[event("007", 3)],
        labs=[lab("A B", 90, "CPEP_FASTING", 120)],
    )
    p = _protocol()
    for fmt in ("xpt", "json"):
        export_cdisc(read_dataset(folder), tmp_path / f"s-{fmt}", standard="sdtm", format=fmt,  # type: ignore[arg-type]
                     protocol=p, study_id="EDGE")  # fmt: skip
        dm = read_cdisc_folder(tmp_path / f"s-{fmt}", ("DM",))["DM"]
        # USUBJID = STUDYID-participant_id, the id unchanged (leading zeros, '/', '.', ' ', 'Ü')
        assert sorted(dm["USUBJID"].to_list()) == sorted(f"EDGE-{i}" for i in ids)
        assert sorted(dm["SUBJID"].to_list()) == sorted(ids)
        back = _round_trip(folder, tmp_path, p, fmt)
        assert sorted(read_dataset(back).participants["participant_id"].to_list()) == sorted(ids)
    _renders(folder, p)


def test_dates_across_the_leap_day(tmp_path: Path) -> None:
    # Infusion 2024-02-27, second infusion 2024-03-02: Feb 27 → 28 → 29 → Mar 1 → Mar 2 = 4 days.
    folder = write_dataset(
        tmp_path / "ds",
        participants=[person("P1", infusion_date="2024-02-27", second_infusion_date="2024-03-02")],
        labs=[
            {"participant_id": "P1", "date": "2024-02-28", "test": "HBA1C", "value": 7.0},
            {"participant_id": "P1", "date": "2024-03-01", "test": "CPEP_FASTING", "value": 200},
            {"participant_id": "P1", "date": "2024-03-31", "test": "CPEP_FASTING", "value": 40},
        ],
    )
    ds = read_dataset(folder)
    assert ds.labs.sort("date")["day"].to_list() == [1, 3, 33]  # 2024-03-31 − 02-27 = 2+31 days
    from endolab.trial.cdisc import sdtm_datasets

    d = {x.name: x.frame for x in sdtm_datasets(ds, study_id="EDGE")}
    # SDTMIG --DY = date − RFSTDTC + 1 on or after RFSTDTC
    assert d["EX"].sort("EXSEQ")["EXSTDY"].to_list() == [1, 5]
    assert sorted(d["LB"]["LBDY"].to_list()) == [2, 4, 34]
    first, last = _protocol("first"), _protocol("last")
    # graft failure: detected on day 3 (200), below on day 33 (40) → event on day 33 after the
    # first infusion; 33 − 4 = 29 after the second; under "last" the day-3 visit is day −1 and
    # no longer detects the graft after day 0, so nobody is at risk.
    assert _times(folder, first)[("P1", "graft_failure")] == (True, 33, True, "")
    assert _times(folder, last)[("P1", "graft_failure")] == (False, None, None, None)
    adtte = _adtte(folder, tmp_path, last)
    she = adtte.filter(pl.col("PARAMCD") == "TTSHE").row(0, named=True)
    # censored at the last observation, day 33 − 4 = 29 after 2024-03-02 = 2024-03-31
    assert (str(she["STARTDT"]), str(she["ADT"]), she["AVAL"]) == ("2024-03-02", "2024-03-31", 29.0)
    _round_trip(folder, tmp_path, last)
    _renders(folder, last)


def test_death_before_the_second_infusion_under_day0_last(tmp_path: Path) -> None:
    # P1 dies on day 100 after the first infusion; a second infusion is recorded on day 300.
    # Under day0 = "last" the death falls on day 100 − 300 = −200: P1 was never followed after
    # day 0 and is censored at day 0 (death), not at a negative time no KM curve can hold.
    folder = write_dataset(
        tmp_path / "ds",
        participants=[person("P1", second_infusion_date=on(300)), person("P2")],
        events=[event("P1", 100, "AE", "Sepsis", "Y", "N", "FATAL"), event("P1", 50)],
    )
    assert _times(folder, _protocol("first"))[("P1", "first_she")] == (True, 50, True, "")
    last = _protocol("last")
    assert _times(folder, last)[("P1", "first_she")] == (True, 0, False, "death")
    km = survival_analysis(read_dataset(folder), last).curve("first_she", "C")
    assert km.table["time_days"].min() == 0.0
    adtte = _adtte(folder, tmp_path, last)
    p1 = adtte.filter(pl.col("USUBJID") == "EDGE-P1").row(0, named=True)
    assert (p1["AVAL"], p1["CNSR"], p1["CNSDTDSC"]) == (0.0, 1.0, "DEATH")
    assert str(p1["ADT"]) == str(p1["STARTDT"]) == "2024-10-27"
    _renders(folder, last)


def test_analyze_on_the_edge_datasets_never_tracebacks(tmp_path: Path) -> None:
    folder = _second_after_last(tmp_path)
    result = CliRunner().invoke(
        app, ["trial", "analyze", str(folder), "--out", str(tmp_path / "r")]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "r" / "report.html").is_file() and (tmp_path / "r" / "tables.md").is_file()


def test_export_warns_of_values_longer_than_200_bytes(tmp_path: Path) -> None:
    # An AE verbatim term of 250 characters: SAS XPORT v5 and SDTMIG hold at most 200 per value,
    # so the structural rules fail on the file; the export must say so, not write it silently.
    folder = write_dataset(
        tmp_path / "ds",
        participants=[person("P1")],
        events=[event("P1", 5, "AE", "x" * 250, "N", "N", "RECOVERED")],
    )
    result = CliRunner().invoke(
        app,
        ["trial", "export", str(folder), "--standard", "sdtm", "--format", "xpt",
         "--out", str(tmp_path / "o")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    errors = check_folder(tmp_path / "o").errors
    assert "ae.xpt: AETERM is 250 characters long (at most 200)" in errors
    assert (
        "warning: AE.AETERM has values of up to 250 bytes (SDTMIG and XPORT v5: at most 200)"
        in (result.output)
    )


def test_export_warns_of_an_arm_code_longer_than_20_characters(tmp_path: Path) -> None:
    # SDTMIG limits ARMCD to 20 characters; this cohort name has 24 ("Cohort 1" 8 + " half dose"
    # 10 + " 0.4e9" 6), and it is both DM.ARMCD and DM.ACTARMCD (and ADSL.ARMCD in ADaM).
    cohort = "Cohort 1 half dose 0.4e9"
    assert len(cohort) == 24
    folder = write_dataset(tmp_path / "ds", participants=[person("P1", cohort)])
    result = CliRunner().invoke(
        app,
        ["trial", "export", str(folder), "--standard", "sdtm", "--format", "json",
         "--out", str(tmp_path / "o")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    for var in ("ARMCD", "ACTARMCD"):
        assert f"warning: DM.{var} has a code of 24 characters (SDTMIG: at most 20" in result.output
