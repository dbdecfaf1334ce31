"""Read and validate a trial dataset folder (format version 1, docs/trial-data.md).

A dataset is a folder with ``participants``, ``cgm``, ``labs``, ``insulin`` and ``events`` tables, each
as ``<name>.csv`` (UTF-8, comma-separated, header row, ISO 8601 dates) or ``<name>.parquet`` with the
same columns. :func:`read_dataset` reads every file, checks it, and returns a :class:`TrialDataset`
of typed polars frames with a ``day`` column (day 0 = ``infusion_date``, a date D is on day
``(D - infusion_date).days``). Any problem — a missing file or column, a value of the wrong type, an
empty required cell, an unknown participant id, a date before 1900 or after 2100, a duplicate key —
raises :class:`~endolab.errors.DataFileError` naming the file, the row and the column, before anything
is computed. Unknown extra columns are kept and ignored. The optional columns (``second_infusion_date``,
``end_date``) may hold empty cells or be left out of the file. The folder is only read, never written.

The checks work on in-memory tables: :func:`validate_tables` takes a mapping of table name to polars
frame (text columns as read from CSV, or typed columns as from Parquet or a simulator) and returns the
same :class:`TrialDataset`; :func:`read_dataset` is a thin reader over it. :func:`write_dataset` writes
a dataset folder atomically (built in a temporary sibling folder and renamed into place), so a reader
never sees a half-written dataset.

Row numbers are those of the CSV file: the header is row 1, the first data row is row 2 (the same
numbering is used for Parquet files: data row *k*, counted from 1, is reported as row *k* + 1).

Keys that must be unique: ``participants``: participant_id; ``cgm``: (participant_id, time);
``labs``: (participant_id, date, test); ``insulin``: (participant_id, date). Events have no key (two
identical events on one day are possible).

The package: :mod:`~endolab.trial.dataset.schema` declares every table and column once (type, unit,
required, range, codes, meaning), and the checks, the template and the column tables of
docs/trial-data.md are driven from it; :mod:`~endolab.trial.dataset.checks` holds the checks,
:mod:`~endolab.trial.dataset.read` and :mod:`~endolab.trial.dataset.write` the files.
"""

from endolab.trial.dataset.checks import no_participants_error, validate_tables
from endolab.trial.dataset.model import PLAUSIBILITY_CODE, TrialDataset
from endolab.trial.dataset.read import (
    MANIFEST,
    TWINS_FOLDER,
    DatasetCheck,
    check_dataset,
    dataset_folder,
    empty_table,
    read_dataset,
    read_table,
)
from endolab.trial.dataset.schema import (
    COLUMN_NOTES,
    ENUMS,
    FILES,
    LAB_TESTS,
    TABLE_ROWS,
    TABLES,
    Column,
    Table,
    columns_markdown,
    template_readme,
)
from endolab.trial.dataset.write import (
    DATASET_CONTENTS,
    TEMPLATE_CONTENTS,
    check_new_folder,
    write_dataset,
    write_template,
)

__all__ = [
    "COLUMN_NOTES",
    "DATASET_CONTENTS",
    "ENUMS",
    "FILES",
    "LAB_TESTS",
    "MANIFEST",
    "PLAUSIBILITY_CODE",
    "TABLES",
    "TABLE_ROWS",
    "TEMPLATE_CONTENTS",
    "TWINS_FOLDER",
    "Column",
    "DatasetCheck",
    "Table",
    "TrialDataset",
    "check_dataset",
    "check_new_folder",
    "columns_markdown",
    "dataset_folder",
    "empty_table",
    "no_participants_error",
    "read_dataset",
    "read_table",
    "template_readme",
    "validate_tables",
    "write_dataset",
    "write_template",
]
