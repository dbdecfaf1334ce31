"""ASGI entry point for servers (``uvicorn endolab.web.asgi:app``); settings from the environment:
``ENDOLAB_WEB_MAX_UPLOAD_MB`` (default 50), ``ENDOLAB_WEB_WARM_TRIAL`` (``1``: build the trial
explorer's view in the background at startup; ``0``: on the first visit)."""

from __future__ import annotations

import os

from endolab.web.app import create_app
from endolab.web.settings import Settings

__all__ = ["app"]

app = create_app(
    Settings(
        max_upload_bytes=int(os.environ.get("ENDOLAB_WEB_MAX_UPLOAD_MB", "50")) * 1024 * 1024,
        warm_trial=os.environ.get("ENDOLAB_WEB_WARM_TRIAL", "1") == "1",
    )
)
