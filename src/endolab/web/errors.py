"""HTTP mapping of endolab's errors: JSON bodies with the CLI's codes and messages.

The library raises :class:`endolab.errors.EndolabError` subclasses; the command line prints their
message after ``error:`` and exits 2 or 3. The web app answers the same message in JSON:

``{"error": {"type": "InputError", "code": "E_…", "field": "…", "message": "…", "exit_code": 3}}``

with HTTP 422 for every rejected input (parse or validation), 413 for a body over the limit, 404
for an unknown path. A bad input never gives a 500.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from endolab.errors import EndolabError
from endolab.output import DISCLAIMER, to_jsonable

__all__ = ["STATUS_BY_ERROR", "error_body", "http_status", "install_error_handlers"]

#: HTTP status of each library error class (the first match along the class's MRO wins).
STATUS_BY_ERROR: dict[str, int] = {
    "ParseError": 422,
    "UnitError": 422,
    "InputError": 422,
    "DataFileError": 422,
    "EndolabError": 422,
}


def http_status(exc: EndolabError) -> int:
    """HTTP status of a library error (422 for every rejected input)."""
    for cls in type(exc).__mro__:
        if cls.__name__ in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls.__name__]
    return 422


def error_body(
    message: str,
    *,
    type_: str = "InputError",
    code: str | None = None,
    field: str | None = None,
    exit_code: int = 3,
    details: Any = None,
) -> dict[str, Any]:
    """The JSON error envelope (same message as the CLI prints after ``error:``)."""
    body: dict[str, Any] = {
        "type": type_,
        "code": code,
        "field": field,
        "message": message,
        "exit_code": exit_code,
    }
    if details is not None:
        body["details"] = to_jsonable(details)
    return {"error": body, "disclaimer": DISCLAIMER}


def endolab_error_body(exc: EndolabError) -> dict[str, Any]:
    """:func:`error_body` of a library error."""
    return error_body(
        " ".join(str(exc).split()),
        type_=type(exc).__name__,
        code=getattr(exc, "code", None),
        field=getattr(exc, "field", None),
        exit_code=int(getattr(exc, "exit_code", 3)),
    )


def _validation_message(exc: RequestValidationError) -> tuple[str, str | None]:
    errors = exc.errors()
    if not errors:
        return "invalid request", None
    first = errors[0]
    loc = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "form")]
    field = loc[0] if loc else None
    msg = str(first.get("msg", "invalid value"))
    if first.get("type") == "extra_forbidden":
        msg = "unknown field"
    return (f"{field}: {msg}" if field else msg), field


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that turn errors into JSON (API) answers."""

    @app.exception_handler(EndolabError)
    async def _endolab(_request: Request, exc: EndolabError) -> JSONResponse:
        return JSONResponse(endolab_error_body(exc), status_code=http_status(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        message, field = _validation_message(exc)
        return JSONResponse(
            error_body(message, type_="ParseError", code="E_REQUEST", field=field, exit_code=2),
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "E_NOT_FOUND", 405: "E_METHOD", 413: "E_TOO_LARGE"}.get(exc.status_code)
        return JSONResponse(
            error_body(str(exc.detail), type_="HTTPError", code=code, exit_code=3),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )
