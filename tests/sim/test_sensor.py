"""CGM error models: the Breton–Kovatchev recursion and Johnson transform, device conventions."""

from __future__ import annotations

import numpy as np
import pytest

from endolab.errors import InputError
from endolab.sim.sensor import breton_kovatchev_2008, device_readings, measure, vettoretti_2019


def test_device_readings_low_high_convention() -> None:
    # docs/methods/trial.md §4.1: "Low"/"High" readings are stored as 39 and 401
    out = device_readings(np.array([-3.0, 39.4, 39.6, 40.0, 400.0, 400.4, 400.6, 900.0]))
    assert out.tolist() == [39, 39, 40, 40, 400, 400, 401, 401]


def test_breton_error_marginals_match_the_published_transform() -> None:
    # with IG = 200 mg/dL the error is CGM − 200. The AR(1) e_n = 0.7(e_{n-1} + v_n) has stationary
    # variance 0.49/(1 − 0.49) = 0.9608; the Johnson SU transform of N(0, 0.9608) with
    # ξ = −5.471, λ = 15.9574, γ = −0.5444, δ = 1.6898 has the mean computed here by quadrature.
    rng = np.random.default_rng(11)
    ig = np.full((200, 288 * 10), 200.0)
    err = breton_kovatchev_2008(ig, rng) - 200.0
    z = np.linspace(-8, 8, 20001)
    sd = np.sqrt(0.49 / 0.51)
    w = np.exp(-0.5 * (z / sd) ** 2)
    w /= w.sum()
    eps = -5.471 + 15.9574 * np.sinh((z + 0.5444) / 1.6898)
    mean = float((w * eps).sum())
    assert err.mean() == pytest.approx(mean, abs=0.3)


def test_same_seed_same_noise_and_unknown_model() -> None:
    ig = np.full((2, 100), 120.0)
    a = measure(ig, np.random.default_rng(1), "breton2008")
    b = measure(ig, np.random.default_rng(1), "breton2008")
    np.testing.assert_array_equal(a, b)
    g6 = vettoretti_2019(ig, np.random.default_rng(1))
    assert np.abs(g6 - 120).mean() < 25
    with pytest.raises(InputError, match="unknown sensor model 'libre'"):
        measure(ig, np.random.default_rng(1), "libre")
