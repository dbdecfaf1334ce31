"""iCalendar export: structure per RFC 5545 and determinism."""

from __future__ import annotations

from pathlib import Path

from endolab.hcg import Frequency, mix, plan, plan_to_ics, write_ics


def t27_plan():  # type: ignore[no-untyped-def]
    return plan(
        mix("5000", "5", "250"),
        Frequency.per_week(2),
        start="2025-01-06",
        weeks=12,
        bud_days=30,
        price_per_vial="60",
    )


def unfold(text: str) -> list[str]:
    lines: list[str] = []
    for raw in text.split("\r\n"):
        if raw.startswith(" "):
            lines[-1] += raw[1:]
        elif raw:
            lines.append(raw)
    return lines


def events(text: str) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    for line in unfold(text):
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            assert current is not None
            out.append(current)
            current = None
        elif current is not None:
            key, _, value = line.partition(":")
            current[key] = value
    return out


def test_ics_events_for_t27() -> None:
    text = plan_to_ics(t27_plan())
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    ev = events(text)
    # 3 mixing days + 24 doses + 3 discard days
    assert len(ev) == 30
    mixes = [e for e in ev if e["SUMMARY"].startswith("Mix hCG")]
    discards = [e for e in ev if e["SUMMARY"].startswith("Discard hCG")]
    doses = [e for e in ev if e["SUMMARY"].startswith("hCG 250.0 IU")]
    assert [e["DTSTART;VALUE=DATE"] for e in mixes] == ["20250106", "20250206", "20250310"]
    assert [e["DTSTART;VALUE=DATE"] for e in discards] == ["20250205", "20250308", "20250409"]
    assert len(doses) == 24
    assert (
        doses[0]["DTSTART;VALUE=DATE"] == "20250106" and doses[0]["DTEND;VALUE=DATE"] == "20250107"
    )
    assert len({e["UID"] for e in ev}) == 30
    assert {e["DTSTAMP"] for e in ev} == {"20250106T000000Z"}


def test_ics_lines_folded_and_deterministic(tmp_path: Path) -> None:
    text = plan_to_ics(t27_plan())
    assert text == plan_to_ics(t27_plan())
    for line in text.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75
    assert "\n" not in text.replace("\r\n", "")
    out = write_ics(t27_plan(), tmp_path / "plan.ics")
    assert out.read_bytes() == text.encode("utf-8")
