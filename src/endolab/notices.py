"""Notices as data: one type for every capability, collected per call, echoed as warnings on request.

A *notice* says that a result is given but something deserves attention (rows dropped, a unit
detected, too little data for a metric, a cohort left out of the summaries). Every capability
returns its notices with its result — :attr:`endolab.hcg.MixResult.notices`,
:attr:`endolab.cgm.MetricsResult.notices`, :attr:`endolab.trial.TrialAnalysis.notices` — as
:class:`Notice` values: a stable ``code``, a ``severity`` (``"W"`` warning, ``"I"`` information;
``"E"`` is reserved for the error catalogues, whose errors are raised), the ``message`` a person
reads, and the ``field`` (input, column or file) it concerns when there is one.

How notices travel inside the library: code that finds something calls :func:`emit`. Inside a
:func:`collect` block the notice is appended to that block's list — the block belongs to the
current thread or asyncio task (a :class:`contextvars.ContextVar`), so simultaneous requests of a
server never see each other's notices and need no lock. Outside any block, :func:`emit` echoes the
notice as an :class:`~endolab.errors.EndolabWarning` (what a library user calling e.g.
:func:`endolab.cgm.compute_metrics` has always seen); :func:`echo` re-emits a result's notices as
warnings on request. Front ends never capture warnings: they print or render ``result.notices``.

>>> n = Notice("W_CGM_SINGLE_READING", "W", "1 group(s) have a single reading", field="gl")
>>> n.as_dict()
{'code': 'W_CGM_SINGLE_READING', 'severity': 'W', 'message': '1 group(s) have a single reading', 'field': 'gl'}
>>> with collect() as found:
...     emit(n)
>>> [x.code for x in found], str(found[0])
(['W_CGM_SINGLE_READING'], '1 group(s) have a single reading')
"""

from __future__ import annotations

import types
import warnings
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from dataclasses import field as _field
from typing import Any, Literal

from endolab.errors import EndolabWarning

__all__ = ["Notice", "Severity", "collect", "echo", "emit", "unique"]

#: ``E`` error (raised, never attached), ``W`` warning, ``I`` information.
Severity = Literal["E", "W", "I"]


@dataclass(frozen=True)
class Notice:
    """A warning or information attached to a result.

    ``field`` names the input, column or file concerned (``None`` when the notice is about the
    whole result); ``data`` holds the exact numbers behind the message (read-only; not compared).
    ``str(notice)`` is the message.
    """

    code: str
    severity: Severity
    message: str
    field: str | None = None
    data: Mapping[str, Any] = _field(
        default_factory=lambda: types.MappingProxyType({}), compare=False, hash=False
    )

    def __str__(self) -> str:
        return self.message

    def as_dict(self) -> dict[str, str]:
        """``{code, severity, message}`` and ``field`` when set, for JSON output."""
        out = {"code": self.code, "severity": self.severity, "message": self.message}
        if self.field is not None:
            out["field"] = self.field
        return out

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # picklable (Dask sends notices between processes): the read-only ``data`` as a dict
        return (_notice, (self.code, self.severity, self.message, self.field, dict(self.data)))

    def warning(self) -> EndolabWarning:
        """This notice as an :class:`~endolab.errors.EndolabWarning` (the notice on ``.notice``)."""
        w = EndolabWarning(self.message)
        w.notice = self  # type: ignore[attr-defined]
        return w


def _notice(
    code: str, severity: Severity, message: str, field: str | None, data: dict[str, Any]
) -> Notice:
    return Notice(code, severity, message, field, types.MappingProxyType(data))


_SINK: ContextVar[list[Notice] | None] = ContextVar("endolab_notices", default=None)


def emit(notice: Notice, *, stacklevel: int = 2) -> None:
    """Report ``notice``: to the innermost :func:`collect` block of this thread or task, else as an
    :class:`~endolab.errors.EndolabWarning` (``stacklevel`` as for :func:`warnings.warn`, counted
    from the caller of :func:`emit`)."""
    sink = _SINK.get()
    if sink is not None:
        sink.append(notice)
    else:
        warnings.warn(notice.warning(), stacklevel=stacklevel + 1)


@contextmanager
def collect() -> Iterator[list[Notice]]:
    """Collect the notices emitted in the block (this thread or task only) into the list yielded.

    Blocks nest: a notice goes to the innermost one. Nothing is warned inside a block.
    """
    found: list[Notice] = []
    token = _SINK.set(found)
    try:
        yield found
    finally:
        _SINK.reset(token)


def echo(notices: Iterable[Notice], *, stacklevel: int = 2) -> None:
    """Re-emit ``notices`` with :func:`emit` (as warnings, unless a :func:`collect` block is open):
    the optional echo for library users who want Python warnings."""
    for notice in notices:
        emit(notice, stacklevel=stacklevel + 1)


def unique(notices: Iterable[Notice]) -> tuple[Notice, ...]:
    """``notices`` in order, each (code, message) once."""
    seen: dict[tuple[str, str], Notice] = {}
    for n in notices:
        seen.setdefault((n.code, n.message), n)
    return tuple(seen.values())
