"""Where the treated arm's severe hypoglycaemia comes from (diagnosis, issue 17; nothing tuned).

    .venv/bin/python validation/treated_she_diagnosis.py   # writes treated_she_diagnosis.md

The default trial (``zimislecel-2025``, 14 participants, 365 days, default settings) is simulated
on seeds 1 and 2, treated arm, exactly as ``validation/trial_arms.py`` does (the library's
``endolab.sim.runner.simulate`` with the arms of ``simulate_trial``). The minute-by-minute model
(``run_minutes``) is not re-implemented: the runner's call to it is wrapped, the wrapper runs the
library's compiled loop unchanged and keeps a copy of its per-minute outputs (plasma glucose,
exogenous insulin, graft secretion, glucagon, severe-event flag) and inputs (meals, boluses, the
therapy row with the titration scale, the graft fraction F) of the day before and of the day of
each severe event. For every severe hypoglycaemic event (SHE) of the full-dose cohorts B+C in days
90–365 it lists the day, clock time, asleep or awake, plasma glucose nadir and minutes below 50
mg/dL, the exogenous insulin of that day (basal and bolus [U]), hours since the last bolus and
meal, graft F, the awareness restoration fraction w = min(F/R, 1) (docs/methods/sim.md §8),
plasma glucagon, the titration scale and whether a titration step stopped/restarted/changed the
dose in the 28 days before. It then summarises what carries the events.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

import endolab.sim.runner as runner
from endolab._version import __version__
from endolab.sim.model import (
    P_BW,
    P_FGRAFT,
    T_BASAL,
    T_DETECT_PROB,
    T_DETECT_PROB_ASLEEP,
    T_SCALE,
    T_SHE_PROB,
    T_SLEEP_END,
    T_SLEEP_START,
)
from endolab.sim.population import BehaviourSettings

OUT = Path(__file__).resolve().parent / "treated_she_diagnosis.md"
SEEDS = (1, 2)
FULL_DOSE = ("B", "C")
WINDOW = (90, 365)
VARIANTS_R = (
    0.0,
    0.5,
    0.25,
)  # counterfactual awareness_restored_at_graft_fraction [1]  # the primary endpoint's SHE-free window [day]

_original = vars(runner)["run_minutes"]  # the compiled kernel the runner calls
_days: list[dict[str, Any]] = []


def _recording_run_minutes(*args: Any) -> None:
    """The library's ``run_minutes``, run unchanged; keeps a copy of one day's inputs/outputs."""
    _original(*args)
    _x, p, meal, bolus, _ins, therapy, _carry, _u, _sub, *outs = args
    bg, _ig, units, sec, _cpep, _cho, rescue, she, glucagon = outs
    _days.append(
        {
            "bg": bg.copy(),
            "units": units.copy(),
            "sec": sec.copy(),
            "glucagon": glucagon.copy(),
            "she": she.copy(),
            "rescue": rescue.copy(),
            "meal": meal.copy(),
            "bolus": bolus.copy(),
            "basal": therapy[:, T_BASAL].copy(),
            "scale": therapy[:, T_SCALE].copy(),
            "sleep": (therapy[:, T_SLEEP_START].copy(), therapy[:, T_SLEEP_END].copy()),
            "f": p[:, P_FGRAFT].copy(),
            "p_awake": therapy[:, T_DETECT_PROB].copy(),
            "p_asleep": therapy[:, T_DETECT_PROB_ASLEEP].copy(),
            "q": therapy[:, T_SHE_PROB].copy(),
            "bw": p[:, P_BW].copy(),
        }
    )


def _asleep(tod: int, start: float, end: float) -> bool:
    if start == end:
        return False
    return (start <= tod < end) if start < end else (tod >= start or tod < end)


def events_of_seed(
    seed: int, behaviour_settings: BehaviourSettings | None = None
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Every SHE of the full-dose participants in days 90–365 of one seed, with its context."""
    _days.clear()
    settings = behaviour_settings or BehaviourSettings()
    design = runner.get_design("zimislecel-2025")
    arms = runner.allocate_cohorts(design, 14, design.full_dose_cells)
    res = runner.simulate(arms, seed=seed, days=365, arm="treated", behaviour=settings)
    run_in = design.run_in_days
    behaviour = res.screening.behaviour if res.screening is not None else None
    r = settings.awareness_restored_at_graft_fraction
    full = [i for i, (c, _) in enumerate(arms) if c in FULL_DOSE]
    scale_daily = res.dose_scale  # (n, days) titration scale [1]
    rows: list[dict[str, Any]] = []
    for k in range(len(_days)):
        day = k - run_in
        if not WINDOW[0] <= day <= WINDOW[1]:
            continue
        d, prev = _days[k], _days[k - 1]
        for i in full:
            for j in np.flatnonzero(d["she"][i] > 0).tolist():
                bg = np.concatenate([prev["bg"][i], d["bg"][i]])
                ev = 1440 + j
                b50 = ev  # start of the run below 50 mg/dL that ends in the event
                while b50 > 0 and bg[b50 - 1] < 50.0:
                    b50 -= 1
                lo = b50  # episode: plasma glucose < 70 mg/dL around the event
                while lo > 0 and bg[lo - 1] < 70.0:
                    lo -= 1
                hi = ev
                while hi < bg.size - 1 and bg[hi + 1] < 70.0:
                    hi += 1
                bolus = np.concatenate([prev["bolus"][i] * (prev["scale"][i] > 0),
                                        d["bolus"][i] * (d["scale"][i] > 0)])  # fmt: skip
                meal = np.concatenate([prev["meal"][i], d["meal"][i]])
                last_bolus = np.flatnonzero(bolus[:b50] > 0)
                last_meal = np.flatnonzero(meal[:b50] > 0)
                units = np.concatenate([prev["units"][i], d["units"][i]])
                sec = np.concatenate([prev["sec"][i], d["sec"][i]])  # [pmol/kg/min]
                w4 = slice(max(b50 - 240, 0), b50)  # the 4 h before glucose fell below 50
                exo_4h = units[w4].sum() * 6000.0 / d["bw"][i]  # [pmol/kg]
                graft_4h = sec[w4].sum()  # [pmol/kg]
                f = float(d["f"][i])
                impaired = bool(behaviour.impaired[i]) if behaviour is not None else False
                basal_u = float(d["basal"][i] * d["scale"][i] * 1440.0)
                asleep = _asleep(b50 % 1440, *(s[i] for s in d["sleep"]))
                past = scale_daily[i, max(k - 28, 0) : k + 1]
                rows.append(
                    {
                        "seed": seed,
                        "pid": f"SIM-{i + 1:03d}",
                        "cohort": arms[i][0],
                        "day": day,
                        "clock": f"{(b50 % 1440) // 60:02d}:{b50 % 60:02d}",
                        "event_clock": f"{j // 60:02d}:{j % 60:02d}",
                        "asleep": asleep,
                        "nadir": float(bg[lo : hi + 1].min()),
                        "min_below50": int((bg[lo : hi + 1] < 50.0).sum()),
                        "basal_u": basal_u,
                        "bolus_u": float(d["units"][i].sum()) - basal_u,
                        "h_bolus": (b50 - last_bolus[-1]) / 60.0 if last_bolus.size else None,
                        "h_meal": (b50 - last_meal[-1]) / 60.0 if last_meal.size else None,
                        "f": f,
                        "w": min(f / r, 1.0) if r > 0 else 0.0,
                        "p_look": float(d["p_asleep"][i] if asleep else d["p_awake"][i]),
                        "q": float(d["q"][i]),
                        "impaired": impaired,
                        "glucagon": float(
                            np.concatenate([prev["glucagon"][i], d["glucagon"][i]])[
                                b50 : ev + 1
                            ].max()
                        ),
                        "scale": float(d["scale"][i]),
                        "titration": _titration_note(past),
                        "exo_share_4h": exo_4h / (exo_4h + graft_4h) if exo_4h + graft_4h else 0.0,
                    }
                )
    n_full = len(full)
    ys = WINDOW[1] - WINDOW[0] + 1
    info = {
        "n": n_full,
        "she_free": n_full - len({r_["pid"] for r_ in rows}),
        "impaired": sum(bool(behaviour.impaired[i]) for i in full) if behaviour else 0,
        "person_years": n_full * ys / 365.0,
        "baseline_she": [float(res.dataset.participants["baseline_she_per_year"][i]) for i in full],
        "scale_end": [float(scale_daily[i, -1]) for i in full],
        "f_day90": [float(res.graft_fraction[i, run_in + 90]) for i in full],
        "pids": {
            f"SIM-{i + 1:03d}": bool(behaviour.impaired[i]) if behaviour else False for i in full
        },
    }
    return rows, info


