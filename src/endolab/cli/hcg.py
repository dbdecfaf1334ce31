"""`endolab hcg` — hCG Mixing Protocol Calculator: reconstitution, syringe units, schedule, discard date.

Thin adapter over :mod:`endolab.hcg`: numbers are taken as text and parsed exactly by the library
("1,5" is rejected with exit status 2, never guessed); ``E_…`` rejections exit with status 3.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from endolab.cli._common import EXIT_USAGE, OverwriteOption, echo_disclaimer, fail, print_json

if TYPE_CHECKING:
    from endolab.hcg import Frequency, MixRequest, MixResult, Notice

__all__ = ["app"]

_SCOPE = (
    "Arithmetic only: converts the numbers you (or your prescriber's instructions) supply into "
    "concentration, syringe marks, schedules, vial counts and costs. It does not choose doses."
)

app = typer.Typer(
    help="hCG Mixing Protocol Calculator: reconstitution, syringe units, schedule, discard date. "
    + _SCOPE,
    no_args_is_help=True,
)

# ---------------------------------------------------------------------------------------------
# shared options
# ---------------------------------------------------------------------------------------------
VialOpt = Annotated[str | None, typer.Option("--vial-iu", help="Vial strength [IU] (= USP units).")]
DilOpt = Annotated[str | None, typer.Option("--diluent-ml", help="Diluent added to the vial [mL].")]
DoseOpt = Annotated[str | None, typer.Option("--dose-iu", help="Dose per injection [IU].")]
SyrOpt = Annotated[
    str,
    typer.Option(
        "--syringe",
        help="Syringe key: u100-0.3-half, u100-0.3, u100-0.5, u100-1.0, u40-1.0, u40-0.5, tb-1.0.",
    ),
]
PresetOpt = Annotated[
    str | None,
    typer.Option(
        "--preset",
        help="Product preset (see `endolab hcg presets`): fills vial size, label diluent volume, "
        "capacity and discard days.",
    ),
]
DeadOpt = Annotated[
    str,
    typer.Option(
        "--dead-space-ml",
        help="Syringe dead space per draw [mL] (default 0: fixed-needle insulin syringes; "
        "0.05–0.08 for a syringe with a detachable needle).",
    ),
]
GradOpt = Annotated[
    str | None,
    typer.Option(
        "--graduation-units",
        help="Override the smallest graduation of the syringe [unit] (U-40 marks vary by maker).",
    ),
]
ResOpt = Annotated[
    str, typer.Option("--residual-ml", help="Volume that cannot be withdrawn from the vial [mL].")
]
DispOpt = Annotated[
    str, typer.Option("--displacement-ml", help="Powder displacement volume [mL] (default 0).")
]
CapOpt = Annotated[
    str | None,
    typer.Option("--vial-capacity-ml", help="Vial capacity [mL] (preset value, else 10 mL [A])."),
]
DiluentKindOpt = Annotated[
    str | None,
    typer.Option(
        "--diluent",
        help="Diluent type: bacteriostatic water, benzyl-alcohol solvent, sterile water, saline.",
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")]
SvgOpt = Annotated[
    Path | None,
    typer.Option("--svg", help="Write an SVG of the syringe (true scale, plunger at the dose)."),
]
BudOpt = Annotated[
    str | None,
    typer.Option(
        "--discard-after-days",
        help="Beyond-use days after mixing [day] (default: the preset's label value).",
    ),
]
PerWeekOpt = Annotated[
    str | None,
    typer.Option("--per-week", help="Doses per week: 1, 2 (Mon+Thu), 3 (Mon+Wed+Fri), 3.5, 7."),
]
EveryOpt = Annotated[str | None, typer.Option("--every-days", help="Dose every N days.")]
WeekdaysOpt = Annotated[str | None, typer.Option("--weekdays", help="Dose weekdays, e.g. mon,thu.")]
FreqOpt = Annotated[
    str | None,
    typer.Option(
        "--freq", help="Frequency preset: daily, eod, every-3-days, 2x-week, 3x-week, weekly."
    ),
]

_DEFAULT_SYRINGE = "u100-0.3"


def _request(options: dict[str, Any], **needs: str | None) -> MixRequest:
    """The shared vial/dose/syringe inputs of a command, from its options by name (``locals()``),
    after :meth:`~endolab.hcg.MixRequest.check_required` with the command's own required ``needs``
    (a missing one is ``E_MISSING_INPUT``, exit status 2, naming the option)."""
    from endolab.hcg import MixRequest

    request = MixRequest.from_fields(options)
    request.check_required(needs)
    return request


def _frequency(
    per_week: str | None, every_days: str | None, weekdays: str | None, freq: str | None
) -> Frequency | None:
    from endolab.hcg import resolve_frequency

    return resolve_frequency(per_week, every_days, weekdays, freq)


def _print_notices(notices: tuple[Notice, ...]) -> None:
    names = {"E": "ERROR", "W": "WARNING", "I": "INFO"}
    for n in notices:
        typer.echo(f"{names[n.severity]} {n.code}: {n.message}")


def _print_mix(m: MixResult) -> None:
    from endolab.hcg import fmt_fixed, fmt_iu, fmt_ml

    f = m.formatted()
    s = m.syringe
    typer.echo("hCG mix (arithmetic only; this tool does not choose doses)")
    typer.echo(f["draw"])  # the headline: the mark to draw to and what it gives
    typer.echo(
        f"Vial: {fmt_iu(m.vial_iu)} IU + {fmt_ml(m.diluent_ml)} mL {m.diluent}"
        + (f" + {fmt_ml(m.displacement_ml)} mL powder displacement" if m.displacement_ml else "")
        + f" = {fmt_ml(m.solution_ml)} mL solution"
    )
    typer.echo(f"Concentration: {f['concentration']}")
    typer.echo(f"IU per syringe unit: {f['iu_per_syringe_unit']}")
    typer.echo(f"Dose: {f['dose']} = {f['dose_ml']} = {f['syringe_units']} ({s.key})")
    if m.on_graduation:
        typer.echo("On a mark: yes")
    else:
        typer.echo(
            f"On a mark: no — lower {s.format_amount(m.lower_mark.units)} = "
            f"{fmt_iu(m.lower_mark.delivered_iu)} IU, upper {s.format_amount(m.upper_mark.units)} "
            f"= {fmt_iu(m.upper_mark.delivered_iu)} IU; nearest {f['nearest_mark']}"
        )
    typer.echo(f"Reading precision: {f['reading_precision']}")
    typer.echo(f"Fills per dose: {f['fills']}")
    typer.echo(
        f"Doses per vial: {m.doses_per_vial} doses (theoretical {fmt_fixed(m.raw_doses, 2)}; "
        f"per draw {fmt_ml(m.per_draw_ml)} mL)"
    )
    typer.echo(
        f"Remainder: {f['remainder']} = dead space {fmt_iu(m.dead_space_loss_iu)} IU + residual "
        f"{fmt_iu(m.residual_loss_iu)} IU + leftover {fmt_iu(m.leftover_iu)} IU"
    )
    typer.echo(f"Potency band (USP 80–125 %): {f['potency_band']} per nominal dose")
    if m.preset is not None:
        from endolab.hcg import CHECK_CARTON_NOTE

        typer.echo(f"Preset: {m.preset.key} — {m.preset.product}; source {m.preset.source}.")
        typer.echo(CHECK_CARTON_NOTE)
    if m.suggested_syringe and m.suggested_syringe != s.key:
        typer.echo(f"Smallest U-100 barrel that holds this dose: {m.suggested_syringe}")


def _check_outputs(svg: Path | None, ics: Path | None = None, overwrite: bool = False) -> None:
    """Check --svg/--ics before any arithmetic (:func:`endolab._io.check_output_path`; an existing
    file needs --overwrite)."""
    from endolab._io import check_output_path

    if svg is not None:
        check_output_path(svg, flag="--svg", suffixes=(".svg",), overwrite=overwrite)
    if ics is not None:
        check_output_path(ics, flag="--ics", suffixes=(".ics",), overwrite=overwrite)
    if svg is not None and ics is not None and svg.resolve() == ics.resolve():
        fail("--svg and --ics name the same file")


def _write_svg(path: Path | None, m: MixResult, overwrite: bool) -> None:
    """Write --svg atomically (an OS error is one line about --svg: :mod:`endolab._io`)."""
    if path is None:
        return
    from endolab.hcg import write_svg

    write_svg(m, path, overwrite=overwrite)


@app.command("mix")
def mix_cmd(
    vial_iu: VialOpt = None,
    diluent_ml: DilOpt = None,
    dose_iu: DoseOpt = None,
    syringe: SyrOpt = _DEFAULT_SYRINGE,
    preset: PresetOpt = None,
    dead_space_ml: DeadOpt = "0",
    residual_ml: ResOpt = "0",
    displacement_ml: DispOpt = "0",
    vial_capacity_ml: CapOpt = None,
    diluent: DiluentKindOpt = None,
    graduation_units: GradOpt = None,
    json_out: JsonOpt = False,
    svg: SvgOpt = None,
    overwrite: OverwriteOption = False,
) -> None:
    """Concentration, syringe units, marks, precision and doses per vial.

    Arithmetic only; it does not choose doses.
    """
    _check_outputs(svg, overwrite=overwrite)
    request = _request(locals(), diluent_ml=diluent_ml)
    from endolab.hcg import mix_request, result_record

    m = mix_request(request, diluent_ml)
    _write_svg(svg, m, overwrite)
    if json_out:
        print_json(result_record(m))
        return
    _print_mix(m)
    typer.echo(f"Label: {m.label_line()}")
    _print_notices(m.notices)
    if svg is not None:
        typer.echo(f"SVG written: {svg}")
    echo_disclaimer()


@app.command("reverse")
def reverse_cmd(
    vial_iu: VialOpt = None,
    dose_iu: DoseOpt = None,
    units: Annotated[
        str | None,
        typer.Option("--units", help="Target syringe reading per dose [unit] (mL on tb-1.0)."),
    ] = None,
    syringe: SyrOpt = _DEFAULT_SYRINGE,
    preset: PresetOpt = None,
    dead_space_ml: DeadOpt = "0",
    residual_ml: ResOpt = "0",
    displacement_ml: DispOpt = "0",
    vial_capacity_ml: CapOpt = None,
    diluent: DiluentKindOpt = None,
    graduation_units: GradOpt = None,
    json_out: JsonOpt = False,
    svg: SvgOpt = None,
    overwrite: OverwriteOption = False,
) -> None:
    """Diluent volume that puts the dose on a chosen syringe reading (reverse mode).

    Arithmetic only; it does not choose doses.
    """
    _check_outputs(svg, overwrite=overwrite)
    request = _request(locals(), units=units)
    from endolab.hcg import fmt_ml, result_record, reverse_request

    r = reverse_request(request, units)
    _write_svg(svg, r.mix, overwrite)
    if json_out:
        print_json(result_record(r))
        return
    exact = "" if (r.diluent_ml * 1000).denominator == 1 else f" (exactly {r.diluent_ml} mL)"
    typer.echo(
        f"Add {fmt_ml(r.diluent_ml)} mL diluent{exact} for "
        f"{r.mix.syringe.format_amount(r.target_units)} per dose on a {r.mix.syringe.scale_name}."
    )
    _print_mix(r.mix)
    typer.echo(f"Label: {r.mix.label_line()}")
    _print_notices(r.notices)
    echo_disclaimer()


@app.command("suggest")
def suggest_cmd(
    vial_iu: VialOpt = None,
    dose_iu: DoseOpt = None,
    syringe: SyrOpt = _DEFAULT_SYRINGE,
    preset: PresetOpt = None,
    min_ml: Annotated[
        str | None, typer.Option("--min-ml", help="Smallest diluent volume [mL].")
    ] = None,
    max_ml: Annotated[
        str | None, typer.Option("--max-ml", help="Largest diluent volume [mL] (capacity).")
    ] = None,
    step_ml: Annotated[
        str, typer.Option("--step-ml", help="Step between volumes [mL]: 0.5, 0.25 or 0.1.")
    ] = "0.5",
    top: Annotated[int, typer.Option("--top", help="How many options to show.")] = 5,
    allow_multi_fill: Annotated[
        bool, typer.Option("--allow-multi-fill", help="Keep volumes needing several fills.")
    ] = False,
    dead_space_ml: DeadOpt = "0",
    residual_ml: ResOpt = "0",
    displacement_ml: DispOpt = "0",
    vial_capacity_ml: CapOpt = None,
    diluent: DiluentKindOpt = None,
    graduation_units: GradOpt = None,
    per_week: PerWeekOpt = None,
    every_days: EveryOpt = None,
    weekdays: WeekdaysOpt = None,
    freq: FreqOpt = None,
    discard_after_days: BudOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Rank diluent volumes: on a mark first, then precise, then whole IU per unit.

    Arithmetic only; it does not choose doses.
    """
    request = _request(locals())
    from endolab.hcg import fmt_iu, fmt_label_ml, fmt_ml, fmt_pct, result_record, suggest_request

    frequency = _frequency(per_week, every_days, weekdays, freq)
    if discard_after_days is not None and frequency is None:
        fail(
            "--discard-after-days needs a dosing frequency (--per-week, --every-days, --weekdays "
            "or --freq) to check the discard date",
            EXIT_USAGE,
        )
    res = suggest_request(
        request,
        min_ml=min_ml,
        max_ml=max_ml,
        step_ml=step_ml,
        top=top,
        allow_multi_fill=allow_multi_fill,
        frequency=frequency,
        bud_days=discard_after_days,
    )
    if json_out:
        print_json(result_record(res))
        return
    typer.echo("Diluent options (best first; arithmetic only, this tool does not choose doses):")
    for s in res.suggestions:
        m = s.mix
        typer.echo(
            f"{s.rank}. {fmt_label_ml(s.diluent_ml)} mL → {m.syringe.format_amount(m.syringe_units)}"
            f" ({fmt_ml(m.dose_ml)} mL) per dose on a {m.syringe.scale_name}; "
            f"{'on a mark' if m.on_graduation else 'between marks'}; reading ±"
            f"{fmt_pct(m.rel_read_err)}%; {fmt_iu(m.iu_per_syringe_unit)} IU per unit; "
            f"{m.doses_per_vial} doses per vial"
        )
        typer.echo(f"   Label: {m.label_line()}")
    _print_notices(res.notices)
    echo_disclaimer()


