"""`endolab hormones` — TRT Hormone Predictor: free testosterone, estradiol and DHT from total testosterone.

Thin adapter: numbers are parsed here as text (so that ``-5`` or ``1,5`` get endolab's own clear
messages) and everything else is done by :mod:`endolab.hormones`, imported inside the commands.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

import typer

from endolab.cli._common import OverwriteOption, echo_disclaimer, print_json
from endolab.hormones import range_text

if TYPE_CHECKING:
    from endolab.hormones import FreeTestosteroneResult, HormonePrediction
    from endolab.hormones.pk import ProtocolResult

__all__ = ["app"]

app = typer.Typer(
    help="TRT Hormone Predictor: free testosterone, estradiol and DHT from total testosterone.",
    no_args_is_help=True,
)


def _table(rows: Sequence[tuple[str, ...]]) -> None:
    widths = [max(len(r[k]) for r in rows) for k in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [f"{c:<{w}}" for c, w in zip(row, widths, strict=False)] + [row[-1]]
        typer.echo(("  " + "  ".join(cells)).rstrip())


def _bullets(title: str, items: tuple[str, ...]) -> None:
    if items:
        typer.echo(f"{title}:")
        for item in items:
            typer.echo(f"  - {item}")


def _print_prediction(r: HormonePrediction) -> None:
    """The library's presentation of a prediction (:mod:`endolab.hormones.presentation`), laid out
    as a table: the hormone rows, then the inputs used; nothing is computed or worded here."""
    from endolab.hormones.presentation import (
        detail_rows,
        prediction_headline,
        prediction_notes,
        prediction_rows,
    )

    typer.echo(prediction_headline(r))
    rows = [("", "predicted", "band · reference")]
    for h in prediction_rows(r):
        ref = f" · ref {h.ref_text} {h.unit}" if h.ref_text is not None else ""
        rows.append((h.name, f"{h.value_text} {h.unit}", f"{h.band_text} {h.unit}{ref}"))
    rows.extend((d.label, d.value, d.note) for d in detail_rows(r))
    _table(rows)
    for note in prediction_notes(r):
        typer.echo(f"  {note}")
    _bullets("Assumptions", r.assumptions)
    _bullets("Flags", r.flags)


@app.command("predict")
def predict_command(
    total_t: str | None = typer.Option(
        None,
        "--total-t",
        metavar="NUMBER",
        help=f"Total testosterone ({range_text('total_t')}), in --unit.",
    ),
    unit: str = typer.Option(
        "ng/dL", "--unit", metavar="UNIT", help="Unit of --total-t: ng/dL or nmol/L."
    ),
    age: str | None = typer.Option(
        None, "--age", metavar="NUMBER", help=f"Age ({range_text('age')}); default 47 y, disclosed."
    ),
    shbg: str | None = typer.Option(
        None,
        "--shbg",
        metavar="NUMBER",
        help=f"SHBG ({range_text('shbg')}); default by age (Coviello 2006), disclosed.",
    ),
    albumin: str | None = typer.Option(
        None,
        "--albumin",
        metavar="NUMBER",
        help=f"Albumin in --albumin-unit ({range_text('albumin')}); default 4.3 g/dL.",
    ),
    albumin_unit: str = typer.Option(
        "g/dL", "--albumin-unit", metavar="UNIT", help="Unit of --albumin: g/dL or g/L."
    ),
    dose_mg_week: str | None = typer.Option(
        None,
        "--dose-mg-week",
        metavar="NUMBER",
        help=f"Weekly testosterone-enanthate dose ({range_text('dose_mg_week')}) instead of --total-t: "
        "uses the Bhasin 2001 mean trough (a population mean).",
    ),
    measured_e2: str | None = typer.Option(
        None,
        "--measured-e2",
        metavar="NUMBER",
        help="Measured estradiol, in --e2-unit: adds observed/predicted.",
    ),
    e2_unit: str = typer.Option(
        "pg/mL", "--e2-unit", metavar="UNIT", help="Unit of --measured-e2: pg/mL or pmol/L."
    ),
    measured_dht: str | None = typer.Option(
        None,
        "--measured-dht",
        metavar="NUMBER",
        help="Measured DHT, in --dht-unit: adds observed/predicted.",
    ),
    dht_unit: str = typer.Option(
        "ng/dL",
        "--dht-unit",
        metavar="UNIT",
        help="Unit of --measured-dht: ng/dL, nmol/L or pg/mL.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print flat JSON (unit in every key)."),
) -> None:
    """Predict free T, estradiol and DHT from total testosterone (or a weekly dose)."""
    from endolab.hormones import predict
    from endolab.output import with_disclaimer

    result = predict(
        total_t,
        unit=unit,
        age=age,
        shbg=shbg,
        albumin=albumin,
        albumin_unit=albumin_unit,
        dose_mg_week=dose_mg_week,
        measured_e2=measured_e2,
        e2_unit=e2_unit,
        measured_dht=measured_dht,
        dht_unit=dht_unit,
    )
    if as_json:
        print_json(with_disclaimer(result.to_dict()))
        return
    _print_prediction(result)
    echo_disclaimer()


def _print_free_t(r: FreeTestosteroneResult) -> None:
    """The library's rows of a free-testosterone result, laid out as a table."""
    from endolab.hormones.presentation import free_t_headline, free_t_rows

    typer.echo(free_t_headline(r))
    _table([(d.label, d.value, d.note) for d in free_t_rows(r)])
    _bullets("Assumptions", r.assumptions)
    _bullets("Flags", r.flags)


