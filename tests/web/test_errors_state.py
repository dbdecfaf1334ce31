"""Issue 19: HTML error pages on pages (JSON on the API), no server path in anything an upload
answers, and an uploaded trial kept (in memory, for a documented time) while moving within it."""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from endolab.output import DISCLAIMER
from endolab.web import Settings, create_app
from tests.web.conftest import zip_bytes

HTML = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}  # what a browser sends


def _is_html_page(r: object, status: int) -> None:
    assert r.status_code == status, r.text[:300]  # type: ignore[attr-defined]
    assert r.headers["content-type"].startswith("text/html")  # type: ignore[attr-defined]
    assert r.text.lstrip().startswith("<!doctype html>")  # type: ignore[attr-defined]
    assert DISCLAIMER in r.text  # type: ignore[attr-defined]
    assert '"error":' not in r.text  # type: ignore[attr-defined]


def test_unknown_page_is_an_html_404(client: TestClient) -> None:
    r = client.get("/no-such-page", headers=HTML)
    _is_html_page(r, 404)
    assert "Page not found" in r.text
    # the API keeps its JSON, whatever the client accepts
    api = client.get("/api/v1/nowhere", headers=HTML)
    assert api.status_code == 404
    assert api.json()["error"]["code"] == "E_NOT_FOUND"
    # a client that asks for JSON only gets JSON on a page path too
    assert client.get("/nope", headers={"accept": "application/json"}).json()["error"]


def test_method_and_form_errors_on_pages_are_html(client: TestClient) -> None:
    _is_html_page(client.post("/hormones", headers=HTML), 405)
    r = client.post("/cgm", headers=HTML)  # the form posted without its file
    _is_html_page(r, 422)
    assert "file" in r.text


@pytest.mark.parametrize("path", ["/cgm", "/trial"])
def test_413_from_the_upload_forms_is_an_html_page(path: str) -> None:
    small = TestClient(create_app(Settings(max_upload_bytes=1000)))
    r = small.post(path, files={"file": ("a.zip", b"x" * 5000)}, headers=HTML)
    _is_html_page(r, 413)
    assert "larger than the limit of" in r.text
    api = small.post("/api/v1/cgm/metrics", files={"file": ("a.csv", b"x" * 5000)}, headers=HTML)
    assert api.status_code == 413 and api.json()["error"]["code"] == "E_TOO_LARGE"


def test_broken_multipart_is_a_422_naming_the_body(client: TestClient) -> None:
    r = client.post(
        "/api/v1/cgm/metrics",
        content=b"garbage",
        headers={"content-type": "multipart/form-data; boundary=xx"},
    )
    assert r.status_code == 422  # was an undocumented 400
    assert r.json()["error"]["field"] == "body"


@pytest.fixture
def tmp_tempdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    where = tmp_path / "tmp"
    where.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(where))
    yield where


def _no_server_path(text: str, tmp: Path) -> None:
    assert "endolab-upload" not in text
    assert str(tmp) not in text


def test_upload_answers_name_the_file_not_a_server_path(
    client: TestClient, small_dataset_zip: bytes, tmp_tempdir: Path
) -> None:
    page = client.post("/trial", files={"file": ("my trial.zip", small_dataset_zip)})
    assert page.status_code == 200
    _no_server_path(page.text, tmp_tempdir)
    assert "Dataset: my trial.zip (folder mytrial/)" in page.text
    url = re.search(r'href="(/trial/uploads/[^"]+/report\.html)"', page.text)
    assert url is not None
    report = client.get(url.group(1))
    assert report.status_code == 200
    _no_server_path(report.text, tmp_tempdir)
    doc = client.post("/api/v1/trial/analyze", files={"file": ("t.zip", small_dataset_zip)})
    assert doc.json()["dataset"]["folder"] is None
    assert doc.json()["dataset"]["source"] == "t.zip (folder mytrial/)"
    _no_server_path(doc.text, tmp_tempdir)
    html = client.post(
        "/api/v1/trial/analyze",
        files={"file": ("t.zip", small_dataset_zip)},
        data={"report": "html"},
    )
    _no_server_path(html.text, tmp_tempdir)


