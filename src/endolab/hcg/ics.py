"""iCalendar (RFC 5545) export of a multi-vial plan: dose days, mixing days, discard days.

The file is deterministic: the same plan gives the same bytes. Every event is an all-day event
(``DTSTART;VALUE=DATE``); ``UID`` is derived from the event's content (a SHA-256 digest of kind,
date, vial number and summary) and ``DTSTAMP`` from the plan's start date (midnight UTC), never from
the clock. Lines end in CRLF and are folded at 75 octets (RFC 5545 §3.1); text values are escaped
(RFC 5545 §3.3.11).

>>> from endolab.hcg.mixing import mix
>>> from endolab.hcg.frequency import Frequency
>>> from endolab.hcg.schedule import plan
>>> p = plan(mix("5000", "5", "250"), Frequency.per_week(2), start="2025-01-06", weeks=1, bud_days=30)
>>> text = plan_to_ics(p)
>>> text.count("BEGIN:VEVENT"), "DTSTAMP:20250106T000000Z" in text
(4, True)
"""

from __future__ import annotations

import hashlib
import os
from datetime import date, timedelta
from pathlib import Path

from endolab._io import atomic_write_text
from endolab.hcg._numbers import fmt_iu, fmt_label_iu, fmt_label_ml
from endolab.hcg.schedule import PlanResult
from endolab.output import DISCLAIMER

__all__ = ["PRODID", "escape_text", "fold_line", "plan_to_ics", "write_ics"]

PRODID = "-//endolab//hCG Mixing Protocol Calculator//EN"


def escape_text(text: str) -> str:
    r"""Escape a TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma, newline.

    >>> escape_text("a, b; c\\d\ne")
    'a\\, b\\; c\\\\d\\ne'
    """
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold_line(line: str, limit: int = 75) -> str:
    """Fold a content line at ``limit`` octets without splitting a UTF-8 character (RFC 5545 §3.1).

    >>> fold_line("X" * 80) == "X" * 75 + "\\r\\n " + "X" * 5
    True
    """
    out: list[str] = []
    current = ""
    size = 0
    budget = limit
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > budget:
            out.append(current)
            current, size, budget = "", 0, limit - 1  # continuation lines start with a space
        current += ch
        size += n
    out.append(current)
    return "\r\n ".join(out)


def _event(
    kind: str, day: date, vial: int, summary: str, description: str, stamp: str
) -> list[str]:
    digest = hashlib.sha256(f"{kind}|{day.isoformat()}|{vial}|{summary}".encode()).hexdigest()
    return [
        "BEGIN:VEVENT",
        f"UID:{digest[:32]}@endolab.hcg",
        f"DTSTAMP:{stamp}",
        f"DTSTART;VALUE=DATE:{day.strftime('%Y%m%d')}",
        f"DTEND;VALUE=DATE:{(day + timedelta(days=1)).strftime('%Y%m%d')}",
        f"SUMMARY:{escape_text(summary)}",
        f"DESCRIPTION:{escape_text(description)}",
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
    ]


def plan_to_ics(p: PlanResult) -> str:
    """The plan as iCalendar text (CRLF line ends): one event per dose, mixing and discard day."""
    m = p.mix
    s = m.syringe
    stamp = p.start.strftime("%Y%m%dT000000Z")
    draw = m.draw_line()
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text('hCG plan from ' + p.start.isoformat())}",
    ]
    for v in p.vials:
        label = m.label_line(v.mix_date, v.discard_date)
        lines += _event(
            "mix",
            v.mix_date,
            v.number,
            f"Mix hCG vial {v.number}: {fmt_label_iu(m.vial_iu)} IU + "
            f"{fmt_label_ml(m.diluent_ml)} mL {m.diluent}",
            f"{label}\n"
            + (
                f"Discard on {v.discard_date.isoformat()} (doses on that day are expired).\n"
                if v.discard_date is not None
                else "No discard date was given: this plan limits vials by content only.\n"
            )
            + DISCLAIMER,
            stamp,
        )
        for d in v.dose_dates:
            lines += _event(
                "dose",
                d,
                v.number,
                f"hCG {fmt_iu(m.dose_iu)} IU: {draw[0].lower()}{draw[1:]} (vial {v.number})",
                f"{draw}. Scale: {s.scale_name}.\n{label}\n{DISCLAIMER}",
                stamp,
            )
        if v.discard_date is None:
            continue
        lines += _event(
            "discard",
            v.discard_date,
            v.number,
            f"Discard hCG vial {v.number} (mixed {v.mix_date.isoformat()})",
            f"Beyond-use date: {p.schedule.bud_days} days after mixing.\n{label}\n{DISCLAIMER}",
            stamp,
        )
    lines.append("END:VCALENDAR")
    return "".join(fold_line(line) + "\r\n" for line in lines)


def write_ics(p: PlanResult, path: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
    """Write :func:`plan_to_ics` to ``path`` atomically (UTF-8) and return the path.

    An existing file is replaced only with ``overwrite`` (keeping its permission bits): the output
    rule of :mod:`endolab._io`."""
    return atomic_write_text(path, plan_to_ics(p), overwrite=overwrite, flag="--ics")
