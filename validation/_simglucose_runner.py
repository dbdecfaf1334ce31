"""Run simglucose's T1DPatient on prescribed per-minute inputs (run inside validation/_env).

Input JSON: {"patients": {name: {"cho": [g announced at each minute], "insulin": [U/min]}}}.
Output JSON: {"version": simglucose version, "patients": {name: {"bg": [...], "ig": [...]}}}, where bg
is plasma glucose Gp/Vg and ig the subcutaneous glucose Gs/Vg [mg/dL] at the start of each minute.
Not part of endolab: an external check (simglucose is never a runtime dependency).
"""

import json
import sys
from importlib.metadata import version

from simglucose.patient.t1dpatient import Action, T1DPatient


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as fh:
        spec = json.load(fh)
    out = {"version": version("simglucose"), "patients": {}}
    for name, inputs in spec["patients"].items():
        patient = T1DPatient.withName(name)
        vg = patient._params.Vg
        bg, ig = [], []
        for cho, insulin in zip(inputs["cho"], inputs["insulin"], strict=True):
            bg.append(float(patient.state[3] / vg))
            ig.append(float(patient.state[12] / vg))
            patient.step(Action(CHO=cho, insulin=insulin))
        out["patients"][name] = {"bg": bg, "ig": ig}
    with open(sys.argv[2], "w", encoding="utf-8") as fh:
        json.dump(out, fh)


if __name__ == "__main__":
    main()
