"""Nightscout profile export (``/api/v1/profile.json``): the scheduled basal between temporary
basals, and the rate a temporary basal given as a percent stands for.

Facts (Nightscout's profile API and its profile functions, nightscout/cgm-remote-monitor
``lib/profilefunctions.js``, AGPL — read, not copied):

* the export is a list of profile documents; each has ``startDate`` (ISO 8601, UTC),
  ``defaultProfile`` (a name) and ``store`` (name → profile). A document without
  ``defaultProfile`` is an older single profile whose fields sit at the top level.
* A profile's ``basal`` is a list of ``{"time": "HH:MM", "value": rate [U/h]}``; the rate at an
  instant is the value of the last entry whose time of day is at or before the instant's time of
  day, read in the profile's ``timezone``.
* A ``Temp Basal`` treatment with ``absolute`` (and a duration > 0) runs at that rate; one with
  only ``percent`` runs at the scheduled rate × (100 + ``percent``) / 100 (``percent`` −50 halves
  it, ``0`` leaves it, ``+50`` is 1.5 ×).

* A ``Profile Switch`` treatment (``activeProfileTreatmentToTime``, ``activeProfileToTime``,
  ``getValueByTime``) is in effect from its time while it runs — ``duration`` [min] > 0: until
  its time + duration; 0 or none: for good — if it is not older than the profile document in
  effect; the latest such switch wins (so when a temporary switch ends, an earlier permanent one
  is back). Its ``profile`` names a profile of the document's ``store``; a switch whose
  ``profileJson`` carries the profile (as AndroidAPS uploads it) is used when the store does not
  have the name; a name found nowhere leaves the document's ``defaultProfile``. ``percentage``
  scales the basal (rate × ``percentage`` / 100) only when the switch is marked
  ``CircadianPercentageProfile``; ``timeshift`` [h] does not move the schedule in Nightscout's
  basal (the time of day is read from the unshifted time), so endolab does not shift it either
  and counts such switches in a warning.
* ``Suspend Pump`` and ``Resume Pump`` are treatment event types of Loop's Nightscout uploads
  (LoopKit NightscoutKit ``TreatmentType``); Nightscout's own basal ignores them.

Assumptions [A]: the profile document in effect at a time is the one with the latest
``startDate`` at or before it (Nightscout's own display applies its newest document to every
time; a document change is a change of therapy, so endolab keeps the history); a schedule that
does not start at 00:00 runs its first rate from midnight; a temporary basal ends after its
``duration`` or when the next one starts, whichever is first (a new temporary basal replaces the
running one on a pump; a ``duration`` of 0 cancels); a ``Suspend Pump`` stops all basal (rate 0)
until the next ``Resume Pump`` (without one: to the end of the export); otherwise the basal is
delivered from the first to the last record of the treatments export; the profile's times of
day are the wall clock of the treatments (the same time zone).
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any, Final

from endolab.errors import DataFileError

_HHMM: Final = re.compile(r"^(\d{1,2}):(\d{2})(?::\d{2})?$")


@dataclass(frozen=True)
class BasalSchedule:
    """One profile document's basal schedule: ``starts`` its wall-clock start (None: from the
    beginning), ``entries`` (seconds after midnight, rate [U/h]) sorted by time, ``name`` the
    profile's name, ``timezone`` the profile's IANA time zone ("" if none)."""

    starts: datetime | None
    entries: tuple[tuple[int, float], ...]
    name: str
    timezone: str
    store: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def rate_at(self, when: datetime) -> float:
        """The scheduled rate [U/h] at the wall clock ``when``.

        >>> s = BasalSchedule(None, ((0, 0.8), (6 * 3600, 1.1), (22 * 3600, 0.7)), "Default", "")
        >>> s.rate_at(datetime(2024, 1, 1, 5, 59)), s.rate_at(datetime(2024, 1, 1, 6, 0))
        (0.8, 1.1)
        """
        seconds = when.hour * 3600 + when.minute * 60 + when.second
        rate = self.entries[0][1]
        for at, value in self.entries:
            if at <= seconds:
                rate = value
        return rate

    def boundaries(self, first: datetime, last: datetime) -> list[datetime]:
        """Every wall-clock time in [first, last] at which the schedule changes rate."""
        out = []
        day = first.date()
        while day <= last.date():
            for at, _ in self.entries:
                moment = datetime.combine(day, time()) + timedelta(seconds=at)
                if first <= moment <= last:
                    out.append(moment)
            day += timedelta(days=1)
        return out


def _entries(basal: Any, file: str, name: str) -> tuple[tuple[int, float], ...]:
    if not isinstance(basal, list) or not basal:
        raise DataFileError(f"profile {name!r} has no basal schedule", file=file, column="basal")
    out = []
    for k, entry in enumerate(basal, start=1):
        clock = entry.get("time") if isinstance(entry, dict) else None
        value = entry.get("value") if isinstance(entry, dict) else None
        hit = _HHMM.match(str(clock or "").strip())
        if hit is None or int(hit.group(1)) > 23 or int(hit.group(2)) > 59:
            raise DataFileError(
                f"profile {name!r}: basal entry {k}: time {clock!r} is not HH:MM",
                file=file,
                column="basal",
            )
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                value = None
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not value >= 0:
            raise DataFileError(
                f"profile {name!r}: basal entry {k}: value {entry.get('value')!r} is not a "
                "rate ≥ 0 [U/h]",
                file=file,
                column="basal",
            )
        out.append((int(hit.group(1)) * 3600 + int(hit.group(2)) * 60, float(value)))
    return tuple(sorted(out))


def _start(text: Any, zone: Any) -> datetime | None:
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is not None and zone is not None:
        moment = moment.astimezone(zone)
    return moment.replace(tzinfo=None)


def load_profile(records: list[Any], file: str, zone: Any = None) -> list[BasalSchedule]:
    """The basal schedule of each profile document of a Nightscout profile export (its JSON
    records; ``file`` names it in messages), sorted by start (``zone``: a ``ZoneInfo`` for the
    documents' UTC ``startDate``; default: each profile's own ``timezone``, else UTC)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    out = []
    for i, doc in enumerate(records, start=1):
        if not isinstance(doc, dict):
            raise DataFileError(f"record {i} is not a JSON object", file=file)
        store = doc.get("store")
        if isinstance(store, dict) and doc.get("defaultProfile") is not None:
            name = str(doc["defaultProfile"])
            profile = store.get(name)
            if not isinstance(profile, dict):
                raise DataFileError(
                    f"record {i}: defaultProfile {name!r} is not in its store",
                    file=file,
                    column="defaultProfile",
                )
        elif "basal" in doc:
            name, profile = "Default", doc  # an older single profile
        else:
            raise DataFileError(
                f"record {i} is neither a profile document (defaultProfile, store) nor a profile "
                "(basal): not a Nightscout profile export?",
                file=file,
            )
        timezone = str(profile.get("timezone") or "")
        here = zone
        if here is None and timezone:
            try:
                here = ZoneInfo(timezone)
            except (ZoneInfoNotFoundError, ValueError):
                here = None
        out.append(
            BasalSchedule(
                _start(doc.get("startDate"), here),
                _entries(profile.get("basal"), file, name),
                name,
                timezone,
                dict(store) if isinstance(store, dict) else {},
            )
        )
    if not out:
        raise DataFileError("no profile documents", file=file)
    return sorted(out, key=lambda s: s.starts or datetime.min)


