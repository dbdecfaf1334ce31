"""`--engine dask` beyond the equality tests: a worker killed mid-run, a folder of parts with
`_SUCCESS` written last, --window/--day0, and the mmol/L footnote.

The reference is the single-machine engine on the same files (see test_distributed.py).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner

pytest.importorskip("distributed", reason="the optional extra endolab[dask] is not installed")

import cloudpickle
import dask
from distributed import Client, LocalCluster
from distributed.diagnostics.plugin import WorkerPlugin

from endolab.cgm.distributed import SUCCESS_MARKER, ClusterError, compute_metrics_dask
from endolab.cli import app
from tests.cgm.test_distributed import T0, _assert_same, _dataset, _single_machine

# worker processes cannot import this test module: ship the plugin class by value
cloudpickle.register_pickle_by_value(sys.modules[__name__])

# a dying worker makes distributed log and warn in the client process; those are its business
pytestmark = pytest.mark.filterwarnings("ignore")


class DieOnFirstTask(WorkerPlugin):
    """Kill the worker process (no clean-up, as a crash or an OOM kill would) when a task starts.

    With ``once`` the first task only, across every worker and restart (a marker file records it);
    otherwise every task, every time.
    """

    def __init__(self, marker: str, once: bool) -> None:
        self.marker = marker
        self.once = once

    def transition(self, key: Any, start: str, finish: str, **kwargs: Any) -> None:
        if finish != "executing":
            return
        if self.once:
            try:
                fd = os.open(self.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                return  # somebody already died once: let the retry run
            os.close(fd)
        os._exit(1)


@pytest.fixture()
def process_cluster() -> Iterator[LocalCluster]:
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 1}),
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=":0",
        ) as cluster,
    ):
        yield cluster


def test_worker_killed_mid_run_is_retried_and_the_result_is_right(
    tmp_path: Path, process_cluster: LocalCluster
) -> None:
    files = _dataset(tmp_path)
    marker = tmp_path / "died"
    with Client(process_cluster) as client:
        client.register_plugin(DieOnFirstTask(str(marker), once=True))
        got = compute_metrics_dask([str(f) for f in files], client=client, buckets=4)
    assert marker.exists()  # a worker really died during the run
    _assert_same(got.table, _single_machine(files))


def test_workers_dying_every_time_fail_in_one_line_and_write_nothing(
    tmp_path: Path, process_cluster: LocalCluster
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    _dataset(data)
    with Client(process_cluster) as client:
        client.register_plugin(DieOnFirstTask(str(tmp_path / "unused"), once=False))
        with pytest.raises(ClusterError, match="died while computing"):
            compute_metrics_dask(str(data / "*.parquet"), client=client, buckets=2)
        # the same through the command line, connected to this cluster: one line, exit 4
        for out in (tmp_path / "m.parquet", tmp_path / "parts"):
            res = CliRunner().invoke(
                app,
                ["cgm", "metrics", str(data / "*.parquet"), "--engine", "dask",
                 "--scheduler", process_cluster.scheduler_address, "--out", str(out)],
            )  # fmt: skip
            assert res.exit_code == 4, res.output
            lines = res.stderr.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith("error: "), lines
            assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]  # no partial output anywhere


def test_folder_of_parts_with_success_marker_written_last(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    files = _dataset(data)
    out = tmp_path / "metrics"
    res = CliRunner().invoke(
        app,
        ["cgm", "metrics", str(data / "*.parquet"), "--engine", "dask", "--workers", "2",
         "--out", str(out)],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    names = sorted(p.name for p in out.iterdir())
    assert SUCCESS_MARKER in names and any(n.endswith(".parquet") for n in names)
    # the marker is written after every part (file times have a coarse clock: not older)
    marker_time = (out / SUCCESS_MARKER).stat().st_mtime_ns
    assert all(p.stat().st_mtime_ns <= marker_time for p in out.glob("*.parquet"))
    got = pl.read_parquet(out / "*.parquet").sort("id")
    _assert_same(got, _single_machine(files))
    # each subject in one part only
    per_part = [pl.read_parquet(p)["id"].to_list() for p in sorted(out.glob("*.parquet"))]
    flat = [i for part in per_part for i in part]
    assert len(flat) == len(set(flat))
    # the output rule (docs/cli.md): endolab's own folder is reused (its manifest lists the parts,
    # only those are replaced), a folder holding anything else is never written into
    args = ["cgm", "metrics", str(data / "*.parquet"), "--engine", "dask", "--out", str(out)]
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0, again.output
    assert sorted(p.name for p in out.iterdir()) == names
    (out / "notes.txt").write_text("mine")
    refused = CliRunner().invoke(app, args)
    assert refused.exit_code == 3 and "notes.txt" in refused.stderr
    assert (out / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in out.iterdir()) == sorted([*names, "notes.txt"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "metrics"]  # nothing hidden left


@pytest.mark.parametrize(
    ("window", "day0"),
    [
        ((0, 1), T0.date()),  # day numbers from one day 0 for everyone
        ((dt.date(2024, 3, 2), dt.date(2024, 3, 3)), None),  # two dates
        (
            (-1, 0),
            pl.DataFrame(
                {
                    "id": ["gap", "cens", "solo", *[f"r{s}" for s in range(8)], "nobody"],
                    "day0": [dt.date(2024, 3, 2)] * 12,
                }
            ),
        ),
    ],
)
def test_window_and_day0_same_as_single_machine(
    tmp_path: Path, dask_client: Client, window: tuple[Any, Any], day0: Any
) -> None:
    files = _dataset(tmp_path)
    want = _single_machine(files, window=window, day0=day0)
    got = compute_metrics_dask(
        [str(f) for f in files], window=window, day0=day0, client=dask_client, buckets=3
    )
    _assert_same(got.table, want)
    if isinstance(day0, pl.DataFrame):  # a subject without readings still has its row
        assert "nobody" in got.table["id"].to_list()


def test_cli_window_and_mmol_footnote_as_single_machine(tmp_path: Path) -> None:
    # readings stored in mmol/L: the summary says so in a footnote on both engines
    frame = pl.DataFrame(
        {
            "id": ["a"] * 288 + ["b"] * 288,
            "time": [T0 + dt.timedelta(minutes=5 * i) for i in range(288)] * 2,
            "gl": [5.5 + (i % 7) * 0.5 for i in range(576)],
        }
    )
    frame.head(300).write_parquet(tmp_path / "p0.parquet")
    frame.tail(276).write_parquet(tmp_path / "p1.parquet")
    files = [str(tmp_path / "p0.parquet"), str(tmp_path / "p1.parquet")]
    common = ["cgm", "metrics", *files, "--unit", "mmol/L"]
    local = CliRunner().invoke(app, common)
    dask_run = CliRunner().invoke(app, [*common, "--engine", "dask", "--workers", "1"])
    assert local.exit_code == 0, local.output
    assert dask_run.exit_code == 0, dask_run.stderr
    foot = [ln for ln in local.stdout.splitlines() if "mmol/L" in ln and "measured" in ln]
    assert foot and all(ln in dask_run.stdout for ln in foot)
    win = ["--window", "0:0", "--day0", T0.date().isoformat(), "--format", "csv"]
    a = CliRunner().invoke(app, [*common, *win])
    b = CliRunner().invoke(app, [*common, *win, "--engine", "dask", "--workers", "1"])
    assert a.exit_code == 0 and b.exit_code == 0, b.output
    assert a.stdout == b.stdout


def test_dask_dataframe_input_same_as_single_machine(tmp_path: Path, dask_client: Client) -> None:
    dd = pytest.importorskip("dask.dataframe", reason="dask.dataframe needs pandas and pyarrow")
    files = _dataset(tmp_path)
    rows = pl.concat([pl.read_parquet(f) for f in files])  # every subject in every part
    ddf = dd.from_pandas(rows.to_pandas(), npartitions=3, sort=False)
    got = compute_metrics_dask(ddf, client=dask_client)
    _assert_same(got.table, _single_machine(files))
    by_day = compute_metrics_dask(ddf, by="day", client=dask_client)
    _assert_same(by_day.table, _single_machine(files, by="day"))


def test_a_cluster_without_workers_is_an_error_not_a_wait_without_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Workers that died and never came back (a nanny that could not restart them) left the run
    # waiting forever; after NO_WORKER_LIMIT_S without any worker it is a one-line ClusterError.
    import endolab._dask as plumbing  # the Dask plumbing every engine shares

    monkeypatch.setattr(plumbing, "NO_WORKER_LIMIT_S", 1.0)
    files = _dataset(tmp_path)
    with (
        LocalCluster(n_workers=0, processes=False, dashboard_address=":0") as cluster,
        Client(cluster) as client,
        pytest.raises(ClusterError, match="no worker for 1 s"),
    ):
        compute_metrics_dask([str(f) for f in files], client=client, buckets=2)
