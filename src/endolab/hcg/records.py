"""JSON records of the hCG calculator: what ``--json`` prints and what the web API answers.

* :func:`result_record` — a :class:`~endolab.hcg.MixResult`, :class:`~endolab.hcg.ReverseResult`,
  :class:`~endolab.hcg.SuggestResult` or :class:`~endolab.hcg.PlanResult` as one flat record with
  its notices and the disclaimer;
* :func:`preset_record` / :func:`presets_record` — the product presets (with the check-your-carton
  note);
* :func:`syringe_record` / :func:`syringes_record` — the syringe catalogue.

Numbers are plain floats (exact values stay in the ``*_exact`` keys of the result records).

>>> from endolab.hcg import mix
>>> record = result_record(mix("5000", "2", "250"))
>>> record["syringe_units"], record["weekly_iu"], record["notices"][0]["code"]
(10.0, None, 'I_POTENCY_BAND')
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any, Final, Protocol

from endolab.hcg.notices import Notice
from endolab.hcg.products import CHECK_CARTON_NOTE, PRESETS, Preset
from endolab.hcg.syringes import SYRINGES, Syringe
from endolab.output import with_disclaimer

__all__ = [
    "PLAN_KEYS",
    "preset_record",
    "presets_record",
    "result_record",
    "syringe_record",
    "syringes_record",
]


class _Result(Protocol):
    @property
    def notices(self) -> tuple[Notice, ...]: ...

    def to_dict(self) -> dict[str, Any]: ...


#: Schedule and plan keys: ``null`` in the records of ``mix`` and ``reverse`` (no frequency or plan).
PLAN_KEYS: Final = (
    "weekly_iu",
    "bud_days",
    "discard_date",
    "last_dose_day",
    "doses_before_discard",
    "wasted_iu",
    "vials_needed",
    "plan_cost",
    "cost_per_week",
    "drug_only_cost_per_week",
)


def result_record(result: _Result) -> dict[str, Any]:
    """The JSON record of a calculator result: its ``to_dict()``, notices and the disclaimer.

    A record with a mix in it (``concentration_iu_per_ml``) carries every key of
    :data:`PLAN_KEYS`, ``null`` when the result has no schedule or plan.
    """
    record = result.to_dict()
    if "concentration_iu_per_ml" in record:
        for key in PLAN_KEYS:
            record.setdefault(key, None)
    record["notices"] = [n.as_dict() for n in result.notices]
    return with_disclaimer(record)


def _float(x: Fraction | None) -> float | None:
    return None if x is None else float(x)


def preset_record(p: Preset) -> dict[str, Any]:
    """One product preset as a flat record (``null`` where the label fact must come from the user)."""
    return {
        "key": p.key,
        "product": p.product,
        "vial_iu": _float(p.vial_iu),
        "label_diluent_ml": _float(p.label_diluent_ml),
        "diluent": p.diluent,
        "bud_days": p.bud_days,
        "vial_capacity_ml": _float(p.vial_capacity_ml),
        "single_dose": p.single_dose,
        "prefilled": p.prefilled,
        "mcg": _float(p.mcg),
        "volume_ml": _float(p.volume_ml),
        "source": p.source,
        "note": p.note,
    }


def presets_record(presets: Mapping[str, Preset] = PRESETS) -> dict[str, Any]:
    """Every preset, the check-your-carton note and the disclaimer.

    >>> r = presets_record()
    >>> r["presets"][0]["key"] == next(iter(PRESETS)), "disclaimer" in r
    (True, True)
    """
    return with_disclaimer(
        {"presets": [preset_record(p) for p in presets.values()], "note": CHECK_CARTON_NOTE}
    )


def syringe_record(s: Syringe) -> dict[str, Any]:
    """One syringe of the catalogue: scale, capacity and smallest graduation.

    >>> syringe_record(SYRINGES["u100-0.3"])["ml_per_graduation"]  # 1 unit of U-100 = 0.01 mL
    0.01
    """
    return {
        "key": s.key,
        "description": s.description,
        "scale": s.scale,
        "units_per_ml": float(s.units_per_ml),
        "capacity_units": float(s.capacity_units),
        "capacity_ml": float(s.capacity_ml),
        "graduation_units": float(s.graduation_units),
        "ml_per_graduation": float(s.ml_per_graduation),
        "source": s.source,
        "note": s.note,
    }


def syringes_record(syringes: Mapping[str, Syringe] = SYRINGES) -> dict[str, Any]:
    """The syringe catalogue and the disclaimer."""
    return with_disclaimer({"syringes": [syringe_record(s) for s in syringes.values()]})
