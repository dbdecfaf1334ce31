"""Optional extras: which third-party package belongs to which extra, and the one-line install hint.

A plain ``pip install endolab`` is the core (numpy, polars, typer, rich, pydantic, jinja2): the calculators,
the CGM metrics, trial validation and analysis. The rest is in extras (``pyproject.toml``):

========  ==========================================  ============================================
extra     packages                                    needed by
========  ==========================================  ============================================
sim       numba, scipy                                ``endolab.sim``, ``trial simulate``/``demo``
plot      matplotlib                                  AGP and report figures
web       fastapi, uvicorn, python-multipart,         ``endolab serve`` (with [sim] and [plot]:
          pydantic-settings, platformdirs             the trial explorer simulates and draws)
survival  lifelines                                   Kaplan–Meier (``endolab.trial.survival``)
pandas    pandas, pyarrow                             pandas input and output (interop)
dask      dask, distributed                           ``--engine dask``
cdisc     pyreadstat                                  SAS XPORT files (``trial export --format
                                                      xpt``, ``trial import-sdtm`` of .xpt)
fhir      fhir.resources                              HL7 FHIR CGM Bundles (``cgm fhir export``/
                                                      ``import``)
xlsx      openpyxl, python-calamine                   Excel device exports (Tidepool xlsx,
                                                      Eversense xlsx, Diasend .xls)
all       every extra above                           ``make run`` / ``make test``
========  ==========================================  ============================================

The command line turns a missing module of an extra into one line on standard error naming the extra,
exit status 2 (:func:`missing_extra_hint`); a missing module that belongs to no extra is a bug and
is not hidden.
"""

from __future__ import annotations

from typing import Final

__all__ = ["EXTRAS", "extra_for", "missing_extra_hint"]

#: Top-level import names of the third-party packages of each extra.
EXTRAS: Final[dict[str, tuple[str, ...]]] = {
    "sim": ("numba", "llvmlite", "scipy"),
    "plot": ("matplotlib",),
    "web": (
        "fastapi",
        "starlette",
        "uvicorn",
        "multipart",
        "python_multipart",
        "swagger_ui_bundle",
        "httptools",
        "uvloop",
        "pydantic_settings",
        "dotenv",
        "platformdirs",
    ),
    "survival": ("lifelines", "autograd", "formulaic"),
    "pandas": ("pandas", "pyarrow"),
    "dask": ("dask", "distributed"),
    "cdisc": ("pyreadstat", "narwhals"),
    "fhir": ("fhir", "fhir_core"),
    "xlsx": ("openpyxl", "et_xmlfile", "python_calamine"),
}


def extra_for(module: str | None) -> str | None:
    """The extra that provides ``module`` (a dotted import name), or ``None``.

    >>> extra_for("scipy.stats"), extra_for("matplotlib.figure"), extra_for("polars")
    ('sim', 'plot', None)
    """
    if not module:
        return None
    root = module.split(".", 1)[0]
    return next((extra for extra, names in EXTRAS.items() if root in names), None)


def missing_extra_hint(exc: ModuleNotFoundError) -> str | None:
    """One line naming the extra that provides the missing module of ``exc``, or ``None``.

    >>> missing_extra_hint(ModuleNotFoundError("No module named 'numba'", name="numba"))
    "needs the optional extra [sim] (numba is not installed): pip install 'endolab[sim]'"
    >>> missing_extra_hint(ModuleNotFoundError("No module named 'nope'", name="nope")) is None
    True
    """
    extra = extra_for(exc.name)
    if extra is None or exc.name is None:
        return None
    root = exc.name.split(".", 1)[0]
    return f"needs the optional extra [{extra}] ({root} is not installed): pip install 'endolab[{extra}]'"
