"""Compare endolab's consensus core metrics and episode counts with iglu-python 0.4.3.

    .venv/bin/python validation/iglu_compare_core.py

Companion of ``validation/iglu_compare.py`` (the variability indices), with the same conventions:
iglu-python (GPL-2) runs in its own environment ``validation/_env`` (created by that script's
``ensure_env``) as an external check only, with ``TZ=UTC`` and ``time`` parsed as naive wall clock,
R-compatible mode on. Writes ``validation/expected_iglu_python_core.csv`` (iglu-python's values, long
format, with its version; ``tests/cgm/test_iglu_core.py`` reads it) and
``validation/iglu_compare_core.md`` (side by side).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import polars as pl

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import iglu_compare  # noqa: E402  (the indices script: environment and data paths)

EXPECTED = HERE / "expected_iglu_python_core.csv"
REPORT = HERE / "iglu_compare_core.md"

RUNNER = r"""
import json, sys, warnings
import pandas as pd
import iglu_python as ig
from importlib.metadata import version
warnings.simplefilter("ignore")
if hasattr(ig, "set_iglu_r_compatible"):
    ig.set_iglu_r_compatible(True)
df = pd.read_csv(sys.argv[1])[["id", "time", "gl"]]
df["time"] = pd.to_datetime(df["time"])
rows = []
def add(frame, mapping, call):
    frame = frame.reset_index(drop=True)
    for _, r in frame.iterrows():
        for src, name in mapping.items():
            rows.append({"id": r["id"], "metric": name, "value": float(r[src]), "call": call})
add(ig.mean_glu(df), {"mean": "mean"}, "mean_glu()")
add(ig.median_glu(df), {"median": "median"}, "median_glu()")
add(ig.sd_glu(df), {"SD": "sd"}, "sd_glu()")
add(ig.cv_glu(df), {"CV": "cv"}, "cv_glu()")
add(ig.gmi(df), {"GMI": "gmi"}, "gmi()")
add(ig.ea1c(df), {"eA1C": "ea1c"}, "ea1c()")
add(ig.in_range_percent(df, target_ranges=[[70, 180], [70, 140]]),
    {"in_range_70_180": "tir_70_180", "in_range_70_140": "tir_70_140"}, "in_range_percent()")
add(ig.below_percent(df, targets_below=[54, 70]), {"below_54": "tbr_54", "below_70": "tbr_70"},
    "below_percent()")
add(ig.above_percent(df, targets_above=[180, 250]), {"above_180": "tar_180", "above_250": "tar_250"},
    "above_percent()")
add(ig.active_percent(df), {"active_percent": "active_percent"}, "active_percent()")
ep = ig.episode_calculation(df)
ep = ep if isinstance(ep, pd.DataFrame) else ep[0]
names = {("hypo", "lv1"): "hypo_l1", ("hypo", "lv2"): "hypo_l2", ("hypo", "extended"): "hypo_ext",
         ("hyper", "lv1"): "hyper_l1", ("hyper", "lv2"): "hyper_l2",
         ("hypo", "lv1_excl"): "hypo_l1_excl", ("hyper", "lv1_excl"): "hyper_l1_excl"}
for _, r in ep.iterrows():
    key = (r["type"], r["level"])
    if key in names:
        rows.append({"id": r["id"], "metric": names[key] + "_episodes",
                     "value": float(r["total_episodes"]), "call": "episode_calculation()"})
        if r["total_episodes"] > 0:  # without episodes iglu reports 0 min; we report null
            rows.append({"id": r["id"], "metric": names[key] + "_mean_duration_min",
                         "value": float(r["avg_ep_duration"]), "call": "episode_calculation()"})
