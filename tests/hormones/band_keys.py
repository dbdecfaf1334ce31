"""JSON keys of the free-hormone bands (issue 12), written once for the tests that check them."""

from __future__ import annotations

#: Band keys of ``predict`` (and, the first four, of ``free-t``).
BAND_KEYS = (
    "free_testosterone_low_pg_ml",
    "free_testosterone_high_pg_ml",
    "bioavailable_testosterone_low_ng_dl",
    "bioavailable_testosterone_high_ng_dl",
    "free_estradiol_low_pg_ml",
    "free_estradiol_high_pg_ml",
)
#: Further keys of ``predict`` added with the bands.
PREDICT_BAND_EXTRA = ("shbg_assumed", "albumin_assumed", "band_basis")
