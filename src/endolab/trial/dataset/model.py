"""The validated dataset: :class:`TrialDataset` (typed polars frames with study days)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from endolab.notices import Notice

__all__ = ["PLAUSIBILITY_CODE", "TrialDataset"]

#: The code of a plausibility finding that does not stop the analysis (a value that looks like a
#: unit slip, confirmed or only suspected).
PLAUSIBILITY_CODE = "W_TRIAL_PLAUSIBILITY"


@dataclass(frozen=True)
class TrialDataset:
    """A validated trial dataset: typed polars frames, each with a study ``day`` column.

    ``participants`` is sorted by participant_id; ``cgm`` (columns participant_id, time,
    glucose_mg_dl, day) by participant_id then time; ``labs``, ``insulin`` and ``events`` carry
    ``day`` (``start_day`` for events) computed from each participant's ``infusion_date``.

    ``folder`` is the folder the dataset was read from, or ``None`` for a dataset built in memory
    (e.g. by :func:`endolab.sim.simulate_trial`); ``formats`` maps each table to the file format it
    was read from (``csv``/``parquet``; empty for an in-memory dataset). ``source`` describes where
    the data came from in words (the folder, or e.g. "simulated by endolab.sim").
    ``simulation`` is the simulator's manifest (``simulation.json``) when the dataset is in silico,
    else ``None``; reports then say that the results are simulated, not clinical evidence.
    ``notices`` are the plausibility findings that did not stop the reading (e.g. a unit slip
    confirmed with ``accept_units``), as :class:`endolab.notices.Notice` data with code
    :data:`PLAUSIBILITY_CODE`; every report shows them.
    """

    folder: Path | None
    participants: pl.DataFrame
    cgm: pl.DataFrame
    labs: pl.DataFrame
    insulin: pl.DataFrame
    events: pl.DataFrame
    formats: dict[str, str] = field(default_factory=dict)
    source: str = ""
    simulation: Mapping[str, Any] | None = None
    notices: tuple[Notice, ...] = ()
    #: A paired simulation's untreated twins (same participant ids, meals, behaviour and sensor
    #: noise, no graft), or ``None``; on disk the folder's ``twins/`` sub-folder (docs/trial-data.md,
    #: "Paired simulations").
    twins: TrialDataset | None = None

    @property
    def simulated(self) -> bool:
        """True for an in-silico dataset (made by :mod:`endolab.sim`): never clinical evidence."""
        return self.simulation is not None

    @property
    def label(self) -> str:
        """A short name for reports: the folder's name, else ``source``, else "in-memory dataset"."""
        if self.folder is not None:
            return self.folder.name or str(self.folder)
        return self.source or "in-memory dataset"
