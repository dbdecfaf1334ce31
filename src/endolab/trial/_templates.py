"""The jinja2 templates of the trial's HTML output (``endolab/trial/templates``, package data).

Autoescape is on for every template: a value is text and is escaped where it is written. The
templates only lay out what the library computed and worded (:mod:`endolab.trial.report`,
:func:`endolab.trial.tables.to_html`).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jinja2

__all__ = ["TEMPLATE_DIR", "render"]

TEMPLATE_DIR = Path(__file__).with_name("templates")


@cache
def _environment() -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=False,
    )


def render(name: str, **context: Any) -> str:
    """The template ``name`` rendered with ``context``."""
    return _environment().get_template(name).render(**context)
