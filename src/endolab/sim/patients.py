"""The 30 published UVA/Padova virtual-patient parameter sets, as named arrays.

The files ``data/vpatient_params.csv`` and ``data/Quest.csv`` are simglucose 0.2.11's parameter files
(MIT licence, Copyright (c) 2017 Jinyu Xie; citation and licence text in ``data/NOTICE``). Units (not
given in the files; from Dalla Man 2007 and the simglucose model code): masses mg/kg (glucose) and
pmol/kg (insulin), rate constants 1/min, BW kg, Vg dL/kg, Vi L/kg, u2ss pmol/kg/min; Quest: CR [g/U],
CF [mg/dL/U], Age [years], TDI [U/day].

Sex and height are not part of the published sets; they are assumptions of this project [A]
(sex given by the caller, height 1.76 m for men and 1.63 m for women), used only for the Van Cauter
C-peptide volume and body class (obese when BMI ≥ 30 kg/m² [A], as a proxy for "more than 15 % above
ideal body weight").
"""

from __future__ import annotations

import csv
import functools
import math
import types
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from importlib import resources
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from endolab.errors import ParseError
from endolab.sim.graft import (
    DALLA_MAN_2007_NORMAL,
    GLUCAGON_GAIN,
    GLUCAGON_THRESHOLD_MG_DL,
    basal_secretion_dalla_man_2007,
    host_insulin_rebaseline_factor,
    van_cauter_1992,
)
from endolab.sim.model import N_PARAMS, N_STATES, PARAM_NAMES, param_index

__all__ = [
    "HEIGHT_CM",
    "JITTER_CV",
    "VirtualPatient",
    "jitter_patient",
    "load_patient",
    "patient_names",
    "published_tables",
    "with_c_peptide",
]

FloatArray = NDArray[np.float64]

#: Assumed heights [cm] by sex (not in the published sets) [A].
HEIGHT_CM: dict[str, float] = {"M": 176.0, "F": 163.0}

#: Parameters from the patient file, in :data:`endolab.sim.model.PARAM_NAMES` order up to ``u2ss``.
_FILE_PARAMS = PARAM_NAMES[: PARAM_NAMES.index("u2ss") + 1]

#: Coefficient of variation of the multiplicative log-normal jitter applied to a re-drawn patient
#: (a cohort larger than the pool) [A]: body weight, insulin sensitivity of utilisation (Vmx) and of
#: production (kp3), and the meal absorption rate kabs.
JITTER_CV: dict[str, float] = {"BW": 0.10, "Vmx": 0.15, "kp3": 0.15, "kabs": 0.10}


@dataclass(frozen=True)
class VirtualPatient:
    """One virtual patient: parameters and initial state as arrays, plus therapy constants.

    Attributes
    ----------
    name
        ``adult#001`` … (simglucose's names); a jittered copy gets a suffix ``~k``.
    params
        Parameter vector, shape ``(N_PARAMS,)``, units in :data:`endolab.sim.model.PARAM_UNITS`.
    x0
        Initial state, shape ``(N_STATES,)``: the file's 13 states (a basal steady state under the
        basal insulin ``u2ss``), graft and C-peptide states 0.
    cr, cf
        Carbohydrate ratio [g/U] and correction factor [mg/dL/U] (Quest.csv).
    age_years, tdi_u_per_day
        Age [years] and total daily insulin [U/day] (Quest.csv).
    sex, height_cm
        Assumed [A]; see the module notes.
    """

    name: str
    params: FloatArray
    x0: FloatArray
    cr: float
    cf: float
    age_years: float
    tdi_u_per_day: float
    sex: Literal["F", "M"] = "M"
    height_cm: float = HEIGHT_CM["M"]

    @property
    def weight_kg(self) -> float:
        """Body weight [kg]."""
        return float(self.params[param_index("BW")])

    @property
    def basal_u_per_min(self) -> float:
        """Basal insulin rate that holds the file's steady state, u2ss·BW/6000 [U/min]."""
        return float(self.params[param_index("u2ss")] * self.weight_kg / 6000.0)


_Rows = Mapping[str, Mapping[str, str]]


def _frozen(rows: Iterable[dict[str, str]]) -> _Rows:
    return types.MappingProxyType({row["Name"]: types.MappingProxyType(row) for row in rows})


@functools.cache
def _rows() -> tuple[_Rows, _Rows]:
    """The packaged parameter tables, read once per process and read-only (shared by threads)."""
    data = resources.files("endolab.sim") / "data"
    with (data / "vpatient_params.csv").open(encoding="utf-8") as fh:
        params = _frozen(csv.DictReader(fh))
    with (data / "Quest.csv").open(encoding="utf-8") as fh:
        quest = _frozen(csv.DictReader(fh))
    return params, quest


def published_tables() -> tuple[Mapping[str, Mapping[str, str]], Mapping[str, Mapping[str, str]]]:
    """The packaged parameter tables (``vpatient_params.csv``, ``Quest.csv``), read-only rows by name."""
    return _rows()


