"""`endolab trial` — Islet-replacement trial analytics: endpoints, tables, figures, reports."""

from __future__ import annotations

import typer

__all__ = ["app"]

app = typer.Typer(
    help="Islet-replacement trial analytics: endpoints, tables, figures, reports.",
    no_args_is_help=True,
)
