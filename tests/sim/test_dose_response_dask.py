"""`sim dose-response --engine dask`: each dose arm a task; the same seed gives the same result.

The reference is the local engine (the claim under test is "same result on Dask").
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

pytest.importorskip("distributed", reason="the optional extra endolab[dask] is not installed")

from distributed import Client

from endolab.cli import app
from endolab.sim.studies import dose_response

pytestmark = pytest.mark.filterwarnings("ignore")  # distributed's own start-up/shut-down notices


def test_same_rows_as_local(dask_client: Client) -> None:
    kwargs = {"participants": 3, "days": 40, "seed": 2}
    local = dose_response([0.0, 8e8], **kwargs)  # type: ignore[arg-type]
    seen: list[tuple[int, int]] = []
    on_dask = dose_response(
        [0.0, 8e8],
        engine="dask",
        client=dask_client,
        progress=lambda d, t: seen.append((d, t)),
        **kwargs,  # type: ignore[arg-type]
    )
    assert on_dask.rows == local.rows and on_dask.settings == local.settings
    assert seen[-1] == (2, 2)  # progress counts arms on Dask


def test_cli_same_json_and_bad_flags() -> None:
    base = ["sim", "dose-response", "--doses", "0,8e8", "--participants", "2", "--days", "20",
            "--json"]  # fmt: skip
    local = CliRunner().invoke(app, base)
    dask_run = CliRunner().invoke(app, [*base, "--engine", "dask", "--workers", "1"])
    assert local.exit_code == 0 and dask_run.exit_code == 0, dask_run.output
    assert json.loads(dask_run.stdout) == json.loads(local.stdout)
    bad = CliRunner().invoke(app, [*base, "--workers", "2"])
    assert bad.exit_code == 2 and "need --engine dask" in bad.stderr
    bad = CliRunner().invoke(app, [*base, "--engine", "spark"])
    assert bad.exit_code == 2 and "--engine" in bad.stderr
