"""`trial analyze --engine dask`: the CGM table read on Dask gives the same endpoints.

The reference is the single-machine engine on the same folder (the claim under test is "same
result on Dask"; the single-machine engine is validated by the other tests of tests/trial).
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

pytest.importorskip("distributed", reason="the optional extra endolab[dask] is not installed")

from distributed import Client

from endolab.cli import app
from endolab.sim import simulate_trial
from endolab.trial import analyze, load_protocol, read_dataset
from endolab.trial.dataset import write_dataset
from endolab.trial.distributed import analyze_dask, protocol_windows
from endolab.trial.report import endpoints_json_text

pytestmark = pytest.mark.filterwarnings("ignore")  # distributed's start-up/shut-down notices


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("trial")
    ds = simulate_trial(participants=5, days=100, seed=3)
    single = write_dataset(ds, root / "single", format="parquet")
    # the same dataset with its CGM as a folder of parts, each participant spread over parts
    parts = root / "parts"
    write_dataset(ds, parts, format="parquet")
    cgm = pl.read_parquet(parts / "cgm.parquet")
    (parts / "cgm.parquet").unlink()
    (parts / "cgm").mkdir()
    for k in range(3):
        cgm.gather_every(3, offset=k).write_parquet(parts / "cgm" / f"part-{k}.parquet")
    csv = write_dataset(ds, root / "csv", format="csv")
    return {"single": single, "parts": parts, "csv": csv}


def _local(folder: Path, protocol: str) -> str:
    return endpoints_json_text(analyze(read_dataset(folder), load_protocol(protocol)))


@pytest.mark.parametrize(
    ("which", "protocol"),
    [("single", "zimislecel-2025"), ("parts", "zimislecel-2025"), ("parts", "cit07-style")],
)
def test_same_endpoints_as_single_machine(
    folders: dict[str, Path], dask_client: Client, which: str, protocol: str
) -> None:
    proto = load_protocol(protocol)
    analysis, _notes = analyze_dask(folders[which], proto, client=dask_client, buckets=3)
    got = json.loads(endpoints_json_text(analysis))
    want = json.loads(_local(folders["single"], protocol))
    for doc in (got, want):
        doc["dataset"].pop("folder")
        doc["dataset"].pop("source")
        doc.pop("generated", None)
    assert got == want
    # the window readings are what came back, the count is of every reading
    assert analysis.dataset.cgm.height < got["dataset"]["cgm_readings"]


def test_protocol_windows_are_the_protocols() -> None:
    # zimislecel-2025: SHE days 90–365, HbA1c/TIR at day 365 (352–365), baseline TIR −14…−1, …
    windows = protocol_windows(load_protocol("zimislecel-2025"))
    assert (352, 365) in windows and (-14, -1) in windows
    assert all(a <= b for a, b in windows)


def test_cli_dask_json_equals_local_and_bad_input(folders: dict[str, Path]) -> None:
    local = CliRunner().invoke(app, ["trial", "analyze", str(folders["single"]), "--json"])
    on_dask = CliRunner().invoke(
        app,
        ["trial", "analyze", str(folders["parts"]), "--json", "--engine", "dask", "--workers", "1"],
    )
    assert local.exit_code == 0 and on_dask.exit_code == 0, on_dask.output
    a, b = json.loads(local.stdout), json.loads(on_dask.stdout)
    for doc in (a, b):
        doc["dataset"].pop("folder")
        doc["dataset"].pop("source")
    assert a == b
    csv = CliRunner().invoke(
        app, ["trial", "analyze", str(folders["csv"]), "--json", "--engine", "dask"]
    )
    assert csv.exit_code == 3 and "needs the CGM table as Parquet" in csv.stderr
    assert len(csv.stderr.strip().splitlines()) == 1
    bad = CliRunner().invoke(app, ["trial", "analyze", str(folders["single"]), "--workers", "2"])
    assert bad.exit_code == 2 and "need --engine dask" in bad.stderr


def test_windows_counted_from_a_second_infusion_keep_their_readings(
    tmp_path: Path, dask_client: Client
) -> None:
    # Two of five participants had a second infusion on day 20; the CGM endpoint counts days 60–70
    # from the LAST infusion, i.e. days 80–90 after the first for them. The Dask engine must bring
    # those readings back (it selects readings by window), so both engines agree.
    import dataclasses
    import datetime as dt

    from endolab.trial.protocol import protocol_from_dict

    ds = simulate_trial(participants=5, days=100, seed=3)
    people = ds.participants.with_columns(
        pl.when(pl.col("participant_id").is_in(ds.participants["participant_id"][:2].to_list()))
        .then(pl.col("infusion_date") + dt.timedelta(days=20))
        .otherwise(None)
        .alias("second_infusion_date")
    )
    folder = write_dataset(
        dataclasses.replace(ds, participants=people), tmp_path / "two", format="parquet"
    )
    proto = protocol_from_dict(
        {
            "name": "last",
            "primary_endpoint": "tir",
            "cohort_groups": {"all": sorted(set(people["cohort"].to_list()))},
            "infusions": {"day0": "last"},
            "endpoints": {
                "tir": {
                    "kind": "tir_above",
                    "window": [60, 70],
                    "above_pct": 50.0,
                    "min_sufficiency": 0.7,
                }
            },
        }
    )
    analysis, _notes = analyze_dask(folder, proto, client=dask_client, buckets=3)
    got = json.loads(endpoints_json_text(analysis))
    want = json.loads(endpoints_json_text(analyze(read_dataset(folder), proto)))
    for doc in (got, want):
        doc["dataset"].pop("folder")
        doc["dataset"].pop("source")
    assert got == want
    tir = {r["participant_id"]: r["details"]["tir__n_readings"] for r in got["participants"]}
    assert all(n and n > 0 for n in tir.values())
