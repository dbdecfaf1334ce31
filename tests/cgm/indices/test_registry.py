"""What the index functions share beyond the registry's contract: the ``shared`` intermediates
(grids built once, the same values as without) and :func:`compute_indices` (join, chunks).

The contract every CGM statistic obeys — consensus metric or index: row order, grouping, period
columns, units, empty and one-reading input, mmol/L input, errors — is tested over every entry of
the one registry in tests/cgm/test_registry_common.py."""

from __future__ import annotations

import inspect

import polars as pl
import pytest

from endolab.cgm.indices import REGISTRY, compute_indices
from endolab.cgm.kernels.grid import Intermediates
from endolab.errors import InputError
from tests.cgm.indices.helpers import assert_same as _assert_same
from tests.cgm.indices.helpers import cohort as _cohort

NAMES = list(REGISTRY)


@pytest.mark.parametrize("name", NAMES)
def test_signature_and_columns(name: str) -> None:
    fn = REGISTRY[name]
    params = inspect.signature(fn).parameters
    assert list(params)[:2] == ["frame", "by"]
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in list(params.values())[1:])
    assert "unit" not in params  # glucose is always mg/dL in the canonical frame
    assert params["shared"].default is None  # intermediates are passed explicitly, never global
    # shared parameter text comes from endolab.cgm.docstrings.docdict, filled in
    assert fn.__doc__ is not None and "%(" not in fn.__doc__
    assert "Canonical CGM frame (:func:`endolab.cgm.check_frame`)" in fn.__doc__
    out = fn(_cohort())
    assert out.columns[0] == "id" and out.height == 3
    assert out["id"].to_list() == ["a", "b", "c"]
    assert all(out.schema[c] == pl.Float64 for c in out.columns[1:])


def test_compute_indices_joins_and_chunks() -> None:
    frame = _cohort()
    whole = compute_indices(frame)
    chunked = compute_indices(frame, chunk_readings=1)
    _assert_same(whole, chunked)
    shared = Intermediates(frame)
    separate = [REGISTRY[n](frame, shared=shared) for n in NAMES]
    for part, name in zip(separate, NAMES, strict=True):
        _assert_same(part, REGISTRY[name](frame))  # the same values without shared grids
    cols = [c for part in separate for c in part.columns[1:]]
    assert whole.columns == ["id", *cols]
    with pytest.raises(InputError, match="unknown metric"):
        compute_indices(frame, names=["mage", "nope"])