def test_upload_error_names_the_file_in_the_zip(
    client: TestClient, small_dataset_zip: bytes, tmp_tempdir: Path
) -> None:
    # a dataset without its CGM table: the library names the folder, which is in the server's
    # temporary folder; the answer names the uploaded file (and the folder inside it) instead
    with zipfile.ZipFile(io.BytesIO(small_dataset_zip)) as z:
        files = {n: z.read(n) for n in z.namelist() if not n.endswith("cgm.csv")}
    bad = zip_bytes(files)
    for r in (
        client.post("/trial", files={"file": ("clinic.zip", bad)}),
        client.post("/api/v1/trial/analyze", files={"file": ("clinic.zip", bad)}),
    ):
        assert r.status_code == 422
        _no_server_path(r.text, tmp_tempdir)
        assert "clinic.zip/mytrial" in r.text


@pytest.fixture(scope="module")
def year_dataset_zip(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """2 simulated participants over 365 days (the AGP window is in the second half-year)."""
    from endolab.sim import simulate_trial, write_simulation

    folder = tmp_path_factory.mktemp("year") / "mytrial"
    write_simulation(simulate_trial(participants=2, days=365, seed=3), folder)
    return zip_bytes({f"mytrial/{p.name}": p.read_bytes() for p in sorted(folder.iterdir())})


@pytest.fixture
def small_demo(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(cache_dir=tmp_path / "cache", demo_participants=2, demo_days=365)
    with TestClient(create_app(settings)) as c:
        yield c


def test_upload_is_kept_while_moving_within_it(
    small_demo: TestClient, year_dataset_zip: bytes
) -> None:
    first = small_demo.post("/trial", files={"file": ("mine.zip", year_dataset_zip)})
    assert first.status_code == 200
    here = str(first.url.path)
    assert here.startswith("/trial/uploads/")
    # the participant picker submits to the upload's own page, not to the built-in trial
    action = re.search(r'<form method="get" action="([^"#]+)#agp"', first.text)
    assert action is not None and action.group(1) == here
    second = small_demo.get(here, params={"participant": "SIM-002"})
    assert second.status_code == 200
    assert "Dataset: mine.zip" in second.text
    assert "built-in virtual" not in second.text
    assert "AGP — SIM-002" in second.text
    agp = re.search(r'id="participant-agp"><img src="([^"]+)"', second.text)
    demo = small_demo.get("/trial", params={"participant": "SIM-002"})
    demo_agp = re.search(r'id="participant-agp"><img src="([^"]+)"', demo.text)
    assert agp and demo_agp and agp.group(1) != demo_agp.group(1)  # seed 3 vs the demo's seed 1
    # an unknown participant is a 404 page, on the upload and on the virtual trial
    _is_html_page(small_demo.get(here, params={"participant": "NOPE"}, headers=HTML), 404)
    _is_html_page(small_demo.get("/trial", params={"participant": "NOPE"}, headers=HTML), 404)
    # an unknown (or expired) upload too
    gone = small_demo.get("/trial/uploads/not-a-token", headers=HTML)
    _is_html_page(gone, 404)
    assert "upload the zip again" in gone.text


def test_a_bug_is_a_500_page_on_pages_and_json_on_the_api() -> None:
    app = create_app(Settings())

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("a bug")

    @app.get("/api/v1/boom")
    def api_boom() -> None:
        raise RuntimeError("a bug")

    c = TestClient(app, raise_server_exceptions=False)
    page = c.get("/boom", headers=HTML)
    _is_html_page(page, 500)
    assert "an unexpected error in endolab" in page.text and "RuntimeError" not in page.text
    api = c.get("/api/v1/boom", headers=HTML)
    assert api.status_code == 500 and api.json()["error"]["code"] == "E_INTERNAL"
