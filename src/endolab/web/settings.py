"""Settings of the web app (limits, headers, cache folder); no science here."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Settings", "default_cache_dir"]

MB = 1024 * 1024


def default_cache_dir() -> Path:
    """The user's cache folder for endolab: ``$XDG_CACHE_HOME/endolab`` (else ``~/.cache/endolab``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "endolab"


class Settings(BaseModel):
    """Configuration of :func:`endolab.web.create_app` (all limits are enforced per request).

    >>> Settings().max_upload_bytes == 50 * 1024 * 1024
    True
    """

    model_config = ConfigDict(frozen=True)

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
    cache_dir: Path | None = Field(None, description="Demo-trial cache (default: user cache).")
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