def schedule_at(schedules: list[BasalSchedule], when: datetime) -> BasalSchedule:
    """The profile document in effect at ``when``: the latest start at or before it [A], else
    the first."""
    current = schedules[0]
    for schedule in schedules:
        if schedule.starts is None or schedule.starts <= when:
            current = schedule
    return current


@dataclass(frozen=True)
class ProfileSwitch:
    """A ``Profile Switch`` treatment: ``start`` (wall clock), ``minutes`` [min] (0: for good),
    the ``profile`` name, the profile carried in ``profileJson`` (or None), ``percentage`` [%]
    and whether the switch is ``CircadianPercentageProfile`` (only then does the percentage
    scale the basal, as in Nightscout)."""

    start: datetime
    minutes: float
    profile: str
    carried: dict[str, Any] | None
    percentage: float
    circadian: bool

    def runs_at(self, when: datetime) -> bool:
        return self.start <= when and (
            self.minutes == 0 or when < self.start + timedelta(minutes=self.minutes)
        )

    def schedule(self, document: BasalSchedule, file: str) -> BasalSchedule:
        """The schedule this switch selects within ``document``: the store's profile of that
        name, else the carried profile, else the document's default."""
        profile = document.store.get(self.profile)
        if not isinstance(profile, dict):
            profile = self.carried
        if not isinstance(profile, dict):
            return document
        entries = _entries(profile.get("basal"), file, self.profile)
        return BasalSchedule(document.starts, entries, self.profile, document.timezone)


