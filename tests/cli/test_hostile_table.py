"""Hostile inputs across every command group, driven by one table (issue 18, "Must show").

Together with tests/cli/test_hostile_inputs.py (output paths, extreme values, unit slips) this
suite runs well over 250 hostile cases. Every row of :data:`CASES` is one genuinely different
hostile input — a bad number, a bad path, a bad file, a bad seed, an oversized request — and
each run asserts:

* the exit status is the one docs/cli.md documents for that class (2 usage/parse, 3 input
  rejected; 0 where the input is valid but odd, e.g. a UTF-16 file that is read);
* no traceback anywhere, and the command ended by ``SystemExit`` (never another exception);
* a refusal is exactly one line on standard error starting ``error: ``, holding the words the
  row names (the field, the path, the reason);
* every input file is byte-identical afterwards (SHA-256 before and after);
* a refused command left nothing behind: the output folder given to it is still empty.

The silent-wrong-number classes of issue 18 (sparse weekly readings, readings 198 years apart,
two-digit years, one participant's C-peptide in ng/mL, a 3-day ``sim dose-response``) are rows
here too, on the command line and with ``--json``; their report surfaces (report.html,
endpoints.json, tables.md, the AGP) are checked in tests/cli/test_cgm_issue18.py,
tests/cli/test_trial.py and tests/cli/test_sim_cli.py.

Commands run in-process (typer's CliRunner, the same group, parser and error handling as the
console script) on small inputs, so the table runs in well under two minutes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from typer.testing import CliRunner

from endolab.cli import app

runner = CliRunner()

TOMORROW = dt.date.today() + dt.timedelta(days=1)
LONG = "a" * 300  # one path component of 300 bytes: the file system allows 255

HCG = ["--vial-iu", "5000", "--diluent-ml", "2", "--dose-iu", "250"]
PLAN = [*HCG, "--per-week", "2", "--weeks", "4"]


@dataclass(frozen=True)
class Case:
    """One hostile input: files to write under ``{in}``, the command line, what must happen.

    ``args`` may use ``{in}`` (the input folder) and ``{out}`` (an empty folder for outputs).
    ``files`` maps a path under ``{in}`` to its bytes (a trailing ``/`` makes a folder).
    ``says`` must all be in the one error line (or, for status 0, in stdout + stderr).
    """

    id: str
    args: tuple[str, ...]
    code: int
    says: tuple[str, ...] = ()
    files: dict[str, bytes] = field(default_factory=dict)
    special: str = ""  # "loop" (a symlink loop at {in}/loop.csv), "denied" (mode 000 file)


# ----------------------------------------------------------------------------------------------
# inputs
# ----------------------------------------------------------------------------------------------


def _cgm_rows(times: list[str], values: list[str] | None = None, sid: str = "S1") -> str:
    values = values or [str(100 + 3 * i) for i in range(len(times))]
    return "".join(f"{sid},{t},{v}\n" for t, v in zip(times, values, strict=True))


FIVE_MIN = [f"2024-03-01 08:{5 * i:02d}:00" for i in range(6)]
GOOD_CGM = "id,time,gl\n" + _cgm_rows(FIVE_MIN)

#: CGM file bodies: (id, bytes, status, words of the error or flag)
CGM_BODIES: list[tuple[str, bytes, int, tuple[str, ...]]] = [
    ("empty-file", b"", 3, ("cgm.csv",)),
    ("binary", bytes(range(256)) * 4, 3, ("cgm.csv",)),
    ("gzip-named-csv", b"\x1f\x8b\x08\x00" + bytes(64), 3, ("cgm.csv",)),
    ("utf16-read", GOOD_CGM.encode("utf-16"), 0, ()),
    ("utf8-bom-read", b"\xef\xbb\xbf" + GOOD_CGM.encode(), 0, ()),
    ("semicolons-read", GOOD_CGM.replace(",", ";").encode(), 0, ()),
    ("tabs-read", GOOD_CGM.replace(",", "\t").encode(), 0, ()),
    ("crlf-read", GOOD_CGM.replace("\n", "\r\n").encode(), 0, ()),
    ("header-only", b"id,time,gl\n", 3, ("cgm.csv",)),
    ("wrong-columns", b"a,b,c\n1,2,3\n", 3, ("cgm.csv",)),
    ("no-glucose-column", b"id,time\nS1,2024-03-01 08:00\n", 3, ("cgm.csv",)),
    ("extra-field", (GOOD_CGM + "S1,2024-03-01 09:00:00,120,7\n").encode(), 3, ("cgm.csv",)),
    ("unbalanced-quote", (GOOD_CGM + 'S1,"2024-03-01 09:00:00,120\n').encode(), 3, ("cgm.csv",)),
    (
        "not-a-calendar-date-feb-30",
        ("id,time,gl\n" + _cgm_rows(["2026-02-28 08:00:00", "2026-02-30 08:05:00"])).encode(),
        3,
        ("row 3", "'2026-02-30 08:05:00' is not a calendar date", "that month has no such day"),
    ),
    (
        "not-a-calendar-date-month-13",
        ("id,time,gl\n" + _cgm_rows(["2025-13-01 08:00:00", "2025-12-01 08:05:00"])).encode(),
        3,
        ("row 2", "not a calendar date", "there is no month 13"),
    ),
    (
        "hour-25",
        ("id,time,gl\n" + _cgm_rows(["2025-12-01 25:00:00", "2025-12-01 08:05:00"])).encode(),
        3,
        ("row 2",),
    ),
    (
        "before-2000",
        ("id,time,gl\n" + _cgm_rows([f"1999-12-31 23:{5 * i:02d}:00" for i in range(6)])).encode(),
        3,
        ("before 2000-01-01",),
    ),
    (
        "after-tomorrow",
        (
            "id,time,gl\n"
            + _cgm_rows([f"{TOMORROW + dt.timedelta(days=2)} 08:{5 * i:02d}:00" for i in range(6)])
        ).encode(),
        3,
        ("after tomorrow",),
    ),
    (
        "198-years-apart",
        ("id,time,gl\n" + _cgm_rows(["1900-01-01 08:00:00", "2098-01-08 08:00:00"])).encode(),
        3,
        ("before 2000-01-01", "after tomorrow"),
    ),
    (
        "two-digit-year",
        ("id,time,gl\n" + _cgm_rows([f"25-03-03 08:{5 * i:02d}" for i in range(6)])).encode(),
        3,
        ("two-digit year is never guessed",),
    ),
    (
        "epoch-seconds",
        ("id,time,gl\n" + _cgm_rows([str(1709280000 + 300 * i) for i in range(6)])).encode(),
        3,
        ("time",),
    ),
    (
        "words-for-time",
        ("id,time,gl\n" + _cgm_rows(["yesterday"] * 6)).encode(),
        3,
        ("'yesterday'",),
    ),
    (
        "duplicated-timestamps",
        (
            "id,time,gl\n" + _cgm_rows([FIVE_MIN[0]] * 6, ["100", "180", "60", "90", "99", "250"])
        ).encode(),
        0,
        ("duplicate reading(s) with the same id and time",),
    ),
    (
        "nan-glucose",
        ("id,time,gl\n" + _cgm_rows(FIVE_MIN, ["100"] * 5 + ["nan"])).encode(),
        0,
        ("dropped 1 reading(s) with missing glucose",),
    ),
    (
        "inf-glucose",
        ("id,time,gl\n" + _cgm_rows(FIVE_MIN, ["100"] * 5 + ["inf"])).encode(),
        3,
        ("gl",),
    ),
    (
        "1e309-glucose",
        ("id,time,gl\n" + _cgm_rows(FIVE_MIN, ["100"] * 5 + ["1e309"])).encode(),
        3,
        ("gl",),
    ),
    (
        "309-digit-glucose",
        ("id,time,gl\n" + _cgm_rows(FIVE_MIN, ["100"] * 5 + ["9" * 309])).encode(),
        3,
        ("gl",),
    ),
    (
        "negative-zero-glucose",
        ("id,time,gl\n" + _cgm_rows(FIVE_MIN, ["100"] * 5 + ["-0"])).encode(),
        3,
        ("is not a glucose concentration",),
    ),
    (
        "negative-glucose",
        ("id,time,gl\n" + _cgm_rows(FIVE_MIN, ["100"] * 5 + ["-5"])).encode(),
        3,
        ("is not a glucose concentration",),
    ),
    (
        "comma-decimal-glucose",
        b"id,time,gl\n" + _cgm_rows(FIVE_MIN, ['"5,5"'] * 6).encode(),
        0,
        ("read as mmol/L",),
    ),
    (
        "unicode-digit-glucose",
        ("id,time,gl\n" + _cgm_rows(FIVE_MIN, ["١٢٠"] * 6)).encode(),
        3,
        ("gl",),
    ),
    (
        "mixed-units",
        ("id,time,gl\n" + _cgm_rows(FIVE_MIN, ["5.5", "6.1", "180", "190", "5.9", "200"])).encode(),
        3,
        ("gl",),
    ),
    (
        "sparse-weekly-flagged",
        (
            "id,time,gl\n"
            + _cgm_rows(
                [f"{dt.date(2024, 1, 1) + dt.timedelta(days=7 * k)} 08:00" for k in range(4)]
            )
        ).encode(),
        0,
        ("median interval 7 days: not CGM data?",),
    ),
]

CGM_COMMANDS: dict[str, tuple[str, ...]] = {
    "metrics": ("cgm", "metrics", "{in}/cgm.csv", "--out", "{out}/m.csv"),
    "episodes": ("cgm", "episodes", "{in}/cgm.csv", "--out", "{out}/e.csv"),
    "agp": ("cgm", "agp", "{in}/cgm.csv", "--id", "S1", "--out", "{out}/agp.svg"),
}


def _cgm_cases() -> list[Case]:
    cases = []
    for command, args in CGM_COMMANDS.items():
        for name, body, code, says in CGM_BODIES:
            if command == "agp" and name == "sparse-weekly-flagged":
                says = ("Insufficient data", "not CGM data?")
            if command == "episodes" and name == "sparse-weekly-flagged":
                says = ("median sampling interval outside 1–45 min", "left empty")
            if command == "agp" and code == 0 and name != "sparse-weekly-flagged":
                continue  # a figure per valid odd file is slow; metrics and episodes read them
            cases.append(Case(f"cgm-{command}-{name}", args, code, says, {"cgm.csv": body}))
    # the silent-wrong-number classes also with --json (the same refusal, or the flag in JSON)
    for name, body, code, says in CGM_BODIES:
        if name in ("198-years-apart", "two-digit-year", "sparse-weekly-flagged"):
            json_says = ('"sufficient_2019": false', "not CGM data?") if code == 0 else says
            cases.append(
                Case(
                    f"cgm-metrics-json-{name}",
                    ("cgm", "metrics", "{in}/cgm.csv", "--json"),
                    code,
                    json_says,
                    {"cgm.csv": body},
                )
            )
    return cases


#: Commands that landed after the table was written (issue 20): the clinic report, the FHIR
#: export and format detection read CGM files through the same readers, so every refused body
#: must be refused by them too, with the same one line (status 3) and nothing written.
NEW_CGM_COMMANDS: dict[str, tuple[str, ...]] = {
    "report": ("cgm", "report", "{in}/cgm.csv", "--out", "{out}/r.html"),
    "fhir": ("cgm", "fhir", "export", "{in}/cgm.csv", "--out", "{out}/b.json"),
}


def _new_cgm_cases() -> list[Case]:
    cases = [
        Case(f"cgm-{command}-{name}", args, code, says, {"cgm.csv": body})
        for command, args in NEW_CGM_COMMANDS.items()
        for name, body, code, says in CGM_BODIES
        if code != 0
    ]
    good = {"cgm.csv": GOOD_CGM.encode()}
    cases += [
        Case(
            "cgm-report-unknown-suffix",
            ("cgm", "report", "{in}/cgm.csv", "--out", "{out}/r.docx"),
            3,
            ("--out",),
            good,
        ),
        Case(
            "cgm-report-compare-not-dates",
            ("cgm", "report", "{in}/cgm.csv", "--out", "{out}/r.html", "--compare", "a:b"),
            2,
            ("--compare",),
            good,
        ),
        Case(
            "cgm-report-compare-feb-30",
            (
                "cgm",
                "report",
                "{in}/cgm.csv",
                "--out",
                "{out}/r.html",
                "--compare",
                "2024-02-01:2024-02-30",
            ),
            2,
            ("not a calendar date",),
            good,
        ),
        Case(
            "cgm-report-unknown-id",
            ("cgm", "report", "{in}/cgm.csv", "--out", "{out}/r.html", "--id", "NOPE"),
            3,
            ("NOPE",),
            good,
        ),
        Case(
            "cgm-fhir-import-not-json",
            ("cgm", "fhir", "import", "{in}/cgm.csv", "--out", "{out}/r.csv"),
            3,
            ("cgm.csv",),
            good,
        ),
        Case(
            "cgm-detect-empty", ("cgm", "detect", "{in}/cgm.csv"), 3, ("cgm.csv",), {"cgm.csv": b""}
        ),
        Case(
            "cgm-detect-binary",
            ("cgm", "detect", "{in}/cgm.csv"),
            3,
            ("cgm.csv",),
            {"cgm.csv": bytes(range(256)) * 4},
        ),
        Case(
            "cgm-detect-folder-for-file",
            ("cgm", "detect", "{in}/sub"),
            3,
            ("sub",),
            {"sub/": b""},
        ),
        Case("cgm-detect-missing", ("cgm", "detect", "{in}/none.csv"), 3, ("none.csv",)),
        Case(  # once: a raw Python warning with a source line on stderr before the error
            "cgm-fhir-one-reading",
            ("cgm", "fhir", "export", "{in}/cgm.csv", "--out", "{out}/b.json"),
            3,
            ("cv cannot be computed (too few readings)",),
            {"cgm.csv": b"id,time,gl\nS1,2024-03-01 08:00,100\n"},
        ),
    ]
    return cases


# --- trial datasets --------------------------------------------------------------------------

PARTICIPANTS = (
    "participant_id,cohort,dose_cells,infusion_date,second_infusion_date,baseline_hba1c_pct,"
    "baseline_insulin_u_per_day,baseline_she_per_year,weight_kg,age_years,sex\n"
    "P1,C,8.0e8,2024-01-01,,7.8,40.0,3,70,40,F\n"
    "P2,C,8.0e8,2024-01-01,,7.9,42.0,2,72,45,M\n"
)
TRIAL = {
    "participants.csv": PARTICIPANTS,
    "cgm.csv": "participant_id,time,glucose_mg_dl\n"
    + "".join(f"P1,2024-01-01T{h:02d}:00:00,{120 + h}\n" for h in range(6)),
    "labs.csv": "participant_id,date,test,value\n"
    "P1,2024-06-29,HBA1C,7.1\nP1,2024-06-29,CPEP_STIM_PEAK,600\nP2,2024-06-29,CPEP_STIM_PEAK,650\n",
    "insulin.csv": "participant_id,date,total_units\nP1,2024-01-02,20\n",
    "events.csv": "participant_id,start_date,end_date,category,term,serious,related,outcome\n",
}


def _trial(**changes: str | bytes | None) -> dict[str, bytes]:
    """The small valid dataset with some tables replaced (``None``: left out)."""
    files: dict[str, bytes] = {}
    for name, text in TRIAL.items():
        key = name.replace(".csv", "")
        new = changes.get(key, text)
        if new is None:
            continue
        files[f"trial/{name}"] = new if isinstance(new, bytes) else new.encode()
    return files


def _swap(table: str, old: str, new: str) -> str:
    assert old in TRIAL[table], (table, old)
    return TRIAL[table].replace(old, new, 1)


#: (id, changed tables, status, words, extra args)
TRIAL_BODIES: list[tuple[str, dict[str, bytes], int, tuple[str, ...]]] = [
    ("valid", _trial(), 0, ()),
    ("participants-empty-file", _trial(participants=b""), 3, ("participants.csv",)),
    ("participants-binary", _trial(participants=bytes(range(256))), 3, ("participants.csv",)),
    ("participants-utf16", _trial(participants=PARTICIPANTS.encode("utf-16")), 3, ("UTF-16",)),
    ("participants-bom-read", _trial(participants=b"\xef\xbb\xbf" + PARTICIPANTS.encode()), 0, ()),
    (
        "participants-semicolons",
        _trial(participants=PARTICIPANTS.replace(",", ";")),
        3,
        ("semicolon",),
    ),
    ("participants-tabs", _trial(participants=PARTICIPANTS.replace(",", "\t")), 3, ("tab",)),
    (
        "participants-header-only",
        _trial(participants=PARTICIPANTS.splitlines()[0] + "\n"),
        3,
        ("E_NO_PARTICIPANTS",),
    ),
    ("participants-wrong-columns", _trial(participants="a,b,c\n1,2,3\n"), 3, ("participants.csv",)),
    ("participants-missing", _trial(participants=None), 3, ("participants",)),
    (
        "participants-duplicate-id",
        _trial(participants=PARTICIPANTS + "P1,C,8.0e8,2024-01-01,,7.8,40,3,70,40,F\n"),
        3,
        ("P1",),
    ),
    (
        "infusion-feb-30",
        _trial(
            participants=_swap("participants.csv", "P2,C,8.0e8,2024-01-01", "P2,C,8.0e8,2026-02-30")
        ),
        3,
        ("'2026-02-30' is not a calendar date",),
    ),
    (
        "infusion-month-13",
        _trial(
            participants=_swap("participants.csv", "P2,C,8.0e8,2024-01-01", "P2,C,8.0e8,2025-13-01")
        ),
        3,
        ("there is no month 13",),
    ),
    (
        "infusion-1850",
        _trial(
            participants=_swap("participants.csv", "P2,C,8.0e8,2024-01-01", "P2,C,8.0e8,1850-01-01")
        ),
        3,
        ("1900-01-01",),
    ),
    (
        "infusion-two-digit-year",
        _trial(
            participants=_swap("participants.csv", "P2,C,8.0e8,2024-01-01", "P2,C,8.0e8,24-01-01")
        ),
        3,
        ("infusion_date",),
    ),
    (
        "weight-nan",
        _trial(participants=_swap("participants.csv", ",72,45,M", ",nan,45,M")),
        3,
        ("weight_kg",),
    ),
    (
        "weight-inf",
        _trial(participants=_swap("participants.csv", ",72,45,M", ",inf,45,M")),
        3,
        ("weight_kg",),
    ),
    (
        "weight-1e309",
        _trial(participants=_swap("participants.csv", ",72,45,M", ",1e309,45,M")),
        3,
        ("weight_kg",),
    ),
    (
        "weight-comma",
        _trial(participants=_swap("participants.csv", ",72,45,M", ',"72,5",45,M')),
        3,
        ("weight_kg",),
    ),
    (
        "weight-unicode-digits",
        _trial(participants=_swap("participants.csv", ",72,45,M", ",٧٢,45,M")),
        3,
        ("weight_kg",),
    ),
    (
        "weight-pounds",
        _trial(
            participants=_swap("participants.csv", ",72,45,M", ",160,45,M")
            + "P3,C,8.0e8,2024-01-01,,7.7,41.0,2,71,50,F\n"
        ),
        3,
        ("E_UNIT_SUSPECT",),
    ),
    (
        "dose-negative",
        _trial(participants=_swap("participants.csv", "P2,C,8.0e8", "P2,C,-8e8")),
        3,
        ("dose_cells",),
    ),
    (
        "cohort-blank",
        _trial(participants=_swap("participants.csv", "P2,C,", "P2,,")),
        3,
        ("cohort",),
    ),
    (
        "cgm-time-feb-30",
        _trial(cgm=_swap("cgm.csv", "2024-01-01T03:00:00", "2026-02-30T03:00:00")),
        3,
        ("not a calendar date",),
    ),
    (
        "cgm-time-1850",
        _trial(cgm=_swap("cgm.csv", "2024-01-01T03:00:00", "1850-01-01T03:00:00")),
        3,
        ("1900-01-01",),
    ),
    (
        "cgm-duplicated-time",
        _trial(cgm=TRIAL["cgm.csv"] + "P1,2024-01-01T01:00:00,150\n"),
        3,
        ("cgm.csv",),
    ),
    (
        "cgm-unknown-participant",
        _trial(cgm=TRIAL["cgm.csv"] + "P9,2024-01-01T09:00:00,150\n"),
        3,
        ("P9",),
    ),
    ("cgm-glucose-nan", _trial(cgm=_swap("cgm.csv", ",123\n", ",nan\n")), 3, ("glucose_mg_dl",)),
    ("cgm-as-a-folder", {**_trial(cgm=None), "trial/cgm.csv/": b""}, 3, ("cgm",)),
    (
        "labs-feb-30",
        _trial(labs=_swap("labs.csv", "P1,2024-06-29,HBA1C", "P1,2026-02-30,HBA1C")),
        3,
        ("labs.csv", "'2026-02-30' is not a calendar date"),
    ),
    (
        "labs-hba1c-fraction",
        _trial(labs=_swap("labs.csv", "HBA1C,7.1", "HBA1C,0.071")),
        3,
        ("a fraction?",),
    ),
    (
        "labs-cpep-ng-ml-one-participant",
        _trial(
            labs=_swap(
                "labs.csv", "P2,2024-06-29,CPEP_STIM_PEAK,650", "P2,2024-06-29,CPEP_STIM_PEAK,1.9"
            )
        ),
        3,
        ("E_UNIT_SUSPECT", "P2"),
    ),
    (
        "insulin-negative",
        _trial(insulin=_swap("insulin.csv", ",20\n", ",-20\n")),
        3,
        ("total_units",),
    ),
]


def _trial_cases() -> list[Case]:
    cases = []
    for name, files, code, says in TRIAL_BODIES:
        # validate lists problems on stdout and one summary line on stderr
        cases.append(
            Case(
                f"trial-validate-{name}",
                ("trial", "validate", "{in}/trial"),
                code,
                says if code == 0 else ("error: ",),
                files,
            )
        )
        if code == 0:
            continue  # a valid dataset's report: tests/cli/test_trial.py (slow to write here)
        cases.append(
            Case(
                f"trial-analyze-{name}",
                ("trial", "analyze", "{in}/trial", "--out", "{out}/report"),
                code,
                says,
                files,
            )
        )
    ng = dict(
        TRIAL_BODIES[[n for n, *_ in TRIAL_BODIES].index("labs-cpep-ng-ml-one-participant")][1]
    )
    cases.append(
        Case(
            "trial-analyze-json-cpep-ng-ml",
            ("trial", "analyze", "{in}/trial", "--json"),
            3,
            ("E_UNIT_SUSPECT", "P2"),
            ng,
        )
    )
    # confirmed with --accept-units, the finding is a notice in endpoints.json, report.html and
    # tables.md: tests/cli/test_trial.py::test_accept_units_keeps_the_finding_in_every_report
    return cases


# --- paths -----------------------------------------------------------------------------------

#: (id, the path to give, files to make, special, words)
PATHS: list[tuple[str, str, dict[str, bytes], str, tuple[str, ...]]] = [
    ("missing", "{in}/nope.csv", {}, "", ("nope.csv",)),
    ("folder-for-a-file", "{in}/dir", {"dir/": b""}, "", ("dir",)),
    ("name-too-long", "{in}/" + LONG + ".csv", {}, "", ("255",)),
    ("symlink-loop", "{in}/loop.csv", {}, "loop", ("loop.csv",)),
    (
        "permission-denied",
        "{in}/secret.csv",
        {"secret.csv": GOOD_CGM.encode()},
        "denied",
        ("secret.csv",),
    ),
    ("empty-path", "", {}, "", ()),
    ("dev-null", "/dev/null", {}, "", ()),
    (
        "not-a-directory-on-the-way",
        "{in}/plain.txt/cgm.csv",
        {"plain.txt": b"x"},
        "",
        ("plain.txt",),
    ),
]

PATH_COMMANDS: dict[str, tuple[str, ...]] = {
    "cgm-metrics": ("cgm", "metrics", "PATH", "--out", "{out}/m.csv"),
    "cgm-episodes": ("cgm", "episodes", "PATH"),
    "cgm-agp": ("cgm", "agp", "PATH", "--id", "S1", "--out", "{out}/a.svg"),
    "cgm-day0": ("cgm", "metrics", "{in}/good.csv", "--window", "0:1", "--day0", "PATH"),
    "trial-validate": ("trial", "validate", "PATH"),
    "trial-analyze": ("trial", "analyze", "PATH", "--out", "{out}/r"),
    "sim-settings-file": (
        "sim",
        "patient",
        "--id",
        "adult#001",
        "--days",
        "1",
        "--settings",
        "PATH",
    ),
}


def _path_cases() -> list[Case]:
    cases = []
    for command, args in PATH_COMMANDS.items():
        for name, path, files, special, says in PATHS:
            if command == "cgm-day0" and name in ("empty-path",):
                continue  # an empty --day0 is read as a date, not a path: a number case
            if command.startswith("trial") and name == "folder-for-a-file":
                name, path, files, says = (
                    "file-for-a-folder",
                    "{in}/plain.txt",
                    {"plain.txt": b"x"},
                    ("plain.txt",),
                )
            real = tuple(path if a == "PATH" else a for a in args)
            says = ("empty path",) if name == "empty-path" else says
            code = 3
            if command == "cgm-day0" and name not in ("folder-for-a-file", "name-too-long"):
                code, says = 2, ("--day0", "not a date (YYYY-MM-DD) nor an existing CSV file")
            extra = {"good.csv": GOOD_CGM.encode()} if command == "cgm-day0" else {}
            cases.append(
                Case(
                    f"path-{command}-{name}",
                    real,
                    code,
                    says,
                    {**files, **extra},
                    special,
                )
            )
    return cases


# --- numbers, seeds, sizes, dates on the command line ----------------------------------------

BAD_NUMBERS = [
    ("nan", "nan", 2),
    ("inf", "inf", 2),
    ("minus-inf", "-inf", 2),
    ("1e309", "1e309", 2),
    ("309-digits", "9" * 309, 2),
    ("empty", "", 2),
    ("blank", "   ", 2),
    ("arabic-indic-digits", "٦٥٠", 2),
    ("full-width-digits", "６５０", 2),
    ("comma", "6,5", 2),
    ("hex", "0x10", 2),
    ("unicode-minus", "−650", 2),
    ("with-unit", "650 ng/dL", 2),
    ("negative-zero", "-0", 3),
    ("subnormal", "1e-320", 3),
]

NUMBER_OPTIONS: list[tuple[str, tuple[str, ...], str]] = [
    ("hormones-predict-total-t", ("hormones", "predict", "--total-t", "V"), "total_t"),
    (
        "hcg-mix-vial",
        ("hcg", "mix", "--vial-iu", "V", "--diluent-ml", "2", "--dose-iu", "250"),
        "vial_iu",
    ),
    (
        "hcg-mix-diluent",
        ("hcg", "mix", "--vial-iu", "5000", "--diluent-ml", "V", "--dose-iu", "250"),
        "diluent_ml",
    ),
    (
        "hormones-pk-dose",
        ("hormones", "pk", "--ester", "cypionate", "--dose-mg", "V", "--every-days", "7"),
        "dose",
    ),
]


def _number_cases() -> list[Case]:
    cases = []
    for option, args, word in NUMBER_OPTIONS:
        for name, value, code in BAD_NUMBERS:
            real = tuple(value if a == "V" else a for a in args)
            if name == "subnormal" and option.startswith("hcg"):
                code = 2  # an exact amount with ~1,000 digits is no usable amount: a parse error
            says = (word,) if code == 3 else ("E_NOT_A_NUMBER", word)
            if name == "309-digits":
                says = (*says, "(309 characters)")  # not echoed back whole
            cases.append(Case(f"number-{option}-{name}", real, code, says))
    return cases


SEED_COMMANDS = {
    "trial-simulate": (
        "trial",
        "simulate",
        "--participants",
        "1",
        "--days",
        "1",
        "--out",
        "{out}/ds",
        "--seed",
    ),
    "trial-demo": ("trial", "demo", "--out", "{out}/demo", "--seed"),
    "sim-dose-response": (
        "sim",
        "dose-response",
        "--doses",
        "8e8",
        "--participants",
        "1",
        "--days",
        "1",
        "--seed",
    ),
    "sim-patient": ("sim", "patient", "--id", "adult#001", "--days", "1", "--seed"),
}
BAD_SEEDS = [
    ("minus-one", "-1", 3, ("seed must be a whole number from 0 to 4294967295",)),
    ("two-to-the-32", "4294967296", 3, ("seed must be a whole number from 0 to 4294967295",)),
    ("40-digits", "9" * 40, 3, ("seed",)),
    ("decimal", "1.5", 2, ("--seed",)),
    ("word", "abc", 2, ("--seed",)),
]


def _seed_cases() -> list[Case]:
    return [
        Case(f"seed-{command}-{name}", (*args, value), code, says)
        for command, args in SEED_COMMANDS.items()
        for name, value, code, says in BAD_SEEDS
    ]


OTHER: list[Case] = [
    # oversized or empty requests
    Case(
        "size-trial-simulate-participants",
        ("trial", "simulate", "--participants", "10001", "--out", "{out}/ds"),
        3,
        ("participants must be ≤ 10000",),
    ),
    Case(
        "size-trial-simulate-days",
        ("trial", "simulate", "--days", "3651", "--out", "{out}/ds"),
        3,
        ("days must be ≤ 3650",),
    ),
    Case(
        "size-trial-simulate-zero",
        ("trial", "simulate", "--participants", "0", "--out", "{out}/ds"),
        3,
        ("participants",),
    ),
    Case(
        "size-sim-patient-days",
        ("sim", "patient", "--id", "adult#001", "--days", "366"),
        3,
        ("days",),
    ),
    Case(
        "size-sim-patient-zero-days",
        ("sim", "patient", "--id", "adult#001", "--days", "0"),
        3,
        ("days",),
    ),
    Case("size-dose-response-no-doses", ("sim", "dose-response", "--doses", ""), 2, ("--doses",)),
    Case(
        "size-dose-response-negative-dose",
        ("sim", "dose-response", "--doses", "-8e8"),
        3,
        ("dose",),
    ),
    Case(
        "size-hcg-plan-weeks",
        ("hcg", "plan", *PLAN[:-2], "--weeks", "100000", "--start", "2026-01-05"),
        3,
        ("weeks",),
    ),
    Case(
        "size-hcg-suggest-top",
        ("hcg", "suggest", "--vial-iu", "5000", "--dose-iu", "250", "--top", "1000000000"),
        0,
        (),
    ),
    Case(
        "size-hormones-pk-every-0",
        ("hormones", "pk", "--ester", "cypionate", "--dose-mg", "100", "--every-days", "0"),
        3,
        ("interval_days",),
    ),
    # the short simulation: windows never simulated are "not decided", never a count
    Case(
        "short-dose-response-not-decided",
        ("sim", "dose-response", "--doses", "8e8", "--participants", "1", "--days", "3"),
        0,
        ("not decided (N=1)",),
    ),
    Case(
        "short-dose-response-json-not-decided",
        ("sim", "dose-response", "--doses", "8e8", "--participants", "1", "--days", "3", "--json"),
        0,
        ('"status": "not decided"',),
    ),
    # dates typed on the command line
    Case(
        "date-hcg-feb-30",
        ("hcg", "plan", *PLAN, "--start", "2026-02-30"),
        2,
        ("`start` 2026-02-30 is not a calendar date",),
    ),
    Case(
        "date-hcg-month-13",
        ("hcg", "plan", *PLAN, "--start", "2025-13-01"),
        2,
        ("there is no month 13",),
    ),
    Case(
        "date-hcg-two-digit-year", ("hcg", "plan", *PLAN, "--start", "26-01-05"), 2, ("YYYY-MM-DD",)
    ),
    Case("date-hcg-words", ("hcg", "plan", *PLAN, "--start", "next monday"), 2, ("YYYY-MM-DD",)),
    Case(
        "date-cgm-day0-feb-30",
        ("cgm", "metrics", "{in}/good.csv", "--window", "0:1", "--day0", "2026-02-30"),
        2,
        ("day0",),
        {"good.csv": GOOD_CGM.encode()},
    ),
    # choices and options
    Case("choice-hcg-syringe", ("hcg", "mix", *HCG, "--syringe", "u1000"), 2, ("syringe",)),
    Case("choice-hcg-preset", ("hcg", "mix", *HCG, "--preset", "nope"), 2, ("preset",)),
    Case(
        "choice-cgm-reader",
        ("cgm", "metrics", "{in}/good.csv", "--reader", "xlsx"),
        2,
        ("--reader",),
        {"good.csv": GOOD_CGM.encode()},
    ),
    Case(
        "choice-cgm-engine",
        ("cgm", "metrics", "{in}/good.csv", "--engine", "spark"),
        2,
        ("--engine",),
        {"good.csv": GOOD_CGM.encode()},
    ),
    Case(
        "choice-trial-format",
        ("trial", "simulate", "--out", "{out}/ds", "--format", "xlsx"),
        2,
        ("--format",),
    ),
    Case(
        "choice-trial-arm",
        ("trial", "simulate", "--out", "{out}/ds", "--arm", "sham"),
        2,
        ("--arm",),
    ),
    Case(
        "choice-trial-protocol",
        ("trial", "analyze", "{in}/x", "--json", "--protocol", "nope"),
        3,
        ("protocol",),
        {"x/": b""},
    ),
    Case("choice-sim-patient", ("sim", "patient", "--id", "robot#001"), 2, ("robot#001",)),
    Case(
        "choice-sim-rescue",
        ("sim", "patient", "--id", "adult#001", "--rescue", "maybe"),
        2,
        ("--rescue must be on or off",),
    ),
    Case(
        "choice-sim-therapy",
        ("sim", "patient", "--id", "adult#001", "--therapy", "pump"),
        2,
        ("basal-bolus or none",),
    ),
    Case(
        "choice-hormones-unit",
        ("hormones", "predict", "--total-t", "650", "--unit", "mg/L"),
        2,
        ("unit",),
    ),
    Case(
        "choice-hormones-ester",
        ("hormones", "pk", "--ester", "water", "--dose-mg", "100", "--every-days", "7"),
        2,
        ("ester",),
    ),
    Case(
        "hcg-zero-diluent",
        ("hcg", "mix", "--vial-iu", "5000", "--diluent-ml", "0", "--dose-iu", "250"),
        3,
        ("diluent",),
    ),
    Case(
        "hcg-dose-above-vial",
        ("hcg", "mix", "--vial-iu", "5000", "--diluent-ml", "2", "--dose-iu", "6000"),
        3,
        ("dose",),
    ),
    Case(
        "hormones-age-just-above",
        ("hormones", "predict", "--total-t", "650", "--age", "90.0001"),
        3,
        ("90.0001 years",),
    ),
    Case(
        "hormones-both-inputs",
        ("hormones", "predict", "--total-t", "650", "--dose-mg-week", "100"),
        3,
        ("not both",),
    ),
    # serve: refused while parsing, before anything binds or prints a URL
    Case("serve-port-too-high", ("serve", "--port", "70000"), 2, ("--port",)),
    Case("serve-port-negative", ("serve", "--port", "-1"), 2, ("--port",)),
    Case("serve-port-word", ("serve", "--port", "http"), 2, ("--port",)),
    Case("serve-workers-zero", ("serve", "--workers", "0"), 2, ("--workers",)),
    Case("serve-upload-zero", ("serve", "--max-upload-mb", "0"), 2, ("--max-upload-mb",)),
    Case("serve-upload-huge", ("serve", "--max-upload-mb", "1e9"), 2, ("--max-upload-mb",)),
    # examples and template into hostile folders
    Case(
        "examples-into-a-file",
        ("examples", "{in}/plain.txt"),
        3,
        ("plain.txt",),
        {"plain.txt": b"x"},
    ),
    Case("examples-name-too-long", ("examples", "{out}/" + LONG), 3, ("255",)),
    Case(
        "template-into-foreign-folder",
        ("trial", "template", "{in}/mine"),
        3,
        ("thesis.docx",),
        {"mine/thesis.docx": b"my thesis"},
    ),
]

CASES: list[Case] = [
    *_cgm_cases(),
    *_new_cgm_cases(),
    *_trial_cases(),
    *_path_cases(),
    *_number_cases(),
    *_seed_cases(),
    *OTHER,
]


# ----------------------------------------------------------------------------------------------
# the run
# ----------------------------------------------------------------------------------------------


def _digest(folder: Path) -> dict[str, str]:
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink() and os.access(path, os.R_OK):
            found[str(path.relative_to(folder))] = hashlib.sha256(path.read_bytes()).hexdigest()
        elif path.is_dir():
            found[str(path.relative_to(folder)) + "/"] = "folder"
    return found


def test_the_table_is_large_and_distinct() -> None:
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids))
    groups = {case.args[0] for case in CASES}
    assert groups >= {"hormones", "hcg", "cgm", "trial", "sim", "serve", "examples"}
    # with tests/cli/test_hostile_inputs.py (112 cases) the suite is well over 250
    assert len(CASES) >= 250


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_hostile(tmp_path: Path, case: Case) -> None:
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    out.mkdir()
    for name, data in case.files.items():
        path = folder / name
        if name.endswith("/"):
            path.mkdir(parents=True, exist_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    if case.special == "loop":
        os.symlink(folder / "loop.csv", folder / "loop.csv")
    if case.special == "denied":
        if os.geteuid() == 0:
            pytest.skip("root reads a mode-000 file: permission denied cannot happen as root")
        (folder / "secret.csv").chmod(0)
    before = _digest(folder)
    args = [a.replace("{in}", str(folder)).replace("{out}", str(out)) for a in case.args]
    result = runner.invoke(app, args)
    everything = result.stdout + result.stderr
    assert "Traceback" not in everything
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        repr(result.exception),
        args,
    )
    assert result.exit_code == case.code, (result.exit_code, everything[-2000:])
    if case.code == 0:
        for words in case.says:
            assert words in everything, (words, everything[-2000:])
    else:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("error: "), lines
        shown = lines[0] + ("\n" + result.stdout if case.args[:2] == ("trial", "validate") else "")
        for words in case.says:
            assert words in shown, (words, shown)
        assert list(out.iterdir()) == [], "a refused command left output behind"
    if case.special == "denied":
        (folder / "secret.csv").chmod(0o644)
    assert _digest(folder) == before, "an input was changed"
