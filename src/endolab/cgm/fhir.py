"""HL7 FHIR CGM Implementation Guide 1.0 (STU 1): a subject's CGM summary and readings as a Bundle.

The IG (HL7 International / Orders and Observations, *Continuous Glucose Monitoring* 1.0.0, STU 1,
FHIR R4; canonical ``http://hl7.org/fhir/uv/cgm``) defines a ``transaction`` Bundle (profile
``cgm-data-submission-bundle``) whose entries are, per patient:

* the **CGM Summary** Observation (code LOINC 107931-8, ``effectivePeriod`` start and end as dates)
  with ``hasMember`` references to one Observation each of
* **mean glucose** (LOINC 97507-8, UCUM ``mg/dL``; or 105273-7, ``mmol/L``),
* **times in ranges** (LOINC 106793-3) with five components in UCUM ``%``: very low 104642-4,
  low 104641-6, target 97510-2, high 104640-8, very high 104639-0,
* **GMI** (97506-0, ``%``), **CV** (104638-2, ``%``), **days of wear** (104636-6, UCUM ``d``) and
  **sensor active percentage** (104637-4, ``%``);
* and the **sensor readings**: one Observation per reading (LOINC 99504-3, ``mg/dL``; or 105272-9,
  ``mmol/L``) with ``effectiveDateTime``;
* optionally the **CGM Summary PDF Report**, a DiagnosticReport (profile ``cgm-summary-pdf``: code
  LOINC 107931-8, ``subject``, ``effectivePeriod`` start and end, at least one ``presentedForm``
  with ``contentType`` ``application/pdf`` and base64 ``data``; ``result`` referencing the CGM
  Summary Observation), and the **CGM Device** (profile ``cgm-device``: the sensor, not a reader
  or an app; at least one ``deviceName`` of type ``user-friendly-name`` with the manufacturer and
  model, at least one ``identifier``, ``serialNumber`` optional).

The values come from :func:`endolab.cgm.compute_metrics` (core set; the bands are the 2019
consensus bands of docs/methods/cgm.md; this module words no number itself). Choices [A]:

* **Times.** FHIR requires a time-zone offset on a time of day; endolab's readings are local wall
  clock (:mod:`endolab.cgm.frame`). The export writes each reading in the zone ``tz`` given by the
  caller (an IANA name, default ``UTC``); the import keeps the written wall clock and drops the
  offset, as every endolab reader does, so export → import gives back the same readings.
* **Censored readings.** A device "High"/"Low" is written as a Quantity with ``comparator`` ``>``
  400 mg/dL / ``<`` 40 mg/dL (the usual limits of the sensors' reporting range); the import reads a
  ``>`` / ``<`` comparator back as a censored High / Low (:mod:`endolab.cgm.schema`).
* **Subjects.** Each subject is a ``Patient`` with one identifier (system
  :data:`SUBJECT_SYSTEM`, value the subject id) and no other data; references use ``urn:uuid``
  full URLs derived from the subject id (the same input gives the same Bundle).
* **Devices.** The sensor is not in a CGM file's readings, so a Device is written only when the
  caller names it (:class:`CGMDevice`); it carries ``patient`` = the subject, and each reading's
  ``device`` refers to it (both plain R4 elements the IG leaves open), so the import can tell whose
  sensor it is. The PDF of the DiagnosticReport is the caller's (endolab's clinic AGP report,
  :func:`endolab.cgm.report.report_pdf`, in ``cgm fhir export --with-report``).
* **Validation.** The Bundle is validated with the ``fhir.resources`` models (extra ``[fhir]``),
  whose R4B Bundle and Observation have the R4 elements used here; the IG's own rules (codes, units,
  required elements, six summary members) are checked by :func:`check_cgm_bundle`.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import polars as pl

from endolab.cgm.frame import ensure_canonical
from endolab.cgm.schema import HIGH_CENSORED_MG_DL, LOW_CENSORED_MG_DL
from endolab.errors import DataFileError, InputError
from endolab.units import GLUCOSE_MG_DL_PER_MMOL_L

__all__ = [
    "DEVICE_SYSTEM",
    "IG_CANONICAL",
    "LOINC",
    "SUBJECT_SYSTEM",
    "CGMDevice",
    "check_cgm_bundle",
    "devices_from_bundle",
    "fhir_bundle",
    "read_fhir_bundle",
    "readings_table",
    "reports_from_bundle",
    "summaries_from_bundle",
    "summary_report_pdfs",
    "validate_r4",
]

#: The IG's canonical URL (HL7 FHIR CGM IG 1.0.0, STU 1).
IG_CANONICAL: Final = "http://hl7.org/fhir/uv/cgm"
LOINC_SYSTEM: Final = "http://loinc.org"
UCUM_SYSTEM: Final = "http://unitsofmeasure.org"
#: Identifier system of the exported Patient resources (endolab's subject ids) [A].
SUBJECT_SYSTEM: Final = "urn:endolab:subject-id"
#: Identifier system of an exported Device when the caller names none [A].
DEVICE_SYSTEM: Final = "urn:endolab:device-id"
#: The IG's profiles of the DiagnosticReport (CGM Summary PDF Report) and the Device (the sensor).
REPORT_PROFILE: Final = "cgm-summary-pdf"
DEVICE_PROFILE: Final = "cgm-device"
#: ``DiagnosticReport.category`` of the IG's example report (HL7 v2 table 0074, ``LAB``).
_REPORT_CATEGORY: Final = [
    {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0074", "code": "LAB"}]}
]


@dataclass(frozen=True)
class CGMDevice:
    """The CGM sensor of one subject, written as the IG's CGM Device (profile ``cgm-device``).

    ``name``: manufacturer and model (``deviceName`` of type ``user-friendly-name``);
    ``identifier`` / ``system``: the device's identifier (``system`` defaults to
    :data:`DEVICE_SYSTEM` [A]); ``serial_number``: the sensor's serial number, if known.
    """

    name: str
    identifier: str
    system: str = DEVICE_SYSTEM
    serial_number: str | None = None

    def __post_init__(self) -> None:
        for label, value in (("name", self.name), ("identifier", self.identifier)):
            if not str(value).strip():
                raise InputError(f"the device {label} is empty", field=f"device {label}")


#: LOINC codes of the IG's profiles (IG 1.0.0, profiles.fsh and the published examples).
LOINC: Final[Mapping[str, str]] = {
    "summary": "107931-8",
    "reading_mg_dl": "99504-3",
    "reading_mmol_l": "105272-9",
    "mean_mg_dl": "97507-8",
    "mean_mmol_l": "105273-7",
    "times_in_ranges": "106793-3",
    "very_low": "104642-4",
    "low": "104641-6",
    "target": "97510-2",
    "high": "104640-8",
    "very_high": "104639-0",
    "gmi": "97506-0",
    "cv": "104638-2",
    "days_of_wear": "104636-6",
    "sensor_active": "104637-4",
}

#: Profiles of the IG (StructureDefinition ids) by the LOINC key above.
PROFILES: Final[Mapping[str, str]] = {
    "summary": "cgm-summary",
    "reading_mg_dl": "cgm-sensor-reading-mass-per-volume",
    "reading_mmol_l": "cgm-sensor-reading-moles-per-volume",
    "mean_mg_dl": "cgm-summary-mean-glucose-mass-per-volume",
    "mean_mmol_l": "cgm-summary-mean-glucose-moles-per-volume",
    "times_in_ranges": "cgm-summary-times-in-ranges",
    "gmi": "cgm-summary-gmi",
    "cv": "cgm-summary-coefficient-of-variation",
    "days_of_wear": "cgm-summary-days-of-wear",
    "sensor_active": "cgm-summary-sensor-active-percentage",
}

#: Time-in-range components of the IG in order, with the metrics column of each (2019 bands).
TIR_COMPONENTS: Final = (
    ("very_low", "tbr_54"),
    ("low", "tbr_54_70"),
    ("target", "tir_70_180"),
    ("high", "tar_180_250"),
    ("very_high", "tar_250"),
)

#: Single-value summary members: (LOINC key, metrics column, UCUM code, unit text).
SUMMARY_VALUES: Final = (
    ("mean_mg_dl", "mean", "mg/dL", "mg/dl"),
    ("gmi", "gmi", "%", "%"),
    ("cv", "cv", "%", "%"),
    ("days_of_wear", "days_worn", "d", "days"),
    ("sensor_active", "active_percent", "%", "%"),
)

#: Censored readings in a Bundle [A]: comparator and value [mg/dL] (sensors' reporting limits).
CENSORED_HIGH_LIMIT_MG_DL: Final = 400.0
CENSORED_LOW_LIMIT_MG_DL: Final = 40.0

_CATEGORY: Final = [
    {
        "coding": [
            {
                "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                "code": "laboratory",
            }
        ]
    }
]
_NS: Final = uuid.UUID("5a0c7e52-8d0e-4c1f-9f3e-2f1d0c9b7a11")  # endolab's own namespace [A]


def _urn(*parts: str) -> str:
    return f"urn:uuid:{uuid.uuid5(_NS, '|'.join(parts))}"


def _code(key: str) -> dict[str, Any]:
    return {"coding": [{"system": LOINC_SYSTEM, "code": LOINC[key]}]}


def _quantity(value: float, code: str, unit: str) -> dict[str, Any]:
    return {"value": round(float(value), 4), "unit": unit, "system": UCUM_SYSTEM, "code": code}


def _entry(full_url: str, resource: dict[str, Any]) -> dict[str, Any]:
    return {
        "fullUrl": full_url,
        "resource": resource,
        "request": {"method": "POST", "url": resource["resourceType"]},
    }


def _observation(key: str, patient: str, **body: Any) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "meta": {"profile": [f"{IG_CANONICAL}/StructureDefinition/{PROFILES[key]}"]},
        "status": "final",
        "category": _CATEGORY,
        "code": _code(key),
        "subject": {"reference": patient},
        **body,
    }


def _times(frame: pl.DataFrame, tz: str) -> list[str]:
    try:
        aware = frame.get_column("time").dt.replace_time_zone(
            tz, ambiguous="earliest", non_existent="raise"
        )
    except Exception as exc:  # an unknown zone name, or a wall-clock time the zone skips
        raise InputError(
            f"time zone {tz!r}: {str(exc).splitlines()[0]}", field="tz", value=tz
        ) from None
    text = aware.dt.strftime("%Y-%m-%dT%H:%M:%S%:z")
    return ["" if t is None else t for t in text.to_list()]


def fhir_bundle(
    frame: Any,
    metrics: pl.DataFrame | None = None,
    *,
    subjects: Sequence[str] | None = None,
    readings: bool = True,
    tz: str = "UTC",
    timestamp: dt.datetime | None = None,
    devices: Mapping[str, CGMDevice] | None = None,
    reports: Mapping[str, bytes] | None = None,
) -> dict[str, Any]:
    """The IG's CGM Data Submission Bundle (a ``transaction``) of a canonical CGM frame.

    Parameters
    ----------
    frame
        Canonical CGM frame (glucose in [mg/dL]).
    metrics
        Its :func:`endolab.cgm.compute_metrics` table (core set, mg/dL), one row per subject;
        computed here when ``None``.
    subjects
        Subject ids to export (default: all).
    readings
        Include one sensor-reading Observation per reading (default) or only the summary.
    tz
        IANA time zone of the readings' wall clock, written as the offset of each
        ``effectiveDateTime`` [A] (default ``UTC``).
    timestamp
        The Bundle's ``timestamp`` (default: now, UTC); also the reports' ``issued``.
    devices
        Subject id → its sensor (:class:`CGMDevice`): one CGM Device per subject named here, with
        ``patient`` = the subject, referred to by each of its readings' ``device`` [A].
    reports
        Subject id → the PDF of its summary report (bytes starting ``%PDF``): one CGM Summary PDF
        Report (DiagnosticReport) per subject named here, ``result`` = its CGM Summary.

    Returns
    -------
    dict
        The Bundle as JSON-ready data (``json.dumps``).

    References
    ----------
    HL7 International. Continuous Glucose Monitoring Implementation Guide 1.0.0 (STU 1), FHIR R4,
    http://hl7.org/fhir/uv/cgm (profiles cgm-data-submission-bundle, cgm-summary, …).
    """
    from endolab.cgm.compute import compute_metrics

    data = ensure_canonical(frame)
    ids = sorted(data.get_column("id").unique().to_list()) if subjects is None else list(subjects)
    known = set(data.get_column("id").unique().to_list())
    missing = [s for s in ids if s not in known]
    if missing:
        raise InputError(
            f"subject {missing[0]!r} not found; subjects: {', '.join(sorted(known)[:10])}",
            field="id",
            value=missing[0],
        )
    for what, given in (("devices", devices), ("reports", reports)):
        unknown = sorted(set(given or {}) - set(ids))
        if unknown:
            raise InputError(
                f"{what}: subject {unknown[0]!r} is not exported", field=what, value=unknown[0]
            )
    for subject, pdf in (reports or {}).items():
        if not bytes(pdf).startswith(b"%PDF"):
            raise InputError(
                f"reports: the report of {subject!r} is not a PDF", field="reports", value=subject
            )
    table = compute_metrics(data) if metrics is None else metrics
    when = timestamp or dt.datetime.now(dt.UTC)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    entries: list[dict[str, Any]] = []
    for subject in ids:
        rows = table.filter(pl.col("id") == subject)
        if rows.height != 1:
            raise InputError(f"no metrics row for subject {subject!r}", field="id", value=subject)
        row = rows.row(0, named=True)
        own = data.filter(pl.col("id") == subject)
        patient_url = _urn("patient", subject)
        entries.append(
            _entry(
                patient_url,
                {
                    "resourceType": "Patient",
                    "identifier": [{"system": SUBJECT_SYSTEM, "value": subject}],
                },
            )
        )
        period = {
            "start": own.get_column("time").min().date().isoformat(),  # type: ignore[union-attr]
            "end": own.get_column("time").max().date().isoformat(),  # type: ignore[union-attr]
        }
        members: list[dict[str, Any]] = []
        for key, column, code, unit in SUMMARY_VALUES:
            value = row[column]
            if value is None:
                raise InputError(
                    f"subject {subject!r}: {column} cannot be computed (too few readings); the "
                    "IG's summary needs it",
                    field="id",
                    value=subject,
                )
            url = _urn("summary", subject, key)
            members.append({"reference": url})
            entries.append(
                _entry(
                    url,
                    _observation(
                        key,
                        patient_url,
                        effectivePeriod=period,
                        valueQuantity=_quantity(value, code, unit),
                    ),
                )
            )
        tir_url = _urn("summary", subject, "times_in_ranges")
        members.insert(1, {"reference": tir_url})
        entries.append(
            _entry(
                tir_url,
                _observation(
                    "times_in_ranges",
                    patient_url,
                    effectivePeriod=period,
                    component=[
                        {"code": _code(key), "valueQuantity": _quantity(row[col], "%", "%")}
                        for key, col in TIR_COMPONENTS
                    ],
                ),
            )
        )
        summary_url = _urn("summary", subject, "summary")
        entries.append(
            _entry(
                summary_url,
                _observation("summary", patient_url, effectivePeriod=period, hasMember=members),
            )
        )
        if reports and subject in reports:
            entries.append(
                _entry(
                    _urn("report", subject),
                    {
                        "resourceType": "DiagnosticReport",
                        "meta": {
                            "profile": [f"{IG_CANONICAL}/StructureDefinition/{REPORT_PROFILE}"]
                        },
                        "status": "final",
                        "category": _REPORT_CATEGORY,
                        "code": _code("summary"),
                        "subject": {"reference": patient_url},
                        "effectivePeriod": period,
                        "issued": when.isoformat(timespec="seconds"),
                        "result": [{"reference": summary_url}],
                        "presentedForm": [
                            {
                                "contentType": "application/pdf",
                                "data": base64.b64encode(bytes(reports[subject])).decode("ascii"),
                                "title": "CGM summary report (AGP)",
                            }
                        ],
                    },
                )
            )
        device_ref: dict[str, Any] = {}
        if devices and subject in devices:
            device = devices[subject]
            device_url = _urn("device", subject, device.system, device.identifier)
            resource: dict[str, Any] = {
                "resourceType": "Device",
                "meta": {"profile": [f"{IG_CANONICAL}/StructureDefinition/{DEVICE_PROFILE}"]},
                "identifier": [{"system": device.system, "value": device.identifier}],
                "deviceName": [{"name": device.name, "type": "user-friendly-name"}],
                "patient": {"reference": patient_url},
            }
            if device.serial_number:
                resource["serialNumber"] = device.serial_number
            entries.append(_entry(device_url, resource))
            device_ref = {"device": {"reference": device_url}}
        if readings:
            times = _times(own, tz)
            gls = own.get_column("gl").to_list()
            cens = own.get_column("censored").to_list()
            for when_text, gl, c in zip(times, gls, cens, strict=True):
                if c == 1:
                    value = {
                        **_quantity(CENSORED_HIGH_LIMIT_MG_DL, "mg/dL", "mg/dl"),
                        "comparator": ">",
                    }
                elif c == -1:
                    value = {
                        **_quantity(CENSORED_LOW_LIMIT_MG_DL, "mg/dL", "mg/dl"),
                        "comparator": "<",
                    }
                else:
                    value = _quantity(gl, "mg/dL", "mg/dl")
                entries.append(
                    _entry(
                        _urn("reading", subject, when_text),
                        _observation(
                            "reading_mg_dl",
                            patient_url,
                            effectiveDateTime=when_text,
                            valueQuantity=value,
                            **device_ref,
                        ),
                    )
                )
    return {
        "resourceType": "Bundle",
        "meta": {"profile": [f"{IG_CANONICAL}/StructureDefinition/cgm-data-submission-bundle"]},
        "type": "transaction",
        "timestamp": when.isoformat(timespec="seconds"),
        "entry": entries,
    }


def summary_report_pdfs(data: Any, subjects: Sequence[str] | None = None) -> dict[str, bytes]:
    """Subject id → the PDF of its clinic AGP report (:func:`endolab.cgm.report.clinic_report`,
    one page, :func:`~endolab.cgm.report.report_pdf`; extra ``[plot]``): the ``reports`` of
    :func:`fhir_bundle`. ``data``: a canonical CGM frame or :class:`~endolab.cgm.CgmData`."""
    from endolab.cgm.report import ClinicReport, clinic_report, report_pdf

    report = clinic_report(data, subjects)
    return {
        page.subject: report_pdf(ClinicReport(pages=(page,), unit=report.unit))
        for page in report.pages
    }


def validate_r4(bundle: Mapping[str, Any]) -> None:
    """Validate ``bundle`` with the ``fhir.resources`` Bundle model (R4B; extra ``[fhir]``).

    Raises :class:`~endolab.errors.DataFileError` with the model's first complaint in one line.
    """
    from fhir.resources.R4B.bundle import Bundle  # the [fhir] extra

    try:
        Bundle.model_validate(dict(bundle))
    except Exception as exc:
        first = " ".join(str(exc).split("For further information")[0].split())[:300]
        raise DataFileError(f"not a valid FHIR R4 Bundle: {first}") from None


def _codes(concept: Any) -> set[str]:
    if not isinstance(concept, Mapping):
        return set()
    return {
        str(c.get("code"))
        for c in concept.get("coding") or []
        if isinstance(c, Mapping) and c.get("system") == LOINC_SYSTEM
    }


def _key_of(resource: Mapping[str, Any]) -> str | None:
    found = _codes(resource.get("code"))
    for key, code in LOINC.items():
        if code in found and key not in ("very_low", "low", "target", "high", "very_high"):
            return key
    return None


_UNITS: Final[Mapping[str, str]] = {
    "reading_mg_dl": "mg/dL",
    "reading_mmol_l": "mmol/L",
    "mean_mg_dl": "mg/dL",
    "mean_mmol_l": "mmol/L",
    "gmi": "%",
    "cv": "%",
    "days_of_wear": "d",
    "sensor_active": "%",
}


def _resources(bundle: Any) -> list[tuple[str | None, dict[str, Any]]]:
    if not isinstance(bundle, Mapping) or bundle.get("resourceType") != "Bundle":
        raise DataFileError("not a FHIR Bundle (resourceType is not 'Bundle')")
    out = []
    for entry in bundle.get("entry") or []:
        if isinstance(entry, Mapping) and isinstance(entry.get("resource"), Mapping):
            out.append((entry.get("fullUrl"), dict(entry["resource"])))
    return out


def check_cgm_bundle(bundle: Mapping[str, Any]) -> list[str]:
    """The IG 1.0 rules a Bundle breaks (empty: none), one line each.

    Checked: a ``transaction`` Bundle with a ``timestamp``; each CGM Observation (recognised by its
    LOINC code) has a ``subject``; readings an ``effectiveDateTime`` and a Quantity in the profile's
    UCUM unit; summaries an ``effectivePeriod`` with start and end; times in ranges its five
    components in ``%``; the CGM Summary at least six ``hasMember`` references; a CGM Summary PDF
    Report (DiagnosticReport coded 107931-8) a ``subject``, an ``effectivePeriod`` with start and
    end and a ``presentedForm`` of type ``application/pdf`` with base64 ``data``; every Device (the
    Bundle's device entries are CGM Devices) a ``deviceName`` of type ``user-friendly-name`` with a
    name and at least one ``identifier``.
    """
    problems: list[str] = []
    if bundle.get("type") != "transaction":
        problems.append(f"Bundle.type is {bundle.get('type')!r}, the IG needs 'transaction'")
    if not bundle.get("timestamp"):
        problems.append("Bundle.timestamp is missing")
    for url, res in _resources(bundle):
        if res.get("resourceType") == "DiagnosticReport" and LOINC["summary"] in _codes(
            res.get("code")
        ):
            problems.extend(_report_problems(res.get("id") or url or "DiagnosticReport", res))
            continue
        if res.get("resourceType") == "Device":
            problems.extend(_device_problems(res.get("id") or url or "Device", res))
            continue
        if res.get("resourceType") != "Observation":
            continue
        key = _key_of(res)
        if key is None:
            continue
        name = res.get("id") or url or key
        if not res.get("subject"):
            problems.append(f"{name}: subject is missing")
        if key.startswith("reading"):
            if not res.get("effectiveDateTime"):
                problems.append(f"{name}: effectiveDateTime is missing")
        else:
            period = res.get("effectivePeriod") or {}
            if not period.get("start") or not period.get("end"):
                problems.append(f"{name}: effectivePeriod start and end are required")
        if key in _UNITS:
            q = res.get("valueQuantity") or {}
            if q.get("code") != _UNITS[key] or q.get("system") != UCUM_SYSTEM:
                problems.append(f"{name}: valueQuantity must be UCUM {_UNITS[key]!r}")
        if key == "times_in_ranges":
            got = [c for comp in res.get("component") or [] for c in _codes(comp.get("code"))]
            for band, _ in TIR_COMPONENTS:
                if LOINC[band] not in got:
                    problems.append(f"{name}: component {band} ({LOINC[band]}) is missing")
        if key == "summary" and len(res.get("hasMember") or []) < 6:
            problems.append(f"{name}: the CGM Summary needs at least 6 hasMember references")
    return problems


def _report_problems(name: str, res: Mapping[str, Any]) -> list[str]:
    problems = []
    if not res.get("subject"):
        problems.append(f"{name}: subject is missing")
    period = res.get("effectivePeriod") or {}
    if not period.get("start") or not period.get("end"):
        problems.append(f"{name}: effectivePeriod start and end are required")
    forms = [
        f
        for f in res.get("presentedForm") or []
        if isinstance(f, Mapping) and f.get("contentType") == "application/pdf"
    ]
    if not forms:
        problems.append(f"{name}: a presentedForm of contentType 'application/pdf' is required")
    elif not all(f.get("data") for f in forms):
        problems.append(f"{name}: the PDF presentedForm needs its base64 data")
    return problems


def _device_problems(name: str, res: Mapping[str, Any]) -> list[str]:
    problems = []
    names = [
        n
        for n in res.get("deviceName") or []
        if isinstance(n, Mapping) and n.get("type") == "user-friendly-name" and n.get("name")
    ]
    if not names:
        problems.append(
            f"{name}: a deviceName of type 'user-friendly-name' with a name is required"
        )
    if not res.get("identifier"):
        problems.append(f"{name}: at least one identifier is required")
    return problems


def _load(source: Any) -> dict[str, Any]:
    if isinstance(source, Mapping):
        return dict(source)
    try:
        raw = source if isinstance(source, bytes | str) else source.read_bytes()
        loaded = json.loads(raw)
    except (OSError, ValueError) as exc:
        raise DataFileError(f"cannot read as FHIR JSON: {exc}") from None
    if not isinstance(loaded, dict):
        raise DataFileError("not a FHIR Bundle (the JSON is not an object)")
    return loaded


def _subjects(bundle: Mapping[str, Any]) -> dict[str, str]:
    """Map every way a Patient can be referenced (full URL, ``Patient/id``) to its subject id."""
    out: dict[str, str] = {}
    for url, res in _resources(bundle):
        if res.get("resourceType") != "Patient":
            continue
        ids = [i.get("value") for i in res.get("identifier") or [] if isinstance(i, Mapping)]
        ours = [
            i.get("value")
            for i in res.get("identifier") or []
            if isinstance(i, Mapping) and i.get("system") == SUBJECT_SYSTEM
        ]
        name = (ours or ids or [res.get("id")])[0]
        if name is None:
            continue
        for ref in (url, f"Patient/{res.get('id')}" if res.get("id") else None):
            if ref:
                out[str(ref)] = str(name)
    return out


def _subject_of(res: Mapping[str, Any], patients: Mapping[str, str]) -> str:
    ref = str((res.get("subject") or {}).get("reference") or "")
    if ref in patients:
        return patients[ref]
    return ref.split("/", 1)[1] if ref.startswith("Patient/") else ref or "unknown"


def read_fhir_bundle(source: Any) -> pl.DataFrame:
    """The sensor readings of a FHIR CGM Bundle as a canonical CGM frame (glucose in [mg/dL]).

    ``source``: a path, JSON bytes/text, or the parsed Bundle. Readings are the Observations coded
    LOINC 99504-3 (mg/dL) or 105272-9 (mmol/L, × 18 mg/dL per mmol/L,
    :data:`endolab.units.GLUCOSE_MG_DL_PER_MMOL_L`); a ``>`` / ``<`` comparator is a censored High
    / Low [A]. The subject id is the Patient's identifier (endolab's own system first). Times keep
    their written wall clock (the offset is dropped, :mod:`endolab.cgm.frame`).

    >>> b = {"resourceType": "Bundle", "type": "transaction", "entry": [{"resource": {
    ...     "resourceType": "Observation", "status": "final", "subject": {"reference": "Patient/p"},
    ...     "code": {"coding": [{"system": "http://loinc.org", "code": "105272-9"}]},
    ...     "effectiveDateTime": "2024-05-02T10:30:00Z",
    ...     "valueQuantity": {"value": 6.7, "code": "mmol/L"}}}]}
    >>> [(i, round(g, 6)) for i, g in read_fhir_bundle(b).select("id", "gl").rows()]
    [('p', 120.6)]
    """
    from endolab.cgm.frame import check_frame

    bundle = _load(source)
    patients = _subjects(bundle)
    ids: list[str] = []
    times: list[str] = []
    gls: list[float] = []
    cens: list[int] = []
    for url, res in _resources(bundle):
        if res.get("resourceType") != "Observation":
            continue
        key = _key_of(res)
        if key not in ("reading_mg_dl", "reading_mmol_l"):
            continue
        q = res.get("valueQuantity") or {}
        when = res.get("effectiveDateTime")
        value = q.get("value")
        if not isinstance(value, int | float) or not when:
            raise DataFileError(
                f"reading {res.get('id') or url}: needs effectiveDateTime and a numeric "
                "valueQuantity.value"
            )
        factor = GLUCOSE_MG_DL_PER_MMOL_L if key == "reading_mmol_l" else 1.0
        comparator = q.get("comparator")
        c = 1 if comparator in (">", ">=") else -1 if comparator in ("<", "<=") else 0
        gl = HIGH_CENSORED_MG_DL if c == 1 else LOW_CENSORED_MG_DL if c == -1 else value * factor
        ids.append(_subject_of(res, patients))
        times.append(str(when))
        gls.append(float(gl))
        cens.append(c)
    if not ids:
        raise DataFileError(
            "no CGM sensor readings in the Bundle (Observations coded LOINC "
            f"{LOINC['reading_mg_dl']} or {LOINC['reading_mmol_l']})"
        )
    raw = pl.DataFrame(
        {"id": ids, "time": times, "gl": gls, "censored": cens},
        schema={"id": pl.String, "time": pl.String, "gl": pl.Float64, "censored": pl.Int8},
    )
    return check_frame(raw, unit="mg/dL")


def summaries_from_bundle(source: Any) -> pl.DataFrame:
    """The IG summary values of a Bundle, one row per subject and reporting period.

    Columns: ``id``, ``start``, ``end`` (dates as written) and those of the IG that are present,
    named as in :func:`endolab.cgm.compute_metrics`: ``mean`` [mg/dL] (a molar mean × 18),
    ``tbr_54``, ``tbr_54_70``, ``tir_70_180``, ``tar_180_250``, ``tar_250``, ``gmi``, ``cv``,
    ``active_percent`` [%], ``days_worn`` [d].
    """
    bundle = _load(source)
    patients = _subjects(bundle)
    columns = {key: column for key, column, _, _ in SUMMARY_VALUES}
    rows: dict[tuple[str, str, str], dict[str, Any]] = {}
    for _url, res in _resources(bundle):
        if res.get("resourceType") != "Observation":
            continue
        key = _key_of(res)
        if key is None or key.startswith("reading") or key == "summary":
            continue
        period = res.get("effectivePeriod") or {}
        group = (_subject_of(res, patients), str(period.get("start")), str(period.get("end")))
        row = rows.setdefault(group, {"id": group[0], "start": group[1], "end": group[2]})
        if key == "times_in_ranges":
            by_code = {
                c: (comp.get("valueQuantity") or {}).get("value")
                for comp in res.get("component") or []
                for c in _codes(comp.get("code"))
            }
            for band, column in TIR_COMPONENTS:
                if LOINC[band] in by_code:
                    row[column] = by_code[LOINC[band]]
            continue
        value = (res.get("valueQuantity") or {}).get("value")
        if key == "mean_mmol_l":
            row["mean"] = None if value is None else value * GLUCOSE_MG_DL_PER_MMOL_L
        else:
            row[columns.get(key, key)] = value
    return pl.DataFrame(list(rows.values()))


def devices_from_bundle(source: Any) -> pl.DataFrame:
    """The CGM Devices of a Bundle, one row each: ``id`` (the subject of ``Device.patient``, empty
    when the Device names none), ``name`` (the ``user-friendly-name``), ``identifier_system``,
    ``identifier`` (the first identifier), ``serial_number``."""
    bundle = _load(source)
    patients = _subjects(bundle)
    rows = []
    for url, res in _resources(bundle):
        if res.get("resourceType") != "Device":
            continue
        problems = _device_problems(str(res.get("id") or url or "Device"), res)
        if problems:
            raise DataFileError(f"not a CGM Device: {problems[0]}")
        name = next(
            str(n["name"])
            for n in res["deviceName"]
            if isinstance(n, Mapping) and n.get("type") == "user-friendly-name" and n.get("name")
        )
        first = res["identifier"][0] if isinstance(res["identifier"][0], Mapping) else {}
        rows.append(
            {
                "id": _subject_of({"subject": res.get("patient") or {}}, patients)
                if res.get("patient")
                else "",
                "name": name,
                "identifier_system": first.get("system"),
                "identifier": first.get("value"),
                "serial_number": res.get("serialNumber"),
            }
        )
    return pl.DataFrame(
        rows,
        schema={
            "id": pl.String,
            "name": pl.String,
            "identifier_system": pl.String,
            "identifier": pl.String,
            "serial_number": pl.String,
        },
    )


def reports_from_bundle(source: Any) -> pl.DataFrame:
    """The CGM Summary PDF Reports of a Bundle, one row each: ``id`` (subject), ``start``, ``end``
    (the reporting period as written), ``issued``, ``pdf`` (the decoded PDF, binary) and
    ``pdf_bytes`` [bytes]. A report whose PDF is not base64 or not a PDF is refused in one line.
    """
    bundle = _load(source)
    patients = _subjects(bundle)
    rows = []
    for url, res in _resources(bundle):
        if res.get("resourceType") != "DiagnosticReport" or LOINC["summary"] not in _codes(
            res.get("code")
        ):
            continue
        name = str(res.get("id") or url or "DiagnosticReport")
        problems = _report_problems(name, res)
        if problems:
            raise DataFileError(f"not a CGM Summary PDF Report: {problems[0]}")
        form = next(
            f
            for f in res["presentedForm"]
            if isinstance(f, Mapping) and f.get("contentType") == "application/pdf"
        )
        try:
            pdf = base64.b64decode(str(form["data"]), validate=True)
        except (binascii.Error, ValueError):
            raise DataFileError(f"{name}: the PDF data is not base64") from None
        if not pdf.startswith(b"%PDF"):
            raise DataFileError(f"{name}: the presentedForm data is not a PDF")
        period = res["effectivePeriod"]
        rows.append(
            {
                "id": _subject_of(res, patients),
                "start": str(period["start"]),
                "end": str(period["end"]),
                "issued": res.get("issued"),
                "pdf": pdf,
                "pdf_bytes": len(pdf),
            }
        )
    return pl.DataFrame(
        rows,
        schema={
            "id": pl.String,
            "start": pl.String,
            "end": pl.String,
            "issued": pl.String,
            "pdf": pl.Binary,
            "pdf_bytes": pl.Int64,
        },
    )


def readings_table(frame: Any) -> pl.DataFrame:
    """A canonical frame as the readings table ``cgm fhir import`` writes: ``id``, ``time``
    (ISO 8601 wall clock), ``gl`` [mg/dL] as text, a censored reading written ``High`` / ``Low``
    (the generic reader reads them back as censored readings, :mod:`endolab.cgm.frame`).

    >>> import datetime as dt
    >>> f = pl.DataFrame({"id": ["a", "a"], "time": [dt.datetime(2024, 1, 1, 0, 0),
    ...     dt.datetime(2024, 1, 1, 0, 5)], "gl": [401.0, 99.5], "censored": [1, 0]})
    >>> readings_table(f).rows()
    [('a', '2024-01-01T00:00:00', 'High'), ('a', '2024-01-01T00:05:00', '99.5')]
    """
    data = ensure_canonical(frame)
    return data.select(
        "id",
        pl.col("time").dt.strftime("%Y-%m-%dT%H:%M:%S").alias("time"),
        pl.when(pl.col("censored") == 1)
        .then(pl.lit("High"))
        .when(pl.col("censored") == -1)
        .then(pl.lit("Low"))
        .otherwise(pl.col("gl").cast(pl.String))
        .alias("gl"),
    )
