"""In-silico islet-replacement trials: UVA/Padova 2008 T1D virtual patients with a β-cell graft.

The simulator runs the islet-replacement trial on virtual patients and hands the output to the same
endpoint engine as real data (:mod:`endolab.trial`). **In-silico results are never clinical
evidence**; every assumption is labelled [A] in code, docs (docs/sim.md) and the output manifest.

>>> from endolab.sim import load_patient
>>> load_patient("adult#001").name
'adult#001'
"""

from endolab.sim.graft import GraftSettings, mean_graft_fraction
from endolab.sim.healthy import healthy_meal_test
from endolab.sim.patients import VirtualPatient, load_patient, patient_names
from endolab.sim.population import (
    BehaviourSettings,
    PopulationSettings,
    ScreeningSettings,
    SheModel,
)
from endolab.sim.runner import (
    SIM_PROTOCOLS,
    SheProxy,
    SimulationResult,
    TherapySettings,
    default_settings_fingerprint,
    demo_trial,
    simulate,
    simulate_trial,
    write_simulation,
)

__all__ = [
    "SIM_PROTOCOLS",
    "BehaviourSettings",
    "GraftSettings",
    "PopulationSettings",
    "ScreeningSettings",
    "SheModel",
    "SheProxy",
    "SimulationResult",
    "TherapySettings",
    "VirtualPatient",
    "default_settings_fingerprint",
    "demo_trial",
    "healthy_meal_test",
    "load_patient",
    "mean_graft_fraction",
    "patient_names",
    "simulate",
    "simulate_trial",
    "write_simulation",
]
