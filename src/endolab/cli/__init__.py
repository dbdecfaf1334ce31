"""Command-line front end (typer). Thin adapters only: no science lives here."""

from endolab.cli.main import app, main

__all__ = ["app", "main"]
