"""`endolab cgm fhir` — HL7 FHIR CGM IG 1.0 Bundles out of and into CGM files (:mod:`endolab.cgm.fhir`).

Thin adapters: the Bundle is built, validated and read in the library.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from endolab.cli._common import (
    DateOrderOption,
    GlucoseUnitOption,
    OverwriteOption,
    ReaderOption,
    echo_disclaimer,
    input_unit,
)
from endolab.output import DISCLAIMER

__all__ = ["app"]

app = typer.Typer(
    help="HL7 FHIR CGM Implementation Guide 1.0 Bundles: export a summary and readings, import "
    "readings (needs pip install 'endolab[fhir]').",
    no_args_is_help=True,
)


@app.command("export")
def export_command(
    files: Annotated[
        list[Path],
        typer.Argument(help="CGM files: any format the cgm commands read (docs/cgm.md)."),
    ],
    out: Annotated[Path, typer.Option("--out", help="The Bundle: a .json file (atomic).")],
    subjects: Annotated[
        list[str] | None, typer.Option("--id", help="Subject to export (repeat; default: all).")
    ] = None,
    tz: Annotated[
        str,
        typer.Option(
            "--tz",
            help="IANA time zone of the readings' clock, written as the offset of each time "
            "(default UTC) [A].",
        ),
    ] = "UTC",
    summary_only: Annotated[
        bool, typer.Option("--summary-only", help="Only the IG summary, no sensor readings.")
    ] = False,
    unit: GlucoseUnitOption = None,
    reader: ReaderOption = "auto",
    date_order: DateOrderOption = "auto",
    with_report: Annotated[
        bool,
        typer.Option(
            "--with-report",
            help="Add the IG's CGM Summary PDF Report (DiagnosticReport) per subject: the clinic "
            "AGP report as PDF (needs [plot]).",
        ),
    ] = False,
    device: Annotated[
        str | None,
        typer.Option(
            "--device",
            help="The sensor's manufacturer and model (e.g. 'Dexcom G7'): adds the IG's CGM "
            "Device; needs --device-id and one subject.",
        ),
    ] = None,
    device_id: Annotated[
        str | None, typer.Option("--device-id", help="The sensor's identifier (with --device).")
    ] = None,
    device_serial: Annotated[
        str | None,
        typer.Option("--device-serial", help="The sensor's serial number (with --device)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable JSON.")] = False,
    overwrite: OverwriteOption = False,
) -> None:
    """A CGM Data Submission Bundle (transaction): per subject the IG's CGM Summary (mean glucose,
    times in five ranges, GMI, CV, days of wear, sensor active %) and one Observation per reading;
    optionally the CGM Summary PDF Report and the CGM Device; validated with the fhir.resources
    models and the IG's rules before it is written."""
    import fhir.resources  # noqa: F401  (the [fhir] extra: its hint before any work)

    if with_report:
        import matplotlib  # noqa: F401  (the [plot] extra: its hint before any work)

    from endolab._io import atomic_write_bytes, check_output_path
    from endolab.cgm import load_cgm
    from endolab.cgm.fhir import (
        CGMDevice,
        check_cgm_bundle,
        fhir_bundle,
        summary_report_pdfs,
        validate_r4,
    )
    from endolab.cli.cgm import read_options
    from endolab.errors import DataFileError, InputError
    from endolab.notices import collect, unique

    check_output_path(out, flag="--out", suffixes=(".json",), inputs=files, overwrite=overwrite)
    if (device is None) != (device_id is None) or (device_serial and device is None):
        raise InputError("--device and --device-id go together (--device-serial with them)")
    in_unit = input_unit(unit)
    data = load_cgm(list(files), unit=in_unit, **read_options(reader, date_order, None, False))
    devices = None
    if device is not None and device_id is not None:
        chosen = subjects or sorted(data.frame.get_column("id").unique().to_list())
        if len(chosen) != 1:
            raise InputError(
                f"--device names one sensor, but {len(chosen)} subjects are exported; give --id",
                field="--device",
            )
        devices = {chosen[0]: CGMDevice(device, device_id, serial_number=device_serial)}
    with collect() as found:  # the summary's metrics notices, as data (never a Python warning)
        reports = summary_report_pdfs(data, subjects or None) if with_report else None
        bundle = fhir_bundle(
            data.frame,
            subjects=subjects or None,
            readings=not summary_only,
            tz=tz,
            devices=devices,
            reports=reports,
        )
    notices = unique((*data.notices, *found))
    validate_r4(bundle)
    problems = check_cgm_bundle(bundle)
    if problems:  # a bug in endolab, never the user's input: said in one line all the same
        raise DataFileError(f"the Bundle breaks the CGM IG: {problems[0]}")
    atomic_write_bytes(
        out,
        (json.dumps(bundle, ensure_ascii=False) + "\n").encode(),
        overwrite=overwrite,
        flag="--out",
    )
    n_subjects = sum(1 for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient")
    n_readings = sum(
        1 for e in bundle["entry"] if e["resource"].get("effectiveDateTime") is not None
    )
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    n_reports, n_devices = kinds.count("DiagnosticReport"), kinds.count("Device")
    for notice in notices:
        typer.echo(f"warning: {notice.message}", err=True)
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "disclaimer": DISCLAIMER,
                    "out": str(out),
                    "subjects": n_subjects,
                    "readings": n_readings,
                    "entries": len(bundle["entry"]),
                    "reports": n_reports,
                    "devices": n_devices,
                    "notices": [n.as_dict() for n in notices],
                },
                ensure_ascii=False,
            )
        )
        return
    extra = "".join(
        f", {n} {what}(s)" for n, what in ((n_reports, "PDF report"), (n_devices, "device")) if n
    )
    typer.echo(
        f"wrote a FHIR CGM Bundle of {n_subjects} subject(s), {n_readings} reading(s){extra} "
        f"({len(bundle['entry'])} entries) to {out}"
    )
    echo_disclaimer()


