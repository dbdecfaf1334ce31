"""Islet-replacement trial analytics: dataset reader, protocols as data, endpoints, grading, report.

>>> from endolab.trial import load_protocol
>>> load_protocol().name
'zimislecel-2025'
"""

from endolab.trial.analysis import TrialAnalysis, analyze
from endolab.trial.dataset import TrialDataset, read_dataset, validate_tables, write_dataset
from endolab.trial.protocol import Protocol, load_protocol
from endolab.trial.report import run, write_report

__all__ = [
    "Protocol",
    "TrialAnalysis",
    "TrialDataset",
    "analyze",
    "load_protocol",
    "read_dataset",
    "run",
    "validate_tables",
    "write_dataset",
    "write_report",
]