def _titration_note(past: np.ndarray) -> str:
    """What titration did in the 28 days before (and on) the event day."""
    notes = []
    if (past[:-1] == 0).any() and past[-1] > 0:
        notes.append("restarted")
    if (past[:-1] > 0).any() and past[-1] == 0:
        notes.append("stopped")
    if not notes and np.unique(past).size > 1:
        notes.append(f"{past[0]:.2f}→{past[-1]:.2f}")
    return ", ".join(notes) or "unchanged"


def reading(
    rows: list[dict[str, Any]],
    variants: list[tuple[float, list[dict[str, Any]], dict[int, dict[str, Any]]]],
) -> list[str]:
    """What carries the events, and what published recipients do that the model does not."""
    if not rows:
        return ["## Reading", "", "No severe event in days 90–365: nothing to diagnose."]
    n = len(rows)
    asleep = sum(e["asleep"] for e in rows)
    on = sum(e["scale"] > 0 for e in rows)
    high = sum(e["scale"] >= 0.6 for e in rows)
    f_med = float(np.median([e["f"] for e in rows]))
    p_med = float(np.median([e["p_look"] for e in rows if e["asleep"]] or [0.0]))
    by_r = {r_: len(v) for r_, v, _ in variants}
    bol4 = sum(e["h_bolus"] is not None and e["h_bolus"] <= 4 for e in rows)
    exo_med = float(np.median([e["exo_share_4h"] for e in rows]))
    return [
        "## Reading (the mechanism; nothing here changes a default)",
        "",
        f"1. **Nocturnal, unnoticed lows carry the events**: {asleep} of {n} began in the sleep "
        f"window, where the chance of waking per 30-min look was a median {p_med:.3f} "
        "(Schultes 2007's 0.0625 for T1D, moved towards the controls' 0.625 by w = min(F/R, 1), "
        "docs/methods/sim.md §8 item 4). Every event was in a participant with impaired awareness "
        "(the trial's eligibility), with the impaired third-party probability moved only a "
        "little towards the aware one (q column).",
        f"2. **The graft is small where the events happen**: median F {f_med:.2f} on the event "
        "day, so with R = 1.0 the awareness restoration w is only about F — an impaired person with "
        "a graft of F 0.2 keeps about 80 % of the impaired behaviour, asleep and awake.",
        f"3. **Exogenous insulin is still there**: {on} of {n} events on insulin, {high} of them at "
        "≥ 0.6 of the pre-infusion dose; in the 4 h before glucose fell below 50 mg/dL exogenous "
        f"insulin (mostly basal: a bolus in those 4 h before {bol4} of {n} events) was a median "
        f"{exo_med:.0%} of all insulin delivered, the graft's secretion the rest. The titration rule "
        "(docs/methods/sim.md §9) lowers the dose only for time < 54 mg/dL more than 3 points above "
        "the run-in's and never reacts to a severe event itself, so participants who had several "
        "events kept most of their dose. The one event off insulin (graft alone) is the graft-alone "
        "question of docs/methods/sim.md §11.5, not this one.",
        "4. **Counterfactual R** (table above): restoring awareness at a smaller graft fraction "
        + ", ".join(f"R = {r_}: {k} events" for r_, k in by_r.items())
        + f" against {n} at R = 1.0: the restoration assumption [A] decides most of the count. "
        "Per-seed SHE-free counts are noisy (the detection draws are used in turn, so any change "
        "moves every later draw: R = 0 gives more events in total but not fewer SHE-free "
        "participants on every seed). R is **not** changed here: choosing it from this table "
        "would tune it to the endpoint. A sourced alternative is item 5.",
        "5. **What published recipients do that the model does not.** Leitão et al. (Diabetes "
        "Care 2008;31:2113, PMID 18697903; 31 islet recipients, Clarke score) found awareness "
        "restored in recipients *still on insulin with partial graft function* (stimulated "
        "C-peptide ≥ 0.3 ng/mL: 5.31 → 1.15) about as much as in those off insulin (5.63 → no "
        "hypoglycaemia reported), and still improved after graft failure (5.00 → 2.70): "
        "restoration follows the avoidance of hypoglycaemia that a graft brings (Rickels, Ann N Y "
        "Acad Sci 2019;1454:68, doi:10.1111/nyas.14214), not the graft's mass in proportion. "
        "Rickels et al. (Diabetes 2015;64:1713 [U: DOI not verified here]; 12 recipients, 6 "
        "months) found glucagon secretion recovered, the adrenaline response improved and the EGP "
        "response to hypoglycaemia normalised; the model has no adrenaline response at all "
        "(docs/methods/sim.md §8 item 3) and restores waking asleep only in proportion to F. "
        "Against: symptom recognition was not restored at a clamp in 7 insulin-independent "
        "recipients (Paty 2002, doi:10.2337/diabetes.51.12.3428), and no source here gives "
        "nocturnal waking after a graft (Schultes 2007 studied people without one). The change "
        "these sources support, not made here: restoration tied to Leitão's group boundary "
        "(stimulated C-peptide ≥ 0.3 ng/mL, i.e. partial graft function, whatever the insulin "
        "dose) and to months of hypoglycaemia avoidance, instead of to F in proportion with "
        "R = 1.0; its size for nocturnal waking would still be [A].",
        "6. **Protocol insulin reduction at infusion**: no source available here gives the "
        "zimislecel or CIT-07 protocol's insulin dose at or after infusion [U]; the model starts "
        "the graft at the full pre-infusion dose and weans weekly from day 7 (§9).",
    ]


