"""ASGI middleware: the upload size limit (413 before the body is read) and security headers."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from endolab.web.errors import error_body, error_page, wants_html

__all__ = ["BodyLimitMiddleware", "HeadMiddleware", "SecurityHeadersMiddleware", "csp_for"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def _too_large_body(limit: int, html: bool = False) -> tuple[bytes, bytes]:
    """Body and content type of the 413 answer (an HTML page for a page, else JSON)."""
    mb = limit / (1024 * 1024)
    text = f"the upload is larger than the limit of {mb:g} MB ({limit} bytes)"
    if html:
        page = error_page(413, text, "E_TOO_LARGE")
        return page.encode(), b"text/html; charset=utf-8"
    body = json.dumps(error_body(text, type_="HTTPError", code="E_TOO_LARGE")).encode()
    return body, b"application/json"


class BodyLimitMiddleware:
    """Answer 413 for a body over ``limit`` bytes: at once from ``Content-Length``, else as soon
    as the streamed body passes the limit (the rest is never read)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def _reject(self, scope: Scope, send: Send) -> None:
        accept = dict(scope.get("headers", [])).get(b"accept", b"").decode("latin-1")
        body, media = _too_large_body(self.limit, wants_html(str(scope.get("path", "")), accept))
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", media),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > self.limit:
                    await self._reject(scope, send)
                    return
        seen = 0
        rejected = False

        async def limited_receive() -> Message:
            nonlocal seen, rejected
            if rejected:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    # answer now; the app sees a client that went away and stops reading
                    rejected = True
                    await self._reject(scope, send)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not rejected:
                await send(message)

        await self.app(scope, limited_receive, guarded_send)


def csp_for(path: str, frame_ancestors: str, frame_ancestors_embed: str) -> str:
    """The Content-Security-Policy of a page: every asset from this server, frame-ancestors by path."""
    ancestors = frame_ancestors_embed if path.startswith("/embed/") else frame_ancestors
    return (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        f"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors {ancestors}"
    )


class SecurityHeadersMiddleware:
    """Add CSP, X-Content-Type-Options and Referrer-Policy to every answer."""

    def __init__(self, app: ASGIApp, frame_ancestors: str, frame_ancestors_embed: str) -> None:
        self.app = app
        self.frame_ancestors = frame_ancestors
        self.frame_ancestors_embed = frame_ancestors_embed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        docs = path == "/docs"
        csp = csp_for(path, self.frame_ancestors, self.frame_ancestors_embed)
        if docs:  # the packaged Swagger UI sets its options in an inline script
            csp = csp.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
            csp = csp.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
        elif path == "/cgm/report.html":  # the library's self-contained report: its own <style>
            csp = csp.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"content-security-policy", csp.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"strict-origin-when-cross-origin"),
                ]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


class HeadMiddleware:
    """Answer ``HEAD`` on every page (and ``GET`` API path) as ``GET`` would, without the body.

    The app's routes declare ``GET``; a ``HEAD`` request runs the ``GET`` route and only its
    status and headers are sent (``Content-Length`` is the length a ``GET`` would get).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "HEAD":
            await self.app(scope, receive, send)
            return
        scope = dict(scope)
        scope["method"] = "GET"

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app(scope, receive, without_body)
