"""One exception tree for the whole package.

Hierarchy::

    ValueError
     └── EndolabError            every error endolab raises on purpose        exit status 3
          ├── InputError         a value that validation rejects             exit status 3
          │                      (out of range, inconsistent, not allowed)
          ├── DataFileError      a data file that does not follow its format  exit status 3
          │                      (names the file, the row and the column)
          └── ParseError         text that cannot be read as what it should   exit status 2
               └── UnitError     be (not a number, an unknown unit)

    UserWarning
     └── EndolabWarning          a result is given, but something deserves attention

The command line turns any :class:`EndolabError` into one line on standard error and the exit status
above (see ``docs/cli.md``); a usage error found by the argument parser (unknown flag, a value that is
not a number) also exits with 2. A traceback means a bug in endolab, never a user mistake.

Every error can carry a machine-readable ``code`` (e.g. ``E_DOSE_RANGE`` in the hCG calculator), the
``field`` it concerns and the offending ``value``.

A message that ends asking the user to set an option (the glucose unit, the date order) names it as
the library's keyword (``unit='mmol/L'``, ``date_order=``, the web API's parameters) and carries an
:class:`Ask`; a front end words the request with its own name of the option through
:meth:`EndolabError.asking` (the command line ``--unit mmol/L``, the /cgm page its form field).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, ClassVar, Self, TypeVar

__all__ = [
    "Ask",
    "DataFileError",
    "EndolabError",
    "EndolabWarning",
    "InputError",
    "ParseError",
    "UnitError",
    "asks",
    "one_of",
]

_E = TypeVar("_E", bound="EndolabError")


@dataclass(frozen=True)
class Ask:
    """The request that ends an error's message, in the library's words.

    ``option``: the library's keyword of the option asked for (``"unit"``, ``"date_order"``);
    ``kind``: what is asked, a stable key a front end looks its own wording up by
    (``"unit_mmol_l"``, …); ``text``: the request as the message ends with it.
    """

    option: str
    kind: str
    text: str


def asks(exc: _E, option: str, kind: str, text: str) -> _E:
    """``exc``, whose message ends with ``text``, marked as asking for ``option`` (an :class:`Ask`).

    >>> err = asks(InputError("no unit; pass unit='mmol/L'"), "unit", "unit_mmol_l", "pass unit='mmol/L'")
    >>> str(err.asking("pass --unit mmol/L"))
    'no unit; pass --unit mmol/L'
    """
    if not exc.message.endswith(text):
        raise AssertionError(f"the message does not end with the request {text!r}")
    exc.ask = Ask(option, kind, text)
    return exc


class EndolabError(ValueError):
    """Base class of every error endolab raises on purpose.

    Parameters
    ----------
    message
        One sentence a person can act on: what is wrong, the value, and what is accepted.
    code
        Optional machine-readable code (``E_…``), stable across releases.
    field
        Optional name of the input field, column or option concerned.
    value
        Optional offending value (kept as given).

    >>> err = InputError("total_t must be between 50 and 3000 ng/dL, got -5", field="total_t", value=-5)
    >>> isinstance(err, ValueError), err.exit_code, err.field
    (True, 3, 'total_t')
    """

    exit_code: ClassVar[int] = 3
    #: The request that ends the message, if it asks for an option (:func:`asks`).
    ask: Ask | None = None

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        value: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field
        self.value = value

    def __str__(self) -> str:
        return f"{self.code}: {self.message}" if self.code else self.message

    def asking(self, text: str) -> Self:
        """The same error (class, code, field, value) with its request (:attr:`ask`) in ``text``'s
        words; itself when it asks for nothing."""
        if self.ask is None:
            return self
        new = type(self).__new__(type(self))
        new.__dict__.update(self.__dict__)
        new.message = self.message[: len(self.message) - len(self.ask.text)] + text
        new.args = (new.message,)
        new.ask = replace(self.ask, text=text)
        return new


class InputError(EndolabError):
    """A value that validation rejects: out of range, inconsistent, or not allowed."""

    exit_code: ClassVar[int] = 3


class DataFileError(EndolabError):
    """A data file that does not follow its format.

    The message names the file, and where known the (1-based, header = row 1) row and the column.

    >>> str(DataFileError("not a number", file="labs.csv", row=4, column="value"))
    'labs.csv, row 4, column value: not a number'
    """

    exit_code: ClassVar[int] = 3

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
        code: str | None = None,
        value: Any = None,
    ) -> None:
        where = ", ".join(
            part
            for part in (
                file,
                f"row {row}" if row is not None else None,
                f"column {column}" if column is not None else None,
            )
            if part
        )
        super().__init__(
            f"{where}: {message}" if where else message, code=code, field=column, value=value
        )
        self.file = file
        self.row = row
        self.column = column


class ParseError(EndolabError):
    """Text that cannot be read as what it should be (not a number, not a date)."""

    exit_code: ClassVar[int] = 2


class UnitError(ParseError):
    """A unit that endolab does not know for this quantity."""

    exit_code: ClassVar[int] = 2


def one_of(value: str, accepted: Sequence[str], field: str) -> str:
    """The item of ``accepted`` that ``value`` names (case and surrounding spaces ignored), else a
    :class:`ParseError` naming ``field`` and listing what is accepted.

    >>> one_of(" CSV ", ("csv", "json"), "--format")
    'csv'
    >>> one_of("xml", ("csv", "json"), "--format")
    Traceback (most recent call last):
    ...
    endolab.errors.ParseError: --format 'xml' not accepted; accepted: csv, json
    """
    key = value.strip().lower()
    for item in accepted:
        if item.lower() == key:
            return item
    raise ParseError(
        f"{field} {value!r} not accepted; accepted: {', '.join(accepted)}",
        field=field,
        value=value,
    )


class EndolabWarning(UserWarning):
    """A result is given, but something about the input or the result deserves attention."""
