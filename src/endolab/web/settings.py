"""Settings of the web app (limits, headers, cache folder); no science here.

:class:`Settings` is read from ``ENDOLAB_*`` environment variables (pydantic-settings: the field
name in capitals after the prefix, e.g. ``ENDOLAB_CACHE_DIR``, ``ENDOLAB_MAX_UPLOAD_BYTES``,
``ENDOLAB_WARM_TRIAL``); a value given in Python wins over the environment.
"""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_cache_dir
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "default_cache_dir"]

MB = 1024 * 1024


def default_cache_dir() -> Path:
    """The user's cache folder for endolab (:func:`platformdirs.user_cache_dir`): on Linux
    ``$XDG_CACHE_HOME/endolab`` (else ``~/.cache/endolab``), on macOS ``~/Library/Caches/endolab``,
    on Windows ``%LOCALAPPDATA%\\endolab\\Cache``."""
    return Path(user_cache_dir("endolab", appauthor=False))


class Settings(BaseSettings):
    """Configuration of :func:`endolab.web.create_app` (all limits are enforced per request).

    Each field can be set by an environment variable ``ENDOLAB_<FIELD>`` (see the module).

    >>> Settings().max_upload_bytes == 50 * 1024 * 1024
    True
    """

    model_config = SettingsConfigDict(frozen=True, env_prefix="ENDOLAB_")

    max_upload_bytes: int = Field(50 * MB, gt=0, description="Largest request body [bytes].")
    frame_ancestors_embed: str = Field(
        "*", description="CSP frame-ancestors of /embed/* (default: any origin may embed)."
    )
    frame_ancestors: str = Field("'self'", description="CSP frame-ancestors of every other page.")
    max_zip_entries: int = Field(200, gt=0, description="Most files accepted in an uploaded zip.")
    max_zip_uncompressed_bytes: int = Field(
        500 * MB, gt=0, description="Largest total uncompressed size of an uploaded zip [bytes]."
    )
    max_simulate_participants: int = Field(20, gt=0)
    max_simulate_days: int = Field(400, gt=0)
    cache_dir: Path | None = Field(
        None,
        description="Cache folder of the built-in virtual trial (default: the user's cache "
        "folder, default_cache_dir()).",
    )
    demo_seed: int = Field(1, description="Seed of the built-in virtual trial.")
    demo_participants: int | None = Field(
        None, description="Participants of the built-in virtual trial (None: the sim default)."
    )
    demo_days: int | None = Field(None, description="Days of the built-in virtual trial.")
    upload_keep_seconds: int = Field(
        1800,
        gt=0,
        description="How long an analysed trial upload stays in memory for moving within it [s].",
    )
    max_kept_uploads: int = Field(
        8, gt=0, description="Most analysed trial uploads kept in memory (oldest dropped first)."
    )
    warm_trial: bool = Field(
        False, description="Build the trial explorer's view in the background at startup."
    )

    def cache_folder(self) -> Path:
        """The folder of cached artefacts (created on demand by the writer)."""
        return self.cache_dir if self.cache_dir is not None else default_cache_dir()
