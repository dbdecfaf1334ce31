"""Robustness of insulin independence to the titration rule's numbers (every [titration] field ±20 %).

    .venv/bin/python validation/titration_robustness.py     # writes validation/titration_robustness.md
    .venv/bin/python validation/titration_robustness.py --seeds 1   # one seed (limit 1 of 12)
    .venv/bin/python validation/titration_robustness.py --seeds 1 --fields reduce_by,tar_max_pct
                                                            # a quick partial run (prints, no file)

Requirement (issue 17): insulin independence days 180–365 in the full-dose cohorts (B+C) changes
by at most 1 in 12, pooled over seeds, when any one numeric field of ``[titration]``
(:data:`endolab.sim.settings.TITRATION_FIELDS`) moves by −20 % or +20 % (whole-number fields are
rounded to the nearest whole number), everything else at its default. Seeds 1 and 2 (24 full-dose
participants): a change of at most 2 of 24. The screening (before the infusion, no titration) is
simulated once per seed and reused. Nothing is tuned to pass: the table is the result.
In-silico results are never clinical evidence.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import numpy as np

from endolab._version import __version__
from endolab.sim import runner
from endolab.sim.runner import SIM_PROTOCOLS, TherapySettings, allocate_cohorts, simulate
from endolab.sim.settings import TITRATION_FIELDS
from endolab.trial import analyze, load_protocol

OUT = Path(__file__).resolve().parent / "titration_robustness.md"
SEEDS = (1, 2)
STEP = 0.20

_screen = runner.screen
_cache: dict[str, Any] = {}


def _cached_screen(rng: np.random.Generator, n: int, **kwargs: Any) -> Any:
    key = f"{rng.bit_generator.state}-{n}"
    if key not in _cache:
        _cache[key] = _screen(rng, n, **kwargs)
    return _cache[key]


def independent(therapy: TherapySettings) -> tuple[int, int]:
    """Insulin independent days 180–365 in B+C, pooled over :data:`SEEDS` (n, N)."""
    design = SIM_PROTOCOLS["zimislecel-2025"]
    protocol = load_protocol("zimislecel-2025")
    n = total = 0
    for seed in SEEDS:
        arms = allocate_cohorts(design, 14, design.full_dose_cells)
        ds = simulate(arms, seed=seed, therapy=therapy).dataset
        group = analyze(ds, protocol).cohorts["B+C"]["insulin_independent_180_365"]
        n += int(group["n"])
        total += int(group["N"])
    return n, total


def _args(argv: list[str]) -> tuple[tuple[int, ...], tuple[str, ...], bool]:
    """``--seeds 1,2`` (written, the seeds named) and ``--fields a,b`` (a partial run: printed,
    nothing written)."""
    seeds, fields, partial = SEEDS, TITRATION_FIELDS, False
    it = iter(argv)
    for arg in it:
        if arg == "--seeds":
            seeds = tuple(int(x) for x in next(it).split(","))
        elif arg == "--fields":
            fields, partial = tuple(next(it).split(",")), True
        else:
            raise SystemExit(f"unknown argument {arg!r}; use --seeds 1,2 and/or --fields a,b")
    unknown = set(fields) - set(TITRATION_FIELDS)
    if unknown:
        raise SystemExit(f"not [titration] fields: {', '.join(sorted(unknown))}")
    return seeds, fields, partial


def main(argv: list[str] | None = None) -> int:
    global SEEDS
    start = time.time()
    SEEDS, fields, partial = _args(sys.argv[1:] if argv is None else argv)
    runner.screen = _cached_screen  # type: ignore[assignment]
    base = TherapySettings()
    n0, total = independent(base)
    limit = total / 12.0
    lines = [
        "# Insulin independence vs the titration rule's numbers (in silico, never evidence)",
        "",
        f"endolab {__version__}, {dt.date.today().isoformat()}, `validation/titration_robustness.py`: "
        f"full-dose cohorts B+C, seeds {', '.join(map(str, SEEDS))} pooled ({total} participants), "
        "default settings but one `[titration]` field at a time.",
        "",
        f"Default: insulin independent days 180–365 in **{n0}/{total}**. Allowed change: at most "
        f"1 in 12 = {limit:g} of {total}.",
        "",
        "| field | default | −20 % | independent | change | +20 % | independent | change |",
        "|---|---|---|---|---|---|---|---|",
    ]
    failures: list[str] = []
    unmoved: list[str] = []
    values = asdict(base)
    for name in fields:
        default = values[name]
        cells = [f"`{name}`", f"{default:g}"]
        for sign in (-1.0, 1.0):
            moved: float | int = default * (1.0 + sign * STEP)
            if isinstance(default, int):
                moved = max(1, round(moved))
            if moved == default:
                unmoved.append(
                    f"`{name}` ({default:g} × {1.0 + sign * STEP:g} rounds to {moved:g})"
                )
            n, _ = independent(replace(base, **{name: moved}))
            change = n - n0
            bad = abs(change) > limit
            if bad:
                failures.append(f"{name} {'−' if sign < 0 else '+'}20 % ({change:+d})")
            cells += [f"{moved:g}", f"{n}/{total}", f"{change:+d}{' **fails**' if bad else ''}"]
        lines.append("| " + " | ".join(cells) + " |")
        print(lines[-1], flush=True)
        if partial:
            continue
        # written after every row, so an interrupted run leaves the rows it finished
        OUT.write_text(
            "\n".join([*lines, "", "(incomplete: run interrupted)", ""]), encoding="utf-8"
        )
    if unmoved:
        lines += ["", "Not moved by the rounding of whole numbers: " + "; ".join(unmoved) + "."]
    lines += [
        "",
        (
            "**Requirement met**: every change is within 1 in 12."
            if not failures
            else "**Requirement NOT met** by: " + "; ".join(failures) + "."
        ),
        "",
        f"Run time {time.time() - start:.0f} s.",
        "",
    ]
    if partial:
        print("\n".join(lines[-4:]))
    else:
        OUT.write_text("\n".join(lines), encoding="utf-8")
        print(OUT.read_text(encoding="utf-8"))
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
