"""Testosterone ester pharmacokinetics (issue 23): the model beside published values.

    .venv/bin/python validation/pk_published.py

Writes ``validation/pk_published.md``: each published value (with its source) beside the model's
value for the same regimen, 70 kg, endogenous T 0 ng/dL unless stated. None of these numbers set a
constant of the model (those come from the Testoviron Depot label and Behre 1999, see
docs/hormones.md). The pass/fail criteria are those of tests/hormones/test_pk.py.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from endolab._io import atomic_write_text
from endolab.hormones.pk import Regimen, simulate, steady_state

OUT = Path(__file__).with_name("pk_published.md")


def rows() -> list[tuple[str, str, str, str]]:
    out: list[tuple[str, str, str, str]] = []
    bhasin = {25: 253, 50: 306, 125: 542, 300: 1345, 600: 2370}
    for dose, nadir in bhasin.items():
        r = steady_state(Regimen.build("enanthate", dose, 7))
        out.append(
            (
                f"enanthate {dose} mg weekly IM, mean nadir (young men, GnRH agonist)",
                f"{nadir} ng/dL — Bhasin 2001, AJP Endocrinol Metab 281:E1172, DOI "
                "10.1152/ajpendo.2001.281.6.E1172 (abstract)",
                f"trough {r.trough_ng_dl:.0f} ng/dL (band {r.trough_low_ng_dl:.0f}–"
                f"{r.trough_high_ng_dl:.0f})",
                f"{100 * (r.trough_ng_dl / nadir - 1):+.0f} %",
            )
        )
    for dose, change in ((25, -6.8), (50, -1.9), (125, 16.1), (300, 49.5), (600, 101.9)):
        r = steady_state(Regimen.build("enanthate", dose, 7, age_years=67))
        on = 316 + change * 28.84
        out.append(
            (
                f"enanthate {dose} mg weekly IM, older men (model at 67 y)",
                f"{on:.0f} ng/dL = 316 + {change} nmol/L × 28.84 — Bhasin 2005, JCEM 90:678, DOI "
                "10.1210/jc.2004-1184 (abstract); baseline Coviello 2006",
                f"trough {r.trough_ng_dl:.0f} ng/dL (band {r.trough_low_ng_dl:.0f}–"
                f"{r.trough_high_ng_dl:.0f})",
                f"{100 * (r.trough_ng_dl / on - 1):+.0f} %",
            )
        )
    for weight, mean, sd in ((70, 568, 139), (110, 426, 104)):
        r = steady_state(Regimen.build("undecanoate", 750, 70, body_weight_kg=weight))
        group = "65–100 kg" if weight == 70 else "≥ 100 kg"
        out.append(
            (
                f"undecanoate 750 mg every 10 weeks (men {group}; model at {weight} kg)",
                f"Cavg {mean} ± {sd} ng/dL — AVEED US prescribing information 12.3",
                f"Cavg {r.mean_ng_dl:.0f} ng/dL (band {r.mean_low_ng_dl:.0f}–"
                f"{r.mean_high_ng_dl:.0f})",
                f"{(r.mean_ng_dl - mean) / sd:+.1f} SD",
            )
        )
    for dose, mean in ((50, 422.4), (100, 895.5)):
        r = steady_state(Regimen.build("enanthate", dose, 7))
        out.append(
            (
                f"enanthate {dose} mg weekly SC (IM constants [A])",
                f"mean {mean} ng/dL at week 6 — Kaminetsky 2015, Sex Med 3:269, DOI 10.1002/sm2.80",
                f"Cavg {r.mean_ng_dl:.0f} ng/dL (band {r.mean_low_ng_dl:.0f}–"
                f"{r.mean_high_ng_dl:.0f})",
                f"{100 * (r.mean_ng_dl / mean - 1):+.0f} %",
            )
        )
    t = np.linspace(0.0, 14.0, 1345)
    c = simulate(Regimen.build("cypionate", 200, 14), t, n_doses=1)
    out.append(
        (
            "cypionate 200 mg once IM, hypogonadal men",
            "peak on days 2–5 — Nankin 1987, Fertil Steril 47:1004 (abstract)",
            f"peak at {t[int(np.argmax(c))]:.2f} days",
            "inside" if 2 <= t[int(np.argmax(c))] <= 5 else "outside",
        )
    )
    t = np.linspace(0.0, 30.0, 2881)
    c = simulate(Regimen.build("enanthate", 250, 28, endogenous_ng_dl=531), t, n_doses=1)
    out.append(
        (
            "enanthate 250 mg once IM, young men (+ 531 ng/dL baseline [A])",
            "≈ 2000 ng/dL at 1.5–3 days — Testoviron Depot label",
            f"{c.max():.0f} ng/dL at {t[int(np.argmax(c))]:.2f} days",
            f"{100 * (c.max() / 2000 - 1):+.0f} %",
        )
    )
    out.append(
        (
            "enanthate 250 mg once IM: exogenous T at day 20",
            "≥ 2 ng/mL (200 ng/dL) for 20 days — Testoviron Depot label",
            f"{float(np.interp(20.0, t, c)) - 531:.0f} ng/dL",
            "model's tail falls faster",
        )
    )
    return out


def main() -> None:
    lines = [
        "# Testosterone ester PK: model beside published values",
        "",
        "Written by `validation/pk_published.py` (70 kg, endogenous T 0 ng/dL unless stated).",
        "",
        "| regimen | published | model | difference |",
        "|---|---|---|---|",
        *(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows()),
        "",
    ]
    atomic_write_text(OUT, "\n".join(lines))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
