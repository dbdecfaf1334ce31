"""`endolab cgm` — CGM analytics: consensus metrics, episodes, variability indices, AGP."""

from __future__ import annotations

import typer

__all__ = ["app"]

app = typer.Typer(
    help="CGM analytics: consensus metrics, episodes, variability indices, AGP.",
    no_args_is_help=True,
)
