"""Example data shipped with endolab, to try every command before using your own data.

All of it is **synthetic**: made by :mod:`endolab.examples.generate` from a fixed seed (no real
person's data, nothing copied from another project). ``endolab examples DIR`` copies it to a folder:

* ``cgm/generic.csv`` and ``cgm/generic.parquet``: two subjects (``S01``, ``S02``), 14 days, one
  reading every 15 min, columns ``id, time, gl`` [mg/dL];
* ``cgm/dexcom_clarity.csv``: a Dexcom Clarity export layout (one subject, 14 days, every 5 min,
  with "Low"/"High" readings and non-glucose rows the reader skips);
* ``cgm/libreview.csv``: a LibreView export layout (one subject, 14 days, historic readings every
  15 min, a few scans, day-first dates);
* ``trial/``: a trial dataset (docs/trial-data.md) of four participants followed for a year.

>>> sorted(p for p in example_files() if p.startswith("cgm/"))
['cgm/dexcom_clarity.csv', 'cgm/generic.csv', 'cgm/generic.parquet', 'cgm/libreview.csv']
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from endolab._io import atomic_directory, check_output_path

__all__ = ["EXAMPLES_CONTENTS", "example_files", "write_examples"]

_PACKAGE = "endolab.examples"


def _data() -> resources.abc.Traversable:
    return resources.files(_PACKAGE).joinpath("data")


def example_files() -> list[str]:
    """The shipped example files, as paths relative to the examples folder (``cgm/…``, ``trial/…``)."""
    found: list[str] = []

    def walk(node: resources.abc.Traversable, prefix: str) -> None:
        for child in node.iterdir():
            if child.is_dir():
                walk(child, f"{prefix}{child.name}/")
            elif not child.name.startswith((".", "_")):
                found.append(prefix + child.name)

    walk(_data(), "")
    return sorted(found)


#: What an examples folder holds, as its manifest records it (:func:`endolab._io.atomic_directory`).
EXAMPLES_CONTENTS = "endolab's example data"


def write_examples(folder: str | os.PathLike[str]) -> Path:
    """Copy the example files into ``folder`` atomically and return its path.

    ``folder`` must be new, empty, or an examples folder endolab wrote with its files unchanged and
    nothing else in it (the output rule of :mod:`endolab._io`)."""
    target = check_output_path(folder, flag="DIR", kind="folder", writer=EXAMPLES_CONTENTS)
    with atomic_directory(target, writer=EXAMPLES_CONTENTS, flag="DIR") as tmp:
        for name in example_files():
            out = tmp / name
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(_data().joinpath(name).read_bytes())
    return target
