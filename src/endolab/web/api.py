"""The versioned JSON API (``/api/v1``): pydantic request models, the library's records as answers.

Every handler calls the library and returns what it returns (values, bands, assumptions, notices,
citations, disclaimer); the errors are mapped in :mod:`endolab.web.errors`.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from endolab.hormones import pk as _pk
from endolab.hormones import range_text
from endolab.hormones._validate import INPUT_RANGES
from endolab.output import json_text, with_disclaimer

__all__ = [
    "FreeTIn",
    "HcgMixIn",
    "HcgPlanIn",
    "HcgReverseIn",
    "HormonesPredictIn",
    "HormonesProtocolIn",
    "RegimenIn",
    "hcg_mix_result",
    "hcg_plan_ics_response",
    "hcg_plan_result",
    "hcg_reverse_result",
    "router",
]

router = APIRouter(prefix="/api/v1")


def not_a_boolean(value: Any) -> Any:
    """Refuse a JSON ``true``/``false`` where a number is expected (pydantic would read it as 1/0).

    >>> not_a_boolean("1.5")
    '1.5'
    >>> not_a_boolean(True)
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.PydanticCustomError: must be a number (or a number as text), not true
    """
    if isinstance(value, bool):
        raise PydanticCustomError(
            "number_not_boolean",
            "must be a number (or a number as text), not {value}",
            {"value": "true" if value else "false"},
        )
    return value


#: A number given as a JSON number or as text (text gets the library's own messages, as on the
#: CLI); a JSON boolean is refused (422), not read as 1 or 0.
Num = Annotated[float | str | None, BeforeValidator(not_a_boolean)]


def _required(*names: str) -> ConfigDict:
    """Mark ``names`` required in the OpenAPI schema: the library refuses a body without them
    (422 with the CLI's message), so the model leaves the refusal and its wording to it."""
    return ConfigDict(extra="forbid", json_schema_extra={"required": list(names)})


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Envelope(BaseModel):
    """A result record: the library's flat JSON (unit in every key) plus the disclaimer."""

    model_config = ConfigDict(extra="allow")
    disclaimer: str


class ErrorDetail(BaseModel):
    type: str
    code: str | None = None
    field: str | None = None
    message: str
    exit_code: int


class ErrorOut(BaseModel):
    """Error answer: the CLI's message and code."""

    error: ErrorDetail
    disclaimer: str


ERRORS: dict[int | str, dict[str, Any]] = {
    422: {"model": ErrorOut, "description": "Invalid input (message as on the CLI)"},
    413: {"model": ErrorOut, "description": "Body larger than the upload limit"},
}


class HormonesPredictIn(_In):
    """Inputs of the TRT Hormone Predictor (as ``endolab hormones predict``): ``total_t`` or
    ``dose_mg_week`` is required."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"anyOf": [{"required": ["total_t"]}, {"required": ["dose_mg_week"]}]},
    )

    total_t: Num = Field(
        None, description=f"Total testosterone, in `unit` ({range_text('total_t')})."
    )
    unit: str = Field("ng/dL", description="ng/dL or nmol/L.")
    age: Num = Field(None, description=f"Age ({range_text('age')}); default 47 y, disclosed.")
    shbg: Num = Field(None, description=f"SHBG ({range_text('shbg')}); default by age, disclosed.")
    albumin: Num = Field(
        None, description=f"Albumin, in `albumin_unit` ({range_text('albumin')}; default 4.3 g/dL)."
    )
    albumin_unit: str = "g/dL"
    dose_mg_week: Num = Field(
        None, description=f"Weekly testosterone-enanthate dose ({range_text('dose_mg_week')})."
    )
    measured_e2: Num = None
    e2_unit: str = "pg/mL"
    measured_dht: Num = None
    dht_unit: str = "ng/dL"


class FreeTIn(_In):
    """Inputs of ``endolab hormones free-t`` (``total_t`` and ``shbg`` required)."""

    model_config = _required("total_t", "shbg")

    total_t: Num = Field(
        None, description=f"Total testosterone, in `unit` ({range_text('total_t')})."
    )
    shbg: Num = Field(None, description=f"SHBG ({range_text('shbg')}).")
    albumin: Num = Field(
        None, description=f"Albumin, in `albumin_unit` ({range_text('albumin')}; default 4.3 g/dL)."
    )
    unit: str = "ng/dL"
    albumin_unit: str = "g/dL"
    method: str = "vermeulen1999"


def _bounds(low: float, high: float, description: str) -> Any:
    """The schema's ``minimum``/``maximum`` (the library's range) and the description."""
    return Field(ge=low, le=high, description=description)


_AGE, _SHBG = INPUT_RANGES["age"], INPUT_RANGES["shbg"]
Ester = Literal["enanthate", "cypionate", "propionate", "undecanoate", "gel"]
#: JSON numbers within the library's ranges (:mod:`endolab.hormones.pk`); a boolean is refused.
DoseMg = Annotated[
    float,
    _bounds(*_pk.DOSE_RANGE_MG, "Dose per injection [mg of ester]; gel: [mg T/day]."),
    BeforeValidator(not_a_boolean),
]
EveryDays = Annotated[
    float,
    _bounds(*_pk.INTERVAL_RANGE_DAYS, "Interval between doses [days] (gel: 1)."),
    BeforeValidator(not_a_boolean),
]
EndogenousNgDl = Annotated[
    float,
    _bounds(*_pk.ENDOGENOUS_RANGE_NG_DL, "Own testosterone left on therapy [ng/dL]; default 0."),
    BeforeValidator(not_a_boolean),
]
WeightKg = Annotated[
    float,
    _bounds(*_pk.WEIGHT_RANGE_KG, "Body weight [kg] for the clearance; default 70."),
    BeforeValidator(not_a_boolean),
]
AgeYears = Annotated[
    float, _bounds(_AGE.low, _AGE.high, "Age [years]."), BeforeValidator(not_a_boolean)
]
ShbgNmolL = Annotated[
    float, _bounds(_SHBG.low, _SHBG.high, "SHBG [nmol/L]."), BeforeValidator(not_a_boolean)
]


class RegimenIn(_In):
    """A regimen: ester, dose [mg] and interval [days] (the ranges of ``Regimen.build``)."""

    ester: Ester = Field(description="Testosterone ester (IM) or gel (daily, steady state).")
    dose_mg: DoseMg
    every_days: EveryDays


class HormonesProtocolIn(RegimenIn):
    """Inputs of ``endolab hormones protocol``: a regimen, optional labs, the person, and optionally
    a second regimen (``compare``) shown side by side."""

    labs: list[Annotated[str, Field(max_length=40)]] = Field(
        default_factory=list,
        max_length=10,
        description="Measured total T with its unit (ng/dL or nmol/L) at a time since the last dose "
        '(d or h): "650ng/dL@3.5d" or "22.5nmol/L@84h" (one fits the exposure scale, two or more the release rate too).',
    )
    endogenous_ng_dl: EndogenousNgDl | None = None
    weight_kg: WeightKg | None = None
    age: AgeYears | None = None
    shbg: ShbgNmolL | None = None
    start: date | None = Field(None, description="Date of the first dose, YYYY-MM-DD.")
    seed: int = Field(0, ge=0, le=2**32 - 1, description="Seed of the band's Monte-Carlo.")
    compare: RegimenIn | None = Field(
        None,
        description="A second regimen for the same person (population model), side by side.",
    )


class _HcgCommon(_In):
    vial_iu: Num = Field(None, description="Vial strength [IU].")
    syringe: str = Field("u100-0.3", description="Syringe key (see `endolab hcg syringes`).")
    preset: str | None = Field(None, description="Product preset key.")
    dead_space_ml: Num = "0"
    residual_ml: Num = "0"
    displacement_ml: Num = "0"
    vial_capacity_ml: Num = None
    diluent: str | None = None
    graduation_units: Num = None


class HcgMixIn(_HcgCommon):
    """Inputs of ``endolab hcg mix`` (``dose_iu`` required; the vial and diluent may come from a
    ``preset``)."""

    model_config = _required("dose_iu")

    diluent_ml: Num = Field(None, description="Diluent added to the vial [mL].")
    dose_iu: Num = Field(None, description="Dose per injection [IU].")


class HcgReverseIn(_HcgCommon):
    """Inputs of ``endolab hcg reverse`` (``dose_iu`` and ``units`` required)."""

    model_config = _required("dose_iu", "units")

    dose_iu: Num = None
    units: Num = Field(None, description="Target syringe reading per dose [unit].")


class HcgPlanIn(HcgMixIn):
    """Inputs of ``endolab hcg plan``: the mix plus a frequency, start date and length."""

    model_config = _required("dose_iu", "start", "weeks")

    per_week: Num = None
    every_days: Num = None
    weekdays: str | None = None
    freq: str | None = None
    start: str | None = Field(None, description="First mixing date, YYYY-MM-DD.")
    weeks: Num = Field(None, description="Plan length [weeks].")
    discard_after_days: Num = None
    price_per_vial: Num = None


def _hcg_request(body: _HcgCommon) -> Any:
    """The library's :class:`endolab.hcg.MixRequest` of a body (an empty form field is absent)."""
    from endolab.hcg import MixRequest

    return MixRequest(
        vial_iu=body.vial_iu,
        dose_iu=getattr(body, "dose_iu", None),
        syringe=body.syringe,
        preset=body.preset or None,
        dead_space_ml=body.dead_space_ml if body.dead_space_ml not in (None, "") else "0",
        residual_ml=body.residual_ml if body.residual_ml not in (None, "") else "0",
        displacement_ml=body.displacement_ml if body.displacement_ml not in (None, "") else "0",
        vial_capacity_ml=body.vial_capacity_ml or None,
        diluent=body.diluent or None,
        graduation_units=body.graduation_units or None,
    )


