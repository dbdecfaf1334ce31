"""Free and bioavailable testosterone from total testosterone, SHBG and albumin.

One mass-action model (docs/methods/hormones.md §2.1): testosterone binds SHBG with one association constant
``K_SHBG`` (one class of sites, saturable) and albumin with ``K_alb`` (linear, non-saturable):

.. math::

    TT = FT \\cdot N + \\frac{SHBG \\cdot K_{SHBG} \\cdot FT}{1 + K_{SHBG} \\cdot FT},
    \\qquad N = 1 + K_{alb} \\cdot Alb

which is the quadratic :math:`a \\cdot FT^2 + b \\cdot FT + c = 0` with :math:`a = N K_{SHBG}`,
:math:`b = N + K_{SHBG}(SHBG - TT)`, :math:`c = -TT` (all concentrations in mol/L).

Each published constant set is one function named after its source, and :func:`free_testosterone`
dispatches on a method name (``"vermeulen1999"``, ``"sodergard1982"``, ``"emadikonjin2003"`` or ``"ross2005"``; see
:data:`BINDING_CONSTANTS`).

Glossary (units of the model functions, all molar):

* ``total_t`` — total testosterone [mol/L]
* ``shbg`` — sex-hormone-binding globulin binding sites [mol/L]
* ``albumin`` — albumin [mol/L] (g/L ÷ 69,000 g/mol, the molar mass Vermeulen/ISSAM use)
* return — free testosterone [mol/L]
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Final

from endolab import units
from endolab.errors import InputError
from endolab.hormones import _validate, bands
from endolab.hormones.defaults import DEFAULT_ALBUMIN_G_DL
from endolab.hormones.results import FreeTestosteroneResult

__all__ = [
    "BINDING_CONSTANTS",
    "BindingConstants",
    "compute_free_testosterone",
    "emadi_konjin_2003",
    "free_testosterone",
    "mass_action_coefficients",
    "mass_action_free_t",
    "ross_2005",
    "sodergard_1982",
    "vermeulen_1999",
]


@dataclass(frozen=True)
class BindingConstants:
    """Association constants of testosterone with SHBG and albumin.

    Attributes
    ----------
    k_shbg
        Association constant of T with SHBG [L/mol].
    k_albumin
        Association constant of T with albumin [L/mol].
    source
        Where the constants come from.
    """

    k_shbg: float
    k_albumin: float
    source: str


#: Published constant sets, looked up by method name (author + year).
BINDING_CONSTANTS: Final[dict[str, BindingConstants]] = {
    "vermeulen1999": BindingConstants(
        k_shbg=1.0e9,
        k_albumin=3.6e4,
        source=(
            "Vermeulen A, Verdonck L, Kaufman JM. JCEM 1999;84(10):3666-72, "
            "DOI 10.1210/jcem.84.10.6079; constants as on the ISSAM page issam.ch/freetesuit.html"
        ),
    ),
    "sodergard1982": BindingConstants(
        k_shbg=5.97e8,
        k_albumin=4.06e4,
        source=(
            "Södergård R et al. J Steroid Biochem 1982;16:801-10, DOI 10.1016/0022-4731(82)90038-3 "
            "(37 °C constants)"
        ),
    ),
    "emadikonjin2003": BindingConstants(
        k_shbg=1.4e9,
        k_albumin=1.3e4,
        source=(
            "Emadi-Konjin P et al. Clin Biochem 2003, PMID 14636872; N = 1 + 0.188·Alb[g/L] "
            "⇒ K_alb = 1.3e4 L/mol with albumin MW 69,000 (docs/methods/hormones.md §2.4)"
        ),
    ),
    "ross2005": BindingConstants(
        k_shbg=1.13e9,
        k_albumin=4.4e4,
        source=(
            "Ross HA et al. Clin Chem Lab Med 2005, DOI 10.1515/CCLM.2005.106 (symmetric "
            "dialysis, elderly men; abstract)"
        ),
    ),
}


def mass_action_coefficients(
    total_t: float, shbg: float, albumin: float, *, k_shbg: float, k_albumin: float
) -> tuple[float, float, float]:
    """Coefficients ``(a, b, c)`` of the free-T quadratic ``a·FT² + b·FT + c = 0``.

    Parameters
    ----------
    total_t, shbg, albumin
        Total testosterone, SHBG and albumin [mol/L].
    k_shbg, k_albumin
        Association constants [L/mol].

    Returns
    -------
    tuple of float
        ``a`` [L/mol], ``b`` [dimensionless], ``c`` [mol/L]:
        ``a = N·K_SHBG``, ``b = N + K_SHBG·(SHBG − TT)``, ``c = −TT`` with ``N = 1 + K_alb·Alb``.

    The ISSAM worked example (TT 10 nmol/L, SHBG 40 nmol/L, albumin 43 g/L) gives
    "23.43 x10⁹ [S]² + 53.43 [S] − 10 10⁻⁹ = 0":

    >>> a, b, c = mass_action_coefficients(10e-9, 40e-9, 43 / 69000, k_shbg=1e9, k_albumin=3.6e4)
    >>> f"{a:.4g} {b:.4g} {c:.4g}"
    '2.343e+10 53.43 -1e-08'
    """
    n = 1.0 + k_albumin * albumin
    return n * k_shbg, n + k_shbg * (shbg - total_t), -total_t


def mass_action_free_t(
    total_t: float, shbg: float, albumin: float, *, k_shbg: float, k_albumin: float
) -> float:
    """Free testosterone from the mass-action quadratic, cancellation-safe.

    The positive root of ``a·FT² + b·FT + c = 0`` (see :func:`mass_action_coefficients`), computed as
    ``FT = 2·TT / (b + sqrt(b² + 4·a·TT))`` when ``b > 0`` and as
    ``FT = (−b + sqrt(b² + 4·a·TT)) / (2a)`` otherwise, so that no two nearly equal numbers are
    subtracted (docs/methods/hormones.md §2.1).

    Parameters
    ----------
    total_t, shbg, albumin
        Total testosterone, SHBG and albumin [mol/L].
    k_shbg, k_albumin
        Association constants [L/mol].

    Returns
    -------
    float
        Free testosterone [mol/L].

    >>> round(mass_action_free_t(10e-9, 40e-9, 43 / 69000, k_shbg=1e9, k_albumin=3.6e4) * 1e9, 6)
    0.173884
    """
    a, b, _ = mass_action_coefficients(total_t, shbg, albumin, k_shbg=k_shbg, k_albumin=k_albumin)
    root = math.sqrt(b * b + 4.0 * a * total_t)
    if b > 0:
        return 2.0 * total_t / (b + root)
    return (-b + root) / (2.0 * a)


def vermeulen_1999(total_t: float, shbg: float, albumin: float) -> float:
    """Free testosterone by Vermeulen 1999 (ISSAM constants).

    ``K_SHBG = 1.0e9 L/mol``, ``K_alb = 3.6e4 L/mol`` in the mass-action quadratic of
    :func:`mass_action_free_t`.

    Reference: Vermeulen A, Verdonck L, Kaufman JM. A critical evaluation of simple methods for the
    estimation of free testosterone in serum. J Clin Endocrinol Metab 1999;84(10):3666–72,
    DOI 10.1210/jcem.84.10.6079; worked example and constants on issam.ch/freetesuit.html.

    Parameters
    ----------
    total_t
        Total testosterone [mol/L].
    shbg
        SHBG [mol/L].
    albumin
        Albumin [mol/L] (g/L ÷ 69,000 g/mol).

    Returns
    -------
    float
        Free testosterone [mol/L].

    ISSAM worked example (TT 288.4 ng/dL = 10 nmol/L, SHBG 40 nmol/L, albumin 4.3 g/dL → FT 1.7388 %):

    >>> ft = vermeulen_1999(10e-9, 40e-9, 43 / 69000)
    >>> f"{ft:.5e} mol/L, {100 * ft / 10e-9:.4f} %"
    '1.73884e-10 mol/L, 1.7388 %'
    """
    k = BINDING_CONSTANTS["vermeulen1999"]
    return mass_action_free_t(total_t, shbg, albumin, k_shbg=k.k_shbg, k_albumin=k.k_albumin)


def sodergard_1982(total_t: float, shbg: float, albumin: float) -> float:
    """Free testosterone with the Södergård 1982 association constants (37 °C).

    ``K_SHBG = 5.97e8 L/mol``, ``K_alb = 4.06e4 L/mol`` in the same mass-action quadratic as
    :func:`vermeulen_1999` (docs/methods/hormones.md §2.4; constants as used by de Ronde 2006 and
    github.com/tcameronwaller/uk_biobank).

    Reference: Södergård R, Bäckström T, Shanbhag V, Carstensen H. Calculation of free and bound
    fractions of testosterone and estradiol-17β to human plasma proteins at body temperature.
    J Steroid Biochem 1982;16:801–10, DOI 10.1016/0022-4731(82)90038-3, PMID 7202083.

    Parameters
    ----------
    total_t
        Total testosterone [mol/L].
    shbg
        SHBG [mol/L].
    albumin
        Albumin [mol/L] (g/L ÷ 69,000 g/mol).

    Returns
    -------
    float
        Free testosterone [mol/L].

    docs/methods/hormones.md §2.4 (TT 500 ng/dL, SHBG 33 nmol/L, albumin 4.3 g/dL → 119 pg/mL, 2.37 %):

    >>> tt = 500 / 28.84 * 1e-9
    >>> f"{100 * sodergard_1982(tt, 33e-9, 43 / 69000) / tt:.2f} %"
    '2.37 %'
    """
    k = BINDING_CONSTANTS["sodergard1982"]
    return mass_action_free_t(total_t, shbg, albumin, k_shbg=k.k_shbg, k_albumin=k.k_albumin)


def emadi_konjin_2003(total_t: float, shbg: float, albumin: float) -> float:
    """Free testosterone with the Emadi-Konjin 2003 association constants.

    ``K_SHBG = 1.4e9 L/mol``, ``K_alb = 1.3e4 L/mol`` in the same mass-action quadratic as
    :func:`vermeulen_1999` (docs/methods/hormones.md §2.4: the published formula's albumin term
    ``N = 1 + 0.188·Alb[g/L]`` gives K_alb = 0.188 × 69,000 ≈ 1.3e4 L/mol).

    Parameters
    ----------
    total_t
        Total testosterone [mol/L].
    shbg
        SHBG [mol/L].
    albumin
        Albumin [mol/L] (g/L ÷ 69,000 g/mol).

    Returns
    -------
    float
        Free testosterone [mol/L].

    References
    ----------
    Emadi-Konjin P, Bain J, Bromberg IL. Evaluation of an algorithm for calculation of serum
    "bioavailable" testosterone (BAT). Clin Biochem 2003;36(8):591–596, PMID 14636872 [U: DOI not
    confirmed — journal, volume, pages and title were checked in a library record, but no source
    searched printed the DOI, so none is given rather than a guessed one].

    docs/methods/hormones.md §2.4 (TT 500 ng/dL, SHBG 33 nmol/L, albumin 4.3 g/dL → 135 pg/mL, 2.70 %):

    >>> tt = 500 / 28.84 * 1e-9
    >>> f"{100 * emadi_konjin_2003(tt, 33e-9, 43 / 69000) / tt:.2f} %"
    '2.70 %'
    """
    k = BINDING_CONSTANTS["emadikonjin2003"]
    return mass_action_free_t(total_t, shbg, albumin, k_shbg=k.k_shbg, k_albumin=k.k_albumin)


def ross_2005(total_t: float, shbg: float, albumin: float) -> float:
    """Free testosterone with the Ross 2005 association constants (symmetric dialysis).

    ``K_SHBG = 1.13e9 L/mol``, ``K_alb = 4.4e4 L/mol`` in the same mass-action quadratic as
    :func:`vermeulen_1999` (docs/methods/hormones.md §2.4). Determined in elderly men; the spec gives no
    worked value for this set, so it is tested against a bisection of the mass balance.

    Reference: Ross HA, Meuleman EJH, Sweep FCGJ. A simple method for estimating equilibrium
    constants for serum testosterone binding resulting in an optimal free testosterone index for use
    in elderly men. Clin Chem Lab Med 2005;43(6):613–6, DOI 10.1515/CCLM.2005.106.

    Parameters
    ----------
    total_t
        Total testosterone [mol/L].
    shbg
        SHBG [mol/L].
    albumin
        Albumin [mol/L] (g/L ÷ 69,000 g/mol).

    Returns
    -------
    float
        Free testosterone [mol/L].
    """
    k = BINDING_CONSTANTS["ross2005"]
    return mass_action_free_t(total_t, shbg, albumin, k_shbg=k.k_shbg, k_albumin=k.k_albumin)


def _sci(x: float) -> str:
    """Compact scientific notation for constants: 1e9 → '1.0e9', 5.97e8 → '5.97e8'."""
    exponent = math.floor(math.log10(abs(x)))
    mantissa = x / 10**exponent
    return f"{mantissa:.3g}{'.0' if mantissa == int(mantissa) else ''}e{exponent}"


def _method(method: str) -> tuple[str, BindingConstants]:
    key = (
        str(method)
        .strip()
        .lower()
        .replace("_", "")
        .replace("-", "")
        .replace("ö", "o")
        .replace("å", "a")
    )
    if key not in BINDING_CONSTANTS:
        raise InputError(
            f"method: unknown free-testosterone method {method!r}; "
            f"accepted: {', '.join(BINDING_CONSTANTS)}",
            field="method",
            value=method,
        )
    return key, BINDING_CONSTANTS[key]


def free_testosterone(
    total_t: float | str,
    shbg: float | str,
    albumin: float | str | None = None,
    method: str = "vermeulen1999",
    *,
    unit: str = "ng/dL",
    albumin_unit: str = "g/dL",
) -> FreeTestosteroneResult:
    """Free testosterone, free-T percent and bioavailable T, with input checks and units.

    Parameters
    ----------
    total_t
        Total testosterone, in ``unit`` [ng/dL by default; or nmol/L]. Accepted 50–3000 ng/dL.
    shbg
        SHBG [nmol/L]. Accepted 5–150 nmol/L.
    albumin
        Albumin, in ``albumin_unit`` [g/dL by default, as on the command line; or g/L].
        ``None`` (default) uses 4.3 g/dL (ISSAM / Vermeulen default) and says so in the
        assumptions. Accepted 2.5–5.5 g/dL.
    method
        ``"vermeulen1999"`` (default), ``"sodergard1982"``, ``"emadikonjin2003"`` or ``"ross2005"``
        (see :data:`BINDING_CONSTANTS`).
    unit
        Unit of ``total_t``: ``"ng/dL"`` or ``"nmol/L"`` (1 nmol/L = 28.84 ng/dL, ISSAM).
    albumin_unit
        Unit of ``albumin``: ``"g/dL"`` or ``"g/L"``.

    Returns
    -------
    FreeTestosteroneResult
        Frozen result: free T [pg/mL, nmol/L, %], bioavailable T (free + albumin-bound) [ng/dL], the
        SHBG and albumin used, assumptions and flags.

    Raises
    ------
    endolab.errors.ParseError
        A value that is not a finite number, or an unknown unit (exit status 2).
    endolab.errors.InputError
        A value out of range, or an unknown method (exit status 3).

    ISSAM worked example (issam.ch/freetesuit.html): FT 50.1 pg/mL, 1.74 %, BAT 118 ng/dL.

    >>> r = free_testosterone(288.4, 40)
    >>> f"{r.free_testosterone_pg_ml:.1f} pg/mL {r.free_testosterone_percent:.2f} % {r.bioavailable_testosterone_ng_dl:.0f} ng/dL"
    '50.1 pg/mL 1.74 % 118 ng/dL'
    """
    key, constants = _method(method)
    t_unit, t_unit_factor = _validate.unit(unit, "total_t", field="unit")
    a_unit, a_unit_factor = _validate.unit(albumin_unit, "albumin", field="albumin_unit")
    tt_ng_dl = _validate.check(total_t, "total_t", unit=t_unit, factor=t_unit_factor)
    shbg_nmol_l = _validate.check(shbg, "shbg")
    if albumin is None:
        alb_g_dl = DEFAULT_ALBUMIN_G_DL
    else:
        alb_g_dl = _validate.check(albumin, "albumin", unit=a_unit, factor=a_unit_factor)
    assumptions = [
        f"Free T by the mass-action model with the {key} constants "
        f"(K_SHBG {_sci(constants.k_shbg)} L/mol, K_albumin {_sci(constants.k_albumin)} L/mol; "
        f"{constants.source}).",
        "Albumin converted to mol/L with the molar mass 69,000 g/mol used by Vermeulen/ISSAM.",
    ]
    if key == "vermeulen1999":
        assumptions.append(
            "Calculated free T (Vermeulen) reads about 19 % above equilibrium dialysis "
            "(median ratio 1.19, Fiers 2018, JCEM 103:2167)."
        )
    elif key == "sodergard1982":
        assumptions.append(
            "Södergård constants give a higher free T than Vermeulen's (mean 0.41 vs 0.35 nmol/L "
            "in 399 men, de Ronde 2006, Clin Chem 52:1777)."
        )
    elif key == "emadikonjin2003":
        assumptions.append(
            "Emadi-Konjin constants give a higher free T but a lower bioavailable T than "
            "Vermeulen's (TT 500 ng/dL, SHBG 33 nmol/L, albumin 4.3 g/dL: free T 135 vs 105 pg/mL, "
            "bioavailable T 123 vs 246 ng/dL; docs/methods/hormones.md §2.4)."
        )
    else:
        assumptions.append(
            "Ross 2005 constants were estimated by symmetric dialysis in elderly men; laboratories "
            "usually report the Vermeulen calculation."
        )
    if albumin is None:
        assumptions.append("Albumin not given: 4.3 g/dL assumed (ISSAM/Vermeulen default).")
    result = compute_free_testosterone(
        tt_ng_dl, shbg_nmol_l, alb_g_dl, method=key, assumptions=tuple(assumptions)
    )
    # band (endolab.hormones.bands): assay of TT and SHBG, albumin's normal range when assumed,
    # and the model's own scatter (Fiers 2018, measured for the Vermeulen calculation)
    sp = bands.DEFAULT_SPREAD
    ranges = [
        bands.total_t_range(tt_ng_dl, from_dose=False),
        bands.shbg_range(shbg_nmol_l, assumed=False, age_years=0.0),
        bands.albumin_range(alb_g_dl, assumed=albumin is None),
        # Fiers 2018 measured the scatter of the Vermeulen calculation only
        sp.model_range if key == "vermeulen1999" else bands.InputRange(1.0, 1.0, ""),
    ]

    def _model(tt: float, sh: float, al: float, f: float) -> tuple[float, float]:
        b = compute_free_testosterone(tt, sh, al, method=key)
        return f * b.free_testosterone_pg_ml, f * b.bioavailable_testosterone_ng_dl

    ft_band, bat_band = bands.rss_band(_model, [tt_ng_dl, shbg_nmol_l, alb_g_dl, 1.0], ranges)
    basis = "; ".join(r.basis for r in ranges if r.basis)
    return dataclasses.replace(
        result,
        assumptions=(
            *result.assumptions,
            f"Band of free T and bioavailable T: the effects of {basis}, each at its low and high "
            "value, added in quadrature [A].",
        ),
        free_testosterone_low_pg_ml=ft_band[0],
        free_testosterone_high_pg_ml=ft_band[1],
        bioavailable_testosterone_low_ng_dl=bat_band[0],
        bioavailable_testosterone_high_ng_dl=bat_band[1],
        albumin_assumed=albumin is None,
    )


def compute_free_testosterone(
    total_t_ng_dl: float,
    shbg_nmol_l: float,
    albumin_g_dl: float,
    *,
    method: str = "vermeulen1999",
    k_shbg: float | None = None,
    k_albumin: float | None = None,
    assumptions: tuple[str, ...] = (),
) -> FreeTestosteroneResult:
    """Unchecked core of :func:`free_testosterone` (inputs already validated, fixed units).

    Parameters
    ----------
    total_t_ng_dl
        Total testosterone [ng/dL].
    shbg_nmol_l
        SHBG [nmol/L].
    albumin_g_dl
        Albumin [g/dL].
    method
        Name of the constant set in :data:`BINDING_CONSTANTS`.
    k_shbg, k_albumin
        Override the constants of ``method`` [L/mol].
    assumptions
        Text carried into the result.

    Returns
    -------
    FreeTestosteroneResult
    """
    constants = BINDING_CONSTANTS[method]
    ks = constants.k_shbg if k_shbg is None else k_shbg
    ka = constants.k_albumin if k_albumin is None else k_albumin
    tt = total_t_ng_dl / units.TESTOSTERONE_NG_DL_PER_NMOL_L * 1e-9
    shbg = shbg_nmol_l * 1e-9
    alb = albumin_g_dl * 10.0 / units.ALBUMIN_MOLAR_MASS_G_PER_MOL
    ft = mass_action_free_t(tt, shbg, alb, k_shbg=ks, k_albumin=ka)
    n = 1.0 + ka * alb
    ft_nmol_l = ft * 1e9
    return FreeTestosteroneResult(
        total_testosterone_ng_dl=total_t_ng_dl,
        free_testosterone_nmol_l=ft_nmol_l,
        free_testosterone_pg_ml=ft_nmol_l * units.TESTOSTERONE_NG_DL_PER_NMOL_L * 10.0,
        free_testosterone_percent=100.0 * ft / tt,
        bioavailable_testosterone_ng_dl=n * ft_nmol_l * units.TESTOSTERONE_NG_DL_PER_NMOL_L,
        shbg_nmol_l_used=shbg_nmol_l,
        albumin_g_dl_used=albumin_g_dl,
        method=method,
        assumptions=assumptions,
    )
