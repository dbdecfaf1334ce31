"""The app factory :func:`create_app`: API, pages, static files, limits and security headers."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from endolab._version import __version__
from endolab.web.settings import Settings
from endolab.web.trialdata import UploadStore

__all__ = ["create_app"]

STATIC_DIR = Path(str(files("endolab.web") / "static"))


def accessible_docs(html: str) -> str:
    """The packaged Swagger UI page made accessible: a language, a main landmark, a skip link and
    our stylesheet for its low-contrast badges (docs.css).

    >>> page = accessible_docs('<html>\\n<head>\\n</head>\\n<body>\\n<div id="swagger-ui">\\n</div>')
    >>> '<html lang="en">' in page, '<main id="main"><div id="swagger-ui">' in page
    (True, True)
    """
    html = html.replace("<html>", '<html lang="en">', 1)
    html = html.replace("</head>", '<link rel="stylesheet" href="/static/docs.css">\n</head>', 1)
    start = html.find('<div id="swagger-ui">')
    end = html.find("</div>", start)
    if start >= 0 and end >= 0:
        html = (
            html[:start]
            + '<a class="skip" href="#main">Skip to the API reference</a>'
            + '<main id="main">'
            + html[start : end + len("</div>")]
            + "</main>"
            + html[end + len("</div>") :]
        )
    return html


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the endolab web app.

    >>> app = create_app()
    >>> app.title, app.state.settings.max_upload_bytes
    ('endolab', 52428800)
    """
    from endolab.web import api, errors, pages, uploads
    from endolab.web.middleware import (
        BodyLimitMiddleware,
        HeadMiddleware,
        SecurityHeadersMiddleware,
    )

    settings = settings or Settings()
    state = pages.TrialState(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if settings.warm_trial:  # the first visit of /trial then finds it ready
            threading.Thread(target=state.view, name="endolab-warm-trial", daemon=True).start()
        yield

    app = FastAPI(
        lifespan=lifespan,
        title="endolab",
        version=__version__,
        description=(
            "JSON API of endolab: the TRT Hormone Predictor, the hCG Mixing Protocol Calculator, "
            "CGM metrics and the islet-replacement trial engine. For education and research "
            "only: not medical advice."
        ),
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.trial = state
    app.state.uploads = UploadStore(settings.upload_keep_seconds, settings.max_kept_uploads)
    plain_openapi = app.openapi

    def openapi() -> dict[str, Any]:  # the schema states this server's limits
        if app.openapi_schema is None:
            app.openapi_schema = uploads.simulate_limits_in_schema(plain_openapi(), settings)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    errors.install_error_handlers(app)
    app.include_router(api.router)
    app.include_router(uploads.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    try:
        import swagger_ui_bundle

        app.mount(
            "/docs-assets",
            StaticFiles(directory=swagger_ui_bundle.swagger_ui_path),
            name="swagger",
        )

        @app.get("/docs", include_in_schema=False)
        def docs() -> HTMLResponse:
            page = get_swagger_ui_html(
                openapi_url="/openapi.json",
                title="endolab API",
                swagger_js_url="/docs-assets/swagger-ui-bundle.js",
                swagger_css_url="/docs-assets/swagger-ui.css",
                swagger_favicon_url="/static/favicon.svg",
                # deep links render a link inside each operation's toggle button (nested controls)
                swagger_ui_parameters={"deepLinking": False},
            )
            return HTMLResponse(accessible_docs(bytes(page.body).decode("utf-8")))
    except ImportError:  # pragma: no cover - a core dependency
        pass
    app.add_middleware(
        SecurityHeadersMiddleware,
        frame_ancestors=settings.frame_ancestors,
        frame_ancestors_embed=settings.frame_ancestors_embed,
    )
    app.add_middleware(BodyLimitMiddleware, limit=settings.max_upload_bytes)
    app.add_middleware(HeadMiddleware)
    return app