def _checked_request(body: _HcgCommon, **needs: Any) -> Any:
    """:func:`_hcg_request` after :meth:`~endolab.hcg.MixRequest.check_required` (a missing input
    is the CLI's ``E_MISSING_INPUT`` message, naming the field)."""
    from endolab.hcg import FIELD_LABELS

    request = _hcg_request(body)
    request.check_required(needs, labels=FIELD_LABELS)
    return request


def hcg_mix_result(body: HcgMixIn) -> Any:
    """The library's :func:`endolab.hcg.mix` for an API/form body."""
    from endolab.hcg import mix_request

    return mix_request(_checked_request(body, diluent_ml=body.diluent_ml), body.diluent_ml)


def hcg_reverse_result(body: HcgReverseIn) -> Any:
    """The library's :func:`endolab.hcg.reverse` for an API/form body."""
    from endolab.hcg import reverse_request

    return reverse_request(_checked_request(body, units=body.units), body.units)


def hcg_plan_result(body: HcgPlanIn) -> Any:
    """The library's :func:`endolab.hcg.plan` (after :func:`~endolab.hcg.mix`); the mix inputs are
    checked first, then the plan's, in the command line's order."""
    from endolab.hcg import FIELD_LABELS, check_plan_inputs, plan

    _checked_request(body, diluent_ml=body.diluent_ml)
    frequency = check_plan_inputs(
        body.per_week,
        body.every_days,
        body.weekdays,
        body.freq,
        body.start,
        body.weeks,
        labels=FIELD_LABELS,
    )
    m = hcg_mix_result(body)
    return plan(
        m,
        frequency,
        start=body.start,  # type: ignore[arg-type]  # checked above
        weeks=body.weeks,  # type: ignore[arg-type]
        bud_days=body.discard_after_days or None,
        price_per_vial=body.price_per_vial or None,
    )


