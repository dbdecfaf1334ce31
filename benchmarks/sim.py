"""Benchmark: simulated patient-days per second, endolab.sim vs simglucose 0.2.11, in one run.

Usage::

    nice .venv/bin/python validation/simglucose_compare.py   # once: creates validation/_env/simglucose
    nice .venv/bin/python benchmarks/sim.py                   # 100 participants × 365 days
    nice .venv/bin/python benchmarks/sim.py --participants 14 --days 365 --simglucose-days 1

Times, in one run on the same machine:

1. simglucose (its own venv ``validation/_env/simglucose``, a subprocess): the stock simulation
   object (``T1DSimEnv`` with adult#001, Dexcom sensor, Insulet pump, ``RandomScenario(seed=1)``,
   ``BBController``) for ``--simglucose-days`` simulated days (spec §1.3 set-up), wall time of
   ``SimObj.simulate()`` only;
2. endolab: ``simulate_trial`` (numba RK4, 1-min step, every participant and day, titration, CGM
   noise, labs) **and** writing the dataset folder (CSV) — the full ``endolab trial simulate`` work;
   the numba compilation is done (and timed) before, as a warm-up on a 1-participant, 1-day run;
3. the same right-hand side vectorised in plain numpy (``rhs_into_numpy`` on arrays of shape
   ``(17, n)``) with RK4 for one simulated day of the same cohort, for the numpy-vs-numba choice.

Prints patient-days per second and the ratio to simglucose, and writes ``benchmarks/_data/sim_last_run.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SIMGLUCOSE_PY = ROOT / "validation" / "_env" / "simglucose" / "bin" / "python"

SIMGLUCOSE_SCRIPT = """
import sys, time
from datetime import datetime, timedelta
from importlib.metadata import version
from simglucose.simulation.env import T1DSimEnv
from simglucose.controller.basal_bolus_ctrller import BBController
from simglucose.sensor.cgm import CGMSensor
from simglucose.actuator.pump import InsulinPump
from simglucose.patient.t1dpatient import T1DPatient
from simglucose.simulation.scenario_gen import RandomScenario
from simglucose.simulation.sim_engine import SimObj
days = float(sys.argv[1])
start = datetime(2025, 1, 1, 0, 0, 0)
env = T1DSimEnv(T1DPatient.withName("adult#001"), CGMSensor.withName("Dexcom", seed=1),
                InsulinPump.withName("Insulet"), RandomScenario(start_time=start, seed=1))
sim = SimObj(env, BBController(), timedelta(days=days), animate=False, path=None)
t = time.perf_counter()
sim.simulate()
print(version("simglucose"), time.perf_counter() - t)
"""


def time_simglucose(days: float) -> tuple[str, float]:
    if not SIMGLUCOSE_PY.exists():
        sys.exit(
            "validation/_env/simglucose is missing: run validation/simglucose_compare.py once first"
        )
    out = subprocess.run(
        [str(SIMGLUCOSE_PY), "-c", SIMGLUCOSE_SCRIPT, str(days)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return out[-2], float(out[-1])


def time_numpy_day(n: int) -> float:
    """Seconds for one simulated day of n patients with the numpy-vectorised RHS (basal only)."""
    from endolab.sim.model import rhs_into_numpy
    from endolab.sim.patients import load_patient, patient_names

    names = patient_names("adult")
    pts = [load_patient(names[i % len(names)]) for i in range(n)]
    x = np.array([pt.x0 for pt in pts]).T.copy()
    p = np.array([pt.params for pt in pts]).T.copy()
    ins = np.array([pt.params[33] for pt in pts])
    k = [np.empty_like(x) for _ in range(4)]
    t = time.perf_counter()
    for _ in range(1440):
        rhs_into_numpy(x, p, 0.0, ins, 0.0, k[0])
        rhs_into_numpy(x + 0.5 * k[0], p, 0.0, ins, 0.0, k[1])
        rhs_into_numpy(x + 0.5 * k[1], p, 0.0, ins, 0.0, k[2])
        rhs_into_numpy(x + k[2], p, 0.0, ins, 0.0, k[3])
        x = x + (k[0] + 2 * k[1] + 2 * k[2] + k[3]) / 6.0
    return time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--participants", type=int, default=100)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--simglucose-days", type=float, default=1.0)
    args = ap.parse_args()

    import numba

    from endolab.sim import PopulationSettings, simulate_trial, write_simulation

    # the published adults (no screening period): the patient-days counted below are exactly the
    # ones simulated; the screened population adds its screening year per candidate on top
    published = PopulationSettings(source="published")

    sg_version, sg_seconds = time_simglucose(args.simglucose_days)
    sg_rate = args.simglucose_days / sg_seconds

    t = time.perf_counter()
    simulate_trial(participants=1, days=1, seed=1, population=published)
    warm = time.perf_counter() - t

    t = time.perf_counter()
    ds = simulate_trial(
        participants=args.participants, days=args.days, seed=1, population=published
    )
    sim_seconds = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        write_simulation(ds, Path(tmp) / "ds")
        write_seconds = time.perf_counter() - t
    patient_days = args.participants * (args.days + 1 + 14)  # run-in days included
    total = sim_seconds + write_seconds
    rate = patient_days / total
    numpy_day = time_numpy_day(args.participants)
    numba_day = sim_seconds / (args.days + 1 + 14)
    result = {
        "date_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}",
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": numba.__version__,
        "simglucose": sg_version,
        "simglucose_seconds_per_patient_day": sg_seconds / args.simglucose_days,
        "endolab_participants": args.participants,
        "endolab_days_incl_run_in": args.days + 1 + 14,
        "endolab_warmup_compile_seconds": warm,
        "endolab_simulate_seconds": sim_seconds,
        "endolab_write_seconds": write_seconds,
        "endolab_total_seconds": total,
        "endolab_patient_days_per_second": rate,
        "simglucose_patient_days_per_second": sg_rate,
        "speedup": rate / sg_rate,
        "numpy_vectorised_seconds_per_cohort_day": numpy_day,
        "numba_seconds_per_cohort_day_full_pipeline": numba_day,
        "ns_per_patient_minute_full_pipeline": 1e9 * sim_seconds / (patient_days * 1440),
    }
    out = HERE / "_data"
    out.mkdir(exist_ok=True)
    (out / "sim_last_run.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    for key, value in result.items():
        print(f"{key}: {value:.4g}" if isinstance(value, float) else f"{key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
