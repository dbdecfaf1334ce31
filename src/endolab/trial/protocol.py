"""Trial protocols as data: a TOML file per protocol, validated with pydantic.

A protocol fixes the endpoint windows, thresholds, the insulin-independence rule, the cohort groups
summarised in the tables and the graft-function grading visits. The default protocol,
``zimislecel-2025``, is shipped in the package (``endolab/trial/protocols/zimislecel-2025.toml``) and
encodes the endpoint definitions of the trial dataset format (docs/trial-data.md) after
Reichman TW et al. N Engl J Med 2025;393(9):858–868, doi:10.1056/NEJMoa2506549. Every field is
documented in ``docs/trial.md``.

>>> p = load_protocol()
>>> p.name, p.primary_endpoint, p.cohort_groups["B+C"]
('zimislecel-2025', 'primary', ['B', 'C'])
>>> p.endpoints["she_free_90_365"].window
(90, 365)
"""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from endolab.errors import InputError

__all__ = [
    "BUILTIN_PROTOCOLS",
    "AllOf",
    "CPeptideDetected",
    "ContinuousSpec",
    "Day0",
    "Endpoint",
    "GradingSpec",
    "GradingVisit",
    "Hba1cLastBelow",
    "Hba1cResponse",
    "InfusionSpec",
    "InsulinIndependent",
    "Protocol",
    "SheFree",
    "SurvivalSpec",
    "TirAbove",
    "load_protocol",
    "protocol_from_dict",
]

#: Protocols shipped with endolab (file stem in ``endolab/trial/protocols``).
BUILTIN_PROTOCOLS = ("zimislecel-2025", "cit07-style")

Window = tuple[int, int]