def with_c_peptide(pt: VirtualPatient) -> VirtualPatient:
    """A copy of ``pt`` with Van Cauter C-peptide kinetics for its age, weight, height and sex."""
    return _with_c_peptide(pt)


def patient_names(group: str | None = None) -> list[str]:
    """Names of the published virtual patients, optionally of one group (``adult``, ``adolescent``,
    ``child``).

    >>> patient_names("adult")[:2], len(patient_names())
    (['adult#001', 'adult#002'], 30)
    """
    names = list(_rows()[0])
    return [n for n in names if group is None or n.split("#")[0] == group]


def _with_c_peptide(pt: VirtualPatient) -> VirtualPatient:
    bw = pt.weight_kg
    bmi = bw / (pt.height_cm / 100.0) ** 2
    vc = van_cauter_1992(
        pt.age_years, bw, pt.height_cm, pt.sex, "obese" if bmi >= 30.0 else "normal"
    )
    params = pt.params.copy()
    for key in ("k1", "k2", "k3", "vd"):
        params[param_index(f"vc_{key}")] = vc[key]
    params[param_index("rho")] = float(
        host_insulin_rebaseline_factor(
            *(params[param_index(k)] for k in ("Ib", "Vi", "m1", "m2", "m4", "m30"))
        )
    )
    return replace(pt, params=params)


def load_patient(name: str, sex: Literal["F", "M"] = "M") -> VirtualPatient:
    """Load a published virtual patient by name (e.g. ``adult#001``) with graft fraction F = 0.

    Graft parameters are Dalla Man 2007's normal values (K, α, β, γ; Sb derived, docs/methods/sim.md §3) with
    F = 0, h = 95 mg/dL, kp4 = 0 and constant hepatic extraction (:class:`~endolab.sim.graft.GraftSettings`
    defaults); C-peptide parameters from :func:`~endolab.sim.graft.van_cauter_1992`. An unknown name
    raises :class:`~endolab.errors.ParseError` listing the names (``E_UNKNOWN_PATIENT``; a name
    outside a fixed list, like an unknown syringe or ester: exit status 2 on the command line).

    >>> pt = load_patient("adult#001")
    >>> pt.weight_kg, pt.cr, round(pt.cf, 2), pt.age_years
    (102.32, 10.0, 8.77, 61.0)
    """
    params_rows, quest_rows = _rows()
    if name not in params_rows:
        raise ParseError(
            f"unknown virtual patient {name!r}; use one of adult#001–adult#010, "
            "adolescent#001–adolescent#010, child#001–child#010",
            code="E_UNKNOWN_PATIENT",
            field="patient",
            value=name,
        )
    row = params_rows[name]
    q = quest_rows[name]
    params = np.zeros(N_PARAMS)
    for key in _FILE_PARAMS:
        params[param_index(key)] = float(row[key])
    dm = DALLA_MAN_2007_NORMAL
    graft = {
        "F": 0.0,
        "K": dm["K"],
        "alpha": dm["alpha"],
        "beta": dm["beta"],
        "gamma": dm["gamma"],
        "h": 95.0,
        "Sb": basal_secretion_dalla_man_2007(),
        "kp4": 0.0,
        "he_dynamic": 0.0,
        "m6": float(row["HEb"]),
        "kglu": GLUCAGON_GAIN,
        "hglu": GLUCAGON_THRESHOLD_MG_DL,
    }
    for key, value in graft.items():
        params[param_index(key)] = value
    x0 = np.zeros(N_STATES)
    # the file's 13 initial states: headers "x0_ 1" … "x0_ 9" (with a space), "x0_10" … "x0_13"
    for k in range(13):
        header = f"x0_{k + 1:2d}"
        x0[k] = float(row[header])
    pt = VirtualPatient(
        name=name,
        params=params,
        x0=x0,
        cr=float(q["CR"]),
        cf=float(q["CF"]),
        age_years=float(q["Age"]),
        tdi_u_per_day=float(q["TDI"]),
        sex=sex,
        height_cm=HEIGHT_CM[sex],
    )
    return _with_c_peptide(pt)


def jitter_patient(pt: VirtualPatient, rng: np.random.Generator, copy: int) -> VirtualPatient:
    """A re-drawn copy of ``pt`` with seeded multiplicative log-normal jitter [A].

    Each parameter in :data:`JITTER_CV` is multiplied by ``exp(σ·z − σ²/2)`` with
    ``σ = sqrt(ln(1 + CV²))`` and ``z ~ N(0, 1)`` from ``rng`` (mean-preserving). The initial state is
    kept (no longer an exact steady state; the run-in before day 0 settles it). The name gets the
    suffix ``~copy``.
    """
    params = pt.params.copy()
    for key, cv in JITTER_CV.items():
        sigma = math.sqrt(math.log1p(cv**2))
        params[param_index(key)] *= math.exp(sigma * rng.standard_normal() - 0.5 * sigma**2)
    return _with_c_peptide(replace(pt, name=f"{pt.name}~{copy}", params=params))
