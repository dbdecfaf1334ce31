"""User-facing text shared by every front end (CLI, JSON API, web widgets)."""

from __future__ import annotations

from typing import Final

__all__ = ["DISCLAIMER", "IN_SILICO_NOTICE"]

#: One-line medical disclaimer carried by every calculator output and page.
DISCLAIMER: Final = (
    "For education and research only: not medical advice, not a diagnosis, not a prescription. "
    "Check every number with your clinician or pharmacist."
)

#: Carried by every in-silico (simulated) result.
IN_SILICO_NOTICE: Final = (
    "In-silico result from a model of virtual patients: a hypothesis, not clinical evidence."
)