@app.command("free-t")
def free_t_command(
    total_t: str = typer.Option(
        ...,
        "--total-t",
        metavar="NUMBER",
        help=f"Total testosterone ({range_text('total_t')}), in --unit.",
    ),
    shbg: str = typer.Option(..., "--shbg", metavar="NUMBER", help=f"SHBG ({range_text('shbg')})."),
    albumin: str | None = typer.Option(
        None,
        "--albumin",
        metavar="NUMBER",
        help=f"Albumin in --albumin-unit ({range_text('albumin')}); default 4.3 g/dL.",
    ),
    unit: str = typer.Option(
        "ng/dL", "--unit", metavar="UNIT", help="Unit of --total-t: ng/dL or nmol/L."
    ),
    albumin_unit: str = typer.Option(
        "g/dL", "--albumin-unit", metavar="UNIT", help="Unit of --albumin: g/dL or g/L."
    ),
    method: str = typer.Option(
        "vermeulen1999",
        "--method",
        metavar="NAME",
        help="Binding constants: vermeulen1999, sodergard1982, emadikonjin2003 or ross2005.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print flat JSON (unit in every key)."),
) -> None:
    """Free and bioavailable testosterone (Vermeulen 1999 by default; other published constant sets by --method)."""
    from endolab.hormones import free_testosterone
    from endolab.output import with_disclaimer

    result = free_testosterone(total_t, shbg, albumin, method, unit=unit, albumin_unit=albumin_unit)
    if as_json:
        print_json(with_disclaimer(result.to_dict()))
        return
    _print_free_t(result)
    echo_disclaimer()


# --- `endolab hormones pk` (issue 23): a view of endolab.hormones.pk.protocol -------------------


def _print_pk(result: ProtocolResult) -> None:
    """The library's rows of a regimen, laid out as tables: the levels at trough, Cavg and peak
    and the interval's facts (:mod:`endolab.hormones.pk_view`, the web page's rows), the labs
    beside the model (:mod:`endolab.hormones.presentation`, the page's too)."""
    from endolab.hormones import presentation as show
    from endolab.hormones.pk_view import PROTOCOL_COLUMNS, protocol_facts, protocol_rows

    typer.echo(show.pk_headline(result))
    _table(
        [
            ("", *PROTOCOL_COLUMNS),
            *((f"{r.name} [{r.unit}]", *r.texts, r.ref_text or "—") for r in protocol_rows(result)),
        ]
    )
    _table(protocol_facts(result))
    if result.fit is not None:
        typer.echo(show.pk_fit_headline(result.fit))
        _table(
            [
                show.PK_LAB_COLUMNS,
                *((d.label, d.value, d.note) for d in show.pk_lab_rows(result.fit)),
            ]
        )
    _bullets("Assumptions", result.pk.assumptions)


def _print_comparison(a: object, b: object) -> None:
    """Regimen A beside regimen B: the library's rows (:func:`endolab.hormones.pk_view.compare_protocols`)."""
    from endolab.hormones.pk import ProtocolResult
    from endolab.hormones.pk_view import compare_protocols, regimen_label

    assert isinstance(a, ProtocolResult) and isinstance(b, ProtocolResult)
    typer.echo(f"Compared: A = {regimen_label(a)}; B = {regimen_label(b)} (population model)")
    rows = [("", "A → B", "B − A")]
    for r in compare_protocols(a, b):
        ta, tb, td = r.texts
        unit = "" if r.unit == "dimensionless" else f" {r.unit}"
        rows.append((r.name, f"{ta} → {tb}{unit}", f"{td}{unit}"))
    _table(rows)
    _bullets("Assumptions of B", b.pk.assumptions)


