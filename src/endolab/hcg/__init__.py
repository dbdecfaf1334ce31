"""hCG Mixing Protocol Calculator (docs/methods/hcg.md).

Arithmetic only: it converts the numbers a user (or a prescriber's instructions) supplies into
concentration, syringe marks, schedules, vial counts and costs, and flags arithmetic and handling
conflicts. **It does not choose doses.** Exact :class:`fractions.Fraction` arithmetic end to end;
results are frozen dataclasses holding exact values, with formatted strings and notices.

* :func:`mix`, :func:`reverse`, :func:`suggest_diluent` — reconstitution and syringe reading;
  :class:`MixRequest` gathers the inputs they share (vial, dose, syringe, preset, losses) for
  :func:`mix_request`, :func:`reverse_request`, :func:`suggest_request`;
* :func:`schedule`, :func:`plan`, :class:`Frequency` — one vial and a multi-vial plan on the calendar;
  :func:`resolve_frequency` — a frequency from at most one of per-week, every-N-days, weekdays or a
  preset name;
* :func:`result_record`, :func:`presets_record`, :func:`syringes_record` (and one-item
  :func:`preset_record`, :func:`syringe_record`) — the JSON records (``--json``, web API), with the
  notices and the disclaimer;
* :data:`PRESETS`, :data:`SYRINGES` — product presets and the syringe catalogue (the spec's
  ``presets`` and ``syringes``; the lower-case names are the modules);
* :func:`plan_to_ics` — iCalendar export; :func:`syringe_svg` / :func:`mix_svg` — the syringe picture;
* :data:`CATALOGUE`, :class:`Notice`, :class:`HcgInputError` — the notice catalogue (docs/methods/hcg.md §5);
* :func:`parse_number`, :func:`parse_amount`, :func:`rounded` and the ``fmt_*`` helpers — exact
  parsing, the one rounding rule and display formatting (docs/methods/hcg.md §6) that every front end shows.

>>> from endolab import hcg
>>> r = hcg.mix("10000", "10", "70")          # docs/methods/hcg.md §6.1 T11: 0.07 × 100 is exactly 7
>>> r.syringe_units, r.doses_per_vial, r.remainder_iu
(Fraction(7, 1), 142, Fraction(60, 1))
"""

from endolab.hcg._numbers import (
    fmt_fixed,
    fmt_iu,
    fmt_label_iu,
    fmt_label_ml,
    fmt_ml,
    fmt_money,
    fmt_pct,
    fmt_units,
    parse_amount,
    parse_number,
    rounded,
)
from endolab.hcg.arithmetic import Mark, MixNumbers
from endolab.hcg.frequency import (
    FIELD_LABELS,
    FREQUENCY_PRESETS,
    MIX_LABELS,
    Frequency,
    check_plan_inputs,
    resolve_frequency,
)
from endolab.hcg.ics import plan_to_ics, write_ics
from endolab.hcg.inputs import MixRequest, refuse_prefilled
from endolab.hcg.mixing import (
    mix,
    mix_request,
    reverse,
    reverse_request,
    suggest_diluent,
    suggest_request,
)
from endolab.hcg.notices import CATALOGUE, HcgInputError, HcgParseError, Notice
from endolab.hcg.products import CHECK_CARTON_NOTE, PRESETS, Preset, get_preset
from endolab.hcg.records import (
    preset_record,
    presets_record,
    result_record,
    syringe_record,
    syringes_record,
)
from endolab.hcg.results import MixResult, ReverseResult, Suggestion, SuggestResult
from endolab.hcg.schedule import (
    DOSE_ON_DISCARD_DATE_USABLE,
    PlanResult,
    ScheduleResult,
    VialUse,
    plan,
    schedule,
)
from endolab.hcg.svg import mix_svg, syringe_svg, write_svg
from endolab.hcg.syringes import SYRINGES, Syringe, get_syringe, recommend_syringe

__all__ = [
    "CATALOGUE",
    "CHECK_CARTON_NOTE",
    "DOSE_ON_DISCARD_DATE_USABLE",
    "FIELD_LABELS",
    "FREQUENCY_PRESETS",
    "MIX_LABELS",
    "PRESETS",
    "SYRINGES",
    "Frequency",
    "HcgInputError",
    "HcgParseError",
    "Mark",
    "MixNumbers",
    "MixRequest",
    "MixResult",
    "Notice",
    "PlanResult",
    "Preset",
    "ReverseResult",
    "ScheduleResult",
    "SuggestResult",
    "Suggestion",
    "Syringe",
    "VialUse",
    "check_plan_inputs",
    "fmt_fixed",
    "fmt_iu",
    "fmt_label_iu",
    "fmt_label_ml",
    "fmt_ml",
    "fmt_money",
    "fmt_pct",
    "fmt_units",
    "get_preset",
    "get_syringe",
    "mix",
    "mix_request",
    "mix_svg",
    "parse_amount",
    "parse_number",
    "plan",
    "plan_to_ics",
    "preset_record",
    "presets_record",
    "recommend_syringe",
    "refuse_prefilled",
    "resolve_frequency",
    "result_record",
    "reverse",
    "reverse_request",
    "rounded",
    "schedule",
    "suggest_diluent",
    "suggest_request",
    "syringe_record",
    "syringe_svg",
    "syringes_record",
    "write_ics",
    "write_svg",
]