@app.command("plan")
def plan_cmd(
    vial_iu: VialOpt = None,
    diluent_ml: DilOpt = None,
    dose_iu: DoseOpt = None,
    per_week: PerWeekOpt = None,
    every_days: EveryOpt = None,
    weekdays: WeekdaysOpt = None,
    freq: FreqOpt = None,
    start: Annotated[
        str | None, typer.Option("--start", help="Start (first mixing) date, YYYY-MM-DD.")
    ] = None,
    discard_after_days: BudOpt = None,
    weeks: Annotated[str | None, typer.Option("--weeks", help="Plan length [weeks].")] = None,
    price_per_vial: Annotated[
        str | None, typer.Option("--price-per-vial", help="Price of one vial (your currency).")
    ] = None,
    syringe: SyrOpt = _DEFAULT_SYRINGE,
    preset: PresetOpt = None,
    dead_space_ml: DeadOpt = "0",
    residual_ml: ResOpt = "0",
    displacement_ml: DispOpt = "0",
    vial_capacity_ml: CapOpt = None,
    diluent: DiluentKindOpt = None,
    graduation_units: GradOpt = None,
    ics: Annotated[
        Path | None,
        typer.Option("--ics", help="Write the plan as an iCalendar (.ics) file."),
    ] = None,
    json_out: JsonOpt = False,
    svg: SvgOpt = None,
    overwrite: OverwriteOption = False,
) -> None:
    """Schedule, discard dates, multi-vial plan over N weeks, and cost.

    Arithmetic only; it does not choose doses.
    """
    _check_outputs(svg, ics, overwrite)
    request = _request(locals(), diluent_ml=diluent_ml)
    from endolab.hcg import (
        check_plan_inputs,
        fmt_iu,
        fmt_label_ml,
        fmt_ml,
        mix_request,
        plan,
        result_record,
    )

    frequency = check_plan_inputs(per_week, every_days, weekdays, freq, start, weeks)

    m = mix_request(request, diluent_ml)
    assert start is not None and weeks is not None
    p = plan(
        m,
        frequency,
        start=start,
        weeks=weeks,
        bud_days=discard_after_days,
        price_per_vial=price_per_vial,
    )
    if ics is not None:
        from endolab.hcg import write_ics

        write_ics(p, ics, overwrite=overwrite)
    _write_svg(svg, m, overwrite)
    if json_out:
        print_json(result_record(p))
        return
    sch = p.schedule
    _print_mix(m)
    typer.echo(
        f"Frequency: {frequency.name} ({fmt_label_ml(sch.doses_per_week)} doses/week); weekly "
        f"{fmt_iu(sch.weekly_iu)} IU/week"
    )
    typer.echo(
        f"One vial: {m.doses_per_vial} doses by content, last dose day {sch.last_dose_day}, "
        f"supply {fmt_label_ml(sch.coverage_days)} days"
    )
    mixed = sch.mix_date.isoformat() if sch.mix_date else "day 0"
    if sch.bud_days is None or sch.breakeven_weekly_iu is None:
        typer.echo(
            "Discard date: none given (no preset, no --discard-after-days): vials are limited by "
            "content only. Enter the beyond-use days from your label to plan discards."
        )
    else:
        discard = sch.discard_date.isoformat() if sch.discard_date else f"day {sch.discard_day}"
        typer.echo(
            f"Discard date: {discard} ({sch.bud_days} days after mixing on {mixed}; doses on the "
            f"discard date count as expired)"
        )
        typer.echo(
            f"Doses before discard: {sch.doses_used} of {m.doses_per_vial}; wasted per vial "
            f"{fmt_iu(sch.wasted_iu)} IU; weekly use that finishes a vial in time ≈"
            f"{fmt_iu(sch.breakeven_weekly_iu)} IU/week"
        )
    typer.echo(
        f"Plan: {p.total_doses} doses over {p.weeks} weeks from {p.start.isoformat()}: "
        f"{p.vials_needed} vials; diluent {fmt_ml(p.diluent_ml_needed)} mL in total"
    )
    for v in p.vials:
        typer.echo(
            f"  vial {v.number}: mixed {v.mix_date.isoformat()}, discard "
            f"{v.discard_date.isoformat() if v.discard_date else 'date not given'}, "
            f"{v.doses} doses, "
            + (
                f"{fmt_iu(v.unused_iu)} IU left at the end of the plan"
                if v.open_at_end
                else f"{fmt_iu(v.unused_iu)} IU thrown away"
            )
        )
    costs = p.formatted_costs()
    if costs:
        typer.echo(
            f"Cost: {costs['plan_cost']}; {costs['cost_per_week']}; drug-only "
            f"{costs['drug_only_cost_per_week']}"
        )
    typer.echo(f"Label: {m.label_line(sch.mix_date, sch.discard_date)}")
    _print_notices(p.notices)
    if ics is not None:
        typer.echo(f"Calendar written: {ics}")
    if svg is not None:
        typer.echo(f"SVG written: {svg}")
    echo_disclaimer()


