"""Schedule, discard date (BUD), multi-vial plan and cost: docs/methods/hcg.md §6.3 and §6.5 (T41), plus
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
    # docs/methods/hcg.md §3.2 [A]: a dose on the discard date is expired. Daily doses with BUD 30: days 0…29.
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
    # docs/methods/hcg.md §3.2: Mon+Thu, BUD 60. From Monday: days (7k, 7k+3) < 60 → k ≤ 8 for both → 18.
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
    # docs/methods/hcg.md §5: E_BUD_REQUIRED for a preset whose bud_days is None; T41: sterile water needs an
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
    # docs/methods/hcg.md §3.1: daily 1 day; EOD 2 days (3.5/week); every 3 days; 2×/week Mon+Thu;
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


# --- Review vectors (hand-counted from docs/methods/hcg.md §3.2; BUD: a dose is usable iff day < bud_days) -------


def test_review_daily_bud_30() -> None:
    # 10000 IU + 10 mL, 250 IU daily: 40 doses by content on days 0…39 → last dose day 39;
    # usable days 0…29 (< 30) → 30; waste 10000 − 30·250 = 2500 IU (25 %); weekly 250·7 = 1750;
    # coverage 40·7/7 = 40 days; break-even 10000·7/30 = 7000/3 = 2333.3 IU/week.
    s = schedule(mix("10000", "10", "250"), Frequency.named("daily"), bud_days=30)
    assert (s.last_dose_day, s.doses_used, s.wasted_iu) == (39, 30, 2500)
    assert (s.weekly_iu, s.coverage_days, s.breakeven_weekly_iu) == (1750, 40, F(7000, 3))
    assert codes(s) == ["W_BUD_CONFLICT", "I_POTENCY_BAND", "I_BREAKEVEN"]
    w = next(n for n in s.notices if n.code == "W_BUD_CONFLICT")
    assert w.message == (
        "At 1,750.0 IU/week only 30 of 40 doses are used before the 30-day discard date; "
        "2,500.0 IU (25.0%) is discarded."
    )
    b = next(n for n in s.notices if n.code == "I_BREAKEVEN")
    assert "≈2,333.3 IU/week" in b.message


def test_review_every_3_days_dose_on_discard_day_is_expired() -> None:
    # 5000 IU + 5 mL (20 doses), every 3 days: days 0, 3, …, 57 (20th dose on 3·19 = 57).
    # BUD 60: all 20 days < 60 → no conflict, no waste; weekly 250·7/3 = 1750/3 = 583.3 IU;
    # coverage 20·7/(7/3) = 60 days.
    m = mix("5000", "5", "250")
    s = schedule(m, Frequency.named("every-3-days"), bud_days=60)
    assert (s.last_dose_day, s.doses_used, s.wasted_iu) == (57, 20, 0)
    assert (s.weekly_iu, s.coverage_days) == (F(1750, 3), 60)
    assert "W_BUD_CONFLICT" not in codes(s) and "I_BREAKEVEN" in codes(s)
    # BUD 57: day 57 is the discard day itself → expired; 19 used, 250 IU (5 %) wasted.
    s57 = schedule(m, Frequency.every_days(3), bud_days=57)
    assert (s57.doses_used, s57.wasted_iu) == (19, 250)
    assert "W_BUD_CONFLICT" in codes(s57)


def test_review_mon_wed_fri_bud_30() -> None:
    # Mon+Wed+Fri from Mon 2025-01-06: days 7k, 7k+2, 7k+4. < 30: k = 0…3 → 12, plus day 28 → 13
    # (day 30 is the discard day). 20th dose: index 19 = 6·3 + 1 → day 42 + 2 = 44.
    # weekly 750 IU; waste 5000 − 13·250 = 1750 IU (35 %); coverage 20·7/3 = 140/3 days.
    s = schedule(mix("5000", "5", "250"), Frequency.per_week(3), bud_days=30, start="2025-01-06")
    assert (s.doses_used, s.last_dose_day, s.wasted_iu) == (13, 44, 1750)
    assert (s.weekly_iu, s.coverage_days) == (750, F(140, 3))
    assert s.usable_dose_dates[-1] == date(2025, 2, 3) and s.discard_date == date(2025, 2, 5)


def test_review_weekly_bud_60() -> None:
    # 10000 IU + 10 mL, 1000 IU weekly: 10 doses by content, days 0, 7, …, 63; < 60: 0…56 → 9;
    # waste 1000 IU; last dose day 63; break-even 10000·7/60 = 3500/3 IU/week.
    s = schedule(mix("10000", "10", "1000", "u100-1.0"), Frequency.named("weekly"), bud_days=60)
    assert (s.doses_used, s.wasted_iu, s.last_dose_day) == (9, 1000, 63)
    assert s.breakeven_weekly_iu == F(3500, 3)


def test_review_start_weekday_bud_60_and_off_pattern_start() -> None:
    # 10000 + 10 mL, 250 IU (40 doses), Mon+Thu, BUD 60. Monday mix: 18 usable → waste
    # 10000 − 18·250 = 5500; Thursday mix: 17 → 5750. A Tuesday start mixes on Thursday [A].
    m = mix("10000", "10", "250")
    mon = schedule(m, Frequency.per_week(2), bud_days=60, start="2025-01-06")
    thu = schedule(m, Frequency.per_week(2), bud_days=60, start="2025-01-09")
    tue = schedule(m, Frequency.per_week(2), bud_days=60, start="2025-01-07")
    assert (mon.wasted_iu, thu.wasted_iu) == (5500, 5750)
    # 40th dose: Monday start days 7k, 7k+3 → index 39 = 2·19 + 1 → 133 + 3 = 136;
    # Thursday start days 7k, 7k+4 → 133 + 4 = 137.
    assert (mon.last_dose_day, thu.last_dose_day) == (136, 137)
    assert tue.mix_date == date(2025, 1, 9) and tue.doses_used == 17


def test_review_plan_start_weekday_changes_vial_count() -> None:
    # Mon+Thu, 10000 + 10 mL, 250 IU, BUD 60, 18 weeks = 36 doses, 100 per vial.
    # From Monday 2025-01-06: vial 1 serves days 0…59 (18 doses); day 63 (Mon 03-10) ≥ 60 → vial 2
    # mixed 03-10 serves 18 more = 36 → 2 vials, 200, 200/18 = 100/9 = 11.11 per week.
    m = mix("10000", "10", "250")
    mon = plan(
        m, Frequency.per_week(2), start="2025-01-06", weeks=18, bud_days=60, price_per_vial=100
    )
    assert [(v.mix_date, v.doses) for v in mon.vials] == [
        (date(2025, 1, 6), 18),
        (date(2025, 3, 10), 18),
    ]
    assert (mon.plan_cost, mon.cost_per_week) == (200, F(100, 9))
    # From Thursday 2025-01-09: vial 1 serves 17 (Thu 0…56, Mon 4…53); Mon day 60 = 03-10 ≥
    # 01-09 + 60 → vial 2 on 03-10 serves 18 (days 60…119); Mon day 123 = 05-12 ≥ 03-10 + 60 → vial 3
    # serves 1 (Thu 05-15 is the plan end, exclusive) → 3 vials, 300, 300/18 = 50/3 = 16.67 per week.
    thu = plan(
        m, Frequency.per_week(2), start="2025-01-09", weeks=18, bud_days=60, price_per_vial=100
    )
    assert [(v.mix_date, v.doses) for v in thu.vials] == [
        (date(2025, 1, 9), 17),
        (date(2025, 3, 10), 18),
        (date(2025, 5, 12), 1),
    ]
    assert (thu.plan_cost, thu.cost_per_week) == (300, F(50, 3))
    # drug only: 100 × 500 IU/week / 10000 IU = 5.00 per week, whatever the start day.
    assert mon.drug_only_cost_per_week == thu.drug_only_cost_per_week == 5
    assert thu.formatted_costs() == {
        "plan_cost": "300.00 for 18 weeks",
        "cost_per_week": "16.67 per week",
        "drug_only_cost_per_week": "5.00 per week",
    }
    # discard dates: mix + 60 days
    assert [v.discard_date for v in thu.vials] == [
        date(2025, 3, 10),
        date(2025, 5, 9),
        date(2025, 7, 11),
    ]


def test_review_plan_content_limit_with_cost() -> None:
    # 5000 + 5 mL, 500 IU daily: 0.5 mL per draw → 10 doses by content; 4 weeks = 28 doses →
    # vials 10, 10, 8 → 3 × 50 = 150 / 4 weeks = 37.50; drug only 50 × 3500/5000 = 35.00.
    p = plan(
        mix("5000", "5", "500", "u100-0.5"),
        Frequency.every_days(1),
        start="2025-01-06",
        weeks=4,
        bud_days=30,
        price_per_vial="50",
    )
    assert [v.doses for v in p.vials] == [10, 10, 8]
    assert (p.cost_per_week, p.drug_only_cost_per_week) == (F(75, 2), 35)
    # with 0.1 mL residual: floor(4.9/0.5) = 9 per vial; after 9 draws 0.5 − 0.1 = 0.4 < 0.5 →
    # vials 9, 9, 9, 1 → 4 × 50 / 4 = 50 per week.
    p2 = plan(
        mix("5000", "5", "500", "u100-0.5", residual_ml="0.1"),
        Frequency.every_days(1),
        start="2025-01-06",
        weeks=4,
        bud_days=30,
        price_per_vial="50",
    )
    assert [v.doses for v in p2.vials] == [9, 9, 9, 1]
    assert p2.cost_per_week == 50


def test_review_plan_dead_space_opens_new_vial() -> None:
    # per draw 0.25 + 0.05 = 0.3 mL → 16 doses (remaining after 16 draws 5 − 4.8 = 0.2 < 0.3);
    # daily for 4 weeks = 28 doses → vials 16 (days 0…15), 12 (days 16…27, BUD 46 not reached).
    p = plan(
        mix("5000", "5", "250", dead_space_ml="0.05"),
        Frequency.every_days(1),
        start="2025-01-06",
        weeks=4,
        bud_days=30,
    )
    assert [v.doses for v in p.vials] == [16, 12]
    assert p.vials[0].unused_iu == 1000  # 5000 − 16·250 (dead space 800 + leftover 200)


def test_review_calendar_overflow_is_an_input_error() -> None:
    # A plan that runs past 9999-12-31 (the last date the calendar can hold) is rejected with an
    # EndolabError, never an OverflowError traceback.
    m = mix("5000", "5", "250")
    with pytest.raises(InputError):
        plan(m, Frequency.per_week(2), start="9999-12-01", weeks=12, bud_days=30)
    with pytest.raises(InputError):
        schedule(m, Frequency.per_week(2), start="9999-12-30", bud_days=30)
    with pytest.raises(InputError):
        plan(m, Frequency.every_days(10**9), start="2025-01-06", weeks=12, bud_days=30)


@pytest.mark.parametrize("bud", ["1e9999", "1e10", str(10**9)])
def test_review_absurd_bud_is_an_input_error(bud: str) -> None:
    m = mix("5000", "5", "250")
    with pytest.raises(InputError):
        plan(m, Frequency.every_days(2), start="2025-01-06", weeks=12, bud_days=bud)
    with pytest.raises(InputError):
        schedule(m, Frequency.every_days(2), bud_days=bud).to_dict()


def test_review_absurd_interval_is_an_input_error() -> None:
    with pytest.raises(InputError):
        Frequency.every_days("1e9999")


def test_review_custom_weekdays_and_custom_interval() -> None:
    m = mix("5000", "5", "250")  # 20 doses by content
    # Tue+Sat from Tue 2025-01-07: days 7k and 7k+4; < 30: 0,4,7,11,14,18,21,25,28 → 9;
    # 20th dose: index 19 = 2·9 + 1 → 63 + 4 = 67; weekly 2·250 = 500; coverage 20·7/2 = 70.
    s = schedule(m, Frequency.on_weekdays("tue,sat"), bud_days=30, start="2025-01-07")
    assert (s.doses_used, s.last_dose_day, s.weekly_iu, s.coverage_days) == (9, 67, 500, 70)
    assert s.discard_date == date(2025, 2, 6)
    # every 4 days: 0, 4, …, 28 < 30 → 8 used; 20th dose on 4·19 = 76; weekly 250·7/4 = 437.5;
    # waste 5000 − 8·250 = 3000 IU (60 %).
    s4 = schedule(m, Frequency.every_days(4), bud_days=30)
    assert (s4.doses_used, s4.last_dose_day, s4.weekly_iu, s4.wasted_iu) == (8, 76, F(875, 2), 3000)
    w = next(n for n in s4.notices if n.code == "W_BUD_CONFLICT")
    assert "only 8 of 20 doses" in w.message and "3,000.0 IU (60.0%)" in w.message
