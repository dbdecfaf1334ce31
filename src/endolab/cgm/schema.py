"""The canonical CGM frame and the consensus glucose thresholds — defined once, used everywhere.

Canonical frame (a :class:`polars.DataFrame`, long format, one row per sensor reading):

==========  ======================  ==========================================================
column      dtype                   meaning
==========  ======================  ==========================================================
id          ``pl.String``           subject identifier
time        ``pl.Datetime("us")``   wall-clock time of the reading, no time zone
gl          ``pl.Float64``          sensor glucose [mg/dL]
censored    ``pl.Int8``             -1 a device "Low" (stored as :data:`LOW_CENSORED_MG_DL`),
                                    +1 a device "High" (stored as :data:`HIGH_CENSORED_MG_DL`),
                                    0 a measured value
==========  ======================  ==========================================================

Rows are sorted by ``id`` then ``time``, with no missing ``gl`` and no duplicate ``(id, time)``.

Thresholds: International Consensus on Time in Range, Battelino T, Danne T, Bergenstal RM, et al.
*Diabetes Care* 2019;42(8):1593–1603, doi:10.2337/dci19-0028 (Table 1 and Figure 1).
Boundaries as in the consensus and R iglu: TIR includes both limits (70 ≤ g ≤ 180 mg/dL); TBR is
g < 70 (level 2: g < 54); TAR is g > 180 (level 2: g > 250).

>>> (TBR_LEVEL2_MG_DL, TIR_LOW_MG_DL, TIR_HIGH_MG_DL, TAR_LEVEL2_MG_DL)
(54.0, 70.0, 180.0, 250.0)
"""

from __future__ import annotations

from typing import Final

import polars as pl

__all__ = [
    "CANONICAL_SCHEMA",
    "COLUMNS",
    "HIGH_CENSORED_MG_DL",
    "LOW_CENSORED_MG_DL",
    "TAR_LEVEL1_MG_DL",
    "TAR_LEVEL2_MG_DL",
    "TBR_LEVEL1_MG_DL",
    "TBR_LEVEL2_MG_DL",
    "TIGHT_HIGH_MG_DL",
    "TIR_HIGH_MG_DL",
    "TIR_LOW_MG_DL",
]

#: dtypes of the canonical frame, in column order (the one declaration of the frame; see the table
#: above). :func:`endolab.cgm.frame.check_frame` builds it, :func:`endolab.cgm.frame.ensure_canonical`
#: is the gate every entry point calls.
CANONICAL_SCHEMA: Final = pl.Schema(
    {"id": pl.String(), "time": pl.Datetime("us"), "gl": pl.Float64(), "censored": pl.Int8()}
)

#: Canonical column names, in order.
COLUMNS: Final = tuple(CANONICAL_SCHEMA.names())

#: Lower limit of the target range, included in TIR [mg/dL] (Battelino 2019, Table 1).
TIR_LOW_MG_DL: Final = 70.0
#: Upper limit of the target range, included in TIR [mg/dL] (Battelino 2019, Table 1).
TIR_HIGH_MG_DL: Final = 180.0
#: Level 1 hypoglycaemia: glucose below this [mg/dL] (Battelino 2019).
TBR_LEVEL1_MG_DL: Final = 70.0
#: Level 2 hypoglycaemia: glucose below this [mg/dL] (Battelino 2019).
TBR_LEVEL2_MG_DL: Final = 54.0
#: Level 1 hyperglycaemia: glucose above this [mg/dL] (Battelino 2019).
TAR_LEVEL1_MG_DL: Final = 180.0
#: Level 2 hyperglycaemia: glucose above this [mg/dL] (Battelino 2019).
TAR_LEVEL2_MG_DL: Final = 250.0
#: Upper limit of time in tight range 70–140 mg/dL [mg/dL] (reported in recent islet work; see
#: specs/trial-science.md).
TIGHT_HIGH_MG_DL: Final = 140.0

#: Value stored for a device "Low" reading [mg/dL]: one below the Dexcom/Libre reporting floor of
#: 40 mg/dL (trial dataset format, specs/trial-data.md: "stored as 39").
LOW_CENSORED_MG_DL: Final = 39.0
#: Value stored for a device "High" reading [mg/dL]: one above the reporting ceiling of 400 mg/dL
#: (specs/trial-data.md: "stored as 401").
HIGH_CENSORED_MG_DL: Final = 401.0
