"""Run iglu-python on the example data (executed ONLY inside validation/_env by iglu_compare.py).

iglu-python is GPL-2: this script is an external check, never imported by endolab or its tests.
Usage: TZ=UTC validation/_env/bin/python validation/_iglu_python_runner.py DATA.csv OUT.csv META.json

Times: the `time` column is parsed as naive wall clock; with TZ=UTC iglu-python localises it to UTC,
so both sides use the wall clock as UTC (data/README.md, time-zone pitfall).
"""

from __future__ import annotations

import json
import platform
import sys
import warnings
from importlib.metadata import version

import iglu_python as ig
import numpy as np
import pandas as pd

# (iglu-python function, its output column, endolab metric column, kwargs)
CALLS: list[tuple[str, str, str, dict[str, object]]] = [
    ("summary_glu", "Min.", "min", {}),
    ("summary_glu", "1st Qu.", "q25", {}),
    ("summary_glu", "Median", "median", {}),
    ("summary_glu", "3rd Qu.", "q75", {}),
    ("summary_glu", "Max.", "max", {}),
    ("range_glu", "range", "range", {}),
    ("iqr_glu", "IQR", "iqr", {}),
    ("mad_glu", "MAD", "mad", {}),
    ("sd_measures", "SDw", "sdw", {}),
    ("sd_measures", "SDhhmm", "sdhhmm", {}),
    ("sd_measures", "SDwsh", "sdwsh", {}),
    ("sd_measures", "SDdm", "sddm", {}),
    ("sd_measures", "SDb", "sdb", {}),
    ("sd_measures", "SDbdm", "sdbdm", {}),
    ("cv_measures", "CVmean", "cvmean", {}),
    ("cv_measures", "CVsd", "cvsd", {}),
    ("mage", "MAGE", "mage", {}),
    ("mage", "MAGE", "mage_service", {"direction": "service"}),
    ("mage", "MAGE", "mage_max", {"direction": "max"}),
    ("mage", "MAGE", "mage_plus", {"direction": "plus"}),
    ("mage", "MAGE", "mage_minus", {"direction": "minus"}),
    ("mag", "MAG", "mag", {}),
    ("conga", "CONGA", "conga_24", {}),
    ("modd", "MODD", "modd", {}),
    ("gvp", "GVP", "gvp", {}),
    ("sd_roc", "sd_roc", "sd_roc", {}),
    ("auc", "hourly_auc", "hourly_auc", {}),
    ("j_index", "J_index", "j_index", {}),
    ("lbgi", "LBGI", "lbgi", {}),
    ("hbgi", "HBGI", "hbgi", {}),
    ("adrr", "ADRR", "adrr", {}),
    ("grade", "GRADE", "grade", {}),
    ("grade_hypo", "GRADE_hypo", "grade_hypo", {}),
    ("grade_eugly", "GRADE_eugly", "grade_eu", {}),
    ("grade_hyper", "GRADE_hyper", "grade_hyper", {}),
    ("gri", "GRI", "gri", {}),
    ("m_value", "M_value", "m_value", {}),
    ("hypo_index", "hypo_index", "hypo_index", {}),
    ("hyper_index", "hyper_index", "hyper_index", {}),
    ("igc", "IGC", "igc", {}),
    ("cogi", "COGI", "cogi", {}),
    ("pgs", "PGS", "pgs", {}),
]


def main() -> None:
    data_path, out_csv, out_meta = sys.argv[1], sys.argv[2], sys.argv[3]
    ig.set_iglu_r_compatible(True)
    raw = pd.read_csv(data_path)
    df = raw[["id", "time", "gl"]].copy()
    df["time"] = pd.to_datetime(df["time"], format="%Y-%m-%d %H:%M:%S")
    df["gl"] = df["gl"].astype(float)
    rows = []
    cache: dict[tuple[str, str], pd.DataFrame] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for func, col, metric, kwargs in CALLS:
            key = (func, json.dumps(kwargs, sort_keys=True))
            call = f"{func}({', '.join(f'{k}={v!r}' for k, v in kwargs.items())})"
            if key not in cache:
                try:
                    cache[key] = getattr(ig, func)(df, **kwargs)
                except Exception:
                    # retry subject by subject, recording which subjects fail
                    parts = []
                    for sid, sub in df.groupby("id", sort=True):
                        try:
                            parts.append(getattr(ig, func)(sub.reset_index(drop=True), **kwargs))
                        except Exception as exc:
                            parts.append(
                                pd.DataFrame(
                                    {"id": [sid], col: [np.nan], "_error": [repr(exc)[:120]]}
                                )
                            )
                    cache[key] = pd.concat(parts, ignore_index=True)
            res = cache[key]
            for _, r in res.iterrows():
                value = r[col]
                err = (
                    r["_error"] if "_error" in res.columns and isinstance(r["_error"], str) else ""
                )
                rows.append(
                    {
                        "id": r["id"],
                        "metric": metric,
                        "value": float(value) if value is not None else np.nan,
                        "iglu_python_call": call,
                        "iglu_python_column": col,
                        "iglu_python_error": err,
                    }
                )
    pd.DataFrame(rows).to_csv(out_csv, index=False, float_format="%.12g")
    meta = {
        "iglu_python_version": version("iglu-python"),
        "iglu_r_compatible": bool(ig.is_iglu_r_compatible()),
        "pandas_version": version("pandas"),
        "numpy_version": version("numpy"),
        "python_version": platform.python_version(),
        "time_convention": "naive wall clock, TZ=UTC",
    }
    with open(out_meta, "w", encoding="utf-8") as fh:
        json.dump(meta, fh, indent=2)


if __name__ == "__main__":
    main()