@app.command("import")
def import_command(
    bundle: Annotated[Path, typer.Argument(help="A FHIR CGM Bundle (.json).")],
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            help="Readings table (id, time, gl [mg/dL]; High/Low kept): .csv, .json or .parquet "
            "— a file every cgm command reads.",
        ),
    ],
    summary: Annotated[
        bool,
        typer.Option("--summary", help="Write the IG summary values instead of the readings."),
    ] = False,
    devices: Annotated[
        bool,
        typer.Option(
            "--devices",
            help="Write the CGM Devices (id, name, identifier, serial number) instead.",
        ),
    ] = False,
    reports: Annotated[
        bool,
        typer.Option(
            "--reports",
            help="Write the CGM Summary PDF Reports (id, period, issued, PDF size [bytes]) "
            "instead.",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable JSON.")] = False,
    overwrite: OverwriteOption = False,
) -> None:
    """Read a FHIR CGM Bundle (validated with the fhir.resources models): its sensor readings, or
    with --summary the IG summary values per subject and period, --devices its CGM Devices,
    --reports its CGM Summary PDF Reports."""
    from endolab._io import atomic_write_bytes, check_output_path
    from endolab.cgm.fhir import (
        devices_from_bundle,
        read_fhir_bundle,
        readings_table,
        reports_from_bundle,
        summaries_from_bundle,
        validate_r4,
    )
    from endolab.cgm.tables import format_from_suffix, table_bytes, table_record
    from endolab.errors import DataFileError, InputError

    if summary + devices + reports > 1:
        raise InputError("give one of --summary, --devices and --reports")

    check_output_path(
        out,
        flag="--out",
        suffixes=(".csv", ".json", ".parquet", ".pq"),
        inputs=[bundle],
        overwrite=overwrite,
    )
    try:
        loaded = json.loads(bundle.read_bytes())
    except ValueError as exc:
        raise DataFileError(f"{bundle}: not JSON ({exc})") from None
    validate_r4(loaded)
    if summary:
        table = summaries_from_bundle(loaded)
        what = "cgm fhir import (IG summary)"
    elif devices:
        table = devices_from_bundle(loaded)
        what = "cgm fhir import (CGM devices)"
    elif reports:
        table = reports_from_bundle(loaded).drop("pdf")
        what = "cgm fhir import (CGM summary PDF reports)"
    else:
        table = readings_table(read_fhir_bundle(loaded))
        what = "cgm fhir import (readings)"
    fmt = format_from_suffix(out)
    data = table_bytes(table, fmt, table_record(table, "mg/dL", what) if fmt == "json" else None)
    atomic_write_bytes(out, data, overwrite=overwrite, flag="--out")
    if as_json:
        typer.echo(
            json.dumps(
                {"disclaimer": DISCLAIMER, "out": str(out), "rows": table.height},
                ensure_ascii=False,
            )
        )
        return
    typer.echo(f"wrote {table.height} row(s) to {out}")
    echo_disclaimer()
