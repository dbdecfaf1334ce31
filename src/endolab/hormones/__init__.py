"""endolab.hormones — free testosterone, free estradiol and the TRT Hormone Predictor.

The science and its sources are in ``docs/methods/hormones.md`` and ``docs/hormones.md``:

* :func:`free_testosterone` — Vermeulen 1999 (default) or Södergård 1982 constants in the
  mass-action model; free T [pg/mL, %] and bioavailable T [ng/dL].
* :func:`free_estradiol` — free E2 with testosterone competing for SHBG (Södergård 1982 constants).
* :func:`predict` — E2 and DHT from total T by the saturable Michaelis–Menten kinetics of
  Lakshman 2010, with age-based SHBG default, an optional weekly dose (Bhasin 2001), a band
  (an assumption), observed ÷ predicted and flags.

Units of the public functions: total testosterone in ng/dL (or nmol/L with ``unit=``), SHBG in
nmol/L, albumin in g/dL (or g/L with ``albumin_unit=``), estradiol in pg/mL, DHT in ng/dL.

>>> from endolab.hormones import free_testosterone, predict
>>> round(free_testosterone(288.4, 40).free_testosterone_pg_ml, 1)
50.1
>>> round(predict(300, age=30).estradiol_pg_ml, 1)
13.0
"""

from endolab.hormones._validate import INPUT_RANGES, range_text
from endolab.hormones.dose import trough_total_t_bhasin_2001
from endolab.hormones.free_estradiol import free_e2_fraction_sodergard_1982, free_estradiol
from endolab.hormones.free_testosterone import (
    BINDING_CONSTANTS,
    emadi_konjin_2003,
    free_testosterone,
    ross_2005,
    sodergard_1982,
    vermeulen_1999,
)
from endolab.hormones.predictor import (
    DEFAULT_PARAMETERS,
    PredictorParameters,
    dht_lakshman_2010,
    free_estradiol_lakshman_2010,
    predict,
)
from endolab.hormones.results import FreeEstradiolResult, FreeTestosteroneResult, HormonePrediction

__all__ = [
    "BINDING_CONSTANTS",
    "DEFAULT_PARAMETERS",
    "INPUT_RANGES",
    "FreeEstradiolResult",
    "FreeTestosteroneResult",
    "HormonePrediction",
    "PredictorParameters",
    "dht_lakshman_2010",
    "emadi_konjin_2003",
    "free_e2_fraction_sodergard_1982",
    "free_estradiol",
    "free_estradiol_lakshman_2010",
    "free_testosterone",
    "predict",
    "range_text",
    "ross_2005",
    "sodergard_1982",
    "trough_total_t_bhasin_2001",
    "vermeulen_1999",
]
