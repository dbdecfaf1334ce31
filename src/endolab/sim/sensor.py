"""CGM sensor error models: one function per published model, plus a dispatcher.

Each takes the noise-free interstitial glucose IG [mg/dL] on a 5-min grid, shape ``(n, samples)``,
and a :class:`numpy.random.Generator`, and returns sensor glucose [mg/dL] as a device reports it:
rounded to whole mg/dL, with readings below 40 stored as 39 ("Low") and above 400 as 401 ("High"),
the convention of docs/trial-data.md.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray
from scipy.interpolate import CubicSpline
from scipy.signal import lfilter

from endolab.errors import InputError

__all__ = [
    "SENSOR_MODELS",
    "breton_kovatchev_2008",
    "check_sensor_model",
    "device_readings",
    "measure",
    "vettoretti_2019",
]

FloatArray = NDArray[np.float64]

#: Sampling interval of the simulated sensors [min].
SAMPLE_MINUTES = 5


def device_readings(glucose: FloatArray) -> FloatArray:
    """Round to whole mg/dL; < 40 → 39 ("Low"), > 400 → 401 ("High") (docs/trial-data.md).

    >>> device_readings(np.array([12.0, 100.4, 512.0])).tolist()
    [39.0, 100.0, 401.0]
    """
    r = np.round(glucose)
    return np.where(r < 40, 39.0, np.where(r > 400, 401.0, r))


def breton_kovatchev_2008(ig: FloatArray, rng: np.random.Generator) -> FloatArray:
    """Johnson-SU autoregressive CGM error (Breton & Kovatchev 2008) added to IG [mg/dL].

    Breton M, Kovatchev B. Analysis, modeling, and simulation of the accuracy of continuous glucose
    sensors. J Diabetes Sci Technol 2008;2:853, doi:10.1177/193229680800200517 (FreeStyle Navigator
    data; docs/methods/sim.md §7 item 1): on a 15-min grid ``e₁ = v₁``, ``eₙ = 0.7·(eₙ₋₁ + vₙ)``,
    ``vₙ ~ N(0, 1)``; ``εₙ = ξ + λ·sinh((eₙ − γ)/δ)`` with ξ = −5.471, λ = 15.9574, γ = −0.5444,
    δ = 1.6898; the 15-min error is interpolated to the 5-min grid with a cubic spline (as
    simglucose does). Each participant (row) has its own noise sequence.
    """
    n, samples = ig.shape
    steps = samples // 3 + 2
    v = rng.standard_normal((n, steps))
    # e_n = 0.7 e_{n-1} + 0.7 v_n with e_1 = v_1: initial condition 0.3·v_1 on the filter state
    e = lfilter([0.7], [1.0, -0.7], v, axis=1, zi=0.3 * v[:, :1])[0]
    eps15 = -5.471 + 15.9574 * np.sinh((e - (-0.5444)) / 1.6898)
    t15 = np.arange(steps) * 15.0
    t5 = np.arange(samples) * float(SAMPLE_MINUTES)
    eps = CubicSpline(t15, eps15, axis=1)(t5)
    return device_readings(ig + eps)


#: Vettoretti 2019 Dexcom G6 population-mean parameters (py-replay-bg 1.4.0
#: ``Vettoretti19CGM.py``; docs/methods/sim.md §7 item 3) [V].
_G6 = {
    "a0": 0.94229,
    "a1": 0.0049399,
    "a2": -0.00058487,
    "b0": 6.3826,
    "alpha1": 1.26041,
    "alpha2": -0.40222,
    "sigma_w": 3.25164,
}


def vettoretti_2019(
    ig: FloatArray, rng: np.random.Generator, sensor_days: float = 10.0
) -> FloatArray:
    """Dexcom G6 error model (Vettoretti et al. 2019) with population-mean parameters [mg/dL].

    Vettoretti M, Del Favero S, Sparacino G, Facchinetti A. Modeling the error of factory-calibrated
    continuous glucose monitoring sensors: application to Dexcom G6 sensor data. Sensors
    2019;19:5320, doi:10.3390/s19235320: ``CGM = (a0 + a1·t + a2·t²)·IG + b0 + e``, t = days since
    the sensor was inserted (a new sensor every ``sensor_days``), ``e(k) = α1·e(k−1) + α2·e(k−2) +
    σw·z``, 5-min sampling. Per-sensor parameter draws (the paper's covariance) are not simulated:
    every sensor has the population mean [A].
    """
    g = _G6
    n, samples = ig.shape
    z = rng.standard_normal((n, samples)) * g["sigma_w"]
    e = lfilter([1.0], [1.0, -g["alpha1"], -g["alpha2"]], z, axis=1)
    t = (np.arange(samples) * SAMPLE_MINUTES / 1440.0) % sensor_days
    gain = g["a0"] + g["a1"] * t + g["a2"] * t**2
    return device_readings(gain * ig + g["b0"] + e)


SENSOR_MODELS: dict[str, Callable[[FloatArray, np.random.Generator], FloatArray]] = {
    "breton2008": breton_kovatchev_2008,
    "vettoretti2019": vettoretti_2019,
}


def check_sensor_model(model: str) -> str:
    """Return ``model`` if it is a known sensor model (or ``"none"``), else raise InputError."""
    if model != "none" and model not in SENSOR_MODELS:
        raise InputError(
            f"unknown sensor model {model!r}; use one of {', '.join([*SENSOR_MODELS, 'none'])}",
            field="sensor",
            value=model,
        )
    return model


def measure(ig: FloatArray, rng: np.random.Generator, model: str = "breton2008") -> FloatArray:
    """Sensor readings [mg/dL] from IG [mg/dL] with the named error model, or none (``"none"``).

    >>> measure(np.array([[100.2, 55.0]]), np.random.default_rng(0), "none").tolist()
    [[100.0, 55.0]]
    """
    if check_sensor_model(model) == "none":
        return device_readings(ig)
    return SENSOR_MODELS[model](ig, rng)