@app.command("protocol")
def protocol_command(
    ester: str = typer.Option(
        ...,
        "--ester",
        metavar="NAME",
        help="enanthate, cypionate, propionate, undecanoate (IM) or gel (daily, steady state).",
    ),
    dose_mg: str = typer.Option(
        ...,
        "--dose-mg",
        metavar="NUMBER",
        help="Dose per injection [mg of ester]; gel: [mg T/day].",
    ),
    every_days: str = typer.Option(
        ..., "--every-days", metavar="NUMBER", help="Interval between doses [days] (gel: 1)."
    ),
    lab: Annotated[
        list[str] | None,
        typer.Option(
            "--lab",
            metavar="TT UNIT@TIME",
            help="Measured total T with its unit (ng/dL or nmol/L) at a time since the last dose "
            '(d or h), e.g. "650ng/dL@3.5d" or "22.5nmol/L@84h"; repeat for more (one fits the '
            "scale, two or more the release rate too).",
        ),
    ] = None,
    endogenous: str | None = typer.Option(
        None,
        "--endogenous",
        metavar="NUMBER",
        help="Your own testosterone left on therapy [ng/dL]; default 0 (suppressed, Nankin 1987).",
    ),
    weight_kg: str | None = typer.Option(
        None,
        "--weight-kg",
        metavar="NUMBER",
        help="Body weight [kg] for the clearance; default 70.",
    ),
    start: str | None = typer.Option(
        None, "--start", metavar="DATE", help="Date of the first dose (YYYY-MM-DD), for the JSON."
    ),
    age: str | None = typer.Option(
        None, "--age", metavar="NUMBER", help=f"Age for the predictor ({range_text('age')})."
    ),
    shbg: str | None = typer.Option(
        None, "--shbg", metavar="NUMBER", help=f"SHBG for the predictor ({range_text('shbg')})."
    ),
    seed: int = typer.Option(
        0, "--seed", metavar="INTEGER", help="Seed of the band's Monte-Carlo."
    ),
    svg: str | None = typer.Option(
        None, "--svg", metavar="PATH", help="Also write the curve as an SVG file (atomic)."
    ),
    png: str | None = typer.Option(
        None, "--png", metavar="PATH", help="Also write the curve as a PNG file (atomic)."
    ),
    compare: str | None = typer.Option(
        None,
        "--compare",
        metavar="SPEC",
        help='A second regimen side by side, e.g. "ester=enanthate,dose=250,every=14" (dose [mg], '
        "every [days]); same person (weight, age, SHBG, endogenous), population model.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print flat JSON (unit in every key)."),
    overwrite: OverwriteOption = False,
) -> None:
    """Total testosterone over the dosing interval from a regimen, fitted to your labs; E2, DHT, free T."""
    from endolab._io import check_output_path
    from endolab.hormones.pk import ProtocolRequest
    from endolab.hormones.pk_view import parse_regimen_spec, protocol_record
    from endolab.output import with_disclaimer

    spec = parse_regimen_spec(compare) if compare is not None else None

    figures = [
        (
            check_output_path(p, flag=flag, suffixes=(suffix,), overwrite=overwrite),
            flag,
            suffix.lstrip("."),
        )
        for p, flag, suffix in ((svg, "--svg", ".svg"), (png, "--png", ".png"))
        if p is not None
    ]
    if figures:  # the [plot] extra: a missing matplotlib is one line before any computing
        import matplotlib

        matplotlib.use("Agg")

    request = ProtocolRequest(
        ester,
        dose_mg,
        every_days,
        labs=lab or (),
        endogenous_ng_dl=endogenous,
        weight_kg=weight_kg,
        start=start,
        age=age,
        shbg=shbg,
        seed=seed,
    )
    result = request.run()
    other = (
        None
        if spec is None
        else request.compared_with(spec["ester"], spec["dose_mg"], spec["every_days"]).run()
    )
    if figures:
        import io

        from endolab._io import atomic_write_bytes
        from endolab.hormones.pk import pk_figure

        fig = pk_figure(result.pk)
        for path, flag, fmt in figures:
            buffer = io.BytesIO()
            fig.savefig(buffer, format=fmt, dpi=150)
            atomic_write_bytes(path, buffer.getvalue(), overwrite=overwrite, flag=flag)
    if as_json:
        print_json(with_disclaimer(protocol_record(result, other)))
        return
    _print_pk(result)
    if other is not None:
        _print_comparison(result, other)
    for path, _, _ in figures:
        typer.echo(f"wrote the curve to {path}")
    echo_disclaimer()


#: The command's former name (issue 23's first part), kept as an alias.
app.command("pk", help="Former name of `hormones protocol` (same options).")(protocol_command)
