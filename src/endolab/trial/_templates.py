"""The jinja2 templates of the trial's HTML output (``endolab/trial/templates``, package data).

Autoescape is on for every template (:mod:`endolab._templates`): a value is text and is escaped
where it is written. The templates only lay out what the library computed and worded
(:mod:`endolab.trial.report`, :func:`endolab.trial.tables.to_html`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from endolab import _templates

__all__ = ["TEMPLATE_DIR", "render"]

TEMPLATE_DIR = Path(__file__).with_name("templates")


def render(name: str, **context: Any) -> str:
    """The template ``name`` rendered with ``context``."""
    return _templates.render(TEMPLATE_DIR, name, **context)
