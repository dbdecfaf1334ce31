"""Serving the app with uvicorn: :func:`run` hands :class:`~endolab.web.settings.Settings` to the
app factory in every worker process, through uvicorn's configuration, not the environment.

uvicorn passes its configuration object to each worker process it starts; :class:`_Config` carries
the settings in it and loads the app with the factory ``create_app(settings)`` (``factory=True``),
so one worker or many build the same app from the same settings.
"""

from __future__ import annotations

import functools
from typing import Any

import uvicorn

from endolab.web.app import create_app
from endolab.web.settings import Settings

__all__ = ["run"]


class _Config(uvicorn.Config):
    """uvicorn's configuration with endolab's settings; the app is ``create_app(settings)``."""

    def __init__(self, settings: Settings, **kwargs: Any) -> None:
        super().__init__("endolab.web.app:create_app", factory=True, **kwargs)
        self.endolab_settings = settings

    def load_app(self) -> Any:
        """The app factory with the settings bound (uvicorn calls it: ``factory=True``)."""
        return functools.partial(create_app, self.endolab_settings)


def run(settings: Settings, *, fd: int, host: str, port: int, workers: int = 1) -> None:
    """Serve ``create_app(settings)`` on the listening socket ``fd`` with ``workers`` processes
    (as :func:`uvicorn.run` does, with the settings carried to every worker)."""
    from uvicorn.supervisors import Multiprocess

    config = _Config(
        settings,
        fd=fd,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        proxy_headers=False,
    )
    if config.workers > 1:
        Multiprocess(config, sockets=[config.bind_socket()]).run()
    else:
        uvicorn.Server(config).run()
