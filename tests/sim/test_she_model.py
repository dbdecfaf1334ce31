"""The severe-event model's mechanics by hand (docs/methods/sim.md §8): detection depends on
awareness, sleep and a CGM alarm; unnoticed neuroglycopenia needs third-party help with a
probability. Each case is a scripted insulin overdose of one published adult, with every random
draw fixed at 0.5, so the expected events follow from the rule written out in each comment."""

from __future__ import annotations

import numpy as np
import pytest

from endolab.errors import InputError
from endolab.sim.model import (
    C_LAST_QSTO,
    N_CARRY,
    QSTO1,
    QSTO2,
    asleep_at,
    run_minutes,
    therapy_row,
)
from endolab.sim.patients import load_patient
from endolab.sim.population import (
    BehaviourSettings,
    SheModel,
    awareness_weight,
    restored_asleep_detection,
)

SLEEP = (23 * 60.0, 7 * 60.0)  # the default window 23:00–07:00 [min of the day]


def _overdose(
    at_min: int,
    *,
    detect_prob: float,
    asleep_prob: float,
    alarm: float = 0.0,
    she_prob: float = 1.0,
    minutes: int = 12 * 60,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Plasma glucose, rescue carbohydrate and severe events of adult#001 after 25 U at
    ``at_min`` (minute 0 = midnight), no meals; aware threshold 70 mg/dL, 15 g every 30 min."""
    pt = load_patient("adult#001")
    x = pt.x0[None, :].copy()
    ins = np.zeros((1, minutes))
    ins[0, at_min] = 25.0
    carry = np.zeros((1, N_CARRY))
    carry[0, C_LAST_QSTO] = x[0, QSTO1] + x[0, QSTO2]
    she = SheModel()
    row = therapy_row(
        pt.basal_u_per_min,
        1.0,
        pt.cr,
        pt.cf,
        rescue_g=15.0,
        rescue_below=70.0,
        rescue_wait=30.0,
        detect_prob=detect_prob,
        she_below=she.threshold_mg_dl,
        she_minutes=float(she.min_minutes),
        third_party_g=she.third_party_carbs_g,
        she_recovered=she.recovered_mg_dl,
        detect_prob_asleep=asleep_prob,
        sleep_start_min=SLEEP[0],
        sleep_end_min=SLEEP[1],
        alarm_prob=alarm,
        she_prob=she_prob,
    )[None, :]
    outs = [np.zeros((1, minutes)) for _ in range(9)]
    u = np.full((1, 48), 0.5)  # every draw 0.5: "yes" iff the probability is above 0.5
    zeros = np.zeros((1, minutes))
    run_minutes(x, pt.params[None, :], zeros, zeros, ins, row, carry, u, 1, *outs)
    return outs[0][0], outs[6][0], outs[7][0]


def test_sleep_window_wraps_midnight() -> None:
    # 23:00–07:00: 23:30 and 03:00 asleep, 07:00 (the end, exclusive) and noon awake
    assert asleep_at(1410.0, *SLEEP) and asleep_at(180.0, *SLEEP)
    assert not asleep_at(420.0, *SLEEP) and not asleep_at(720.0, *SLEEP)
    assert asleep_at(1380.0, *SLEEP)  # the start is inclusive
    assert not asleep_at(100.0, 0.0, 0.0)  # equal ends: no window


def test_an_aware_person_awake_treats_and_has_no_event() -> None:
    # overdose at 07:00: the episode starts awake; an aware person notices at once (p = 1), takes
    # 15 g at the first minute below 70 mg/dL, so no severe event
    bg, rescue, she = _overdose(7 * 60, detect_prob=1.0, asleep_prob=0.0625)
    first_low = int(np.flatnonzero(bg < 70.0)[0])  # plasma is a proxy here; IG lags it
    assert she.sum() == 0
    assert rescue.sum() >= 15.0 and int(np.flatnonzero(rescue)[0]) >= first_low


def test_asleep_the_same_person_misses_it_and_a_third_party_treats() -> None:
    # overdose at midnight: asleep, p_look = 0.0625 < 0.5 → unnoticed at every look until 07:00;
    # 30 min below 50 mg/dL → neuroglycopenia; she_prob 1 → one severe event, 30 g from a third
    # party, no self-treatment before it
    bg, rescue, she = _overdose(0, detect_prob=1.0, asleep_prob=0.0625)
    assert bg[: 7 * 60].min() < 50.0  # the scripted fall reaches neuroglycopenia before waking
    assert she.sum() == 1
    at = int(np.flatnonzero(she)[0])
    assert at < 7 * 60 and (bg[at - 29 : at + 1] < 50.0).all()
    assert rescue[:at].sum() == 0.0 and rescue[at] == SheModel().third_party_carbs_g


def test_without_third_party_help_the_person_treats_it_late() -> None:
    # she_prob 0.4: the draw 0.5 ≥ 0.4 → no event; the person notices the neuroglycopenia at last
    # and takes 15 g at that minute (the 30th consecutive minute below 50 mg/dL), still asleep
    bg, rescue, she = _overdose(0, detect_prob=1.0, asleep_prob=0.0625, she_prob=0.4)
    assert she.sum() == 0
    first = int(np.flatnonzero(rescue)[0])
    assert first < 7 * 60 and rescue[first] == 15.0
    assert (bg[first - 29 : first + 1] < 50.0).all() and bg[first - 30] >= 50.0
    # the same draw with she_prob 0.6 (0.5 < 0.6) is an event, treated by a third party
    _, rescue6, she6 = _overdose(0, detect_prob=1.0, asleep_prob=0.0625, she_prob=0.6)
    assert she6.sum() == 1 and rescue6[int(np.flatnonzero(she6)[0])] == 30.0


def test_a_cgm_alarm_wakes_the_person() -> None:
    # alarm 0.5 per look: p = 1 − (1 − 0.0625)·(1 − 0.5) = 0.53125 > 0.5 → noticed at the first
    # look, treated, no event; alarm 0.4: p = 1 − 0.9375·0.6 = 0.4375 < 0.5 → still missed
    _, rescue, she = _overdose(0, detect_prob=1.0, asleep_prob=0.0625, alarm=0.5)
    assert she.sum() == 0 and rescue[: 7 * 60].sum() >= 15.0
    assert _overdose(0, detect_prob=1.0, asleep_prob=0.0625, alarm=0.4)[2].sum() == 1


def test_impaired_awareness_awake_depends_on_the_detection_probability() -> None:
    # awake, impaired: p = 0.4 < 0.5 → unnoticed → event (she_prob 1); p = 0.9 → noticed, none
    assert _overdose(7 * 60, detect_prob=0.4, asleep_prob=0.0625)[2].sum() == 1
    assert _overdose(7 * 60, detect_prob=0.9, asleep_prob=0.0625)[2].sum() == 0


def test_graft_restores_waking_in_proportion_and_settings_are_checked() -> None:
    # w = min(F / R, 1), R = 1: 0.0625 + w·(0.625 − 0.0625); F = 0.2 → 0.0625 + 0.2·0.5625 = 0.175
    s = BehaviourSettings(awareness_restoration="proportional")
    w = awareness_weight(np.array([0.2, 1.5]), np.zeros(2, dtype=bool), s)
    np.testing.assert_allclose(restored_asleep_detection(w, s), [0.175, 0.625])
    with pytest.raises(InputError):
        SheModel(third_party_prob=1.5)
    with pytest.raises(InputError):
        BehaviourSettings(sleep_start_hour=24.0)
