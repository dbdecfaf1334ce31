"""CDISC output and input of a trial dataset (issue 21): SDTM and ADaM datasets as SAS XPORT v5 or
Dataset-JSON v1.1 with a define-style metadata table, and SDTM read back into the trial dataset format.

* :func:`~endolab.trial.cdisc.sdtm.sdtm_datasets`: DM, SUPPDM, VS, EX, CM, LB (labs and CGM), AE,
  CE (severe hypoglycaemia);
* :func:`~endolab.trial.cdisc.adam.adam_datasets`: ADSL, ADLB, ADTTE;
* :func:`~endolab.trial.cdisc.files.export_cdisc`: write them to a folder (``endolab._io`` output
  rule), XPT needs the optional extra ``[cdisc]`` (pyreadstat);
* :func:`~endolab.trial.cdisc.importer.import_sdtm`: SDTM folder → trial dataset tables;
* :func:`~endolab.trial.cdisc.rules.structural_problems`: the SDTMIG/ADaMIG structural rules that
  apply (names, labels, lengths, keys, --SEQ).

The mapping tables are in docs/trial.md, "CDISC export/import".
"""

from endolab.trial.cdisc.adam import adam_datasets
from endolab.trial.cdisc.model import Dataset, Var
from endolab.trial.cdisc.sdtm import sdtm_datasets

__all__ = ["Dataset", "Var", "adam_datasets", "sdtm_datasets"]