@app.command("presets")
def presets_cmd(json_out: JsonOpt = False) -> None:
    """Product presets (check your carton: label facts differ by market)."""
    from endolab.hcg import CHECK_CARTON_NOTE, PRESETS, fmt_label_iu, fmt_label_ml, presets_record

    if json_out:
        print_json(presets_record())
        return
    for p in PRESETS.values():
        vial = "user-supplied" if p.vial_iu is None else f"{fmt_label_iu(p.vial_iu)} IU"
        dil = "—" if p.label_diluent_ml is None else f"{fmt_label_ml(p.label_diluent_ml)} mL"
        bud = "none (enter from carton)" if p.bud_days is None else f"{p.bud_days} days"
        cap = "—" if p.vial_capacity_ml is None else f"{fmt_label_ml(p.vial_capacity_ml)} mL"
        flags = (
            " [prefilled: rejected]" if p.prefilled else (" [single-dose]" if p.single_dose else "")
        )
        typer.echo(
            f"{p.key}: {p.product}; vial {vial}; label diluent {dil} {p.diluent or ''}; "
            f"discard after {bud}; capacity {cap}{flags}; source {p.source}"
        )
    typer.echo(CHECK_CARTON_NOTE)
    echo_disclaimer()


@app.command("syringes")
def syringes_cmd(json_out: JsonOpt = False) -> None:
    """The syringe catalogue: scale, capacity and smallest graduation."""
    from endolab.hcg import SYRINGES, fmt_label_ml, syringes_record

    if json_out:
        print_json(syringes_record())
        return
    for s in SYRINGES.values():
        typer.echo(
            f"{s.key}: {s.description}; capacity {s.format_amount(s.capacity_units)} "
            f"({fmt_label_ml(s.capacity_ml)} mL); smallest mark {s.format_amount(s.graduation_units)}"
            f" = {fmt_label_ml(s.ml_per_graduation)} mL; source {s.source}"
        )
    echo_disclaimer()