@router.post(
    "/hormones/predict",
    response_model=Envelope,
    responses=ERRORS,
    tags=["hormones"],
    summary="TRT Hormone Predictor: free T, estradiol and DHT from total testosterone",
)
async def hormones_predict(body: HormonesPredictIn) -> Response:
    from endolab.hormones import predict

    r = predict(
        body.total_t,
        unit=body.unit,
        age=body.age,
        shbg=body.shbg,
        albumin=body.albumin,
        albumin_unit=body.albumin_unit,
        dose_mg_week=body.dose_mg_week,
        measured_e2=body.measured_e2,
        e2_unit=body.e2_unit,
        measured_dht=body.measured_dht,
        dht_unit=body.dht_unit,
    )
    return _json(with_disclaimer(r.to_dict()))


@router.post(
    "/hormones/free-t",
    response_model=Envelope,
    responses=ERRORS,
    tags=["hormones"],
    summary="Free and bioavailable testosterone (Vermeulen 1999 by default)",
)
async def hormones_free_t(body: FreeTIn) -> Response:
    from endolab.hormones import free_testosterone

    r = free_testosterone(
        body.total_t,  # type: ignore[arg-type]
        body.shbg,  # type: ignore[arg-type]
        body.albumin,
        body.method,
        unit=body.unit,
        albumin_unit=body.albumin_unit,
    )
    return _json(with_disclaimer(r.to_dict()))