def parse_carried_profile(text: Any) -> dict[str, Any] | None:
    """The profile a switch carries in ``profileJson`` (a JSON string, or an object), or None."""
    if isinstance(text, dict):
        return text
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def active_switch(
    switches: Sequence[ProfileSwitch], document: BasalSchedule, when: datetime
) -> ProfileSwitch | None:
    """The ``Profile Switch`` in effect at ``when`` (Nightscout's rule, module docstring)."""
    found = None
    for switch in switches:
        if document.starts is not None and switch.start < document.starts:
            continue
        if switch.runs_at(when):
            found = switch
    return found


@dataclass(frozen=True)
class TempBasal:
    """A temporary basal of the treatments: ``start`` (wall clock), ``minutes`` [min], and
    either ``rate`` [U/h] or ``percent`` [%, change from the scheduled rate]."""

    start: datetime
    minutes: float
    rate: float | None
    percent: float | None


def basal_segments(
    schedules: list[BasalSchedule],
    temps: list[TempBasal],
    first: datetime,
    last: datetime,
    switches: Sequence[ProfileSwitch] = (),
    suspensions: Sequence[tuple[datetime, datetime]] = (),
    file: str = "profile",
) -> list[tuple[datetime, float, float]]:
    """The basal delivered from ``first`` to ``last`` (wall clock) as (start, rate [U/h],
    minutes) segments: the scheduled rate of the profile in effect (``switches``), replaced by
    each temporary basal while it runs, and 0 during ``suspensions`` (start, end) (see the module
    docstring for the rules)."""
    switches = sorted(switches, key=lambda w: w.start)
    chosen: dict[tuple[int, int], BasalSchedule] = {}

    def schedule_of(switch: ProfileSwitch, document: BasalSchedule) -> BasalSchedule:
        key = (id(switch), id(document))
        if key not in chosen:
            chosen[key] = switch.schedule(document, file)
        return chosen[key]

    temps = sorted(temps, key=lambda t: t.start)
    runs: list[tuple[datetime, datetime, TempBasal]] = []
    for k, temp in enumerate(temps):
        end = temp.start + timedelta(minutes=temp.minutes)
        if k + 1 < len(temps):
            end = min(end, temps[k + 1].start)
        if end > temp.start:
            runs.append((temp.start, end, temp))
    cuts = {first, last}
    for schedule in schedules:
        cuts.update(schedule.boundaries(first, last))
        if schedule.starts is not None and first < schedule.starts < last:
            cuts.add(schedule.starts)
    for start, end, _ in runs:
        cuts.update(t for t in (start, end) if first <= t <= last)
    for switch in switches:
        end = switch.start + timedelta(minutes=switch.minutes) if switch.minutes else last
        cuts.update(t for t in (switch.start, end) if first <= t <= last)
        for schedule in schedules:
            window = (max(first, switch.start), min(last, end))
            cuts.update(schedule_of(switch, schedule).boundaries(*window))
    for start, end in suspensions:
        cuts.update(t for t in (start, end) if first <= t <= last)
    points = sorted(cuts)
    out: list[tuple[datetime, float, float]] = []
    k = 0
    for a, b in itertools.pairwise(points):
        while k < len(runs) and runs[k][1] <= a:
            k += 1
        document = schedule_at(schedules, a)
        active = active_switch(switches, document, a)
        if active is None:
            scheduled = document.rate_at(a)
        else:
            scheduled = schedule_of(active, document).rate_at(a)
            if active.circadian:
                scheduled = scheduled * active.percentage / 100
        rate = scheduled
        if k < len(runs) and runs[k][0] <= a < runs[k][1]:
            temp = runs[k][2]
            rate = (
                temp.rate
                if temp.rate is not None
                else scheduled * (100 + (temp.percent or 0)) / 100
            )
        if any(start <= a < end for start, end in suspensions):
            rate = 0.0
        minutes = (b - a).total_seconds() / 60
        if out and out[-1][1] == rate and out[-1][0] + timedelta(minutes=out[-1][2]) == a:
            out[-1] = (out[-1][0], rate, out[-1][2] + minutes)  # one segment per constant rate
        else:
            out.append((a, rate, minutes))
    return out
