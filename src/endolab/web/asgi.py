"""ASGI entry point for servers: ``uvicorn --factory endolab.web.asgi:create_app_from_env`` (or
``uvicorn endolab.web.asgi:app``), with :class:`~endolab.web.settings.Settings` read from the
``ENDOLAB_*`` environment variables; the trial explorer's view is built in the background at
startup unless ``ENDOLAB_WARM_TRIAL=0``."""

from __future__ import annotations

from fastapi import FastAPI

from endolab.web.app import create_app
from endolab.web.settings import Settings

__all__ = ["ServerSettings", "app", "create_app_from_env"]


class ServerSettings(Settings):
    """:class:`~endolab.web.settings.Settings` of a server started from the environment: the
    trial explorer warms up at startup by default."""

    warm_trial: bool = True


def create_app_from_env() -> FastAPI:
    """The app factory of a server: ``create_app(ServerSettings())`` (settings from ``ENDOLAB_*``)."""
    return create_app(ServerSettings())


app = create_app_from_env()