@router.post(
    "/hormones/protocol",
    response_model=Envelope,
    responses=ERRORS,
    tags=["hormones"],
    summary="TRT Hormone Predictor from a protocol: total T over the interval, E2, DHT, free T",
)
def hormones_protocol(body: HormonesProtocolIn) -> Response:
    """As ``endolab hormones protocol --json`` (sync: the band's Monte-Carlo runs in a worker
    thread, not on the event loop)."""
    from endolab.hormones.pk import ProtocolRequest
    from endolab.hormones.pk_view import protocol_record

    request = ProtocolRequest.from_fields(body.model_dump())
    a = request.run()
    c = body.compare
    b = None if c is None else request.compared_with(c.ester, c.dose_mg, c.every_days).run()
    return _json(with_disclaimer(protocol_record(a, b)))


@router.post(
    "/hcg/mix",
    response_model=Envelope,
    responses=ERRORS,
    tags=["hcg"],
    summary="hCG mixing: concentration, syringe units, marks, doses per vial",
)
async def hcg_mix(body: HcgMixIn) -> Response:
    from endolab.hcg import result_record

    return _json(result_record(hcg_mix_result(body)))


@router.post(
    "/hcg/reverse",
    response_model=Envelope,
    responses=ERRORS,
    tags=["hcg"],
    summary="hCG reverse mode: diluent volume for a chosen syringe reading",
)
async def hcg_reverse(body: HcgReverseIn) -> Response:
    from endolab.hcg import result_record

    return _json(result_record(hcg_reverse_result(body)))


@router.post(
    "/hcg/plan",
    response_model=Envelope,
    responses=ERRORS,
    tags=["hcg"],
    summary="hCG plan: schedule, discard dates, vials over N weeks, cost",
)
async def hcg_plan(body: HcgPlanIn) -> Response:
    from endolab.hcg import result_record

    return _json(result_record(hcg_plan_result(body)))


@router.post(
    "/hcg/plan.ics",
    responses={200: {"content": {"text/calendar": {}}}, **ERRORS},
    response_class=Response,
    tags=["hcg"],
    summary="hCG plan as an iCalendar file",
)
async def hcg_plan_ics(body: HcgPlanIn) -> Response:
    return hcg_plan_ics_response(body)


def hcg_plan_ics_response(body: HcgPlanIn) -> Response:
    """The library's :func:`endolab.hcg.plan_to_ics` of a body as a download (the API and the
    page's link)."""
    from endolab.hcg import plan_to_ics

    return Response(
        plan_to_ics(hcg_plan_result(body)),
        media_type="text/calendar; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="hcg-plan.ics"'},
    )


Health = Literal["ok"]


def _json(record: Any) -> Response:
    """A JSON answer serialised once (the record is already plain, checked data)."""
    return Response(json_text(record, indent=None), media_type="application/json")


@router.get("/health", tags=["meta"], summary="Liveness")
async def health() -> dict[str, Health]:
    return {"status": "ok"}
