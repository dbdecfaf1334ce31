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

Optional column ``mmol_l`` (``pl.Boolean``): present when readings were *measured* in mmol/L
(:func:`endolab.cgm.check_frame` with ``unit="mmol/L"`` or mmol/L detected): ``True`` for such a
reading, ``False``/null for one measured in mg/dL. ``gl`` is always mg/dL (mmol/L × 18,
:data:`endolab.units.GLUCOSE_MG_DL_PER_MMOL_L`); the flag keeps the unit each reading was measured
in, so that it is classified against **that unit's** consensus cut-offs (:data:`CUTOFFS`).

Thresholds: International Consensus on Time in Range, Battelino T, Danne T, Bergenstal RM, et al.
*Diabetes Care* 2019;42(8):1593–1603, doi:10.2337/dci19-0028 (Table 1 and Figure 1).
Boundaries as in the consensus and R iglu: TIR includes both limits (70 ≤ g ≤ 180 mg/dL); TBR is
g < 70 (level 2: g < 54); TAR is g > 180 (level 2: g > 250). The consensus gives each cut-off in
both units, and the pairs are not exactly × 18 apart:

==================  ========  ===========  ==========================================
cut-off             mg/dL     mmol/L       in mg/dL of the canonical frame (mmol × 18)
==================  ========  ===========  ==========================================
TBR level 2         < 54      < 3.0        54.0
TBR level 1 / TIR   70        3.9          70.2
tight range high    140       7.8          140.4
TIR high / TAR 1    180       10.0         180.0
TAR level 2         > 250     > 13.9       250.2
==================  ========  ===========  ==========================================

A reading measured in mmol/L is classified against the mmol/L column (7.8 mmol/L is in the tight
range 3.9–7.8; 13.9 mmol/L is not > 13.9), one measured in mg/dL against the mg/dL column. The
mmol/L cut-offs are compared in the canonical mg/dL values (cut-off × 18, the same multiplication
the conversion of the readings makes, so that a reading equal to a cut-off compares equal).

>>> (TBR_LEVEL2_MG_DL, TIR_LOW_MG_DL, TIR_HIGH_MG_DL, TAR_LEVEL2_MG_DL)
(54.0, 70.0, 180.0, 250.0)
"""

from __future__ import annotations

from typing import Final, NamedTuple

import polars as pl

from endolab.units import GLUCOSE_MG_DL_PER_MMOL_L

__all__ = [
    "CANONICAL_SCHEMA",
    "COLUMNS",
    "CUTOFFS",
    "CUTOFFS_MMOL_L_IN_MMOL_L",
    "HIGH_CENSORED_MG_DL",
    "LOW_CENSORED_MG_DL",
    "MMOL_COLUMN",
    "TAR_LEVEL1_MG_DL",
    "TAR_LEVEL2_MG_DL",
    "TBR_LEVEL1_MG_DL",
    "TBR_LEVEL2_MG_DL",
    "TIGHT_HIGH_MG_DL",
    "TIR_HIGH_MG_DL",
    "TIR_LOW_MG_DL",
    "Cutoffs",
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
#: docs/methods/cgm.md §1).
TIGHT_HIGH_MG_DL: Final = 140.0

#: Value stored for a device "Low" reading [mg/dL]: one below the Dexcom/Libre reporting floor of
#: 40 mg/dL (trial dataset format, docs/trial-data.md: "stored as 39").
LOW_CENSORED_MG_DL: Final = 39.0
#: Value stored for a device "High" reading [mg/dL]: one above the reporting ceiling of 400 mg/dL
#: (docs/trial-data.md: "stored as 401").
HIGH_CENSORED_MG_DL: Final = 401.0


#: Name of the optional Boolean column that marks readings measured in mmol/L (module docstring).
MMOL_COLUMN: Final = "mmol_l"


class Cutoffs(NamedTuple):
    """The consensus cut-offs of one unit, in the canonical frame's mg/dL.

    Attributes
    ----------
    tbr_level2
        Level-2 hypoglycaemia below this (54 mg/dL; 3.0 mmol/L).
    tbr_level1
        Level-1 hypoglycaemia below this, and the lower limit of TIR and of the tight range
        (70 mg/dL; 3.9 mmol/L).
    tight_high
        Upper limit of time in tight range, included (140 mg/dL; 7.8 mmol/L).
    tir_high
        Upper limit of TIR, included; level-1 hyperglycaemia above it (180 mg/dL; 10.0 mmol/L).
    tar_level2
        Level-2 hyperglycaemia above this (250 mg/dL; 13.9 mmol/L).
    """

    tbr_level2: float
    tbr_level1: float
    tight_high: float
    tir_high: float
    tar_level2: float


#: The consensus cut-offs in mmol/L (Battelino 2019, Table 1: < 3.0, < 3.9, 3.9–10.0, > 10.0,
#: > 13.9 mmol/L; tight range 3.9–7.8 mmol/L, the mmol/L form of 70–140 mg/dL).
CUTOFFS_MMOL_L_IN_MMOL_L: Final = Cutoffs(3.0, 3.9, 7.8, 10.0, 13.9)

#: Consensus cut-offs by the unit a reading was measured in, in canonical mg/dL.
CUTOFFS: Final[dict[str, Cutoffs]] = {
    "mg/dL": Cutoffs(
        TBR_LEVEL2_MG_DL, TBR_LEVEL1_MG_DL, TIGHT_HIGH_MG_DL, TIR_HIGH_MG_DL, TAR_LEVEL2_MG_DL
    ),
    "mmol/L": Cutoffs(*(v * GLUCOSE_MG_DL_PER_MMOL_L for v in CUTOFFS_MMOL_L_IN_MMOL_L)),
}
