"""Frozen result objects of the hormone calculators: values with units in their names, the
assumptions used and the flags raised.

``to_dict()`` gives the flat JSON mapping of the command line and the web API (unit in every key).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from endolab import units

__all__ = ["FreeEstradiolResult", "FreeTestosteroneResult", "HormonePrediction"]


def _sig(x: float, digits: int = 6) -> float:
    """``x`` rounded to ``digits`` significant figures (for JSON readability only)."""
    if x == 0 or not math.isfinite(x):
        return x
    return round(x, digits - 1 - math.floor(math.log10(abs(x))))


@dataclass(frozen=True)
class FreeTestosteroneResult:
    """Free testosterone from total testosterone, SHBG and albumin.

    Attributes
    ----------
    total_testosterone_ng_dl
        Total testosterone used [ng/dL].
    free_testosterone_nmol_l
        Free testosterone [nmol/L].
    free_testosterone_pg_ml
        Free testosterone [pg/mL].
    free_testosterone_percent
        Free fraction of total testosterone [%].
    bioavailable_testosterone_ng_dl
        Bioavailable testosterone, free + albumin-bound [ng/dL].
    shbg_nmol_l_used
        SHBG used [nmol/L].
    albumin_g_dl_used
        Albumin used [g/dL].
    method
        Binding-constant set (``"vermeulen1999"``, ``"sodergard1982"``, ``"emadikonjin2003"`` or
        ``"ross2005"``).
    assumptions
        The assumptions behind the numbers, as sentences.
    flags
        Notices about the input or the result, as sentences.
    free_testosterone_low_pg_ml, free_testosterone_high_pg_ml
        Band of free T [pg/mL] over assay and model scatter, and over the normal range of albumin
        when albumin was assumed (:mod:`endolab.hormones.bands`); ``None`` when not computed.
    bioavailable_testosterone_low_ng_dl, bioavailable_testosterone_high_ng_dl
        Band of bioavailable T [ng/dL], same basis.
    albumin_assumed
        Whether albumin was assumed (not entered).
    """

    total_testosterone_ng_dl: float
    free_testosterone_nmol_l: float
    free_testosterone_pg_ml: float
    free_testosterone_percent: float
    bioavailable_testosterone_ng_dl: float
    shbg_nmol_l_used: float
    albumin_g_dl_used: float
    method: str
    assumptions: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    free_testosterone_low_pg_ml: float | None = None
    free_testosterone_high_pg_ml: float | None = None
    bioavailable_testosterone_low_ng_dl: float | None = None
    bioavailable_testosterone_high_ng_dl: float | None = None
    albumin_assumed: bool = False

    @property
    def free_testosterone_ng_dl(self) -> float:
        """Free testosterone [ng/dL]."""
        return self.free_testosterone_pg_ml / 10.0

    @property
    def free_testosterone_pmol_l(self) -> float:
        """Free testosterone [pmol/L]."""
        return self.free_testosterone_nmol_l * 1000.0

    @property
    def bioavailable_testosterone_nmol_l(self) -> float:
        """Bioavailable testosterone [nmol/L]."""
        return self.bioavailable_testosterone_ng_dl / units.TESTOSTERONE_NG_DL_PER_NMOL_L

    def to_dict(self) -> dict[str, Any]:
        """Flat JSON mapping (the keys of ``endolab hormones free-t --json``)."""
        out: dict[str, Any] = {
            "free_testosterone_pg_ml": _sig(self.free_testosterone_pg_ml),
            "free_testosterone_percent": _sig(self.free_testosterone_percent),
            "bioavailable_testosterone_ng_dl": _sig(self.bioavailable_testosterone_ng_dl),
            "shbg_nmol_l_used": _sig(self.shbg_nmol_l_used),
            "albumin_g_dl_used": _sig(self.albumin_g_dl_used),
        }
        band = (
            ("free_testosterone_low_pg_ml", self.free_testosterone_low_pg_ml),
            ("free_testosterone_high_pg_ml", self.free_testosterone_high_pg_ml),
            ("bioavailable_testosterone_low_ng_dl", self.bioavailable_testosterone_low_ng_dl),
            ("bioavailable_testosterone_high_ng_dl", self.bioavailable_testosterone_high_ng_dl),
        )
        for key, value in band:
            if value is not None:
                out[key] = _sig(value)
        if self.free_testosterone_low_pg_ml is not None:
            out["albumin_assumed"] = self.albumin_assumed
        return out


@dataclass(frozen=True)
class FreeEstradiolResult:
    """Free estradiol from total estradiol with testosterone competing for SHBG.

    Attributes
    ----------
    estradiol_pg_ml
        Total estradiol used [pg/mL].
    free_estradiol_pg_ml
        Free estradiol [pg/mL].
    free_estradiol_percent
        Free fraction of estradiol [%].
    free_testosterone_nmol_l
        Free testosterone that occupies SHBG [nmol/L].
    shbg_nmol_l_used, albumin_g_dl_used
        SHBG [nmol/L] and albumin [g/dL] used.
    assumptions
        The assumptions behind the numbers.
    """

    estradiol_pg_ml: float
    free_estradiol_pg_ml: float
    free_estradiol_percent: float
    free_testosterone_nmol_l: float
    shbg_nmol_l_used: float
    albumin_g_dl_used: float
    assumptions: tuple[str, ...] = ()

    @property
    def free_estradiol_pmol_l(self) -> float:
        """Free estradiol [pmol/L]."""
        return self.free_estradiol_pg_ml * units.ESTRADIOL_PMOL_L_PER_PG_ML


@dataclass(frozen=True)
class HormonePrediction:
    """The TRT Hormone Predictor's answer (docs/methods/hormones.md §5).

    Attributes
    ----------
    total_testosterone_ng_dl
        Total testosterone the prediction starts from [ng/dL] (entered, or the Bhasin 2001 trough
        mean for ``dose_mg_week``).
    age_years_used
        Age used for the SHBG default and the aromatase age factor [years] (47 when not given).
    free_testosterone_nmol_l, free_testosterone_pg_ml, free_testosterone_percent
        Free testosterone (Vermeulen 1999) [nmol/L], [pg/mL], [%].
    bioavailable_testosterone_ng_dl
        Free + albumin-bound testosterone [ng/dL].
    estradiol_pg_ml, estradiol_low_pg_ml, estradiol_high_pg_ml
        Predicted total estradiol, LC-MS/MS-equivalent, and its band [pg/mL].
    free_estradiol_pg_ml
        Predicted free estradiol [pg/mL].
    dht_ng_dl, dht_low_ng_dl, dht_high_ng_dl
        Predicted total DHT, LC-MS/MS-equivalent, and its band [ng/dL].
    shbg_nmol_l_used, albumin_g_dl_used
        SHBG [nmol/L] and albumin [g/dL] used (entered or default).
    aromatase_age_factor
        Multiplier of the young-men E2 Vmax [dimensionless], 1.0 … 1.4.
    free_testosterone_low_pg_ml, free_testosterone_high_pg_ml
        Band of free T [pg/mL] (:mod:`endolab.hormones.bands`): over the population spread of SHBG
        at that age when SHBG is assumed, over assay and model scatter when it is measured, and
        over the spread of total T in dose mode.
    bioavailable_testosterone_low_ng_dl, bioavailable_testosterone_high_ng_dl
        Band of bioavailable T [ng/dL], same basis.
    free_estradiol_low_pg_ml, free_estradiol_high_pg_ml
        Band of the predicted free E2 [pg/mL], same basis (the ×/÷ band of total E2 not included).
    shbg_assumed, albumin_assumed
        Whether SHBG / albumin were assumed (not entered).
    band_basis
        The input ranges behind the bands, as sentences.
    dose_mg_week
        Weekly testosterone-enanthate dose the total T was derived from [mg/week], or ``None``.
    estradiol_measured_pg_ml, dht_measured_ng_dl
        Measured values given by the user [pg/mL], [ng/dL], or ``None``.
    assumptions, flags
        Sentences: the assumptions used, and the notices raised.
    """

    total_testosterone_ng_dl: float
    age_years_used: float
    free_testosterone_nmol_l: float
    free_testosterone_pg_ml: float
    free_testosterone_percent: float
    bioavailable_testosterone_ng_dl: float
    estradiol_pg_ml: float
    estradiol_low_pg_ml: float
    estradiol_high_pg_ml: float
    free_estradiol_pg_ml: float
    dht_ng_dl: float
    dht_low_ng_dl: float
    dht_high_ng_dl: float
    shbg_nmol_l_used: float
    albumin_g_dl_used: float
    aromatase_age_factor: float
    free_testosterone_low_pg_ml: float
    free_testosterone_high_pg_ml: float
    bioavailable_testosterone_low_ng_dl: float
    bioavailable_testosterone_high_ng_dl: float
    free_estradiol_low_pg_ml: float
    free_estradiol_high_pg_ml: float
    shbg_assumed: bool
    albumin_assumed: bool
    band_basis: tuple[str, ...] = ()
    dose_mg_week: float | None = None
    estradiol_measured_pg_ml: float | None = None
    dht_measured_ng_dl: float | None = None
    assumptions: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()

    @property
    def total_testosterone_nmol_l(self) -> float:
        """Total testosterone [nmol/L]."""
        return self.total_testosterone_ng_dl / units.TESTOSTERONE_NG_DL_PER_NMOL_L

    @property
    def free_testosterone_ng_dl(self) -> float:
        """Free testosterone [ng/dL]."""
        return self.free_testosterone_pg_ml / 10.0

    @property
    def free_testosterone_pmol_l(self) -> float:
        """Free testosterone [pmol/L]."""
        return self.free_testosterone_nmol_l * 1000.0

    @property
    def estradiol_pmol_l(self) -> float:
        """Predicted total estradiol [pmol/L]."""
        return self.estradiol_pg_ml * units.ESTRADIOL_PMOL_L_PER_PG_ML

    @property
    def free_estradiol_pmol_l(self) -> float:
        """Predicted free estradiol [pmol/L]."""
        return self.free_estradiol_pg_ml * units.ESTRADIOL_PMOL_L_PER_PG_ML

    @property
    def dht_nmol_l(self) -> float:
        """Predicted total DHT [nmol/L]."""
        return self.dht_ng_dl / units.DHT_NG_DL_PER_NMOL_L

    @property
    def e2_to_t_molar_ratio(self) -> float:
        """Estradiol : total testosterone, molar [dimensionless]."""
        return (self.estradiol_pmol_l * 1e-12) / (self.total_testosterone_nmol_l * 1e-9)

    @property
    def dht_to_t_mass_ratio(self) -> float:
        """DHT : total testosterone, by mass [dimensionless] (1/13 ≈ 0.077 in healthy men)."""
        return self.dht_ng_dl / self.total_testosterone_ng_dl

    @property
    def estradiol_observed_to_predicted(self) -> float | None:
        """Measured ÷ predicted estradiol [dimensionless], when a measured value was given."""
        if self.estradiol_measured_pg_ml is None:
            return None
        return self.estradiol_measured_pg_ml / self.estradiol_pg_ml

    @property
    def dht_observed_to_predicted(self) -> float | None:
        """Measured ÷ predicted DHT [dimensionless], when a measured value was given."""
        if self.dht_measured_ng_dl is None:
            return None
        return self.dht_measured_ng_dl / self.dht_ng_dl

    def to_dict(self) -> dict[str, Any]:
        """Flat JSON mapping (the keys of ``endolab hormones predict --json``).

        Always: the keys of issue 2. Only when given: ``dose_mg_week`` and
        ``trough_total_testosterone_ng_dl``; ``estradiol_measured_pg_ml`` and
        ``estradiol_observed_to_predicted``; ``dht_measured_ng_dl`` and ``dht_observed_to_predicted``.
        Numbers are rounded to 6 significant figures.
        """
        out: dict[str, Any] = {
            "free_testosterone_pg_ml": _sig(self.free_testosterone_pg_ml),
            "free_testosterone_percent": _sig(self.free_testosterone_percent),
            "bioavailable_testosterone_ng_dl": _sig(self.bioavailable_testosterone_ng_dl),
            "estradiol_pg_ml": _sig(self.estradiol_pg_ml),
            "estradiol_low_pg_ml": _sig(self.estradiol_low_pg_ml),
            "estradiol_high_pg_ml": _sig(self.estradiol_high_pg_ml),
            "dht_ng_dl": _sig(self.dht_ng_dl),
            "dht_low_ng_dl": _sig(self.dht_low_ng_dl),
            "dht_high_ng_dl": _sig(self.dht_high_ng_dl),
            "free_estradiol_pg_ml": _sig(self.free_estradiol_pg_ml),
            "free_testosterone_low_pg_ml": _sig(self.free_testosterone_low_pg_ml),
            "free_testosterone_high_pg_ml": _sig(self.free_testosterone_high_pg_ml),
            "bioavailable_testosterone_low_ng_dl": _sig(self.bioavailable_testosterone_low_ng_dl),
            "bioavailable_testosterone_high_ng_dl": _sig(self.bioavailable_testosterone_high_ng_dl),
            "free_estradiol_low_pg_ml": _sig(self.free_estradiol_low_pg_ml),
            "free_estradiol_high_pg_ml": _sig(self.free_estradiol_high_pg_ml),
            "shbg_nmol_l_used": _sig(self.shbg_nmol_l_used),
            "albumin_g_dl_used": _sig(self.albumin_g_dl_used),
            "shbg_assumed": self.shbg_assumed,
            "albumin_assumed": self.albumin_assumed,
            "band_basis": list(self.band_basis),
            "assumptions": list(self.assumptions),
            "flags": list(self.flags),
        }
        if self.dose_mg_week is not None:
            out["dose_mg_week"] = _sig(self.dose_mg_week)
            out["trough_total_testosterone_ng_dl"] = _sig(self.total_testosterone_ng_dl)
        e2_ratio = self.estradiol_observed_to_predicted
        if self.estradiol_measured_pg_ml is not None and e2_ratio is not None:
            out["estradiol_measured_pg_ml"] = _sig(self.estradiol_measured_pg_ml)
            out["estradiol_observed_to_predicted"] = _sig(e2_ratio)
        dht_ratio = self.dht_observed_to_predicted
        if self.dht_measured_ng_dl is not None and dht_ratio is not None:
            out["dht_measured_ng_dl"] = _sig(self.dht_measured_ng_dl)
            out["dht_observed_to_predicted"] = _sig(dht_ratio)
        return out
