"""Dask plumbing shared by every engine that runs on a cluster: CGM metrics
(:mod:`endolab.cgm.distributed`), the trial analysis (:mod:`endolab.trial.distributed`) and the
simulator's dose–response arms (:func:`endolab.sim.studies.dose_response`).

A client from an address or on a loopback-only ``LocalCluster`` (:func:`dask_session`), the tasks'
id ranges (:func:`task_ranges`), gathering with one-line errors (:func:`gather`) and the error
types with their exit statuses. Needs the ``[dask]`` extra (:func:`require_dask` says so in one
line); importing this module does not import Dask.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

import polars as pl

from endolab.errors import EndolabError, InputError

__all__ = [
    "CONNECT_TIMEOUT_S",
    "NO_WORKER_LIMIT_S",
    "ROWS_PER_TASK",
    "ClusterError",
    "MissingExtraError",
    "dask_session",
    "gather",
    "id_ranges",
    "open_client",
    "require_dask",
    "task_ranges",
]

#: Seconds to wait for a scheduler given by address before giving up.
CONNECT_TIMEOUT_S = 2.0

#: Target readings per task when ``buckets`` is not given [readings]: an engineering choice
#: (measured: a task of ~5 M readings peaks near 1 GiB in a worker), so that memory per worker stays
#: bounded however large the data (benchmarks/README.md).
ROWS_PER_TASK = 5_000_000


class MissingExtraError(EndolabError):
    """An optional extra (here ``dask``) is not installed: exit status 2 (usage)."""

    exit_code: ClassVar[int] = 2


class ClusterError(EndolabError):
    """The computation failed outside the input (a Dask worker died more often than the scheduler
    allows): exit status 4; nothing was written."""

    exit_code: ClassVar[int] = 4


def require_dask() -> None:
    """Raise :class:`MissingExtraError` with the install hint when dask/distributed are missing."""
    try:
        import dask  # noqa: F401
        import distributed  # noqa: F401
    except ImportError:
        raise MissingExtraError(
            "--engine dask needs the optional extra: pip install 'endolab[dask]'",
            field="engine",
            value="dask",
        ) from None


def task_ranges(
    counts: pl.DataFrame, client: Any, buckets: int | None, *, per_thread: int
) -> list[tuple[Any, Any]]:
    """The id ranges of the tasks for ``counts`` (id, len — readings per subject, sorted): ``buckets``
    of them, or ``per_thread`` per worker thread or one per :data:`ROWS_PER_TASK` readings, whichever
    is more; subjects without an id form one more range ``(None, None)``."""
    if buckets is None:
        threads = sum(client.nthreads().values()) or 1
        rows = int(counts.get_column("len").sum()) if counts.height else 0
        buckets = max(per_thread * threads, -(-rows // ROWS_PER_TASK))
    key = counts.columns[0]
    known = counts.filter(pl.col(key).is_not_null())
    ranges = id_ranges(known, max(1, int(buckets))) if known.height else []
    if known.height < counts.height:
        ranges.append((None, None))
    return ranges


def id_ranges(counts: pl.DataFrame, k: int) -> list[tuple[Any, Any]]:
    """Split subjects (sorted ``counts``: id, len) into at most ``k`` contiguous id ranges of about
    equal readings; each range is ``(first id, last id)`` and holds whole subjects.

    >>> c = pl.DataFrame({"id": ["a", "b", "c", "d"], "len": [5, 5, 1, 9]})
    >>> id_ranges(c, 2)
    [('a', 'b'), ('c', 'd')]
    """
    ids = counts.get_column(counts.columns[0]).to_list()
    cum = counts.get_column("len").cum_sum().to_list()
    total = cum[-1]
    ranges: list[tuple[Any, Any]] = []
    start = 0
    for b in range(1, k + 1):
        target = total * b / k
        end = start
        while end < len(ids) - 1 and cum[end] < target:
            end += 1
        if b == k:
            end = len(ids) - 1
        if end >= start:
            ranges.append((ids[start], ids[end]))
            start = end + 1
        if start >= len(ids):
            break
    return ranges


def open_client(client: Any, scheduler: str | None, n_workers: int | None) -> tuple[Any, Any]:
    """A Dask client: ``client`` itself, one connected to ``scheduler`` (one-line error when no
    scheduler answers within :data:`CONNECT_TIMEOUT_S`), or one on a new ``LocalCluster`` of
    ``n_workers`` processes (default 2, one thread each, loopback only).

    Returns ``(client, cluster)``; ``cluster`` is the LocalCluster to close, or ``None``.
    """
    from distributed import Client, LocalCluster

    if client is not None:
        return client, None
    if scheduler is not None:
        try:
            return Client(scheduler, timeout=CONNECT_TIMEOUT_S), None  # type: ignore[no-untyped-call]
        except (OSError, TimeoutError, ValueError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise InputError(
                f"--scheduler {scheduler!r}: no Dask scheduler answered within "
                f"{CONNECT_TIMEOUT_S:g} s ({reason[:120]})",
                field="scheduler",
                value=scheduler,
            ) from None
    workers = n_workers if n_workers is not None else 2
    if workers < 1:
        raise InputError(f"--workers must be at least 1, got {workers}", field="workers")
    cluster = LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=":0",  # no fixed port (8787 may be taken); loopback only
        silence_logs=logging.CRITICAL,  # a task's error reaches the user once, as one line
    )
    return Client(cluster), cluster  # type: ignore[no-untyped-call]


@contextmanager
def dask_session(client: Any, scheduler: str | None, n_workers: int | None) -> Iterator[Any]:
    """:func:`open_client` as a context: the LocalCluster it may start is closed on exit."""
    the_client, cluster = open_client(client, scheduler, n_workers)
    try:
        yield the_client
    finally:
        if cluster is not None:
            the_client.close()
            cluster.close()


#: How long the tasks may wait on a cluster without a single worker before the run is given up
#: [s] [A]: a nanny restarts a dead worker in seconds; a cluster whose workers stay gone (killed
#: while restarting, out of memory again and again) would otherwise wait forever.
NO_WORKER_LIMIT_S = 60.0


def _wait_with_workers(client: Any, futures: list[Any], poll_s: float = 2.0) -> None:
    """Wait for ``futures`` (done or failed); a cluster left without any worker for
    :data:`NO_WORKER_LIMIT_S` is a one-line :class:`ClusterError` instead of a wait without end."""
    import time

    from distributed import wait

    idle_since: float | None = None
    while True:
        try:
            wait(futures, timeout=poll_s)  # type: ignore[no-untyped-call]
            return
        except TimeoutError:
            pass
        workers = client.scheduler_info().get("workers", {})
        if workers:
            idle_since = None
        elif idle_since is None:
            idle_since = time.monotonic()
        elif time.monotonic() - idle_since > NO_WORKER_LIMIT_S:
            raise ClusterError(
                f"the Dask cluster has had no worker for {NO_WORKER_LIMIT_S:.0f} s while tasks "
                "were waiting (workers died and did not come back); nothing was written",
                field="engine",
                value="dask",
            )


def gather(client: Any, futures: list[Any], *, progress: bool = False) -> list[Any]:
    """Gather the tasks' results (with Dask's progress bar when ``progress``); a worker that died
    too often is a one-line :class:`ClusterError`."""
    from distributed import KilledWorker

    if progress:
        from distributed import progress as dask_progress

        dask_progress(futures)  # type: ignore[no-untyped-call]
    _wait_with_workers(client, futures)
    try:
        return list(client.gather(futures))
    except KilledWorker as exc:
        raise ClusterError(
            f"a Dask worker died while computing task {exc.args[0] if exc.args else '?'} more "
            "often than the scheduler allows (distributed.scheduler.allowed-failures); nothing "
            "was written",
            field="engine",
            value="dask",
        ) from None
