"""Free estradiol with testosterone competing for SHBG (docs/methods/hormones.md §2.7).

Södergård 1982 constants at 37 °C: ``K_SHBG-E2 = 3.14e8 L/mol``, ``K_alb-E2 = 4.21e4 L/mol``.
Testosterone occupies most SHBG sites; the sites left for estradiol follow from the free T of the
Vermeulen model, and estradiol's own occupancy of SHBG is neglected (E2 ≪ SHBG):

.. math::

    SHBG_{unoccupied} = \\frac{SHBG}{1 + K_{SHBG,T} \\cdot FT}, \\qquad
    f_{E2} = \\frac{1}{1 + K_{alb,E2} \\cdot Alb + K_{SHBG,E2} \\cdot SHBG_{unoccupied}}

The spec reports that this equals a full two-ligand competitive solution to 3 s.f.; ignoring the
competition lowers the free-E2 estimate by about 6–10 %.
"""

from __future__ import annotations

from typing import Final

from endolab import units
from endolab.hormones import _validate
from endolab.hormones.defaults import DEFAULT_ALBUMIN_G_DL
from endolab.hormones.free_testosterone import BINDING_CONSTANTS, vermeulen_1999
from endolab.hormones.results import FreeEstradiolResult

__all__ = [
    "K_ALBUMIN_E2",
    "K_SHBG_E2",
    "free_e2_fraction_sodergard_1982",
    "free_estradiol",
]

#: Association constant of estradiol with SHBG [L/mol], Södergård 1982 at 37 °C (as used by
#: Rinaldi et al. Cancer Epidemiol Biomarkers Prev 2002;11:1065 and github.com/pmapcat/freee2simulator).
K_SHBG_E2: Final = 3.14e8
#: Association constant of estradiol with albumin [L/mol], Södergård 1982 at 37 °C.
K_ALBUMIN_E2: Final = 4.21e4


def free_e2_fraction_sodergard_1982(
    free_t: float,
    shbg: float,
    albumin: float,
    *,
    k_shbg_t: float = BINDING_CONSTANTS["vermeulen1999"].k_shbg,
    k_shbg_e2: float = K_SHBG_E2,
    k_albumin_e2: float = K_ALBUMIN_E2,
) -> float:
    """Free fraction of estradiol, with testosterone occupying SHBG.

    ``f_E2 = 1 / (1 + K_alb_E2·Alb + K_SHBG_E2·SHBG / (1 + K_SHBG_T·FT))`` (docs/methods/hormones.md §2.7).

    Reference: Södergård R et al. J Steroid Biochem 1982;16:801–10,
    DOI 10.1016/0022-4731(82)90038-3 (constants); T-competition term consistent with the Vermeulen
    1999 T model (``k_shbg_t`` = 1e9 L/mol, DOI 10.1210/jcem.84.10.6079).

    Parameters
    ----------
    free_t
        Free testosterone [mol/L].
    shbg
        SHBG [mol/L].
    albumin
        Albumin [mol/L] (g/L ÷ 69,000 g/mol).
    k_shbg_t, k_shbg_e2, k_albumin_e2
        Association constants [L/mol] of T with SHBG, E2 with SHBG, E2 with albumin.

    Returns
    -------
    float
        Free fraction of estradiol [dimensionless, 0–1].

    >>> round(100 * free_e2_fraction_sodergard_1982(0.2e-9, 33e-9, 43 / 69000), 3)
    2.788
    """
    unoccupied = shbg / (1.0 + k_shbg_t * free_t)
    return 1.0 / (1.0 + k_albumin_e2 * albumin + k_shbg_e2 * unoccupied)


def free_estradiol(
    estradiol: float | str,
    total_t: float | str,
    shbg: float | str,
    albumin: float | str | None = None,
    *,
    e2_unit: str = "pg/mL",
    unit: str = "ng/dL",
    albumin_unit: str = "g/dL",
) -> FreeEstradiolResult:
    """Free estradiol from total estradiol, total testosterone, SHBG and albumin.

    Free T by :func:`~endolab.hormones.free_testosterone.vermeulen_1999`, then the free E2 fraction
    by :func:`free_e2_fraction_sodergard_1982`.

    Parameters
    ----------
    estradiol
        Total estradiol, in ``e2_unit`` [pg/mL by default; or pmol/L]. Accepted 0.5–1000 pg/mL.
    total_t
        Total testosterone, in ``unit`` [ng/dL by default; or nmol/L]. Accepted 50–3000 ng/dL.
    shbg
        SHBG [nmol/L]. Accepted 5–150 nmol/L.
    albumin
        Albumin, in ``albumin_unit`` [g/dL by default; or g/L]; ``None`` uses 4.3 g/dL.
    e2_unit, unit, albumin_unit
        Units of ``estradiol``, ``total_t`` and ``albumin``.

    Returns
    -------
    FreeEstradiolResult

    >>> r = free_estradiol(20.0, 500, 33)
    >>> f"{r.free_estradiol_pg_ml:.3f} pg/mL ({r.free_estradiol_percent:.2f} %)"
    '0.574 pg/mL (2.87 %)'
    """
    e_unit, e_unit_factor = _validate.unit(e2_unit, "estradiol", field="e2_unit")
    t_unit, t_unit_factor = _validate.unit(unit, "total_t", field="unit")
    a_unit, a_unit_factor = _validate.unit(albumin_unit, "albumin", field="albumin_unit")
    e2_pg_ml = _validate.check(estradiol, "estradiol", unit=e_unit, factor=e_unit_factor)
    tt_ng_dl = _validate.check(total_t, "total_t", unit=t_unit, factor=t_unit_factor)
    shbg_nmol_l = _validate.check(shbg, "shbg")
    assumptions = [
        "Free E2 with Södergård 1982 constants (K_SHBG 3.14e8, K_albumin 4.21e4 L/mol); "
        "testosterone occupies SHBG per the Vermeulen 1999 model; E2's own SHBG occupancy neglected.",
    ]
    if albumin is None:
        alb_g_dl = DEFAULT_ALBUMIN_G_DL
        assumptions.append("Albumin not given: 4.3 g/dL assumed (ISSAM/Vermeulen default).")
    else:
        alb_g_dl = _validate.check(albumin, "albumin", unit=a_unit, factor=a_unit_factor)
    tt = tt_ng_dl / units.TESTOSTERONE_NG_DL_PER_NMOL_L * 1e-9
    alb = alb_g_dl * 10.0 / units.ALBUMIN_MOLAR_MASS_G_PER_MOL
    ft = vermeulen_1999(tt, shbg_nmol_l * 1e-9, alb)
    fraction = free_e2_fraction_sodergard_1982(ft, shbg_nmol_l * 1e-9, alb)
    return FreeEstradiolResult(
        estradiol_pg_ml=e2_pg_ml,
        free_estradiol_pg_ml=fraction * e2_pg_ml,
        free_estradiol_percent=100.0 * fraction,
        free_testosterone_nmol_l=ft * 1e9,
        shbg_nmol_l_used=shbg_nmol_l,
        albumin_g_dl_used=alb_g_dl,
        assumptions=tuple(assumptions),
    )
