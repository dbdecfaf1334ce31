"""Fixtures of the web tests: an app with small limits, a test client, a small simulated dataset."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from endolab.web import Settings, create_app


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(cache_dir=tmp_path / "cache", max_zip_entries=20)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as c:
        yield c


def zip_bytes(files: dict[str, bytes]) -> bytes:
    """A zip archive holding ``files`` (name → content)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


@pytest.fixture(scope="session")
def small_dataset_zip(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A simulated 2-participant, 40-day trial dataset folder, zipped under ``mytrial/``."""
    from endolab.sim import simulate_trial, write_simulation

    folder = tmp_path_factory.mktemp("ds") / "mytrial"
    write_simulation(simulate_trial(participants=2, days=40, seed=3), folder)
    return zip_bytes({f"mytrial/{p.name}": p.read_bytes() for p in sorted(folder.iterdir())})
