"""Web settings (issue 22): pydantic-settings from ENDOLAB_* variables, the cache folder from
platformdirs, and `endolab serve` handing its settings to every worker through uvicorn's app
factory — never through os.environ."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from endolab.web import Settings
from endolab.web.settings import default_cache_dir


def test_settings_from_environment_and_python_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ENDOLAB_MAX_UPLOAD_BYTES", "1234")
    monkeypatch.setenv("ENDOLAB_CACHE_DIR", str(tmp_path / "c"))
    monkeypatch.setenv("ENDOLAB_WARM_TRIAL", "1")
    s = Settings()
    assert (s.max_upload_bytes, s.cache_folder(), s.warm_trial) == (1234, tmp_path / "c", True)
    assert Settings(max_upload_bytes=99).max_upload_bytes == 99  # a value in Python wins
    monkeypatch.setenv("ENDOLAB_MAX_UPLOAD_BYTES", "-1")
    with pytest.raises(ValueError, match="max_upload_bytes"):
        Settings()


@pytest.mark.skipif(sys.platform != "linux", reason="the XDG rule is Linux's")
def test_cache_folder_follows_xdg_on_linux(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "endolab"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_dir() == tmp_path / "home" / ".cache" / "endolab"


def test_the_uvicorn_config_builds_the_app_from_its_settings_after_pickling() -> None:
    # uvicorn hands its Config to each worker process (pickled by multiprocessing's spawn)
    from endolab.web.server import _Config

    settings = Settings(max_upload_bytes=4321, frame_ancestors="'none'")
    config = pickle.loads(
        pickle.dumps(_Config(settings, host="127.0.0.1", port=0, proxy_headers=False))
    )
    assert config.factory
    config.load()
    assert config.loaded_app.state.settings == settings


def test_serve_passes_settings_without_touching_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    import endolab.web.server
    from endolab.cli import app

    seen: dict[str, object] = {}

    def fake_run(settings: Settings, **kwargs: object) -> None:
        seen.update(settings=settings, **kwargs)

    monkeypatch.setattr(endolab.web.server, "run", fake_run)
    before = dict(os.environ)
    result = CliRunner().invoke(
        app, ["serve", "--no-demo", "--port", "0", "--max-upload-mb", "3", "--workers", "2"]
    )
    assert result.exit_code == 0, result.output
    assert dict(os.environ) == before
    s = seen["settings"]
    assert isinstance(s, Settings)
    assert (s.max_upload_bytes, s.warm_trial, seen["workers"]) == (3 * 1024 * 1024, False, 2)


@pytest.mark.slow
def test_two_workers_enforce_the_cli_upload_limit() -> None:
    # --max-upload-mb 1 reaches both worker processes: a 2 MB body is refused with 413 (the default
    # limit, 50 MB, would accept it); loopback only
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENDOLAB_")}
    with subprocess.Popen(
        [sys.executable, "-m", "endolab", "serve", "--no-demo", "--port", "0", "--workers", "2",
         "--max-upload-mb", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    ) as proc:  # fmt: skip
        try:
            assert proc.stdout is not None
            url = proc.stdout.readline().split("serving on ", 1)[1].split()[0]
            statuses = set()
            for _ in range(4):  # more requests than workers
                request = urllib.request.Request(
                    f"{url}api/v1/hormones/predict",
                    data=b"{" + b" " * (2 * 1024 * 1024) + b"}",
                    headers={"Content-Type": "application/json"},
                )
                try:
                    urllib.request.urlopen(request, timeout=60)
                except urllib.error.HTTPError as exc:
                    statuses.add(exc.code)
                except urllib.error.URLError:  # a worker still starting: try again
                    continue
            assert statuses == {413}
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            if proc.stderr is not None:
                proc.stderr.read()
