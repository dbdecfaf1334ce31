"""Compare endolab's T1D model with simglucose 0.2.11 on the same patients, meals and insulin.

    .venv/bin/python validation/simglucose_compare.py

1. Creates its own virtual environment ``validation/_env/simglucose`` (``python3 -m venv``;
   gitignored) and pip-installs ``simglucose==0.2.11`` there. simglucose is an external check only:
   endolab and its tests never import it.
2. Builds one day of inputs for each of the 10 adults: meals 45 / 10 / 70 / 80 / 10 g announced at
   07:00 / 09:30 / 12:00 / 18:00 / 21:30 (eaten at 5 g/min by both models), basal insulin
   u2ss·BW/6000 U/min and a meal bolus CHO/CR [U] given within the first minute of each meal.
   No graft (F = 0), no sensor noise, start from the file's initial state.
3. Runs simglucose's ``T1DPatient`` on those per-minute inputs (``_simglucose_runner.py``: scipy
   ``dopri5``, 1-min calls) and endolab's fixed-step RK4 (1-min step) on the same inputs.
4. Asserts plasma glucose Gp/Vg and subcutaneous glucose Gs/Vg agree within 1 mg/dL RMS over the
   24 h for every adult, and writes ``simglucose_inputs.json`` (the inputs), ``expected_simglucose.csv``
   (simglucose's glucose every 5 min; tests/sim/test_simglucose_reference.py replays the inputs and
   compares) and ``simglucose_compare.md`` (the table, with versions).
"""

from __future__ import annotations

import datetime as dt
import json
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ENV = HERE / "_env" / "simglucose"
SIMGLUCOSE = "simglucose==0.2.11"
INPUTS = HERE / "simglucose_inputs.json"
EXPECTED = HERE / "expected_simglucose.csv"
REPORT = HERE / "simglucose_compare.md"
MEALS = {420: 45.0, 570: 10.0, 720: 70.0, 1080: 80.0, 1290: 10.0}
MINUTES = 1440
TOLERANCE_RMS = 1.0  # [mg/dL]


def ensure_env() -> Path:
    python = ENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(ENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", SIMGLUCOSE], check=True)
    return python


def build_inputs() -> dict[str, dict[str, list[float]]]:
    from endolab.sim.patients import load_patient, patient_names

    out = {}
    for name in patient_names("adult"):
        pt = load_patient(name)
        cho = np.zeros(MINUTES)
        insulin = np.full(MINUTES, pt.basal_u_per_min)
        for minute, grams in MEALS.items():
            cho[minute] = grams
            insulin[minute] += grams / pt.cr
        out[name] = {"cho": cho.tolist(), "insulin": insulin.tolist()}
    return out


def run_endolab(inputs: dict[str, dict[str, list[float]]]) -> dict[str, dict[str, np.ndarray]]:
    from endolab.sim.replay import replay

    out = {}
    for name, spec in inputs.items():
        trace = replay(name, np.array(spec["cho"]), np.array(spec["insulin"]))
        out[name] = {"bg": trace["bg"], "ig": trace["ig"]}
    return out


def main() -> int:
    python = ensure_env()
    inputs = build_inputs()
    compact = {
        name: {
            "basal_u_per_min": spec["insulin"][0],
            "boluses_u": {str(m): spec["insulin"][m] - spec["insulin"][0] for m in MEALS},
        }
        for name, spec in inputs.items()
    }
    INPUTS.write_text(
        json.dumps(
            {"meals_g": {str(k): v for k, v in MEALS.items()}, "patients": compact}, indent=1
        )
        + "\n",
        encoding="utf-8",
    )
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "in.json"
        result = Path(tmp) / "out.json"
        spec.write_text(json.dumps({"patients": inputs}), encoding="utf-8")
        subprocess.run(
            [str(python), str(HERE / "_simglucose_runner.py"), str(spec), str(result)], check=True
        )
        ref = json.loads(result.read_text(encoding="utf-8"))
    ours = run_endolab(inputs)
    rows = []
    csv_lines = ["patient,minute,bg_mg_dl,ig_mg_dl"]
    ok = True
    for name in inputs:
        bg_ref = np.array(ref["patients"][name]["bg"])
        ig_ref = np.array(ref["patients"][name]["ig"])
        rms_bg = float(np.sqrt(np.mean((ours[name]["bg"] - bg_ref) ** 2)))
        rms_ig = float(np.sqrt(np.mean((ours[name]["ig"] - ig_ref) ** 2)))
        max_bg = float(np.abs(ours[name]["bg"] - bg_ref).max())
        ok &= rms_bg < TOLERANCE_RMS and rms_ig < TOLERANCE_RMS
        rows.append((name, rms_bg, rms_ig, max_bg, float(bg_ref.min()), float(bg_ref.max())))
        for minute in range(0, MINUTES, 5):
            csv_lines.append(f"{name},{minute},{float(bg_ref[minute])!r},{float(ig_ref[minute])!r}")
    EXPECTED.write_text("\n".join(csv_lines) + "\n", encoding="utf-8")
    import numba

    lines = [
        "# endolab T1D model vs simglucose",
        "",
        f"Run {dt.date.today().isoformat()} by `validation/simglucose_compare.py`: simglucose "
        f"{ref['version']} (scipy dopri5, 1-min calls) in `validation/_env/simglucose`; endolab "
        f"RK4 with a 1-min step (numba {numba.__version__}); Python {platform.python_version()}, "
        f"numpy {np.__version__}.",
        "",
        "Same inputs for both: one day, meals 45/10/70/80/10 g at 07:00/09:30/12:00/18:00/21:30 "
        "eaten at 5 g/min, basal u2ss·BW/6000 U/min, bolus CHO/CR in the meal's first minute; "
        "no graft, no sensor noise. RMS over the 1,440 minutes.",
        "",
        "| patient | plasma glucose RMS [mg/dL] | s.c. glucose RMS [mg/dL] | max abs plasma diff [mg/dL] | simglucose plasma range [mg/dL] |",
        "|---|---|---|---|---|",
    ]
    for name, rms_bg, rms_ig, max_bg, lo, hi in rows:
        lines.append(f"| {name} | {rms_bg:.4f} | {rms_ig:.4f} | {max_bg:.4f} | {lo:.1f}–{hi:.1f} |")
    lines += [
        "",
        f"Tolerance {TOLERANCE_RMS} mg/dL RMS: {'PASS' if ok else 'FAIL'} for every adult.",
        "",
    ]
    REPORT.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
