"""`endolab hcg …` in-process: exit codes, one-line errors, JSON keys, files written."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from endolab.cli import app
from endolab.output import DISCLAIMER

runner = CliRunner()

MIX = ["hcg", "mix", "--vial-iu", "5000", "--diluent-ml", "5", "--dose-iu", "250"]
PLAN = [
    "hcg",
    "plan",
    "--vial-iu",
    "5000",
    "--diluent-ml",
    "5",
    "--dose-iu",
    "250",
    "--weekdays",
    "mon,thu",
    "--start",
    "2025-01-06",
    "--discard-after-days",
    "30",
    "--weeks",
    "12",
    "--price-per-vial",
    "60",
]

REQUIRED_KEYS = {
    "concentration_iu_per_ml",
    "iu_per_syringe_unit",
    "dose_ml",
    "syringe_units",
    "on_graduation",
    "doses_per_vial",
    "doses_before_discard",
    "wasted_iu",
    "weekly_iu",
    "last_dose_day",
    "vials_needed",
    "cost_per_week",
    "notices",
    "disclaimer",
}


def one_error_line(result) -> str:  # type: ignore[no-untyped-def]
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def test_mix_human_output_t01() -> None:
    result = runner.invoke(app, MIX)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "Concentration: 1,000.0 IU/mL" in out
    # the headline (first line after the title) names the mark and what it gives
    assert (
        out.splitlines()[1] == "Draw to the 25-unit mark on a U-100 syringe = 250.0 IU (0.250 mL)"
    )
    assert "Doses per vial: 20 doses" in out
    assert "does not choose doses" in out
    assert out.rstrip().endswith(DISCLAIMER)
    assert "WARNING" not in out


def test_mix_json_t05() -> None:
    result = runner.invoke(
        app, ["hcg", "mix", "--vial-iu", "5000", "--diluent-ml", "3", "--dose-iu", "250", "--json"]
    )
    assert result.exit_code == 0
    d = json.loads(result.stdout)
    # 5000/3 = 1666.7 IU/mL (1 dp), 16.7 IU/unit, 0.150 mL, exactly 15 units on a mark
    assert d["concentration_iu_per_ml"] == 1666.7
    assert d["concentration_iu_per_ml_exact"] == "5000/3"
    assert d["iu_per_syringe_unit"] == 16.7
    assert d["dose_ml"] == 0.15
    assert d["syringe_units"] == 15.0 and d["on_graduation"] is True
    assert d["disclaimer"] == DISCLAIMER
    assert {"code": "I_POTENCY_BAND", "severity": "I"}.items() <= d["notices"][0].items()


def test_plan_json_has_all_keys_t27() -> None:
    result = runner.invoke(app, [*PLAN, "--json"])
    assert result.exit_code == 0, result.stderr
    d = json.loads(result.stdout)
    assert set(d) >= REQUIRED_KEYS
    assert d["weekly_iu"] == 500.0
    assert d["doses_per_vial"] == 20
    assert d["last_dose_day"] == 66
    assert d["doses_before_discard"] == 9
    assert d["wasted_iu"] == 2750.0
    assert d["vials_needed"] == 3
    assert d["plan_cost"] == 180.0 and d["cost_per_week"] == 15.0
    assert d["drug_only_cost_per_week"] == 6.0
    assert d["discard_date"] == "2025-02-05"
    assert [v["doses"] for v in d["vials"]] == [9, 9, 6]
    assert "W_BUD_CONFLICT" in [n["code"] for n in d["notices"]]


def test_plan_human_and_ics(tmp_path: Path) -> None:
    ics = tmp_path / "plan.ics"
    result = runner.invoke(app, [*PLAN, "--ics", str(ics)])
    assert result.exit_code == 0, result.stderr
    assert "3 vials" in result.stdout
    assert "Cost: 180.00 for 12 weeks; 15.00 per week; drug-only 6.00 per week" in result.stdout
    assert "WARNING W_BUD_CONFLICT" in result.stdout
    assert ics.read_text(encoding="utf-8").count("BEGIN:VEVENT") == 30
    assert result.stdout.rstrip().endswith(DISCLAIMER)


@pytest.mark.parametrize(
    "freq",
    [["--per-week", "2"], ["--freq", "2x-week"], ["--every-days", "2"], ["--weekdays", "mon,thu"]],
)
def test_plan_frequency_flags(freq: list[str]) -> None:
    args = [
        "hcg",
        "plan",
        "--vial-iu",
        "5000",
        "--diluent-ml",
        "5",
        "--dose-iu",
        "250",
        *freq,
        "--start",
        "2025-01-06",
        "--discard-after-days",
        "30",
        "--weeks",
        "12",
        "--json",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["vials_needed"] == 3  # T27 and T29 both need 3 vials


def test_plan_frequency_missing_or_twice() -> None:
    base = [a for a in PLAN if a not in ("--weekdays", "mon,thu")]
    result = runner.invoke(app, base)
    assert result.exit_code == 2
    assert "frequency" in one_error_line(result)
    result = runner.invoke(app, [*PLAN, "--per-week", "2"])
    assert result.exit_code == 2
    one_error_line(result)


def test_mix_svg(tmp_path: Path) -> None:
    svg = tmp_path / "syringe.svg"
    result = runner.invoke(app, [*MIX, "--syringe", "u100-0.5", "--svg", str(svg)])
    assert result.exit_code == 0, result.stderr
    root = ET.fromstring(svg.read_text(encoding="utf-8"))
    assert root.get("data-syringe") == "u100-0.5" and root.get("data-dose-ml") == "1/4"


def test_reverse_t17() -> None:
    result = runner.invoke(
        app, ["hcg", "reverse", "--vial-iu", "5000", "--dose-iu", "250", "--units", "20", "--json"]
    )
    assert result.exit_code == 0
    d = json.loads(result.stdout)
    assert d["diluent_ml"] == 4.0 and d["syringe_units"] == 20.0
    human = runner.invoke(
        app, ["hcg", "reverse", "--vial-iu", "5000", "--dose-iu", "250", "--units", "25"]
    )
    assert "Add 5.000 mL diluent" in human.stdout


def test_suggest() -> None:
    result = runner.invoke(
        app, ["hcg", "suggest", "--vial-iu", "5000", "--dose-iu", "250", "--json"]
    )
    assert result.exit_code == 0
    d = json.loads(result.stdout)
    assert d["suggestions"][0]["diluent_ml"] == 5.0
    assert d["disclaimer"] == DISCLAIMER
    human = runner.invoke(
        app,
        [
            "hcg",
            "suggest",
            "--vial-iu",
            "5000",
            "--dose-iu",
            "250",
            "--per-week",
            "2",
            "--discard-after-days",
            "30",
        ],
    )
    assert human.exit_code == 0
    assert "1. 5.0 mL" in human.stdout
    assert "No diluent volume fixes this" in human.stdout


def test_presets_and_syringes() -> None:
    result = runner.invoke(app, ["hcg", "presets"])
    assert result.exit_code == 0
    for key in ("novarel-5000", "pregnyl-us-10000", "generic-fk-10000", "ovidrel-250mcg"):
        assert key in result.stdout
    assert "Check your carton" in result.stdout
    d = json.loads(runner.invoke(app, ["hcg", "syringes", "--json"]).stdout)
    assert [s["key"] for s in d["syringes"]] == [
        "u100-0.3-half",
        "u100-0.3",
        "u100-0.5",
        "u100-1.0",
        "u40-1.0",
        "u40-0.5",
        "tb-1.0",
    ]
    assert json.loads(runner.invoke(app, ["hcg", "presets", "--json"]).stdout)["presets"]


def test_preset_fills_values() -> None:
    result = runner.invoke(
        app, ["hcg", "mix", "--preset", "pregnyl-us-10000", "--dose-iu", "250", "--json"]
    )
    assert result.exit_code == 0, result.stderr
    d = json.loads(result.stdout)
    assert (d["vial_iu"], d["diluent_ml"], d["vial_capacity_ml"]) == (10000.0, 10.0, 10.0)
    assert "I_LABEL_ROUTE" in [n["code"] for n in d["notices"]]
    assert set(d) >= REQUIRED_KEYS and d["weekly_iu"] is None  # plan keys are null in `mix`
    human = runner.invoke(app, ["hcg", "mix", "--preset", "pregnyl-us-10000", "--dose-iu", "250"])
    assert "Check your carton" in human.stdout and "[S1][S2][S3]" in human.stdout
    plan = runner.invoke(
        app,
        [
            "hcg",
            "plan",
            "--preset",
            "novarel-5000",
            "--diluent-ml",
            "5",
            "--dose-iu",
            "250",
            "--per-week",
            "2",
            "--start",
            "2025-01-06",
            "--weeks",
            "12",
            "--json",
        ],
    )
    assert plan.exit_code == 0, plan.stderr
    assert json.loads(plan.stdout)["bud_days"] == 30


# --- bad inputs: exit status and one-line error with its code -----------------------------------


@pytest.mark.parametrize("value", ["1,5", "abc", "", "nan", "inf"])
def test_T33_not_a_number_exit_2(value: str) -> None:
    result = runner.invoke(
        app, ["hcg", "mix", "--vial-iu", "5000", "--diluent-ml", value, "--dose-iu", "250"]
    )
    assert result.exit_code == 2
    line = one_error_line(result)
    assert "E_NOT_A_NUMBER" in line and "diluent_ml" in line


def test_comma_message() -> None:
    result = runner.invoke(
        app, ["hcg", "mix", "--vial-iu", "5000", "--diluent-ml", "1,5", "--dose-iu", "250"]
    )
    assert "got `1,5`" in result.stderr and "dot as the decimal separator" in result.stderr


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--dose-iu", "0"], "E_DOSE_NOT_POSITIVE"),
        (["--dose-iu", "-250"], "E_DOSE_NOT_POSITIVE"),
        (["--vial-iu", "0"], "E_VIAL_NOT_POSITIVE"),
        (["--diluent-ml", "0"], "E_DILUENT_NOT_POSITIVE"),
        (["--dose-iu", "6000"], "E_DOSE_EXCEEDS_VIAL"),
        (["--diluent-ml", "12"], "E_DILUENT_EXCEEDS_VIAL_CAPACITY"),
        (["--dead-space-ml", "-0.1"], "E_NEGATIVE_LOSS"),
        (["--dose-iu", "2", "--syringe", "u100-1.0"], "E_DOSE_BELOW_RESOLUTION"),
        (["--preset", "ovidrel-250mcg"], "E_PREFILLED_SINGLE_USE"),
        (["--preset", "novarel-5000", "--dose-iu", "56 mcg"], "E_MASS_UNIT_FOR_URINARY_HCG"),
    ],
)
def test_mix_rejections_exit_3(args: list[str], code: str) -> None:
    base = {"--vial-iu": "5000", "--diluent-ml": "5", "--dose-iu": "250"}
    it = iter(args)
    extra = dict(zip(it, it, strict=True))
    merged = base | extra
    argv = ["hcg", "mix"] + [x for kv in merged.items() for x in kv]
    result = runner.invoke(app, argv)
    assert result.exit_code == 3, (result.stdout, result.stderr)
    assert code in one_error_line(result)


@pytest.mark.parametrize(
    ("replace", "code"),
    [
        (("--discard-after-days", "0"), "E_BUD_NOT_POSITIVE"),
        (("--weeks", "0"), "E_WEEKS_NOT_POSITIVE"),
        (("--price-per-vial", "-60"), "E_PRICE_NEGATIVE"),
        (("--weekdays", "mon,xyz"), "E_SCHEDULE_INVALID"),
    ],
)
def test_plan_rejections_exit_3(replace: tuple[str, str], code: str) -> None:
    argv = list(PLAN)
    argv[argv.index(replace[0]) + 1] = replace[1]
    result = runner.invoke(app, argv)
    assert result.exit_code == 3
    assert code in one_error_line(result)


def test_plan_every_days_not_integer_exit_3() -> None:
    argv = [a for a in PLAN if a not in ("--weekdays", "mon,thu")] + ["--every-days", "1.5"]
    result = runner.invoke(app, argv)
    assert result.exit_code == 3
    assert "E_SCHEDULE_INVALID" in one_error_line(result)


def test_plan_bud_required_exit_3() -> None:
    argv = [
        "hcg",
        "plan",
        "--preset",
        "generic-fk-10000",
        "--dose-iu",
        "250",
        "--per-week",
        "2",
        "--start",
        "2025-01-06",
        "--weeks",
        "4",
    ]
    result = runner.invoke(app, argv)
    assert result.exit_code == 3
    assert "E_BUD_REQUIRED" in one_error_line(result)


def test_T41_sterile_water_plan() -> None:
    argv = [
        "hcg",
        "plan",
        "--preset",
        "novarel-5000",
        "--diluent-ml",
        "5",
        "--dose-iu",
        "250",
        "--diluent",
        "sterile water",
        "--per-week",
        "2",
        "--start",
        "2025-01-06",
        "--weeks",
        "4",
    ]
    result = runner.invoke(app, argv)
    assert result.exit_code == 3 and "E_BUD_REQUIRED" in result.stderr
    result = runner.invoke(app, [*argv, "--discard-after-days", "1", "--json"])
    assert result.exit_code == 0
    codes = [n["code"] for n in json.loads(result.stdout)["notices"]]
    assert "W_PRESERVATIVE_FREE_DILUENT" in codes


def test_usage_errors_exit_2() -> None:
    result = runner.invoke(app, ["hcg", "mix", "--diluent-ml", "5", "--dose-iu", "250"])
    assert result.exit_code == 2
    assert "--vial-iu" in one_error_line(result)
    result = runner.invoke(app, [*MIX, "--syringe", "u100-9"])
    assert result.exit_code == 2
    one_error_line(result)
    result = runner.invoke(app, [*PLAN[:-2], "--start", "2025-13-01"])
    assert result.exit_code == 2
    one_error_line(result)


def test_help_says_arithmetic_only() -> None:
    result = runner.invoke(app, ["hcg", "--help"])
    assert result.exit_code == 0
    assert "does not choose doses" in result.stdout


def test_plan_without_discard_days_and_preset(tmp_path: Path) -> None:
    argv = [a for a in PLAN if a not in ("--discard-after-days", "30")]
    ics = tmp_path / "p.ics"
    result = runner.invoke(app, [*argv, "--ics", str(ics)])
    assert result.exit_code == 0, result.stderr
    assert "vials are limited by content only" in result.stdout
    assert "2 vials" in result.stdout
    assert "Discard hCG" not in ics.read_text(encoding="utf-8")
    d = json.loads(runner.invoke(app, [*argv, "--json"]).stdout)
    assert d["bud_days"] is None and d["discard_date"] is None and d["vials_needed"] == 2


def test_graduation_override_flag() -> None:
    argv = [*MIX, "--syringe", "u40-1.0", "--graduation-units", "0.5", "--json"]
    d = json.loads(runner.invoke(app, argv).stdout)
    assert d["graduation_units"] == 0.5 and d["rel_read_err_pct"] == 2.5
    assert "W_SYRINGE_SCALE" in [n["code"] for n in d["notices"]]


# --- Review vectors through the CLI (hand-computed; see tests/hcg/test_mixing.py) ---------------


def _json(argv: list[str]) -> dict[str, object]:
    result = runner.invoke(app, [*argv, "--json"])
    assert result.exit_code == 0, result.stderr
    d: dict[str, object] = json.loads(result.stdout)
    return d


def test_review_cli_tie_goes_to_lower_mark() -> None:
    # 5000/3.5 IU/mL; 250 IU = 0.175 mL = 17.5 units: 17 (242.857 IU, −2.857 %) and 18 (+2.857 %)
    # tie → 17. JSON numbers rounded: IU 1 dp, mL 3 dp, units 1 dp; exact values as fractions.
    d = _json(["hcg", "mix", "--vial-iu", "5000", "--diluent-ml", "3.5", "--dose-iu", "250"])
    assert (
        d["concentration_iu_per_ml"] == 1428.6 and d["concentration_iu_per_ml_exact"] == "10000/7"
    )
    assert d["dose_ml"] == 0.175 and d["syringe_units"] == 17.5 and d["on_graduation"] is False
    assert (d["nearest_mark_units"], d["nearest_mark_delivered_iu"]) == (17.0, 242.9)
    assert d["nearest_mark_error_pct"] == -2.9 and d["upper_mark_error_pct"] == 2.9
    assert [n["code"] for n in d["notices"]] == ["W_OFF_GRADUATION", "I_POTENCY_BAND"]  # type: ignore[union-attr,index]


def test_review_cli_u40_and_multi_fill() -> None:
    # u40-0.5: 10000/10 = 1000 IU/mL ÷ 40 = 25 IU/unit; 600 IU = 0.6 mL = 24 units > 20 → 2 fills.
    d = _json(
        [
            "hcg",
            "mix",
            "--vial-iu",
            "10000",
            "--diluent-ml",
            "10",
            "--dose-iu",
            "600",
            "--syringe",
            "u40-0.5",
        ]
    )
    assert (d["iu_per_syringe_unit"], d["syringe_units"], d["fills"]) == (25.0, 24.0, 2)
    assert (d["doses_per_vial"], d["remainder_iu"]) == (16, 400.0)
    codes = [n["code"] for n in d["notices"]]  # type: ignore[union-attr,index]
    assert codes == [
        "W_EXCEEDS_SYRINGE_CAPACITY",
        "W_SYRINGE_SCALE",
        "I_PARTIAL_REMAINDER",
        "I_POTENCY_BAND",
    ]


def test_review_cli_reverse_with_displacement() -> None:
    # V = 25·10000/(250·100) − 0.2 = 9.8 mL (9.8 + 0.2 = 10 mL capacity: allowed).
    d = _json(
        [
            "hcg",
            "reverse",
            "--vial-iu",
            "10000",
            "--dose-iu",
            "250",
            "--units",
            "25",
            "--displacement-ml",
            "0.2",
        ]
    )
    assert d["diluent_ml"] == 9.8 and d["diluent_ml_exact"] == "49/5"
    assert d["solution_ml"] == 10.0 and d["syringe_units"] == 25.0


def test_review_cli_suggest_ranking() -> None:
    # see test_review_full_suggestion_ranking_default_grid: 5, 2, 6, 4, 3 mL.
    d = _json(["hcg", "suggest", "--vial-iu", "5000", "--dose-iu", "250"])
    assert [s["diluent_ml"] for s in d["suggestions"]] == [5.0, 2.0, 6.0, 4.0, 3.0]  # type: ignore[union-attr,index]


def test_review_cli_plan_thursday_start_costs() -> None:
    # Mon+Thu from Thu 2025-01-09, BUD 60, 18 weeks, 100 per vial: vials 17, 18, 1 → 300 / 18 weeks
    # = 16.67 per week; drug only 100 × 500/10000 = 5.00.
    d = _json(
        [
            "hcg",
            "plan",
            "--vial-iu",
            "10000",
            "--diluent-ml",
            "10",
            "--dose-iu",
            "250",
            "--weekdays",
            "mon,thu",
            "--start",
            "2025-01-09",
            "--discard-after-days",
            "60",
            "--weeks",
            "18",
            "--price-per-vial",
            "100",
        ]
    )
    assert d["vials_needed"] == 3 and d["plan_cost"] == 300.0
    assert d["cost_per_week"] == 16.67 and d["drug_only_cost_per_week"] == 5.0
    assert [v["doses"] for v in d["vials"]] == [17, 18, 1]  # type: ignore[union-attr,index]
    assert (d["doses_before_discard"], d["wasted_iu"], d["discard_date"]) == (
        17,
        5750.0,
        "2025-03-10",
    )


def test_review_cli_plan_past_the_calendar_is_exit_3() -> None:
    argv = list(PLAN)
    argv[argv.index("--start") + 1] = "9999-12-01"
    result = runner.invoke(app, argv)
    assert result.exit_code == 3, (result.stdout, result.stderr)
    assert "9999-12-31" in one_error_line(result)
    argv = list(PLAN)
    argv[argv.index("--discard-after-days") + 1] = "1e10"
    result = runner.invoke(app, argv)
    assert result.exit_code == 3, (result.stdout, result.stderr)
    assert "bud_days" in one_error_line(result)
    # a number too long to compute with is a parse error (exit 2), not a traceback
    argv[argv.index("--discard-after-days") + 1] = "1e9999"
    result = runner.invoke(app, argv)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert "E_NOT_A_NUMBER" in one_error_line(result)


def test_mix_between_marks_headline_names_the_mark_first() -> None:
    """Issue 12: 210 IU at 2,000 IU/mL is 10.5 units; a whole-unit barrel has no 10.5 mark.

    The headline names the mark to draw to (10, nearest; 10.5 is a tie, the lower mark kept) and
    what it gives (10 × 20 IU = 200 IU, −4.8 % of 210 IU); the exact volume follows as detail.
    """
    result = runner.invoke(
        app, ["hcg", "mix", "--vial-iu", "5000", "--diluent-ml", "2.5", "--dose-iu", "210"]
    )
    assert result.exit_code == 0, result.stderr
    headline = result.stdout.splitlines()[1]
    assert headline.startswith("Draw to the 10-unit mark on a U-100 syringe = 200.0 IU")
    assert "-4.8 % of the 210.0 IU dose" in headline
    assert headline.endswith("exactly 10.5 units = 0.105 mL falls between marks")
    assert "Draw 10.5" not in result.stdout


def test_ovidrel_preset_alone_is_refused_as_prefilled() -> None:
    """Issue 12: the single-use rule is said first, not a missing --dose-iu (exit 3)."""
    result = runner.invoke(app, ["hcg", "mix", "--preset", "ovidrel-250mcg"])
    assert result.exit_code == 3
    assert result.stderr.startswith("error: E_PREFILLED_SINGLE_USE")
    for command in (["reverse"], ["suggest"], ["plan", "--freq", "weekly"]):
        res = runner.invoke(app, ["hcg", *command, "--preset", "ovidrel-250mcg"])
        assert res.exit_code == 3, (command, res.stderr)
        assert "E_PREFILLED_SINGLE_USE" in res.stderr


def test_preset_conflict_and_missing_start_on_the_command_line() -> None:
    # Issue 19: the page and the command line answer a conflicting preset and an incomplete plan
    # with the same library codes.
    from typer.testing import CliRunner

    from endolab.cli import app

    r = CliRunner().invoke(
        app, ["hcg", "mix", "--preset", "novarel-5000", "--vial-iu", "10000", "--dose-iu", "250"]
    )
    assert r.exit_code == 3 and "E_PRESET_CONFLICT" in r.stderr
    r = CliRunner().invoke(
        app,
        [
            *("hcg", "plan", "--vial-iu", "5000", "--diluent-ml", "5", "--dose-iu", "250"),
            *("--freq", "2x-week", "--weeks", "8"),
        ],
    )
    assert r.exit_code == 2 and "E_MISSING_INPUT: missing --start" in r.stderr