def _h(v: float | None) -> str:
    return "—" if v is None else f"{v:.1f}"


def main() -> int:
    start = time.time()
    vars(runner)["run_minutes"] = _recording_run_minutes
    rows: list[dict[str, Any]] = []
    infos: dict[int, dict[str, Any]] = {}
    for seed in SEEDS:
        ev, infos[seed] = events_of_seed(seed)
        rows += ev
    # counterfactual (diagnosis only, not a proposed default): the graft fraction R at which
    # awareness and waking are fully restored; screening has no graft, so the same people enrol
    variants: list[tuple[float, list[dict[str, Any]], dict[int, dict[str, Any]]]] = []
    for r_ in VARIANTS_R:
        v_rows: list[dict[str, Any]] = []
        v_info: dict[int, dict[str, Any]] = {}
        for seed in SEEDS:
            ev, v_info[seed] = events_of_seed(
                seed, BehaviourSettings(awareness_restored_at_graft_fraction=r_)
            )
            v_rows += ev
        variants.append((r_, v_rows, v_info))
    vars(runner)["run_minutes"] = _original
    lines = [
        "# Where the treated arm's severe hypoglycaemia comes from (in silico, never evidence)",
        "",
        f"endolab {__version__}, {dt.date.today().isoformat()}, "
        "`validation/treated_she_diagnosis.py`: default settings, `zimislecel-2025`, 14 "
        f"participants, 365 days, treated arm, seeds {', '.join(map(str, SEEDS))}; full-dose "
        "cohorts B+C (12 per seed), severe events in days 90–365. Clock = when plasma glucose "
        "fell below 50 mg/dL (the event is recorded 30 unnoticed minutes later); nadir and "
        "minutes < 50 over the episode (plasma glucose < 70 mg/dL, day before and event day); "
        "insulin of the event day; w = awareness restoration fraction min(F/R, 1) "
        "(docs/methods/sim.md §8 item 4); p look = the detection probability per 30-min look at "
        "the clock time (asleep or awake, after restoration); q = the third-party probability "
        "that day; glucagon = highest plasma glucagon "
        "between < 50 mg/dL and the event; exo share = exogenous / (exogenous + graft) insulin "
        "delivered in the 4 h before glucose fell below 50 mg/dL; titration = the dose scale's "
        "history in the 28 days up to the event.",
        "",
        "| seed | participant | cohort | IAH | day | clock | asleep | nadir [mg/dL] | "
        "min < 50 | basal [U] | bolus [U] | since bolus [h] | since meal [h] | F | w | "
        "p look | q | glucagon [pg/mL] | scale | titration | exo share 4 h |",
        "|" + "---|" * 21,
    ]
    for e in rows:
        lines.append(
            f"| {e['seed']} | {e['pid']} | {e['cohort']} | {'yes' if e['impaired'] else 'no'} | "
            f"{e['day']} | {e['clock']} | {'yes' if e['asleep'] else 'no'} | {e['nadir']:.0f} | "
            f"{e['min_below50']} | {e['basal_u']:.1f} | {e['bolus_u']:.1f} | {_h(e['h_bolus'])} | "
            f"{_h(e['h_meal'])} | {e['f']:.2f} | {e['w']:.2f} | {e['p_look']:.3f} | {e['q']:.3f} | "
            f"{e['glucagon']:.0f} | {e['scale']:.2f} | {e['titration']} | {e['exo_share_4h']:.2f} |"
        )
    lines += ["", "## Summary", ""]
    n_ev = len(rows)
    if n_ev:
        asleep = sum(e["asleep"] for e in rows)
        on_insulin = sum(e["scale"] > 0 for e in rows)
        imp = sum(e["impaired"] for e in rows)
        bol4 = sum(e["h_bolus"] is not None and e["h_bolus"] <= 4 for e in rows)
        exo = np.array([e["exo_share_4h"] for e in rows])
        basal = np.array([e["basal_u"] for e in rows])
        f = np.array([e["f"] for e in rows])
        nad = np.array([e["nadir"] for e in rows])
        per = {e["pid"] + f"/{e['seed']}" for e in rows}
        py = sum(i["person_years"] for i in infos.values())
        lines += [
            f"- {n_ev} severe events in {len(per)} of "
            f"{sum(i['n'] for i in infos.values())} participants "
            f"({n_ev / py:.2f} per person-year over {py:.1f} person-years of days 90–365); "
            "SHE-free: "
            + ", ".join(f"seed {s}: {i['she_free']}/{i['n']}" for s, i in infos.items())
            + ".",
            f"- Asleep (sleep window 23:00–07:00 [A]): {asleep} of {n_ev}; awake {n_ev - asleep}.",
            f"- Participants with impaired awareness at screening: {imp} of {n_ev} events "
            "(full-dose participants with IAH: "
            + ", ".join(f"seed {s}: {i['impaired']}/{i['n']}" for s, i in infos.items())
            + ").",
            f"- Still on exogenous insulin that day (scale > 0): {on_insulin} of {n_ev}; basal that "
            f"day median {np.median(basal):.1f} U (range {basal.min():.1f}–{basal.max():.1f}).",
            f"- A bolus in the 4 h before glucose fell below 50 mg/dL: {bol4} of {n_ev}.",
            f"- Exogenous share of the insulin delivered in those 4 h: median {np.median(exo):.2f} "
            f"(range {exo.min():.2f}–{exo.max():.2f}).",
            f"- Graft F on the event day: median {np.median(f):.2f} (range {f.min():.2f}–"
            f"{f.max():.2f}); plasma glucose nadir median {np.median(nad):.0f} mg/dL.",
        ]
    for s, i in infos.items():
        lines.append(
            f"- Seed {s}: titration scale at day 365 per full-dose participant: "
            + ", ".join(f"{v:.2f}" for v in i["scale_end"])
            + "; F at day 90: "
            + ", ".join(f"{v:.2f}" for v in i["f_day90"])
            + "."
        )
    lines += [
        "",
        "## Counterfactual: awareness restoration R (diagnosis only; default R = "
        f"{BehaviourSettings().awareness_restored_at_graft_fraction})",
        "",
        "Same seeds and people (screening has no graft, so R does not change who enrols); only "
        "`[behaviour] awareness_restored_at_graft_fraction` differs. R = 0: no restoration.",
        "",
        "| R | SHE days 90–365 (events) | asleep | SHE-free, seeds "
        + ", ".join(map(str, SEEDS))
        + " |",
        "|---|---|---|---|",
        f"| {BehaviourSettings().awareness_restored_at_graft_fraction} (default) | {n_ev} | "
        f"{sum(e['asleep'] for e in rows)} | "
        + ", ".join(f"{i['she_free']}/{i['n']}" for i in infos.values())
        + " |",
    ]
    for r_, v_rows, v_info in variants:
        lines.append(
            f"| {r_} | {len(v_rows)} | {sum(e['asleep'] for e in v_rows)} | "
            + ", ".join(f"{i['she_free']}/{i['n']}" for i in v_info.values())
            + " |"
        )
    lines += ["", *reading(rows, variants), "", f"Run time {time.time() - start:.0f} s.", ""]
    OUT.write_text("\n".join(lines), encoding="utf-8")
    print(OUT.read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
