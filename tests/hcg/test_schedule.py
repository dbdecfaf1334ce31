"""Schedule, discard date (BUD), multi-vial plan and cost: specs/hcg.md §6.3 and §6.5 (T41), plus
hand-counted calendars (the counting is written out in the comments)."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction as F  # noqa: N817

import pytest

from endolab.errors import InputError, ParseError
from endolab.hcg import DOSE_ON_DISCARD_DATE_USABLE, Frequency, mix, plan, schedule


def codes(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [n.code for n in result.notices]


def test_T21_mon_thu_bud_30() -> None:
    m = mix("5000", "5", "250")
    s = schedule(m, Frequency.on_weekdays("mon,thu"), bud_days=30, start="2025-01-06")
    # 2 doses/week × 250 IU = 500 IU/week
    assert s.weekly_iu == 500
    # Mon+Thu from Monday: dose 2k on day 7k, dose 2k+1 on day 7k+3; dose #20 (index 19) on 63+3
    assert m.doses_per_vial == 20 and s.last_dose_day == 66
    assert s.coverage_days == 70  # 20 × 7 / 2
    # discard 2025-01-06 + 30 days = 2025-02-05
    assert s.discard_date == date(2025, 2, 5)
    expected = ["01-06", "01-09", "01-13", "01-16", "01-20", "01-23", "01-27", "01-30", "02-03"]
    assert [d.strftime("%m-%d") for d in s.usable_dose_dates] == expected
    assert s.doses_used == 9
    # 5000 − 9·250 = 2750 IU = 11 doses = 55 %
    assert s.wasted_iu == 2750
    conflict = next(n for n in s.notices if n.code == "W_BUD_CONFLICT")
    assert conflict.data["doses_lost"] == 11
    assert "2,750.0 IU (55.0%)" in conflict.message
    assert "only 9 of 20 doses" in conflict.message
    # 5000 · 7 / 30 = 1166.67 IU/week
    assert s.breakeven_weekly_iu == F(3500, 3)
    breakeven = next(n for n in s.notices if n.code == "I_BREAKEVEN")
    assert "≈1,166.7 IU/week" in breakeven.message
    assert m.label_line(s.mix_date, s.discard_date) == (
        "hCG 5,000 IU + 5.0 mL bacteriostatic water = 1,000 IU/mL = 10 IU per U-100 unit"
        " | mixed 2025-01-06 | discard 2025-02-05"
    )


def test_bud_convention_is_one_named_constant() -> None:
    # Spec §3.2 [A]: a dose on the discard date is expired. Daily doses with BUD 30: days 0…29.
    assert DOSE_ON_DISCARD_DATE_USABLE is False
    s = schedule(mix("10000", "10", "250"), Frequency.every_days(1), bud_days=30)
    assert s.doses_used == 30
    assert s.usable_dose_days[-1] == 29


def test_T23_eod_bud_60() -> None:
    # 875 IU/week = 250 × 3.5; 40 doses on days 0, 2, …, 78; usable days 0…58 = 30 doses;
    # wasted 10000 − 30·250 = 2500 IU.
    s = schedule(mix("10000", "10", "250"), Frequency.named("eod"), bud_days=60)
    assert s.weekly_iu == 875
    assert s.mix.doses_per_vial == 40
    assert s.last_dose_day == 78
    assert s.doses_used == 30 and s.usable_dose_days[-1] == 58
    assert s.wasted_iu == 2500
    assert "W_BUD_CONFLICT" in codes(s)
    assert s.mix_date is None and s.discard_date is None


def test_T25_daily_half_unit() -> None:
    # 10000/3 = 3333.3 IU/mL; /100 = 33.3 IU/unit; 100 IU = 0.03 mL = 3 units = 6 half-unit marks;
    # read error 0.25/3 = 8.3 %; floor(3/0.03) = 100 doses; daily, BUD 60 → 60 used;
    # wasted 10000 − 6000 = 4000 IU.
    m = mix("10000", "3", "100", "u100-0.3-half")
    assert m.concentration_iu_per_ml == F(10000, 3)
    assert m.iu_per_syringe_unit == F(100, 3)
    assert (m.dose_ml, m.syringe_units, m.on_graduation) == (F(3, 100), 3, True)
    assert m.rel_read_err == F(1, 12)
    assert m.to_dict()["rel_read_err_pct"] == 8.3
    assert m.doses_per_vial == 100
    s = schedule(m, Frequency.per_week(7), bud_days=60)
    assert (s.doses_used, s.wasted_iu) == (60, 4000)
    assert {"W_LOW_PRECISION", "W_BUD_CONFLICT"} <= set(codes(s))


def test_T27_plan_with_cost() -> None:
    # Mon+Thu for 12 weeks = 24 doses. Vial 1 mixed day 0 serves days 0,3,…,28 (9); day 31 ≥ 30 →
    # vial 2 mixed day 31 serves 31…59 (9); day 63 ≥ 61 → vial 3 serves the last 6.
    # 3 × 60 = 180; 180/12 = 15 per week; drug only 60 × 500/5000 = 6 per week.
    p = plan(
        mix("5000", "5", "250"),
        Frequency.per_week(2),
        start="2025-01-06",
        weeks=12,
        bud_days=30,
        price_per_vial="60",
    )
    start = date(2025, 1, 6)
    assert p.total_doses == 24
    assert [(v.mix_date - start).days for v in p.vials] == [0, 31, 63]
    assert [v.doses for v in p.vials] == [9, 9, 6]
    assert p.vials_needed == 3
    assert (p.plan_cost, p.cost_per_week, p.drug_only_cost_per_week) == (180, 15, 6)
    assert p.formatted_costs()["plan_cost"] == "180.00 for 12 weeks"
    d = p.to_dict()
    assert (d["vials_needed"], d["cost_per_week"], d["drug_only_cost_per_week"]) == (3, 15.0, 6.0)
    assert [v.discard_date for v in p.vials] == [
        date(2025, 2, 5),
        date(2025, 3, 8),
        date(2025, 4, 9),
    ]
    # 9 doses used of each closed vial → 2750 IU thrown away each
    assert p.discarded_iu == 5500 and p.open_vial_remaining_iu == 3500


def test_T29_eod_plan() -> None:
    # 84 days / 2 = 42 doses; vials mixed day 0 (days 0…28: 15), 30 (30…58: 15), 60 (60…82: 12).
    p = plan(
        mix("5000", "5", "250"), Frequency.every_days(2), start="2025-01-06", weeks=12, bud_days=30
    )
    start = date(2025, 1, 6)
    assert p.total_doses == 42
    assert [((v.mix_date - start).days, v.doses) for v in p.vials] == [(0, 15), (30, 15), (60, 12)]
    assert p.plan_cost is None and p.cost_per_week is None


def test_monday_vial_serves_one_more_dose_than_thursday_vial_with_bud_60() -> None:
    # Spec §3.2: Mon+Thu, BUD 60. From Monday: days (7k, 7k+3) < 60 → k ≤ 8 for both → 18.
    # From Thursday: days (7k, 7k+4) < 60 → 9 + 8 = 17.
    m = mix("10000", "10", "250")  # 40 doses by content
    mon = schedule(m, Frequency.per_week(2), bud_days=60, start="2025-01-06")
    thu = schedule(m, Frequency.per_week(2), bud_days=60, start="2025-01-09")
    assert (mon.doses_used, thu.doses_used) == (18, 17)


def test_plan_starting_on_thursday() -> None:
    # Mon+Thu from Thu 2025-01-09 for 12 weeks: 24 doses. Vial 1 (Thu): days 0,4,7,11,14,18,21,25,28
    # (9 < 30); next dose Mon day 32 → vial 2: 32…60 (9 doses); day 63 (Thu) ≥ 62 → vial 3: 6 doses.
    p = plan(
        mix("5000", "5", "250"), Frequency.per_week(2), start="2025-01-09", weeks=12, bud_days=30
    )
    start = date(2025, 1, 9)
    assert [((v.mix_date - start).days, v.doses) for v in p.vials] == [(0, 9), (32, 9), (63, 6)]


def test_plan_start_off_pattern_mixes_on_first_dose_day() -> None:
    # Start Tue 2025-01-07 with Mon+Thu: first dose (and mixing) Thu 2025-01-09; the week
    # [01-07, 01-14) holds Thu 01-09 and Mon 01-13.
    p = plan(
        mix("5000", "5", "250"), Frequency.per_week(2), start="2025-01-07", weeks=1, bud_days=30
    )
    assert p.dose_dates == (date(2025, 1, 9), date(2025, 1, 13))
    assert p.schedule.mix_date == date(2025, 1, 9)


def test_plan_vial_runs_out_by_content() -> None:
    # 500 IU daily from 5000 IU + 5 mL: 10 doses per vial (content, before the 30-day BUD);
    # 3 weeks = 21 doses → vials on days 0, 10, 20.
    p = plan(
        mix("5000", "5", "500", "u100-0.5"),
        Frequency.named("daily"),
        start="2025-01-06",
        weeks=3,
        bud_days=30,
    )
    start = date(2025, 1, 6)
    assert [((v.mix_date - start).days, v.doses) for v in p.vials] == [(0, 10), (10, 10), (20, 1)]


def test_plan_residual_opens_new_vial() -> None:
    # residual 0.1 mL: floor(4.9/0.25) = 19 doses; after 19 draws 0.25 mL remain, 0.25 − 0.1 < 0.25.
    p = plan(
        mix("5000", "5", "250", residual_ml="0.1"),
        Frequency.every_days(1),
        start="2025-01-06",
        weeks=4,
        bud_days=30,
    )
    assert [v.doses for v in p.vials] == [19, 9]


def test_first_dose_offset() -> None:
    # EOD from day 1: 1, 3, …, 29 are < 30 → 15 used; dose #20 on day 1 + 19·2 = 39.
    s = schedule(mix("5000", "5", "250"), Frequency.every_days(2), bud_days=30, first_dose_offset=1)
    assert (s.doses_used, s.last_dose_day) == (15, 39)


def test_no_conflict_when_vial_is_finished_in_time() -> None:
    # 500 IU daily: 10 doses on days 0…9 < 30.
    s = schedule(mix("5000", "5", "500", "u100-0.5"), Frequency.every_days(1), bud_days=30)
    assert s.doses_used == 10 and s.wasted_iu == 0
    assert "W_BUD_CONFLICT" not in codes(s)


def test_preset_bud_is_used() -> None:
    s = schedule(mix(preset="novarel-5000", diluent_ml="5", dose_iu="250"), Frequency.per_week(2))
    assert s.bud_days == 30
    s = schedule(mix(preset="pregnyl-us-10000", dose_iu="250"), Frequency.per_week(2))
    assert s.bud_days == 60


def test_T41_preservative_free_diluent_needs_explicit_bud() -> None:
    m = mix(preset="novarel-5000", diluent_ml="5", dose_iu="250", diluent="sterile water")
    with pytest.raises(InputError) as exc:
        plan(m, Frequency.per_week(2), start="2025-01-06", weeks=4)
    assert exc.value.code == "E_BUD_REQUIRED"
    p = plan(m, Frequency.per_week(2), start="2025-01-06", weeks=4, bud_days=1)
    assert "W_PRESERVATIVE_FREE_DILUENT" in codes(p)
    assert p.schedule.bud_days == 1


def test_bud_required_for_presets_without_bud_and_preservative_free() -> None:
    # Spec §5: E_BUD_REQUIRED for a preset whose bud_days is None; T41: sterile water needs an
    # explicit BUD even without a preset.
    for m in (
        mix(preset="generic-fk-10000", dose_iu="250"),
        mix(preset="custom", vial_iu="5000", diluent_ml="5", dose_iu="250"),
        mix(preset="pregnyl-intl-5000", dose_iu="250"),
        mix("5000", "5", "250", diluent="sterile water"),
    ):
        with pytest.raises(InputError) as exc:
            schedule(m, Frequency.per_week(2))
        assert exc.value.code == "E_BUD_REQUIRED"
        assert "beyond-use days" in str(exc.value)


def test_no_preset_no_bud_limits_by_content_only() -> None:
    # [A] without a preset and a BUD: no discard limit. Mon+Thu 12 weeks = 24 doses;
    # 20 doses per vial by content → vial 1 serves 20, vial 2 the last 4.
    m = mix("5000", "5", "250")
    s = schedule(m, Frequency.per_week(2), start="2025-01-06")
    assert (s.bud_days, s.discard_date, s.doses_before_bud, s.breakeven_weekly_iu) == (
        None,
        None,
        None,
        None,
    )
    assert (s.doses_used, s.wasted_iu, s.last_dose_day) == (20, 0, 66)
    assert not {"W_BUD_CONFLICT", "I_BREAKEVEN"} & set(codes(s))
    p = plan(m, Frequency.per_week(2), start="2025-01-06", weeks=12)
    assert [v.doses for v in p.vials] == [20, 4]
    assert p.vials[0].discard_date is None


@pytest.mark.parametrize("bud", ["0", "-30", "1.5"])
def test_bud_not_positive(bud: str) -> None:
    with pytest.raises(InputError) as exc:
        schedule(mix("5000", "5", "250"), Frequency.per_week(2), bud_days=bud)
    assert exc.value.code == "E_BUD_NOT_POSITIVE"


@pytest.mark.parametrize(
    "make",
    [
        lambda: Frequency.every_days("0"),
        lambda: Frequency.every_days("1.5"),
        lambda: Frequency.every_days("-2"),
        lambda: Frequency.on_weekdays(""),
        lambda: Frequency.on_weekdays("mon,funday"),
        lambda: Frequency.per_week("4"),
        lambda: Frequency.named("hourly"),
    ],
)
def test_schedule_invalid(make) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as exc:
        make()
    assert exc.value.code == "E_SCHEDULE_INVALID"


@pytest.mark.parametrize("weeks", ["0", "-1", "2.5"])
def test_weeks_not_positive(weeks: str) -> None:
    with pytest.raises(InputError) as exc:
        plan(
            mix("5000", "5", "250"),
            Frequency.per_week(2),
            start="2025-01-06",
            weeks=weeks,
            bud_days=30,
        )
    assert exc.value.code == "E_WEEKS_NOT_POSITIVE"


def test_price_negative_and_zero() -> None:
    m = mix("5000", "5", "250")
    with pytest.raises(InputError) as exc:
        plan(
            m, Frequency.per_week(2), start="2025-01-06", weeks=4, bud_days=30, price_per_vial="-1"
        )
    assert exc.value.code == "E_PRICE_NEGATIVE"
    p = plan(m, Frequency.per_week(2), start="2025-01-06", weeks=4, bud_days=30, price_per_vial="0")
    assert p.cost_per_week == 0


def test_bad_start_date_is_parse_error() -> None:
    with pytest.raises(ParseError):
        plan(
            mix("5000", "5", "250"), Frequency.per_week(2), start="06/01/2025", weeks=4, bud_days=30
        )


def test_frequency_presets_of_spec() -> None:
    # Spec §3.1: daily 1 day; EOD 2 days (3.5/week); every 3 days; 2×/week Mon+Thu;
    # 3×/week Mon+Wed+Fri; weekly.
    assert Frequency.named("daily").interval_days == 1
    assert Frequency.named("eod").doses_per_week == F(7, 2)
    assert Frequency.named("every-3-days").interval_days == 3
    assert Frequency.named("2x-week").weekdays == (0, 3)
    assert Frequency.named("3x-week").weekdays == (0, 2, 4)
    assert Frequency.per_week(3).weekdays == (0, 2, 4)
    assert Frequency.per_week("3.5").interval_days == 2
    assert Frequency.per_week(1).interval_days == 7
    start = date(2025, 1, 6)
    dates = Frequency.named("3x-week").dates_between(start, start + timedelta(days=14))
    assert [(d - start).days for d in dates] == [0, 2, 4, 7, 9, 11]
