"""Trial data for the web app: the built-in virtual trial (cached on disk) and uploaded zips.

* :func:`demo_folder` — the default virtual zimislecel trial simulated once with a fixed seed and
  written (atomically, by :func:`endolab.sim.write_simulation`) to the user's cache folder
  (:func:`endolab.web.settings.default_cache_dir`, or ``Settings.cache_dir``); later starts read it back.
* :func:`extract_zip` — unpack an uploaded dataset zip into a folder, refusing absolute paths,
  ``..``, links, too many entries and too much uncompressed data (zip bombs).
* :class:`TrialView` — an analysis plus its rendered figures, built once and then read-only.
"""

from __future__ import annotations

import base64
import dataclasses
import io
import os
import secrets
import shutil
import stat
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from endolab._version import __version__
from endolab.errors import InputError
from endolab.notices import Notice
from endolab.web.settings import Settings

if TYPE_CHECKING:
    from endolab.trial.analysis import TrialAnalysis

__all__ = [
    "FIGURES",
    "KeptUpload",
    "TrialState",
    "TrialView",
    "UploadStore",
    "analyze_zip",
    "demo_folder",
    "extract_zip",
    "upload_label",
]

Progress = Callable[[int, int], None]

#: Matplotlib is not thread-safe: one figure build at a time, in the whole app.
FIGURES = threading.Lock()


def demo_folder(settings: Settings, progress: Progress | None = None) -> Path:
    """The cached dataset folder of the built-in virtual trial (simulated on first use)."""
    from endolab.sim import default_settings_fingerprint, simulate_trial, write_simulation

    kwargs: dict[str, Any] = {"seed": settings.demo_seed}
    if settings.demo_participants is not None:
        kwargs["participants"] = settings.demo_participants
    if settings.demo_days is not None:
        kwargs["days"] = settings.demo_days
    key = "-".join(f"{k}{v}" for k, v in sorted(kwargs.items())) + "-paired"
    root = settings.cache_folder() / "demo-trial"
    target = root / f"endolab-{__version__}-{default_settings_fingerprint()}-{key}"
    if (target / "simulation.json").is_file():
        return target
    # paired: the treated arm beside its control arm (the untreated twins), as `trial demo` does
    ds = simulate_trial(progress=progress, paired=True, **kwargs)
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=root))
    try:
        write_simulation(ds, staging / "dataset")
        try:
            os.replace(staging / "dataset", target)  # atomic: readers see all or nothing
        except OSError:
            if not (target / "simulation.json").is_file():  # not a concurrent writer's copy
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _safe_name(name: str) -> PurePosixPath:
    text = name.replace("\\", "/")
    path = PurePosixPath(text)
    if (
        text.startswith("/")
        or (len(text) > 1 and text[1] == ":")
        or any(part == ".." for part in path.parts)
    ):
        raise InputError(
            f"zip entry {name!r} has an absolute path or '..'; give a zip of the dataset folder",
            code="E_ZIP_PATH",
            field="file",
            value=name,
        )
    return path


