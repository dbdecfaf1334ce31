"""Property tests (hypothesis): conservation of IU, and no crash other than EndolabError."""

from __future__ import annotations

import contextlib
from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from endolab.errors import EndolabError, InputError
from endolab.hcg import (
    SYRINGES,
    Frequency,
    mix,
    plan,
    plan_to_ics,
    reverse,
    schedule,
    suggest_diluent,
)


def dec(n: int, places: int) -> str:
    return str(Decimal(n).scaleb(-places))


@given(
    vial=st.integers(1, 20_000),
    diluent=st.integers(10, 1000),  # 0.1 … 10 mL
    dose_permille=st.integers(1, 200),
    dead=st.integers(0, 100),  # 0 … 0.1 mL
    residual=st.integers(0, 50),  # 0 … 0.5 mL
    displacement=st.integers(0, 20),
    key=st.sampled_from(list(SYRINGES)),
    every=st.integers(1, 10),
    bud=st.integers(1, 90),
)
def test_doses_times_dose_plus_waste_is_vial(
    vial: int,
    diluent: int,
    dose_permille: int,
    dead: int,
    residual: int,
    displacement: int,
    key: str,
    every: int,
    bud: int,
) -> None:
    try:
        m = mix(
            str(vial),
            dec(diluent, 2),
            dec(vial * dose_permille, 3),  # = dose, a terminating decimal
            key,
            dead_space_ml=dec(dead, 3),
            residual_ml=dec(residual, 2),
            displacement_ml=dec(displacement, 3),
        )
    except InputError:
        return
    n = m.doses_per_vial
    # doses × dose IU + waste (dead space + residual + leftover) == vial IU, exactly
    assert n * m.dose_iu + m.dead_space_loss_iu + m.residual_loss_iu + m.leftover_iu == m.vial_iu
    assert n * m.dose_iu + m.remainder_iu == m.vial_iu
    # the leftover is what is left after the last full draw: less than one more draw
    assert 0 <= m.leftover_iu < m.per_draw_ml * m.concentration_iu_per_ml
    s = schedule(m, Frequency.every_days(every), bud_days=bud)
    assert s.doses_used * m.dose_iu + s.wasted_iu == m.vial_iu
    assert 0 <= s.doses_used <= n
    # every vial of a plan: doses served × dose IU + unused IU == vial IU; no vial serves more
    # doses than its content or its discard date allows
    p = plan(m, Frequency.every_days(every), start="2025-01-06", weeks=8, bud_days=bud)
    assert sum(v.doses for v in p.vials) == p.total_doses
    for v in p.vials:
        assert v.doses * m.dose_iu + v.unused_iu == m.vial_iu
        assert 1 <= v.doses <= min(n, s.doses_used)


anything = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.sampled_from(["1,5", "nan", "inf", "-1", "0", "1e9", "56 mcg", "250 IU", "5000", "0.3"]),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.fractions(),
)


@given(
    vial=anything,
    diluent=anything,
    dose=anything,
    units=anything,
    dead=anything,
    key=st.one_of(st.sampled_from(list(SYRINGES)), st.text(max_size=8)),
    preset=st.one_of(st.none(), st.sampled_from(["novarel-5000", "ovidrel-250mcg", "custom", "x"])),
    weeks=anything,
    bud=anything,
    price=anything,
    every=anything,
    weekdays=st.text(max_size=12),
)
def test_no_crash_other_than_endolab_error(
    vial: object,
    diluent: object,
    dose: object,
    units: object,
    dead: object,
    key: str,
    preset: str | None,
    weeks: object,
    bud: object,
    price: object,
    every: object,
    weekdays: str,
) -> None:
    calls = [
        lambda: mix(vial, diluent, dose, key, preset=preset, dead_space_ml=dead),
        lambda: reverse(vial, dose, units, key, preset=preset),
        lambda: suggest_diluent(vial, dose, key, preset=preset, step_ml="0.5"),
        lambda: plan(
            mix(vial, diluent, dose, key, preset=preset),
            Frequency.every_days(every),
            start="2025-01-06",
            weeks=weeks,
            bud_days=bud,
            price_per_vial=price,
        ),
        lambda: schedule(mix("5000", "5", "250"), Frequency.on_weekdays(weekdays), bud_days=bud),
    ]
    for call in calls:
        with contextlib.suppress(EndolabError):
            call()  # type: ignore[no-untyped-call]


@given(
    start=st.one_of(st.dates(min_value=date(9998, 1, 1)), st.dates()),
    every=st.integers(1, 4000),
    weekdays=st.one_of(st.none(), st.sampled_from(["mon,thu", "mon,wed,fri", "sun"])),
    bud=st.integers(1, 4000),
    weeks=st.integers(1, 600),
)
def test_review_any_calendar_gives_a_plan_or_an_endolab_error(
    start: date, every: int, weekdays: str | None, bud: int, weeks: int
) -> None:
    # Dates near 9999-12-31 and long intervals/BUDs: a plan, an .ics, or an EndolabError.
    m = mix("5000", "5", "250")
    with contextlib.suppress(EndolabError):
        f = Frequency.on_weekdays(weekdays) if weekdays else Frequency.every_days(every)
        p = plan(m, f, start=start, weeks=weeks, bud_days=bud)
        p.to_dict()
        plan_to_ics(p)
