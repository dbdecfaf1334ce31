"""HTTP mapping of endolab's errors: JSON bodies with the CLI's codes and messages.

The library raises :class:`endolab.errors.EndolabError` subclasses; the command line prints their
message after ``error:`` and exits 2 or 3. The web app answers the same message in JSON:

``{"error": {"type": "InputError", "code": "E_…", "field": "…", "message": "…", "exit_code": 3}}``

with HTTP 422 for every rejected input (parse or validation, a malformed body included), 413 for a
body over the limit, 404 for an unknown path. A bad input never gives a 500.

Pages (every path outside ``/api/`` and ``/openapi.json``) answer the same statuses as an HTML page
(``error.html``: title, the message, links back), unless the request accepts JSON and not HTML.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from endolab.errors import EndolabError
from endolab.output import DISCLAIMER, to_jsonable

__all__ = [
    "STATUS_BY_ERROR",
    "error_body",
    "error_page",
    "http_status",
    "install_error_handlers",
    "missing_extra_message",
    "wants_html",
]

#: Title of the HTML error page of each status.
TITLES = {
    400: "Cannot read this request",
    404: "Page not found",
    405: "Method not allowed",
    413: "Upload too large",
    422: "Cannot use this input",
    500: "Something went wrong on our side",
    501: "Not available on this server",
}

#: Paths answered in JSON whatever the request accepts.
JSON_PREFIXES = ("/api/", "/openapi.json")


def wants_html(path: str, accept: str | None) -> bool:
    """Whether an error on ``path`` is answered as an HTML page (else JSON).

    API paths always get JSON; a page gets HTML unless the client asks for JSON and not HTML.

    >>> wants_html("/api/v1/hcg/mix", "text/html"), wants_html("/nope", None)
    (False, True)
    >>> wants_html("/nope", "application/json"), wants_html("/nope", "text/html,*/*")
    (False, True)
    """
    if path.startswith(JSON_PREFIXES):
        return False
    accept = (accept or "").lower()
    return not ("application/json" in accept and "text/html" not in accept)


def error_page(status: int, message: str, code: str | None = None) -> str:
    """The HTML error page (full page with the site's header and the disclaimer)."""
    from endolab.web.pages import templates

    return templates.get_template("error.html").render(
        page="error",
        status=status,
        title=TITLES.get(status, "Error"),
        error={"message": message, "code": code, "field": None},
    )


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
    """One line naming the field (never a character offset) and what is wrong with it."""
    errors = exc.errors()
    if not errors:
        return "invalid request", None
    first = errors[0]
    kind = str(first.get("type", ""))
    if kind == "json_invalid":
        detail = str((first.get("ctx") or {}).get("error", "")).strip()
        return (
            "body: the request body is not valid JSON" + (f" ({detail})" if detail else ""),
            "body",
        )
    loc = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "form", "path")]
    field = loc[0] if loc else None
    msg = str(first.get("msg", "invalid value"))
    if kind == "extra_forbidden":
        msg = "unknown field"
    elif kind == "missing" and field is None:
        field, msg = "body", "a request body is required"
    elif kind in ("model_attributes_type", "dict_type") and field is None:
        field, msg = "body", "the body must be a JSON object"
    return (f"{field}: {msg}" if field else msg), field


def _answer(
    request: Request,
    status: int,
    body: dict[str, Any],
    headers: dict[str, str] | None = None,
) -> Response:
    if wants_html(request.url.path, request.headers.get("accept")):
        err = body["error"]
        html = error_page(status, err["message"], err.get("code"))
        return HTMLResponse(html, status_code=status, headers=headers)
    return JSONResponse(body, status_code=status, headers=headers)


def missing_extra_message(exc: ModuleNotFoundError) -> str | None:
    """One line for a module of an optional extra this server lacks (the command line's hint,
    :func:`endolab._extras.missing_extra_hint`), or ``None`` for a module of no extra (a bug).

    >>> missing_extra_message(ModuleNotFoundError(name="openpyxl"))
    "this server needs the optional extra [xlsx] (openpyxl is not installed): pip install 'endolab[xlsx]'"
    """
    from endolab._extras import missing_extra_hint

    hint = missing_extra_hint(exc)
    return None if hint is None else f"this server {hint}"


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that turn errors into JSON (API) or HTML (pages) answers."""

    @app.exception_handler(EndolabError)
    async def _endolab(request: Request, exc: EndolabError) -> Response:
        return _answer(request, http_status(exc), endolab_error_body(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        message, field = _validation_message(exc)
        body = error_body(message, type_="ParseError", code="E_REQUEST", field=field, exit_code=2)
        return _answer(request, 422, body)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        status = exc.status_code
        if status == 400:  # a body that cannot be parsed (e.g. broken multipart): rejected input
            body = error_body(
                f"body: {exc.detail}",
                type_="ParseError",
                code="E_REQUEST",
                field="body",
                exit_code=2,
            )
            return _answer(request, 422, body)
        code = {404: "E_NOT_FOUND", 405: "E_METHOD", 413: "E_TOO_LARGE"}.get(status)
        body = error_body(str(exc.detail), type_="HTTPError", code=code, exit_code=3)
        return _answer(request, status, body, getattr(exc, "headers", None))

    @app.exception_handler(ModuleNotFoundError)
    async def _extra(request: Request, exc: ModuleNotFoundError) -> Response:
        # a package of an optional extra this server lacks: the CLI's one line, 501
        message = missing_extra_message(exc)
        if message is None:  # a module of no extra: a bug, not hidden
            raise exc
        body = error_body(
            message,
            type_="MissingExtra",
            code="E_MISSING_EXTRA",
            exit_code=2,
        )
        return _answer(request, 501, body)

    @app.exception_handler(Exception)
    async def _bug(request: Request, _exc: Exception) -> Response:
        body = error_body(
            "an unexpected error in endolab (a bug: please report it); nothing was computed",
            type_="ServerError",
            code="E_INTERNAL",
            exit_code=4,
        )
        return _answer(request, 500, body)
