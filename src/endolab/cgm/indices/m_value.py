"""M-value (Schlichtkrull J, Munck O, Jersild M. The M-value, an index of blood-sugar control in
diabetics. *Acta Med Scand* 1965;177:95–102, doi:10.1111/j.0954-6820.1965.tb01810.x).

``M = mean(1000 · |log10(g / r)|³)`` with reference glucose ``r`` [mg/dL]. Default r = 90 mg/dL (R
iglu 4.3.0 R/m_value.R; Schlichtkrull's original reference was 120 mg/dL, which glucostats uses —
docs/methods/cgm.md §6.2). This is the CGM form without the original correction term for the range of
values, as in R iglu.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import polars as pl

from endolab.cgm.docstrings import fill_doc
from endolab.cgm.kernels.grid import Intermediates, groups_cached
from endolab.cgm.kernels.groups import result_frame, seg_mean
from endolab.errors import InputError

__all__ = ["M_VALUE_REFERENCE_MG_DL", "m_value"]

#: Reference glucose of the M-value [mg/dL], R iglu 4.3.0 default ``r = 90``.
M_VALUE_REFERENCE_MG_DL: Final = 90.0


@fill_doc
def m_value(
    frame: pl.DataFrame,
    *,
    by: Sequence[str] = ("id",),
    r: float = M_VALUE_REFERENCE_MG_DL,
    shared: Intermediates | None = None,
) -> pl.DataFrame:
    """M-value (Schlichtkrull 1965, doi:10.1111/j.0954-6820.1965.tb01810.x).

    Parameters
    ----------
    %(frame)s
    %(by)s
    r
        Reference glucose [mg/dL], default 90 (R iglu 4.3.0).
    %(shared)s

    Returns
    -------
    ``m_value`` [dimensionless].
    """
    if not np.isfinite(r) or r <= 0:
        raise InputError(f"r must be a positive glucose in mg/dL, got {r}", field="r", value=r)
    g = groups_cached(frame, by, shared)
    cols = g.map_chunks(
        lambda sg: {"m_value": seg_mean(1000.0 * np.abs(np.log10(sg.gl / r)) ** 3, sg.start)}
    )
    return result_frame(g.keys, cols)
