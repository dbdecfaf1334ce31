"""Property test of the issue-21 pipeline on random small cohorts that no paper published.

Each example is a valid trial dataset of 1–8 participants built row by row (ids and cohort names
with the characters a registry uses, infusion dates around the 2024 leap day, optional second
infusions inside and outside the windows, deaths, missing labs, C-peptide on both sides of the
graft threshold, SHE at the window edges, no CGM, empty event and insulin tables), analysed under
``day0 = "first"`` and ``"last"``. The properties hold whatever the numbers are:

* SDTM export (XPT and Dataset-JSON) → ``import_sdtm`` → analysis gives the source's endpoints JSON;
* every exported folder passes the structural rules (``rules.check_folder``);
* ADTTE AVAL/CNSR read back from the written files are ``survival.time_to_events`` of the source;
* every time to event is ≥ 0 and ≤ the participant's follow-up from day 0;
* each Kaplan–Meier estimate lies in [0, 1] and never increases; the numbers at risk never increase;
* the analysis' tables render (tables.md, with the KM table and the graft states).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from endolab.trial import analyze, load_protocol, read_dataset
from endolab.trial.cdisc.export import export_cdisc
from endolab.trial.cdisc.files import read_cdisc_folder
from endolab.trial.cdisc.importer import import_sdtm
from endolab.trial.cdisc.rules import check_folder
from endolab.trial.dataset import write_dataset as write_trial
from endolab.trial.protocol import Protocol
from endolab.trial.report import endpoints_json_text
from endolab.trial.survival import survival_analysis, time_to_events
from endolab.trial.tables import all_tables, to_markdown
from tests.trial.builders import person, write_dataset

pytest.importorskip("pyreadstat")
pytest.importorskip("lifelines")

#: Ids a registry uses: leading zeros, separators, a space, a non-ASCII letter.
IDS = ("P1", "007", "P-01/x.1", "A B", "Ü2", "s.3", "P10", "p10")
COHORTS = ("A", "B", "C", "Part A", "Kohorte ü")
#: Infusion dates around the 2024 leap day (study days straddle 2024-02-29).
FIRST_DAYS = (
    dt.date(2024, 1, 1),
    dt.date(2024, 2, 20),
    dt.date(2024, 2, 29),
    dt.date(2023, 12, 31),
)
#: Visit days at and around the windows' edges of the default protocol.
VISITS = (-7, 0, 28, 89, 90, 180, 181, 270, 365, 366)
CPEP = (0.0, 50.0, 99.2, 99.3, 150.0, 420.0)  # both sides of 0.3 ng/mL = 99.3 pmol/L
SHE_DAYS = (-1, 0, 1, 89, 90, 365, 366)


def _date(first: dt.date, day: int) -> str:
    return (first + dt.timedelta(days=day)).isoformat()


@st.composite
def _participant(draw: st.DrawFn, pid: str) -> dict[str, list[dict[str, Any]]]:
    first = draw(st.sampled_from(FIRST_DAYS))
    second = draw(st.one_of(st.none(), st.integers(1, 400)))  # inside and outside every window
    row = person(
        pid,
        draw(st.sampled_from(COHORTS)),
        infusion_date=first.isoformat(),
        second_infusion_date="" if second is None else _date(first, second),
    )
    labs: list[dict[str, Any]] = []
    for day in draw(st.lists(st.sampled_from(VISITS), max_size=5, unique=True)):
        for test, values in (
            ("CPEP_FASTING", CPEP),
            ("CPEP_STIM_PEAK", CPEP),
            ("HBA1C", (5.9, 6.5, 7.0, 8.2)),
        ):
            if draw(st.booleans()):  # missing labs
                value = draw(st.sampled_from(values))
                labs.append({"participant_id": pid, "date": _date(first, day), "test": test,
                             "value": value})  # fmt: skip
    insulin: list[dict[str, Any]] = []
    day = draw(st.integers(-3, 5))
    for _ in range(draw(st.integers(0, 4))):  # blocks of insulin-free or insulin-taking days
        length, units = draw(st.integers(1, 40)), draw(st.sampled_from((0.0, 0.0, 12.5)))
        insulin += [
            {"participant_id": pid, "date": _date(first, d), "total_units": units}
            for d in range(day, day + length)
        ]
        day += length + draw(st.integers(0, 3))
    events: list[dict[str, Any]] = []
    for she in draw(st.lists(st.sampled_from(SHE_DAYS), max_size=3)):
        events.append(_event(pid, first, she, "SHE", "Severe hypoglycaemia", "RECOVERED"))
    fate = draw(st.sampled_from(("alive", "alive", "death")))
    if fate == "death":
        events.append(_event(pid, first, draw(st.integers(0, 400)), "AE", "Sepsis", "FATAL"))
    cgm: list[dict[str, Any]] = []
    if draw(st.booleans()):  # a day of 15-minute readings, or no CGM at all
        start = dt.datetime.combine(first, dt.time()) + dt.timedelta(
            days=draw(st.sampled_from(VISITS))
        )
        cgm = [
            {
                "participant_id": pid,
                "time": (start + dt.timedelta(minutes=15 * i)).isoformat(),
                "glucose_mg_dl": (65, 120, 190)[i % 3],
            }
            for i in range(96)
        ]
    return {"participants": [row], "labs": labs, "insulin": insulin, "events": events, "cgm": cgm}


def _event(
    pid: str, first: dt.date, day: int, category: str, term: str, outcome: str
) -> dict[str, Any]:
    return {"participant_id": pid, "start_date": _date(first, day), "end_date": _date(first, day),
            "category": category, "term": term, "serious": "Y", "related": "N", "outcome": outcome}  # fmt: skip


@st.composite
def cohorts(draw: st.DrawFn) -> dict[str, list[dict[str, Any]]]:
    ids = draw(st.lists(st.sampled_from(IDS), min_size=1, max_size=8, unique=True))
    tables: dict[str, list[dict[str, Any]]] = {}
    for pid in ids:
        for name, rows in draw(_participant(pid)).items():
            tables.setdefault(name, []).extend(rows)
    return tables


def _protocol(day0: str) -> Protocol:
    base = load_protocol()
    groups = {**base.cohort_groups, "Part A": ["Part A"], "Kohorte ü": ["Kohorte ü"]}
    return base.model_copy(
        update={
            "cohort_groups": groups,
            "infusions": base.infusions.model_copy(update={"day0": day0}),
        }
    )


def _endpoints(ds: Any, protocol: Protocol) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(endpoints_json_text(analyze(ds, protocol)))
    doc.pop("dataset")
    return doc


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(tables=cohorts(), day0=st.sampled_from(("first", "last")))
def test_random_cohorts_survive_export_import_and_analysis(
    tables: dict[str, list[dict[str, Any]]], day0: str
) -> None:
    protocol = _protocol(day0)
    with TemporaryDirectory() as tmp:
        root = Path(tmp)
        ds = read_dataset(write_dataset(root / "src", **tables))
        expected = _endpoints(ds, protocol)
        a = analyze(ds, protocol)
        text = "\n".join(to_markdown(t) for t in all_tables(a))
        assert "Kaplan" in text or "at risk" in text

        for fmt in ("xpt", "json"):
            export_cdisc(ds, root / f"sdtm-{fmt}", standard="sdtm", format=fmt,  # type: ignore[arg-type]
                         protocol=protocol, study_id="PROP1")  # fmt: skip
            assert check_folder(root / f"sdtm-{fmt}").errors == ()
            back = read_dataset(
                write_trial(import_sdtm(root / f"sdtm-{fmt}"), root / f"back-{fmt}")
            )
            assert _endpoints(back, protocol) == expected, fmt

        export_cdisc(ds, root / "adam", standard="adam", format="xpt", protocol=protocol,
                     study_id="PROP1")  # fmt: skip
        assert check_folder(root / "adam").errors == ()
        adtte = read_cdisc_folder(root / "adam", ("ADTTE",))["ADTTE"]
        tte = time_to_events(ds, protocol).filter(pl.col("at_risk"))
        params = {"first_she": "TTSHE", "graft_failure": "TTGRAFT",
                  "insulin_independence_loss": "TTIILOSS"}  # fmt: skip
        want = sorted(
            (
                f"PROP1-{r['participant_id']}",
                params[r["endpoint"]],
                float(r["time_days"]),
                0.0 if r["event"] else 1.0,
            )
            for r in tte.iter_rows(named=True)
        )
        got = sorted(adtte.select("USUBJID", "PARAMCD", "AVAL", "CNSR").iter_rows())
        assert got == want

    from endolab.trial.endpoints import follow_up_days
    from endolab.trial.infusions import rebase

    follow = {
        r["participant_id"]: max(r["follow_up_day"] or 0, 0)
        for r in follow_up_days(rebase(ds, protocol.day0_of("survival"))).iter_rows(named=True)
    }
    for r in tte.iter_rows(named=True):
        assert 0 <= r["time_days"] <= follow[r["participant_id"]], r

    for km in survival_analysis(ds, protocol).curves:
        s = km.table["survival"].to_list()
        assert all(0.0 <= x <= 1.0 for x in s), km
        assert all(b <= a + 1e-12 for a, b in itertools.pairwise(s)), km
        assert all(t >= 0 for t in km.table["time_days"]), km
        n = km.table["at_risk"].to_list()
        assert all(b <= a for a, b in itertools.pairwise(n)), km
        landmarks = [km.at_risk_at[d] for d in sorted(km.at_risk_at)]
        assert all(b <= a for a, b in itertools.pairwise(landmarks)), km
        assert landmarks[0] <= km.n
