"""Simultaneous CGM uploads run in parallel, and each answer carries exactly its own notices.

Notices travel as data (:mod:`endolab.notices`): collected per thread, never through Python's
process-wide warning filters, so the web app needs no lock around the CGM engine. Before, a lock
around ``compute_metrics`` (needed because ``warnings.catch_warnings`` is not thread-safe) made
every upload wait for the one before it: N uploads took N times as long as one.

How the time is measured. On this 2-core machine polars already uses both cores for one upload, so
CPU-bound uploads cannot all finish in the time of one whatever the app does, and the machine is
shared (load varies). What a lock adds is *waiting*: so each upload's metrics step is given a fixed
latency (:data:`LATENCY_S` of sleep inside the engine's per-partition step, standing in for a slow
disk or worker), held wherever the app would hold a lock. Serialised, the N uploads take at least
N × LATENCY_S (their sum when posted one after another); in parallel, about LATENCY_S plus the
(small) computing. The test asserts the wall time of the six together is below half the sum of
their times one by one (measured: 1.6–1.9 s against 6.8 s on a 2-core machine at load average
11) and that the latency windows overlapped. With a lock around the engine, as ``with_warnings`` held in
``web/uploads.py``, it fails (tried with the lock put back: 4.3 s against a 1.8 s limit at
``LATENCY_S = 0.6``).

The six uploads differ so that their notices differ (expected codes written out per file below,
from how each file was made): a clean 15-day record (no notice), the same in mmol/L (unit
detected), with a 5-hour hole (long gap), with duplicated readings, with a second subject of one
reading, and a 3-day record (GMI from too little data).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

import endolab.cgm.compute as compute
from endolab.web import Settings, create_app

#: Latency given to each upload's metrics step [s].
LATENCY_S = 1.0

T0 = dt.datetime(2024, 3, 1)


def _rows(days: int, subject: str = "p") -> list[tuple[str, dt.datetime, float]]:
    """Five-minute readings over ``days`` days: a smooth daily pattern 90–190 mg/dL."""
    n = days * 288
    return [
        (subject, T0 + dt.timedelta(minutes=5 * i), 140.0 + 50.0 * ((i % 288) / 144.0 - 1.0))
        for i in range(n)
    ]


def _csv(rows: list[tuple[str, dt.datetime, float]], *, decimals: int = 0) -> bytes:
    lines = ["id,time,gl", *(f"{s},{t:%Y-%m-%d %H:%M:%S},{g:.{decimals}f}" for s, t, g in rows)]
    return ("\n".join(lines) + "\n").encode()


def _uploads() -> dict[str, tuple[bytes, list[str], str]]:
    """name → (file, the notice codes it must get, a text its notices must contain)."""
    clean = _rows(15)
    hole = [
        r
        for r in clean
        if not T0 + dt.timedelta(days=3) <= r[1] < T0 + dt.timedelta(days=3, hours=5)
    ]
    return {
        "clean.csv": (_csv(clean), [], ""),
        "mmol.csv": (
            _csv([(s, t, g / 18.0) for s, t, g in clean], decimals=1),
            ["W_CGM_DATA_CHANGED"],
            "read as mmol/L and converted",
        ),
        "gaps.csv": (_csv(hole), ["W_CGM_LONG_GAP"], "longest 5 h 5 min"),
        "dups.csv": (
            _csv([*clean[:3], *clean[:3], *clean[3:]]),
            ["W_CGM_DATA_CHANGED"],
            "removed 3 duplicate reading(s)",
        ),
        "single.csv": (
            _csv([*clean, ("q", T0, 120.0)]),
            ["W_CGM_SINGLE_READING", "W_CGM_GMI_INSUFFICIENT_DATA"],
            "1 group(s) have a single reading",
        ),
        "short.csv": (_csv(_rows(3)), ["W_CGM_GMI_INSUFFICIENT_DATA"], "< 14 days"),
    }


@pytest.fixture
def slow_engine(monkeypatch: pytest.MonkeyPatch) -> list[tuple[float, float]]:
    """Give every metrics step :data:`LATENCY_S` of latency; the list collects (start, end)."""
    windows: list[tuple[float, float]] = []
    guard = threading.Lock()  # the test's own bookkeeping, not the app's
    original: Callable[..., Any] = compute.compute_partition

    def slow(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        time.sleep(LATENCY_S)
        with guard:
            windows.append((start, time.perf_counter()))
        return original(*args, **kwargs)

    monkeypatch.setattr(compute, "compute_partition", slow)
    return windows


async def _post_all(
    files: dict[str, bytes], together: bool
) -> tuple[dict[str, Any], dict[str, float], float]:
    """Post every file (one after another, or all at once): answers, each one's time, the wall."""
    app = create_app(Settings())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test", timeout=120) as c:

        async def one(name: str) -> tuple[str, Any, float]:
            start = time.perf_counter()
            r = await c.post("/api/v1/cgm/metrics", files={"file": (name, files[name])})
            assert r.status_code == 200, r.text
            return name, r.json(), time.perf_counter() - start

        start = time.perf_counter()
        if together:
            done = await asyncio.gather(*(one(n) for n in files))
        else:
            done = [await one(n) for n in files]
        wall = time.perf_counter() - start
        return {n: doc for n, doc, _ in done}, {n: t for n, _, t in done}, wall


def _codes(doc: dict[str, Any]) -> list[str]:
    return [n["code"] for n in doc["notices"]]


@pytest.mark.slow
def test_simultaneous_uploads_run_in_parallel_with_their_own_notices(
    slow_engine: list[tuple[float, float]],
) -> None:
    uploads = _uploads()
    files = {name: data for name, (data, _, _) in uploads.items()}
    alone, times, _ = asyncio.run(_post_all(files, together=False))
    slow_engine.clear()
    together, _, wall = asyncio.run(_post_all(files, together=True))

    serial = sum(times.values())  # one after another: what a lock around the engine costs
    slowest = max(times.values())
    assert serial >= len(files) * LATENCY_S
    assert wall < serial / 2, (
        f"together {wall:.2f} s; one by one {serial:.2f} s (slowest {slowest:.2f} s)"
    )
    starts = sorted(s for s, _ in slow_engine)
    ends = sorted(e for _, e in slow_engine)
    assert (
        len(starts) == len(files) and starts[1] < ends[0]
    )  # a second upload began before the first ended

    for name, (_, codes, text) in uploads.items():
        doc = together[name]
        assert _codes(doc) == codes, name
        for notice in doc["notices"]:  # the readers' notices name their file: this upload's
            if notice["code"] in ("W_CGM_DATA_CHANGED", "W_CGM_LONG_GAP"):
                assert notice["field"] == name and notice["message"].startswith(f"{name}: ")
        if text:
            assert any(text in n["message"] for n in doc["notices"]), (name, doc["notices"])
        assert doc["notices"] == alone[name]["notices"], name  # the same as uploaded alone
        assert doc["warnings"] == [n["message"] for n in doc["notices"]]
    assert together["clean.csv"]["rows"][0]["sufficient_2019"] is True
    assert together["short.csv"]["rows"][0]["sufficient_2019"] is False
