"""`endolab.cgm.distributed`: metrics on a Dask LocalCluster equal the single-machine engine.

The reference is the single-machine path (read_cgm of the same files, then compute_metrics): the
claim under test is "same results on Dask", so the independent oracle is the engine that the
other tests of tests/cgm validate against papers and R iglu.
"""

from __future__ import annotations

import datetime as dt
import socket
import warnings
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

pytest.importorskip("distributed", reason="the optional extra endolab[dask] is not installed")

from distributed import Client

from endolab.cgm import compute_metrics
from endolab.cgm.distributed import compute_metrics_dask
from endolab.cgm.readers import read_cgm
from endolab.cli import app
from endolab.errors import DataFileError, EndolabWarning, InputError

N_FILES = 3
T0 = dt.datetime(2024, 3, 1)


def _dataset(folder: Path, seed: int = 7) -> list[Path]:
    """Subjects whose rows are dealt round-robin over N_FILES files (every subject in several).

    * ``solo``: one reading (in one file only);
    * ``gap``: four days of readings whose 2nd day is all missing (glucose null, dropped) and
      whose 3rd day has no rows at all;
    * ``cens``: censored "High"/"Low" text values among measured ones;
    * ``r0`` … ``r7``: three days of 5-min readings, a few missing.
    """
    rng = np.random.default_rng(seed)
    rows: list[tuple[str, dt.datetime, str | None]] = [("solo", T0, "123")]
    for day in (0, 1, 3):  # day 2 has no rows at all
        for i in range(288):
            gl = None if day == 1 else f"{rng.uniform(45, 320):.1f}"
            rows.append(("gap", T0 + dt.timedelta(days=day, minutes=5 * i), gl))
    for i in range(300):
        gl = "High" if i % 37 == 0 else "Low" if i % 41 == 0 else f"{rng.uniform(40, 400):.1f}"
        rows.append(("cens", T0 + dt.timedelta(minutes=5 * i), gl))
    for s in range(8):
        for i in range(864):
            gl = None if rng.random() < 0.01 else f"{rng.uniform(50, 300):.1f}"
            rows.append((f"r{s}", T0 + dt.timedelta(minutes=5 * i + s), gl))
    frame = pl.DataFrame(
        rows, schema={"id": pl.String, "time": pl.Datetime("us"), "gl": pl.String}, orient="row"
    )
    paths = []
    for k in range(N_FILES):
        path = folder / f"part-{k}.parquet"
        frame.gather_every(N_FILES, offset=k).write_parquet(path)
        paths.append(path)
    return paths


def _single_machine(files: list[Path], **kwargs: object) -> pl.DataFrame:
    with warnings.catch_warnings():
        # the reference run's notices (rows dropped, single reading) are checked separately
        warnings.simplefilter("ignore", EndolabWarning)
        return compute_metrics(read_cgm(files), **kwargs)  # type: ignore[arg-type]


def _assert_same(got: pl.DataFrame, want: pl.DataFrame) -> None:
    assert got.columns == want.columns
    assert got.schema == want.schema
    assert got.height == want.height
    for name in want.columns:
        a, b = got.get_column(name), want.get_column(name)
        if a.dtype.is_float():
            assert a.is_null().to_list() == b.is_null().to_list(), name
            x = a.drop_nulls().to_numpy()
            y = b.drop_nulls().to_numpy()
            np.testing.assert_allclose(x, y, rtol=1e-12, atol=0, err_msg=name)
        else:
            assert a.to_list() == b.to_list(), name


@pytest.mark.parametrize("by", [None, "day"])
def test_same_as_single_machine_core(tmp_path: Path, dask_client: Client, by: str | None) -> None:
    files = _dataset(tmp_path)
    want = _single_machine(files, by=by)
    got = compute_metrics_dask([str(f) for f in files], by=by, client=dask_client, buckets=4)
    _assert_same(got.table, want)
    ids = want.get_column("id").to_list()
    assert {"solo", "gap", "cens"} <= set(ids)
    row = got.table.filter(pl.col("id") == "cens").row(0, named=True) if by is None else None
    if row is not None:  # the censored values are kept (not dropped): 9 High, 7 Low
        assert (row["n_high_censored"], row["n_low_censored"]) == (9, 7)
    assert any("single reading" in w for w in got.warnings)


def test_same_as_single_machine_full_mmol(tmp_path: Path, dask_client: Client) -> None:
    files = _dataset(tmp_path, seed=11)
    want = _single_machine(files, metrics="full", unit_out="mmol/L")
    got = compute_metrics_dask(
        tmp_path / "*.parquet", metrics="full", unit_out="mmol/L", client=dask_client
    )
    _assert_same(got.table, want)


def test_glob_matching_nothing(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="matches no Parquet file"):
        compute_metrics_dask(str(tmp_path / "*.parquet"))


def test_files_with_different_schemas(tmp_path: Path) -> None:
    pl.DataFrame({"id": ["a"], "time": [T0], "gl": [100.0]}).write_parquet(tmp_path / "a.parquet")
    pl.DataFrame({"id": ["b"], "time": [T0], "gl": ["100"]}).write_parquet(tmp_path / "b.parquet")
    with pytest.raises(DataFileError, match=r"differ from those of a\.parquet"):
        compute_metrics_dask(str(tmp_path / "*.parquet"))


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def test_cli_dask_writes_the_same_parquet(tmp_path: Path) -> None:
    files = _dataset(tmp_path)
    out = tmp_path / "out" / "m.parquet"
    out.parent.mkdir()
    res = CliRunner().invoke(
        app,
        ["cgm", "metrics", str(tmp_path / "*.parquet"), "--engine", "dask", "--workers", "2",
         "--out", str(out)],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    _assert_same(pl.read_parquet(out), _single_machine(files))
    assert not [p for p in out.parent.iterdir() if p != out]  # no temporary file left


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["NOPE/*.parquet"], 3, "matches no Parquet file"),
        (["SCHEMAS"], 3, "every file needs the same columns"),
        (["GOOD", "--scheduler", "SCHED"], 3, "no Dask scheduler answered within 2 s"),
        (["GOOD", "--include-scans"], 2, "not supported with --engine"),
    ],
)
def test_cli_bad_input_one_line(tmp_path: Path, args: list[str], code: int, message: str) -> None:
    good = tmp_path / "good"
    good.mkdir()
    _dataset(good)
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    pl.DataFrame({"id": ["a"], "time": [T0], "gl": [100.0]}).write_parquet(mixed / "a.parquet")
    pl.DataFrame({"id": ["b"], "t": [T0], "gl": [100.0]}).write_parquet(mixed / "b.parquet")
    subst = {
        "NOPE/*.parquet": str(tmp_path / "nope" / "*.parquet"),
        "SCHEMAS": str(mixed / "*.parquet"),
        "GOOD": str(good / "*.parquet"),
        "SCHED": f"tcp://127.0.0.1:{_closed_port()}",
    }
    argv = [subst.get(a, a) for a in args]
    out = tmp_path / "m.parquet"
    res = CliRunner().invoke(app, ["cgm", "metrics", *argv, "--engine", "dask", "--out", str(out)])
    assert res.exit_code == code, res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], lines
    assert not out.exists()


def test_without_the_extra_one_line_hint_exit_2(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "distributed", None)  # as if the extra were not installed
    res = CliRunner().invoke(app, ["cgm", "metrics", "none/*.parquet", "--engine", "dask"])
    assert res.exit_code == 2, res.output
    assert res.stderr.strip().splitlines() == [
        "error: --engine dask needs the optional extra: pip install 'endolab[dask]'"
    ]
