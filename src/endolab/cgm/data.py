"""CGM readings with the notices found while reading them (what :func:`endolab.cgm.load_cgm` returns)."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from endolab.cgm.frame import measured_units
from endolab.notices import Notice

__all__ = ["CgmData"]


@dataclass(frozen=True)
class CgmData:
    """A canonical CGM frame and the notices of reading and checking it, as data.

    ``frame``: the canonical frame (:func:`endolab.cgm.check_frame`); ``notices``: what the
    readers said about the files (rows dropped or re-ordered, a unit detected, long gaps), each an
    :class:`endolab.notices.Notice` whose ``field`` is the file. The results of
    :func:`endolab.cgm.metrics_result`, :func:`~endolab.cgm.episodes_result` and
    :func:`~endolab.cgm.agp_result` computed from a :class:`CgmData` carry these notices first.
    """

    frame: pl.DataFrame
    notices: tuple[Notice, ...] = ()

    @property
    def measured_unit(self) -> str:
        """The unit the readings were measured in: ``"mg/dL"``, ``"mmol/L"`` or ``"mixed"``."""
        return measured_units(self.frame)

    @property
    def ids(self) -> list[str]:
        """The subject ids, in order of first appearance."""
        return [str(x) for x in self.frame.get_column("id").unique(maintain_order=True).to_list()]
