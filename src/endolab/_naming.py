"""Deprecated aliases of renamed public functions (the naming rule of docs/methods/index.md §4).

A function named after a published model ends in ``_<author>_<year>`` (``dht_lakshman_2010``,
``vermeulen_1999``); a method key a user types or reads is the author and year in lower case with
no separator (``vermeulen1999``). A public function renamed to follow the rule keeps its old,
documented name as an alias that warns (:class:`DeprecationWarning`) and then calls the new one.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import ParamSpec, TypeVar

__all__ = ["deprecated_alias"]

P = ParamSpec("P")
R = TypeVar("R")


def deprecated_alias(func: Callable[P, R], old_name: str) -> Callable[P, R]:
    """``func`` under its former name ``old_name``, warning once per call site that it moved.

    >>> def area_smith_2001(x: float) -> float:
    ...     return 2 * x
    >>> smith_2001_area = deprecated_alias(area_smith_2001, "smith_2001_area")
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     smith_2001_area(2.0), str(caught[0].message)
    (4.0, 'smith_2001_area is deprecated: use area_smith_2001 (same arguments, same result)')
    """

    @functools.wraps(func)
    def alias(*args: P.args, **kwargs: P.kwargs) -> R:
        warnings.warn(
            f"{old_name} is deprecated: use {func.__name__} (same arguments, same result)",
            DeprecationWarning,
            stacklevel=2,
        )
        return func(*args, **kwargs)

    alias.__name__ = alias.__qualname__ = old_name
    alias.__doc__ = f"Deprecated alias of :func:`{func.__name__}` (docs/methods/index.md §4)."
    return alias
