"""Hormone input ranges are defined once (endolab.hormones.INPUT_RANGES, docs/methods/hormones.md
§5.7): the range check, the CLI help and the web API's OpenAPI descriptions all say the same range
(issue 22)."""

from __future__ import annotations

from typing import Any

import pytest
import typer

from endolab.cli import app
from endolab.hormones import INPUT_RANGES, range_text

#: The ranges as docs/methods/hormones.md §5.7 writes them (typed here, not read from the code).
SPEC_TEXT = {
    "total_t": "50–3000 ng/dL",
    "shbg": "5–150 nmol/L",
    "albumin": "2.5–5.5 g/dL",
    "age": "18–90 years",
    "dose_mg_week": "25–600 mg/week",
}

#: command → option → range field it names
CLI_OPTIONS = {
    "predict": {
        "total_t": "total_t",
        "age": "age",
        "shbg": "shbg",
        "albumin": "albumin",
        "dose_mg_week": "dose_mg_week",
    },
    "free-t": {"total_t": "total_t", "shbg": "shbg", "albumin": "albumin"},
    "pk": {"age": "age", "shbg": "shbg"},
}

#: OpenAPI schema → property → range field it names
API_PROPERTIES = {
    "HormonesPredictIn": ["total_t", "age", "shbg", "albumin", "dose_mg_week"],
    "FreeTIn": ["total_t", "shbg", "albumin"],
}


@pytest.mark.parametrize("field", sorted(SPEC_TEXT))
def test_range_text_is_the_spec_range(field: str) -> None:
    assert range_text(field) == SPEC_TEXT[field]
    low, high, unit = INPUT_RANGES[field]
    assert SPEC_TEXT[field] == f"{low:g}–{high:g} {unit}"


@pytest.mark.parametrize("command", sorted(CLI_OPTIONS))
def test_cli_help_names_the_range_of_each_option(command: str) -> None:
    root: Any = typer.main.get_command(app)
    params = {p.name: p for p in root.commands["hormones"].commands[command].params}
    for option, field in CLI_OPTIONS[command].items():
        assert SPEC_TEXT[field] in params[option].help, (command, option)


@pytest.mark.parametrize("schema", sorted(API_PROPERTIES))
def test_openapi_descriptions_name_the_range(schema: str) -> None:
    api = pytest.importorskip("endolab.web.api")
    props = getattr(api, schema).model_json_schema()["properties"]
    for name in API_PROPERTIES[schema]:
        assert SPEC_TEXT[name] in props[name]["description"], (schema, name)


#: library function → the range fields its docstring states
DOCSTRINGS = {
    "free_testosterone": ["total_t", "shbg", "albumin"],
    "free_estradiol": ["total_t", "shbg"],
    "predict": ["total_t", "age", "shbg", "albumin", "dose_mg_week"],
    "trough_total_t_bhasin_2001": ["dose_mg_week"],
}


@pytest.mark.parametrize("function", sorted(DOCSTRINGS))
def test_docstrings_state_the_checked_range(function: str) -> None:
    import endolab.hormones

    doc = " ".join((getattr(endolab.hormones, function).__doc__ or "").split())
    for field in DOCSTRINGS[function]:
        assert SPEC_TEXT[field] in doc, (function, field)
