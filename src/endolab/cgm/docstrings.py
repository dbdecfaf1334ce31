"""Parameter text shared by the CGM functions, written once (MNE-Python's ``docdict`` /
``fill_doc``; STYLE item 4).

A docstring names an entry as ``%(name)s`` on the line of the parameter; :func:`fill_doc`
replaces it with the entry, indented like that line. Other ``%`` signs are left alone (``[%]``
needs no escaping). An unknown name is an error when the module is imported.

>>> @fill_doc
... def f(frame, *, by=("id",)):
...     '''Example.
...
...     Parameters
...     ----------
...     %(by)s
...     '''
>>> print(f.__doc__.splitlines()[4].strip())
by
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final, TypeVar

__all__ = ["docdict", "fill_doc"]

#: Shared parameter entries (numpydoc: the name line, then its description indented by 4).
docdict: Final[dict[str, str]] = {
    "frame": (
        "frame\n"
        "    Canonical CGM frame (:func:`endolab.cgm.check_frame`): ``id``, ``time``, ``gl``\n"
        "    [mg/dL], ``censored``; period columns named in ``by`` may follow."
    ),
    "by": (
        "by\n"
        '    Grouping columns (default ``("id",)``), e.g. ``("id", "date")`` with a period\n'
        "    column; one result row per group, sorted by them."
    ),
    "dt0_grid": (
        "dt0\n"
        "    Grid step [min]; ``None`` (default, R iglu) = the median interval between\n"
        "    readings, rounded (half to even), per group."
    ),
    "inter_gap": (
        "inter_gap\n"
        "    Longest gap between readings interpolated over [min]; default 45 (R iglu 4.3.0\n"
        "    ``inter_gap``); grid points inside longer gaps are missing."
    ),
    "shared": (
        "shared\n"
        "    :class:`~endolab.cgm.kernels.grid.Intermediates` of ``frame`` to build its groupings\n"
        "    and grids once across several calls (``None``: built for this call only)."
    ),
}

_KEY: Final = re.compile(r"^([ \t]*)%\((\w+)\)s[ \t]*$", re.MULTILINE)

_F = TypeVar("_F", bound=Callable[..., object])


def _fill(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        indent, name = match.group(1), match.group(2)
        if name not in docdict:
            raise KeyError(f"fill_doc: no docdict entry {name!r} (known: {', '.join(docdict)})")
        return "\n".join(indent + line for line in docdict[name].splitlines())

    return _KEY.sub(one, text)


def fill_doc(f: _F) -> _F:
    """Fill the ``%(name)s`` lines of ``f``'s docstring from :data:`docdict`."""
    if f.__doc__:
        f.__doc__ = _fill(f.__doc__)
    return f
