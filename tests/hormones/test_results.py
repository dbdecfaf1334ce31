"""Result objects: frozen, JSON keys exactly as issue 2 lists them."""

from __future__ import annotations

import dataclasses
import json

import pytest

import endolab.hormones
from endolab.hormones import free_testosterone, predict
from tests.hormones.band_keys import BAND_KEYS, PREDICT_BAND_EXTRA

PREDICT_KEYS = {
    "free_testosterone_pg_ml",
    "free_testosterone_percent",
    "bioavailable_testosterone_ng_dl",
    "estradiol_pg_ml",
    "estradiol_low_pg_ml",
    "estradiol_high_pg_ml",
    "dht_ng_dl",
    "dht_low_ng_dl",
    "dht_high_ng_dl",
    "free_estradiol_pg_ml",
    "shbg_nmol_l_used",
    "albumin_g_dl_used",
    "assumptions",
    "flags",
    # issue 12: bands of the free hormones and whether SHBG / albumin were assumed
    *BAND_KEYS,
    *PREDICT_BAND_EXTRA,
}
FREE_T_KEYS = {
    "free_testosterone_pg_ml",
    "free_testosterone_percent",
    "bioavailable_testosterone_ng_dl",
    "shbg_nmol_l_used",
    "albumin_g_dl_used",
    *BAND_KEYS[:4],
    "albumin_assumed",
}


def test_predict_keys_exactly() -> None:
    d = predict(650, age=45).to_dict()
    assert set(d) == PREDICT_KEYS
    assert all(isinstance(a, str) for a in d["assumptions"] + d["flags"])
    json.dumps(d, allow_nan=False)


def test_optional_keys_only_when_given() -> None:
    d = predict(dose_mg_week=125, age=30, measured_e2=25, measured_dht=40).to_dict()
    assert set(d) - PREDICT_KEYS == {
        "dose_mg_week",
        "trough_total_testosterone_ng_dl",
        "estradiol_measured_pg_ml",
        "estradiol_observed_to_predicted",
        "dht_measured_ng_dl",
        "dht_observed_to_predicted",
    }
    assert d["trough_total_testosterone_ng_dl"] == 542


def test_json_rounding_keeps_6_significant_figures() -> None:
    r = predict(500, age=30)
    assert r.to_dict()["estradiol_pg_ml"] == pytest.approx(r.estradiol_pg_ml, rel=1e-5)


def test_free_t_keys_exactly_and_frozen() -> None:
    r = free_testosterone(288.4, 40)
    assert set(r.to_dict()) == FREE_T_KEYS
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.method = "x"  # type: ignore[misc]


def test_public_api() -> None:
    # isort-style order (ruff RUF022): CONSTANTS, then Classes, then functions, each alphabetical
    kind = lambda n: (0 if n.isupper() else 1 if n[0].isupper() else 2, n)  # noqa: E731
    assert sorted(endolab.hormones.__all__, key=kind) == endolab.hormones.__all__
    for name in endolab.hormones.__all__:
        assert hasattr(endolab.hormones, name)
    assert {"predict", "free_testosterone", "vermeulen_1999", "sodergard_1982"} <= set(
        endolab.hormones.__all__
    )