#: Which infusion is day 0 of an endpoint's windows: the participant's ``"first"`` infusion
#: (``infusion_date``) or their ``"last"`` (``second_infusion_date`` when there is one, else the
#: first). See docs/methods/trial.md §4.7 and :mod:`endolab.trial.infusions`.
Day0 = Literal["first", "last"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_window(window: Window, name: str) -> Window:
    if window[0] > window[1]:
        raise ValueError(f"{name} must be [first, last] with first ≤ last (study days)")
    return window


class _Windowed(_Strict):
    label: str = ""
    window: Window
    #: Day 0 of this endpoint's window; ``None`` = the protocol's ``[infusions] day0``.
    day0: Day0 | None = None

    @model_validator(mode="after")
    def _ordered(self) -> _Windowed:
        _check_window(self.window, "window")
        return self


class SheFree(_Windowed):
    """No ``SHE`` event with start day in ``window``; ``False`` as soon as one is in the window.

    Without one, the dataset format takes events as complete, so observed data are never
    undecided (docs/trial-data.md) — unless the protocol sets ``min_follow_up_day``: then a
    participant whose follow-up (last study day with any record) ends before it is ``None``. A
    simulated dataset is always judged by its follow-up (default: the window's last day): a window
    the simulation did not run is not decided.
    """

    kind: Literal["she_free"]
    min_follow_up_day: int | None = None

    def follow_up_needed(self, simulated: bool) -> int | None:
        """The study day the follow-up must reach for "SHE-free" to be decided, or ``None`` when
        observed events are taken as complete (the format's default)."""
        if self.min_follow_up_day is not None:
            return self.min_follow_up_day
        return self.window[1] if simulated else None


class Hba1cResponse(_Windowed):
    """Any ``HBA1C`` in ``window`` with value < ``below_pct`` or baseline − value ≥ ``fall_pct``."""

    kind: Literal["hba1c_response"]
    below_pct: float = Field(gt=0, lt=20)
    fall_pct: float = Field(gt=0, lt=20)


class Hba1cLastBelow(_Windowed):
    """The last ``HBA1C`` in ``window`` is < ``below_pct``."""

    kind: Literal["hba1c_last_below"]
    below_pct: float = Field(gt=0, lt=20)


class InsulinIndependent(_Windowed):
    """No insulin row with ``total_units > 0`` in ``window`` and rows on ≥ ``min_coverage`` of its days."""

    kind: Literal["insulin_independent"]
    min_coverage: float = Field(gt=0, le=1)


class TirAbove(_Windowed):
    """CGM time in range 70–180 mg/dL > ``above_pct`` over ``window``, sufficiency ≥ ``min_sufficiency``."""

    kind: Literal["tir_above"]
    above_pct: float = Field(ge=0, lt=100)
    min_sufficiency: float = Field(gt=0, le=1)


class CPeptideDetected(_Strict):
    """Any ``CPEP_FASTING`` or ``CPEP_STIM_PEAK`` > 0 on a day > ``after_day``."""

    kind: Literal["c_peptide_detected"]
    label: str = ""
    after_day: int = 0
    #: Day 0 that ``after_day`` counts from; ``None`` = the protocol's ``[infusions] day0``.
    day0: Day0 | None = None


class AllOf(_Strict):
    """Three-valued AND of other endpoints: false if any is false, else null if any is null."""

    kind: Literal["all_of"]
    label: str = ""
    components: list[str] = Field(min_length=1)


Endpoint = Annotated[
    SheFree
    | Hba1cResponse
    | Hba1cLastBelow
    | InsulinIndependent
    | TirAbove
    | CPeptideDetected
    | AllOf,
    Field(discriminator="kind"),
]


class ContinuousSpec(_Strict):
    """Windows of the continuous endpoints (value at the visit and change from baseline)."""

    visit_label: str = Field(default="day365", pattern=r"^[a-z0-9_]+$")
    hba1c_window: Window = (335, 395)
    tir_window: Window = (352, 365)
    tir_baseline_window: Window = (-14, -1)
    tir_min_sufficiency: float = Field(default=0.70, gt=0, le=1)
    insulin_window: Window = (352, 365)
    c_peptide_window: Window = (335, 395)
    #: Day 0 of the follow-up windows (not of the baselines, which stay before the first
    #: infusion); ``None`` = the protocol's ``[infusions] day0``.
    day0: Day0 | None = None

    @model_validator(mode="after")
    def _ordered(self) -> ContinuousSpec:
        for name in (
            "hba1c_window",
            "tir_window",
            "tir_baseline_window",
            "insulin_window",
            "c_peptide_window",
        ):
            _check_window(getattr(self, name), name)
        return self


class GradingVisit(_Strict):
    """One grading visit: where its labs, SHE count, CGM and insulin come from (study days)."""

    day: int
    lab_window: Window
    she_window: Window
    cgm_window: Window
    insulin_window: Window

    @model_validator(mode="after")
    def _ordered(self) -> GradingVisit:
        for name in ("lab_window", "she_window", "cgm_window", "insulin_window"):
            _check_window(getattr(self, name), name)
        return self


class GradingSpec(_Strict):
    """Graft-function grading (Igls 1.0, Igls 2.0, β-score, BETA-2) at the listed visits."""

    report_visit: int = 365
    cgm_min_sufficiency: float = Field(default=0.70, gt=0, le=1)
    insulin_min_coverage: float = Field(default=0.80, gt=0, le=1)
    #: Which column of the Igls tables gives the C-peptide cut-offs in pmol/L:
    #: ``"nmol_l"`` 170 / 100 / 70 / 40 (rounded nmol/L column) or ``"ng_ml"``
    #: 165.5 / 99.3 / 66.2 / 33.1 (ng/mL column × 331); see endolab.trial.grading.
    c_peptide_column: Literal["nmol_l", "ng_ml"] = "nmol_l"
    #: Apply the Igls 1.0 footnote "C-peptide should also be > 0.17 nmol/L (0.5 ng/mL)".
    igls1_c_peptide_footnote: bool = True
    visits: list[GradingVisit] = Field(default_factory=list)
    #: Day 0 of the visit days and windows (baselines stay before the first infusion);
    #: ``None`` = the protocol's ``[infusions] day0``.
    day0: Day0 | None = None

    @model_validator(mode="after")
    def _report_visit_listed(self) -> GradingSpec:
        days = [v.day for v in self.visits]
        if len(set(days)) != len(days):
            raise ValueError("visit days must be unique")
        if self.visits and self.report_visit not in days:
            raise ValueError(f"report_visit {self.report_visit} is not one of the visits {days}")
        return self


class SurvivalSpec(_Strict):
    """Definitions of the time-to-event endpoints (:mod:`endolab.trial.survival`, docs/trial.md)."""

    #: Graft functioning at or above this C-peptide [pmol/L]: 0.3 ng/mL × 331 pmol/L per ng/mL
    #: (molar mass 3,020 g/mol), the registry's graft-function threshold (CITR; Hering 2016,
    #: doi:10.2337/dc15-1988).
    graft_failure_c_peptide_pmol_l: float = Field(99.3, gt=0)
    #: Insulin independence is achieved by this many consecutive recorded insulin-free days [day]
    #: [A: the registries' "insulin-free for at least 14 days"; no single paper fixes it].
    insulin_independence_min_days: int = Field(14, ge=1)
    #: Study days at which the number at risk is reported under each curve [day].
    at_risk_days: list[int] = Field(default_factory=lambda: [0, 90, 180, 270, 365])
    #: Time origin of every time to event; ``None`` = the protocol's ``[infusions] day0``.
    day0: Day0 | None = None


class InfusionSpec(_Strict):
    """Repeat infusions: which infusion is day 0 (docs/methods/trial.md §4.7, docs/trial.md).

    ``day0`` is the default of every endpoint and of the ``[continuous]``, ``[grading]`` and
    ``[survival]`` sections; each may set its own ``day0``. ``"first"`` (the default) counts every
    window from ``infusion_date``, as the dataset format and the zimislecel and CIT-07 primary
    endpoints do; ``"last"`` counts it from ``second_infusion_date`` for a participant who had a
    second infusion: the whole window moves by the days between the two infusions.
    """

    day0: Day0 = "first"


class Protocol(_Strict):
    """A validated trial protocol (see ``docs/trial.md`` for every field)."""

    name: str = Field(min_length=1)
    title: str = ""
    reference: str = ""
    primary_endpoint: str
    cohort_groups: dict[str, list[str]] = Field(min_length=1)
    endpoints: dict[str, Endpoint] = Field(min_length=1)
    continuous: ContinuousSpec = Field(default_factory=ContinuousSpec)
    grading: GradingSpec = Field(default_factory=GradingSpec)
    survival: SurvivalSpec = Field(default_factory=SurvivalSpec)
    infusions: InfusionSpec = Field(default_factory=InfusionSpec)

    def day0_of(self, part: str) -> Day0:
        """The day 0 an endpoint key, or ``"continuous"``, ``"grading"`` or ``"survival"``, uses.

        >>> p = protocol_from_dict({"name": "x", "primary_endpoint": "p",
        ...     "cohort_groups": {"A": ["A"]}, "infusions": {"day0": "last"},
        ...     "endpoints": {"p": {"kind": "she_free", "window": [90, 365], "day0": "first"},
        ...                   "q": {"kind": "she_free", "window": [90, 365]}}})
        >>> p.day0_of("p"), p.day0_of("q"), p.day0_of("grading")
        ('first', 'last', 'last')
        """
        own: Day0 | None
        if part == "continuous":
            own = self.continuous.day0
        elif part == "grading":
            own = self.grading.day0
        elif part == "survival":
            own = self.survival.day0
        else:
            own = getattr(self.endpoints[part], "day0", None)
        return own or self.infusions.day0

    @model_validator(mode="after")
    def _references(self) -> Protocol:
        if self.primary_endpoint not in self.endpoints:
            raise ValueError(
                f"primary_endpoint {self.primary_endpoint!r} is not one of the endpoints "
                f"{sorted(self.endpoints)}"
            )
        for key, endpoint in self.endpoints.items():
            if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", key) or "__" in key:
                raise ValueError(
                    f"endpoint key {key!r} must start with a letter and hold only letters, digits "
                    "and single underscores"
                )
            if key in _RESERVED_KEYS or key.startswith(_RESERVED_PREFIXES):
                raise ValueError(f"endpoint key {key!r} is reserved for a computed column")
            if isinstance(endpoint, AllOf):
                for component in endpoint.components:
                    if component not in self.endpoints:
                        raise ValueError(
                            f"endpoints.{key}.components names {component!r}, which is not an endpoint"
                        )
                    if isinstance(self.endpoints[component], AllOf):
                        raise ValueError(
                            f"endpoints.{key}.components: {component!r} is itself all_of "
                            "(nesting is not supported)"
                        )
        for group, cohorts in self.cohort_groups.items():
            if not cohorts:
                raise ValueError(f"cohort_groups.{group} lists no cohort")
        return self


_RESERVED_KEYS = frozenset({"participant_id", "cohort", "details", "visits", "beta_score", "beta2"})
_RESERVED_PREFIXES = (
    "igls",
    "hba1c_baseline",
    "hba1c_change",
    "tir_baseline",
    "tir_change",
    "insulin_baseline",
    "insulin_change",
    "insulin_reduction",
    "c_peptide_fasting",
    "c_peptide_stim",
    "beta_score_",
    "beta2_",
)


def _field_path(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        elif item in {
            "she_free",
            "hba1c_response",
            "hba1c_last_below",
            "insulin_independent",
            "tir_above",
            "c_peptide_detected",
            "all_of",
        }:
            continue  # the discriminator tag pydantic adds to the location
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts)


def protocol_from_dict(data: dict[str, Any], *, source: str = "protocol") -> Protocol:
    """Validate a parsed protocol; a bad field raises :class:`InputError` naming it.

    >>> protocol_from_dict({"name": "x", "primary_endpoint": "p", "cohort_groups": {"A": ["A"]},
    ...     "endpoints": {"p": {"kind": "she_free", "window": [90, "late"]}}})
    Traceback (most recent call last):
    endolab.errors.InputError: protocol: field endpoints.p.window[1]: Input should be a valid integer, ...
    """
    try:
        return Protocol.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = _field_path(tuple(first["loc"]))
        message = first["msg"].removeprefix("Value error, ")
        raise InputError(
            f"{source}: field {where or '(top level)'}: {message}",
            field=where or None,
            value=first.get("input") if isinstance(first.get("input"), (int, float, str)) else None,
        ) from None


def load_protocol(path: str | Path | None = None) -> Protocol:
    """Load a protocol: ``None`` or a built-in name (``zimislecel-2025``) or a TOML file path."""
    if path is None or str(path) in BUILTIN_PROTOCOLS:
        name = "zimislecel-2025" if path is None else str(path)
        text = (
            resources.files("endolab.trial.protocols").joinpath(f"{name}.toml").read_text("utf-8")
        )
        source = f"built-in protocol {name}"
    else:
        file = Path(path)
        if not file.is_file():
            raise InputError(
                f"protocol file {str(file)!r} does not exist (give a TOML file or one of "
                f"{', '.join(BUILTIN_PROTOCOLS)})",
                field="protocol",
                value=str(path),
            )
        try:
            text = file.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(
                f"cannot read protocol file {str(file)!r}: {exc}", field="protocol"
            ) from None
        source = f"protocol {file.name}"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{source}: not valid TOML: {exc}", field="protocol") from None
    return protocol_from_dict(data, source=source)
