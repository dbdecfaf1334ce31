"""The jinja2 environment of endolab's HTML outputs (the trial report, the clinic AGP report, the
web app's pages).

One environment per template folder (package data beside the module that renders it), each with
autoescape on: a value is text and is escaped where it is written, and an undefined name is an
error (``StrictUndefined``). The templates only lay out what the library computed and worded.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jinja2

__all__ = ["environment", "render"]


@cache
def environment(directory: Path, *, trim: bool = False) -> jinja2.Environment:
    """The (cached) jinja2 environment of the templates in ``directory``, autoescape on.

    ``trim``: a block tag takes the newline after it and the spaces before it away
    (``trim_blocks`` and ``lstrip_blocks``; the web app's templates are written for it).
    """
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(directory),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=False,
        trim_blocks=trim,
        lstrip_blocks=trim,
    )


def render(directory: Path, name: str, **context: Any) -> str:
    """The template ``name`` of ``directory`` rendered with ``context``."""
    return environment(directory).get_template(name).render(**context)
