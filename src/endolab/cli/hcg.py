"""`endolab hcg` — hCG Mixing Protocol Calculator: reconstitution, syringe units, schedule, discard date."""

from __future__ import annotations

import typer

__all__ = ["app"]

app = typer.Typer(
    help="hCG Mixing Protocol Calculator: reconstitution, syringe units, schedule, discard date.",
    no_args_is_help=True,
)