print(json.dumps({"version": version("iglu-python"), "rows": rows}))
"""

#: How endolab's value may differ from iglu-python's, per metric (anything else: rel. diff ≤ 1e-9).
DOCUMENTED = {
    "active_percent": "R iglu rounds intervals before comparing with dt0, iglu-python does not "
    "(specs/cgm.md §3.1); we follow R: up to 0.027 percentage points",
}
# Episodes use method="iglu_grid" (the default): counts, mean durations and lv1_excl equal iglu's.
# Mean durations are recorded only where iglu counts episodes (it reports 0 min without any; we
# report null). method="readings" counts are listed separately below the table.


def run_iglu() -> tuple[str, pl.DataFrame]:
    iglu_compare.ensure_env()
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as handle:
        handle.write(RUNNER)
        script = handle.name
    try:
        proc = subprocess.run(
            [str(iglu_compare.env_python()), script, str(iglu_compare.DATA)],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "TZ": "UTC"},
        )
    finally:
        os.unlink(script)
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    return out["version"], pl.DataFrame(out["rows"])


def run_endolab() -> pl.DataFrame:
    from endolab.cgm import check_frame, compute_metrics, episodes

    raw = pl.read_csv(iglu_compare.DATA).select("id", "time", "gl")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame = check_frame(raw)
        core = compute_metrics(frame)
        _, counts = episodes(frame)
    wide = core.join(counts, on="id")
    value_cols = [c for c in wide.columns if c != "id" and wide.schema[c].is_numeric()]
    return (
        wide.select("id", *value_cols)
        .unpivot(index="id", variable_name="metric", value_name="endolab")
        .with_columns(pl.col("endolab").cast(pl.Float64))
    )


def readings_note(iglu: pl.DataFrame) -> list[str]:
    """Episode counts of method="readings" (not the default) that differ from iglu-python's."""
    from endolab.cgm import check_frame, episodes

    raw = pl.read_csv(iglu_compare.DATA).select("id", "time", "gl")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        counts = episodes(check_frame(raw), method="readings").summary
    ours = counts.unpivot(
        index="id",
        on=[c for c in counts.columns if c.endswith("_episodes")],
        variable_name="metric",
        value_name="readings",
    )
    diff = iglu.join(ours, on=["id", "metric"]).filter(pl.col("value") != pl.col("readings"))
    out = [
        '`method="readings"` (episodes on the raw readings, not the default): counts that differ '
        "from iglu-python's:",
        "",
    ]
    out += [
        f"* {r['metric']}, {r['id']}: {r['readings']} vs {r['value']:g}"
        for r in diff.sort("metric", "id").iter_rows(named=True)
    ] or ["* none"]
    return out


def main() -> None:
    version, iglu = run_iglu()
    ours = run_endolab()
    iglu = iglu.with_columns(
        pl.lit(version).alias("iglu_python_version"), pl.lit(True).alias("iglu_r_compatible")
    )
    iglu.write_csv(EXPECTED, float_precision=12)
    table = iglu.join(ours, on=["id", "metric"], how="left").with_columns(
        ((pl.col("endolab") - pl.col("value")).abs() / pl.col("value").abs().clip(1e-12)).alias(
            "rel"
        )
    )
    lines = [
        "# endolab core metrics vs iglu-python on example_data_5_subject.csv",
        "",
        f"Generated by `validation/iglu_compare_core.py` on {dt.date.today().isoformat()}: "
        f"iglu-python **{version}** (R-compatible mode on, TZ=UTC, own environment), endolab on "
        f"Python {platform.python_version()}, polars {pl.__version__}.",
        "",
        "Documented differences (we follow R iglu 4.3.0); episodes by the default "
        '`method="iglu_grid"` (mean durations only where iglu counts episodes):',
        "",
        *[f"* `{k}`: {v}" for k, v in DOCUMENTED.items()],
        "",
        "| metric | subject | iglu-python | endolab | rel. diff | status |",
        "|---|---|---|---|---|---|",
    ]
    for r in table.sort("metric", "id").iter_rows(named=True):
        ok = r["rel"] is not None and r["rel"] <= 1e-9
        status = "agree" if ok else ("documented" if r["metric"] in DOCUMENTED else "DIFFERS")
        lines.append(
            f"| {r['metric']} | {r['id']} | {r['value']:.6g} | "
            f"{'' if r['endolab'] is None else format(r['endolab'], '.6g')} | "
            f"{'' if r['rel'] is None else format(r['rel'], '.2e')} | {status} |"
        )
    lines += ["", *readings_note(iglu)]
    REPORT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {EXPECTED.name} and {REPORT.name}")


if __name__ == "__main__":
    main()
