"""endolab — a toolkit for clinical endocrinology.

Three capabilities share one package:

* :mod:`endolab.trial` — islet-replacement trial analytics (endpoints, graft-function grades, reports);
* :mod:`endolab.cgm` — a continuous-glucose-monitoring analytics engine (consensus metrics, episodes,
  variability indices, the AGP);
* :mod:`endolab.hormones` and :mod:`endolab.hcg` — the TRT Hormone Predictor and the hCG Mixing
  Protocol Calculator.

Sub-packages are imported on demand (``import endolab.cgm``) so that the command line starts fast.

>>> import endolab
>>> endolab.__version__.count(".") >= 2
True
"""

from endolab._version import __version__
from endolab.errors import (
    DataFileError,
    EndolabError,
    EndolabWarning,
    InputError,
    ParseError,
    UnitError,
)

__all__ = [
    "DataFileError",
    "EndolabError",
    "EndolabWarning",
    "InputError",
    "ParseError",
    "UnitError",
    "__version__",
]