def extract_zip(data: bytes, dest: Path, settings: Settings) -> Path:
    """Unpack the zip ``data`` into ``dest`` within the settings' limits; return the dataset folder
    (the folder holding ``participants.csv``/``.parquet``)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise InputError(
            f"the upload is not a readable zip file ({exc})", code="E_ZIP", field="file"
        ) from None
    with archive:
        infos = archive.infolist()
        if len(infos) > settings.max_zip_entries:
            raise InputError(
                f"the zip has {len(infos)} entries; at most {settings.max_zip_entries} are accepted",
                code="E_ZIP_ENTRIES",
                field="file",
            )
        declared = sum(i.file_size for i in infos)
        if declared > settings.max_zip_uncompressed_bytes:
            raise InputError(
                f"the zip expands to {declared} bytes; at most "
                f"{settings.max_zip_uncompressed_bytes} are accepted",
                code="E_ZIP_SIZE",
                field="file",
            )
        budget = settings.max_zip_uncompressed_bytes
        for info in infos:
            rel = _safe_name(info.filename)
            if stat.S_ISLNK(info.external_attr >> 16):
                raise InputError(
                    f"zip entry {info.filename!r} is a link; links are not accepted",
                    code="E_ZIP_PATH",
                    field="file",
                )
            if info.is_dir() or not rel.parts or rel.parts[0] == "__MACOSX":
                continue
            out = dest.joinpath(*rel.parts)
            out.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(info) as src, open(out, "wb") as dst:
                while chunk := src.read(1 << 16):
                    budget -= len(chunk)
                    if budget < 0:  # the declared sizes lied
                        raise InputError(
                            "the zip expands to more than "
                            f"{settings.max_zip_uncompressed_bytes} bytes",
                            code="E_ZIP_SIZE",
                            field="file",
                        )
                    dst.write(chunk)
    for candidate in sorted(dest.rglob("participants.*"), key=lambda p: len(p.parts)):
        if candidate.suffix in (".csv", ".parquet"):
            return candidate.parent
    raise InputError(
        "the zip holds no participants.csv or participants.parquet: zip the dataset folder "
        "(see docs/trial.md for the format)",
        code="E_ZIP_DATASET",
        field="file",
    )


def upload_label(name: str | None) -> str:
    """How an upload is named to the user: the file name it was sent with (never a server path).

    >>> upload_label("C:\\\\Users\\\\me\\\\my trial.zip"), upload_label(None)
    ('my trial.zip', 'the uploaded zip')
    """
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return base or "the uploaded zip"


def _without_folder(text: str, folder: Path, label: str) -> str:
    """``text`` with the temporary folder (as given and resolved) replaced by ``label``."""
    for prefix in {str(folder.resolve()), str(folder)}:
        text = text.replace(prefix + os.sep, label + "/").replace(prefix, label)
    return text


def _notice_without_folder(notice: Notice, folder: Path, label: str) -> Notice:
    """``notice`` with the temporary folder replaced by ``label`` in its message."""
    return dataclasses.replace(notice, message=_without_folder(notice.message, folder, label))


def analyze_zip(
    data: bytes, settings: Settings, protocol: str | None = None, name: str | None = None
) -> TrialAnalysis:
    """Analyse an uploaded dataset zip in a temporary folder that is always removed.

    Nothing the user sees names the server's temporary folder: the dataset's ``source`` (page
    header, report, ``endpoints.json``) is the uploaded file's ``name`` (with the dataset folder
    inside the zip, if any), ``folder`` is ``None``, and an error's message names the file in the
    zip as ``<name>/<path in the zip>``.
    """
    import dataclasses

    from endolab.errors import EndolabError
    from endolab.trial.report import run

    label = upload_label(name)
    with tempfile.TemporaryDirectory(prefix="endolab-upload-") as tmp:
        root = Path(tmp)
        try:
            folder = extract_zip(data, root, settings)
            analysis = run(folder, None, protocol=protocol)
        except EndolabError as exc:
            exc.message = _without_folder(exc.message, root, label)
            exc.args = (exc.message, *exc.args[1:])
            if isinstance(exc.value, (str, Path)):
                exc.value = _without_folder(str(exc.value), root, label)
            raise
        inside = folder.relative_to(root).as_posix()
        source = label if inside in ("", ".") else f"{label} (folder {inside}/)"
        notices = tuple(_notice_without_folder(n, root, label) for n in analysis.dataset.notices)
        analysis.dataset = dataclasses.replace(
            analysis.dataset, folder=None, source=source, notices=notices
        )
        analysis.notices = [_notice_without_folder(n, root, label) for n in analysis.notices]
        return analysis


def _svg(fig: Any) -> str:
    """The figure as an SVG data URI, shown with ``<img>`` (matplotlib's SVG styles itself inline,
    which the pages' Content-Security-Policy forbids in the page but allows inside an image)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="svg")
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _png_uri(fig: Any) -> str:
    from endolab.trial.figures import figure_png

    return "data:image/png;base64," + base64.b64encode(figure_png(fig)).decode("ascii")


@dataclass
class TrialView:
    """An analysis with what the explorer shows (tables as HTML, figures), built once."""

    analysis: TrialAnalysis
    tables_html: dict[str, list[str]]  # section (endpoints, grading, adverse, listing) -> HTML
    trajectories: list[tuple[str, str]]  # (caption, PNG data URI)
    agp: dict[str, str]  # participant id or "cohort" -> SVG data URI
    agp_note: str | None
    grades: list[dict[str, Any]] = field(default_factory=list)
    #: (caption, PNG data URI) of the Kaplan–Meier figure, ``None`` without a survival result.
    survival: tuple[str, str] | None = None
    #: (caption, PNG data URI) of the graft-state chart, ``None`` without graded visits.
    states: tuple[str, str] | None = None

    @classmethod
    def build(cls, analysis: TrialAnalysis, *, per_participant_agp: bool = True) -> TrialView:
        with FIGURES:
            return cls._build(analysis, per_participant_agp)

    @classmethod
    def _build(cls, analysis: TrialAnalysis, per_participant_agp: bool) -> TrialView:
        from endolab.trial.figures import (
            agp_figures,
            cohort_agp_figure,
            state_figure,
            survival_figure,
            tir_figure,
            trajectory_figure,
        )
        from endolab.trial.tables import (
            adverse_event_tables,
            binary_table,
            continuous_table,
            grading_table,
            listing_table,
            paired_tables,
            survival_table,
            to_html,
        )

        grading = grading_table(analysis)
        km_table = survival_table(analysis)
        tables = {
            "endpoints": [
                to_html(binary_table(analysis)),
                to_html(continuous_table(analysis)),
                *[to_html(t) for t in paired_tables(analysis)],
            ],
            "grading": [] if grading is None else [to_html(grading)],
            "survival": [] if km_table is None else [to_html(km_table)],
            "adverse": [to_html(t) for t in adverse_event_tables(analysis)],
            "listing": [to_html(listing_table(analysis))],
        }
        traj: list[tuple[str, str]] = []
        for measure, caption in (
            ("hba1c", "HbA1c by visit"),
            ("insulin", "Insulin dose by visit"),
            ("c_peptide", "C-peptide by visit"),
        ):
            traj.append((caption, _png_uri(trajectory_figure(analysis, measure))))  # type: ignore[arg-type]
        traj.append(("Time in range by visit", _png_uri(tir_figure(analysis))))
        agp: dict[str, str] = {}
        note: str | None = None
        if per_participant_agp:
            figures, note = agp_figures(analysis)
            for caption, fig in figures:
                key = "cohort" if "by cohort" in caption else caption.rsplit("— ", 1)[-1]
                agp[key] = _svg(fig)
        else:
            pooled = cohort_agp_figure(analysis)
            if pooled is not None:
                agp["cohort"] = _svg(pooled)
        grades = [
            {"participant_id": pid, "visits": visits}
            for pid, visits in sorted(analysis.visits.items())
        ]
        km = survival_figure(analysis)
        survival = (
            None
            if km is None
            else ("Time to event (Kaplan–Meier, 95 % CI) with the numbers at risk", _png_uri(km))
        )
        chart = state_figure(analysis)
        states = (
            None
            if chart is None
            else ("Graft state of each participant at every visit", _png_uri(chart))
        )
        return cls(analysis, tables, traj, agp, note, grades, survival, states)


class TrialState:
    """The explorer's built-in virtual trial, built on first use (one build at a time)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._view: TrialView | None = None

    def view(self, progress: Progress | None = None) -> TrialView:
        """The analysed virtual trial (simulated and cached on first use)."""
        with self._lock:
            if self._view is None:
                from endolab.trial import analyze, load_protocol, read_dataset

                folder = demo_folder(self.settings, progress)
                analysis = analyze(read_dataset(folder), load_protocol())
                self._view = TrialView.build(analysis)
            return self._view


@dataclass
class KeptUpload:
    """An analysed upload kept for moving within it (participant AGP, sections, report)."""

    view: TrialView
    name: str  # the uploaded file's name, as the user sent it
    expires: float  # time.monotonic() after which it is forgotten
    report: str | None = None  # the HTML report, built on first download


class UploadStore:
    """Analysed trial uploads kept **in memory only** (never on disk), each under a random token.

    An entry lives ``ttl`` seconds from its upload (reading it does not extend it); at most
    ``capacity`` entries are kept, the oldest forgotten first. The token (128 random bits) is the
    only way to reach an entry; an unknown or expired token is simply not found.

    >>> clock = [0.0]
    >>> store = UploadStore(ttl=60, capacity=2, clock=lambda: clock[0])
    >>> a, b, c = (store.put(f"view{i}", f"{i}.zip") for i in range(3))  # type: ignore[arg-type]
    >>> store.get(a) is None, store.get(c).name  # the oldest went when the third came
    (True, '2.zip')
    >>> clock[0] = 61.0
    >>> store.get(b), len(store)
    (None, 0)
    """

    def __init__(
        self, ttl: float, capacity: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl = ttl
        self.capacity = capacity
        self._clock = clock
        self._lock = threading.Lock()
        self._items: dict[str, KeptUpload] = {}  # insertion order = upload order

    def _expire(self) -> None:
        now = self._clock()
        for token in [t for t, item in self._items.items() if item.expires <= now]:
            del self._items[token]

    def put(self, view: TrialView, name: str) -> str:
        """Keep ``view`` and return its token."""
        token = secrets.token_urlsafe(16)
        with self._lock:
            self._expire()
            while len(self._items) >= self.capacity:
                del self._items[next(iter(self._items))]
            self._items[token] = KeptUpload(view, name, self._clock() + self.ttl)
        return token

    def get(self, token: str) -> KeptUpload | None:
        """The kept upload of ``token``, or ``None`` (unknown, expired or pushed out)."""
        with self._lock:
            self._expire()
            return self._items.get(token)

    def __len__(self) -> int:
        with self._lock:
            self._expire()
            return len(self._items)
