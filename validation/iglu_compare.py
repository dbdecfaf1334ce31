"""Compare endolab's CGM indices with iglu-python 0.4.3 on the iglu example data.

    .venv/bin/python validation/iglu_compare.py

1. Creates its own virtual environment ``validation/_env`` (``python3 -m venv``; gitignored) and
   pip-installs ``iglu-python==0.4.3`` there. iglu-python is GPL-2: it is run in that separate
   environment as an external check only and is never imported by endolab or its tests.
2. Runs ``validation/_iglu_python_runner.py`` in that environment on
   ``../shared/data/example_data_5_subject.csv`` (relative to the repository root) with ``TZ=UTC``,
   parsing ``time`` as naive wall clock (data/README.md: wall clock treated as UTC on both sides),
   with iglu-python's R-compatible mode on (its default, set explicitly).
3. Runs endolab on the same file (``time`` parsed as naive wall clock).
4. Writes ``validation/expected_iglu_python.csv`` (iglu-python's values, long format, with version
   columns; tests read it as an independent reference) and ``validation/iglu_compare.md`` (the
   side-by-side table).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

import polars as pl

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = ROOT.parent / "shared" / "data" / "example_data_5_subject.csv"
ENV = HERE / "_env"
IGLU_PYTHON = "iglu-python==0.4.3"
EXPECTED = HERE / "expected_iglu_python.csv"
REPORT = HERE / "iglu_compare.md"

#: Relative tolerance under which values count as equal.
RTOL = 1e-6
#: Metrics where we knowingly follow R iglu 4.3.0 rather than iglu-python (see README.md).
DOCUMENTED = {
    "lbgi": "constant 22.77 (R iglu) vs 10·1.509² = 22.7708 (iglu-python): ratio 0.999964",
    "hbgi": "constant 22.77 (R iglu) vs 10·1.509² = 22.7708 (iglu-python): ratio 0.999964",
    "hourly_auc": "R iglu pairs grid points ndays apart (its rep() labelling); iglu-python pools "
    "consecutive grid points",
}


def env_python() -> Path:
    return ENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure_env() -> None:
    py = env_python()
    if not py.exists():
        subprocess.run([sys.executable, "-m", "venv", str(ENV)], check=True)
    have = subprocess.run(
        [str(py), "-c", "import importlib.metadata as m; print(m.version('iglu-python'))"],
        capture_output=True,
        text=True,
    )
    if have.returncode != 0 or have.stdout.strip() != IGLU_PYTHON.split("==")[1]:
        subprocess.run(
            [
                str(py),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                IGLU_PYTHON,
            ],
            check=True,
        )


def run_iglu_python(out_csv: Path, out_meta: Path) -> None:
    env = dict(os.environ, TZ="UTC", PYTHONHASHSEED="0")
    subprocess.run(
        [
            str(env_python()),
            str(HERE / "_iglu_python_runner.py"),
            str(DATA),
            str(out_csv),
            str(out_meta),
        ],
        check=True,
        env=env,
    )


def endolab_values() -> pl.DataFrame:
    sys.path.insert(0, str(ROOT / "src"))
    from endolab.cgm.indices import compute_indices, mage
    from endolab.cgm.registry import REGISTRY

    frame = (
        pl.read_csv(DATA)
        .select(
            pl.col("id").cast(pl.String),
            pl.col("time").str.to_datetime("%Y-%m-%d %H:%M:%S", time_unit="us"),
            pl.col("gl").cast(pl.Float64),
            pl.lit(0, dtype=pl.Int8).alias("censored"),
        )
        .sort("id", "time")
    )
    # min, quartiles, max: the one implementation of the order statistics (registry "summary")
    wide = (
        compute_indices(frame)
        .join(REGISTRY["summary"](frame), on="id")
        .join(mage(frame, direction=["service", "max", "plus", "minus"]), on="id")
    )
    return wide.unpivot(index="id", variable_name="metric", value_name="endolab")


def fmt(x: float | None) -> str:
    if x is None:
        return "–"
    return f"{x:.6g}" if abs(x) >= 1e-3 or x == 0 else f"{x:.4e}"


def main() -> None:
    if not DATA.is_file():
        sys.exit(f"error: {DATA} not found (GPL validation data kept next to the clone)")
    ensure_env()
    with tempfile.TemporaryDirectory() as tmp:
        out_csv = Path(tmp) / "iglu.csv"
        out_meta = Path(tmp) / "meta.json"
        run_iglu_python(out_csv, out_meta)
        meta = json.loads(out_meta.read_text(encoding="utf-8"))
        ref = pl.read_csv(out_csv)
    ref = ref.with_columns(
        pl.lit(meta["iglu_python_version"]).alias("iglu_python_version"),
        pl.lit(meta["iglu_r_compatible"]).alias("iglu_r_compatible"),
    )
    ref.write_csv(EXPECTED, float_precision=12)
    ours = endolab_values()
    both = ref.join(ours, on=["id", "metric"], how="left").with_columns(
        (pl.col("endolab") - pl.col("value")).abs().alias("abs_diff"),
    )
    both = both.with_columns(
        (pl.col("abs_diff") / pl.col("value").abs()).alias("rel_diff"),
    )

    lines = [
        "# endolab vs iglu-python on example_data_5_subject.csv",
        "",
        f"Generated by `validation/iglu_compare.py` on {dt.date.today().isoformat()}.",
        "",
        f"* iglu-python **{meta['iglu_python_version']}** (GPL-2; own venv `validation/_env`), "
        f"R-compatible mode **{meta['iglu_r_compatible']}**; pandas {meta['pandas_version']}, "
        f"numpy {meta['numpy_version']}, Python {meta['python_version']}.",
        f"* endolab: this checkout; polars {pl.__version__}, Python {platform.python_version()}.",
        "* Data: `../shared/data/example_data_5_subject.csv` (5 subjects, 13,866 readings); `time` "
        "parsed as naive wall clock and treated as UTC on both sides (iglu-python run with TZ=UTC).",
        f"* Agreement: relative difference ≤ {RTOL:g}. Documented differences (we follow R iglu "
        "4.3.0; see `validation/README.md`) are marked *R iglu*.",
        "",
    ]
    table = [
        "| metric | subject | iglu-python | endolab | rel. diff | status |",
        "|---|---|---|---|---|---|",
    ]
    n_ok = n_doc = n_bad = n_err = 0
    for r in both.sort("metric", "id", maintain_order=True).iter_rows(named=True):
        rel = r["rel_diff"]
        if r["value"] == 0 and r["endolab"] == 0:
            rel = 0.0
        if rel is not None and rel <= RTOL:
            status = "agree"
            n_ok += 1
        elif r.get("iglu_python_error"):
            status = f"iglu-python error: {r['iglu_python_error']}"
            n_err += 1
        elif r["metric"] in DOCUMENTED:
            status = "*R iglu* (documented)"
            n_doc += 1
        else:
            status = "**DIFFERS**"
            n_bad += 1
        table.append(
            f"| {r['metric']} | {r['id']} | {fmt(r['value'])} | {fmt(r['endolab'])} | "
            f"{fmt(rel)} | {status} |"
        )
    lines += [
        f"**Summary:** {n_ok} values agree, {n_doc} differ by a documented choice, "
        f"{n_err} could not be computed by iglu-python (it raised an error), {n_bad} differ "
        "otherwise.",
        "",
        "Documented differences:",
        "",
        *[f"* `{k}`: {v}" for k, v in DOCUMENTED.items()],
        "",
        *table,
    ]
    REPORT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(
        f"{n_ok} agree, {n_doc} documented differences, {n_err} iglu-python errors, "
        f"{n_bad} other differences"
    )
    print(f"wrote {EXPECTED.relative_to(ROOT)} and {REPORT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
