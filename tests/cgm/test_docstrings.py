"""Shared parameter text (endolab.cgm.docstrings): filled with the line's indentation, an unknown
entry is an error, other % signs are left alone."""

from __future__ import annotations

import pytest

from endolab.cgm.docstrings import docdict, fill_doc


def test_fill_doc_indents_the_entry_like_its_line() -> None:
    def f() -> None:
        """Share of readings [%].

        Parameters
        ----------
        %(inter_gap)s
        """

    filled = fill_doc(f).__doc__
    assert filled is not None
    lines = filled.splitlines()
    assert lines[0] == "Share of readings [%]."
    expected = ["        " + line for line in docdict["inter_gap"].splitlines()]
    assert lines[4 : 4 + len(expected)] == expected
    assert lines[4].strip() == "inter_gap" and lines[5].startswith("            Longest gap")


def test_an_unknown_entry_is_an_error() -> None:
    def f() -> None:
        """%(no_such_parameter)s"""

    with pytest.raises(KeyError, match="no_such_parameter"):
        fill_doc(f)
