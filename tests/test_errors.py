"""The exception tree and its documented exit statuses."""

from __future__ import annotations

import endolab
from endolab.errors import DataFileError, EndolabError, InputError, ParseError, UnitError


def test_hierarchy_and_exit_codes() -> None:
    assert issubclass(EndolabError, ValueError)
    assert {cls: cls.exit_code for cls in (InputError, DataFileError, ParseError, UnitError)} == {
        InputError: 3,
        DataFileError: 3,
        ParseError: 2,
        UnitError: 2,
    }


def test_code_is_prefixed() -> None:
    assert str(InputError("dose too small", code="E_DOSE_RANGE")) == "E_DOSE_RANGE: dose too small"


def test_data_file_error_names_place() -> None:
    err = DataFileError("duplicate key", file="participants.csv", row=3, column="participant_id")
    assert str(err) == "participants.csv, row 3, column participant_id: duplicate key"
    assert (err.file, err.row, err.column) == ("participants.csv", 3, "participant_id")


def test_public_names() -> None:
    assert sorted(endolab.__all__) == sorted(
        [
            "DataFileError",
            "EndolabError",
            "EndolabWarning",
            "InputError",
            "ParseError",
            "UnitError",
            "__version__",
        ]
    )
