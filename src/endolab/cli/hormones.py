"""`endolab hormones` — TRT Hormone Predictor: free testosterone, estradiol and DHT from total testosterone."""

from __future__ import annotations

import typer

__all__ = ["app"]

app = typer.Typer(
    help="TRT Hormone Predictor: free testosterone, estradiol and DHT from total testosterone.",
    no_args_is_help=True,
)
