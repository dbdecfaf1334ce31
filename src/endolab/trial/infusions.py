"""Repeat infusions: the study days of a dataset counted from the first or the last infusion.

The dataset format counts every study day from the first infusion (``infusion_date``,
docs/trial-data.md). A participant may receive a second infusion (``second_infusion_date``; the
zimislecel trial's part A allowed a second half dose). The protocol says, per endpoint and per
section, which infusion is day 0 (:class:`~endolab.trial.protocol.InfusionSpec`,
docs/methods/trial.md §4.7):

* ``"first"``: the dataset's own days; a second infusion moves nothing;
* ``"last"``: for a participant with a second infusion, day ``d`` counted from the first infusion
  becomes day ``d − (second_infusion_date − infusion_date)``: every window of the endpoint is
  counted from the second infusion, so the whole window moves later by the days between the two
  infusions. A participant without a second infusion keeps their days (their last infusion is
  their first).

:func:`rebase` returns the dataset seen from the chosen day 0; every endpoint, grade and time to
event is then computed on it exactly as for a single infusion.
"""

from __future__ import annotations

import dataclasses

import polars as pl

from endolab.trial.dataset import TrialDataset
from endolab.trial.protocol import Day0

__all__ = ["day0_offsets", "rebase", "second_infusion_days"]


def day0_offsets(ds: TrialDataset) -> pl.DataFrame:
    """Each participant's last infusion in days after the first [day]: columns participant_id,
    ``day0_offset`` (``second_infusion_date − infusion_date``; 0 without a second infusion)."""
    return ds.participants.select(
        "participant_id",
        (pl.col("second_infusion_date") - pl.col("infusion_date"))
        .dt.total_days()
        .fill_null(0)
        .cast(pl.Int32)
        .alias("day0_offset"),
    )


def _shift(frame: pl.DataFrame, offsets: pl.DataFrame, column: str) -> pl.DataFrame:
    order = frame.columns
    return (
        frame.join(offsets, on="participant_id", how="left")
        .with_columns((pl.col(column) - pl.col("day0_offset").fill_null(0)).cast(pl.Int32))
        .select(order)
    )


def rebase(ds: TrialDataset, day0: Day0) -> TrialDataset:
    """``ds`` with its study days counted from the participant's ``day0`` infusion.

    ``"first"``, or a dataset in which nobody had a second infusion, returns ``ds`` itself. The
    tables keep their rows and order; only ``day`` (cgm, labs, insulin) and ``start_day``
    (events) change.

    >>> import datetime as dt
    >>> d = lambda day: dt.date(2024, 1, 1) + dt.timedelta(days=day)
    >>> people = pl.DataFrame({"participant_id": ["P1", "P2"], "infusion_date": [d(0), d(0)],
    ...     "second_infusion_date": [d(100), None]})
    >>> labs = pl.DataFrame({"participant_id": ["P1", "P2"], "day": [365, 365]},
    ...     schema_overrides={"day": pl.Int32})
    >>> empty = pl.DataFrame({"participant_id": [], "day": [], "start_day": []},
    ...     schema={"participant_id": pl.String, "day": pl.Int32, "start_day": pl.Int32})
    >>> ds = TrialDataset(None, people, empty, labs, empty, empty)
    >>> rebase(ds, "last").labs["day"].to_list()  # 365 − 100 for P1; P2 had one infusion
    [265, 365]
    >>> rebase(ds, "first") is ds
    True
    """
    if day0 == "first":
        return ds
    offsets = day0_offsets(ds)
    if not (offsets.get_column("day0_offset") != 0).any():
        return ds
    return dataclasses.replace(
        ds,
        cgm=_shift(ds.cgm, offsets, "day"),
        labs=_shift(ds.labs, offsets, "day"),
        insulin=_shift(ds.insulin, offsets, "day"),
        events=_shift(ds.events, offsets, "start_day"),
    )


def second_infusion_days(ds: TrialDataset, day0: Day0) -> dict[str, int]:
    """participant → study day of their second infusion counted from ``day0`` [day] (0 for
    ``"last"``); participants with a single infusion are left out."""
    return {
        str(pid): (0 if day0 == "last" else int(offset))
        for pid, offset in day0_offsets(ds).iter_rows()
        if offset
    }
