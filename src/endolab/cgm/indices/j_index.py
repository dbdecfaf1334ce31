"""J-index (Wojcicki JM. "J"-index. A new proposition of the assessment of current glucose control in
diabetic patients. *Horm Metab Res* 1995;27(1):41–42, doi:10.1055/s-2007-979906).

``J = 0.001 · (mean + SD)²`` with glucose in mg/dL and the sample SD (ddof = 1, as R iglu 4.3.0
R/j_index.R).
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from endolab.cgm.docstrings import fill_doc
from endolab.cgm.kernels.grid import Intermediates, groups_cached
from endolab.cgm.kernels.groups import result_frame, seg_mean, seg_sd

__all__ = ["j_index"]


@fill_doc
def j_index(
    frame: pl.DataFrame, *, by: Sequence[str] = ("id",), shared: Intermediates | None = None
) -> pl.DataFrame:
    """J-index (Wojcicki 1995, doi:10.1055/s-2007-979906): ``0.001 · (mean + SD)²``.

    Parameters
    ----------
    %(frame)s
    %(by)s
    %(shared)s

    Returns
    -------
    ``j_index`` [(mg/dL)² × 0.001]; null for a group with one reading (no SD).
    """
    g = groups_cached(frame, by, shared)
    cols = g.map_chunks(
        lambda sg: {"j_index": 0.001 * (seg_mean(sg.gl, sg.start) + seg_sd(sg.gl, sg.start)) ** 2}
    )
    return result_frame(g.keys, cols)
