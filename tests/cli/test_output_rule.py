"""One output rule for every command that writes (issue 18, docs/cli.md "Output files and folders").

endolab never deletes, replaces or re-permissions anything it did not write:

* the issue's cases, each as a test: a folder holding an ``endpoints.json`` and a thesis is not a
  report (`trial analyze`), nor one holding a ``demo.json`` a demo (`trial demo`); an existing file
  is replaced only with ``--overwrite``, keeping its permission bits (`cgm metrics`, `cgm episodes`,
  `cgm agp`, `hcg mix/reverse --svg`, `hcg plan --ics/--svg`, `sim patient`, `hormones pk
  --svg/--png`);
* a property (hypothesis): a folder holding arbitrary foreign files and subfolders keeps every one
  of them byte-identical, with its permissions, whatever each writing command does with it;
* OS errors on a path (a 300-byte name, on input and output): one line naming it, exit status 3.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from endolab._io import MANIFEST_NAME, atomic_directory
from endolab.cli import app

runner = CliRunner()

DATA = Path(str(resources.files("endolab.examples").joinpath("data")))
GENERIC = DATA / "cgm" / "generic.csv"
TRIAL = DATA / "trial"

HCG_MIX = ["--vial-iu", "5000", "--diluent-ml", "2", "--dose-iu", "250"]
HCG_REVERSE = ["--vial-iu", "5000", "--dose-iu", "250", "--units", "10"]
HCG_PLAN = [*HCG_MIX, "--per-week", "2", "--start", "2026-01-05", "--weeks", "4"]
PK = ["hormones", "pk", "--ester", "cypionate", "--dose-mg", "120", "--every-days", "7"]


def _fake_trace(*_args: Any, **_kwargs: Any) -> pl.DataFrame:
    """A one-hour trace with the columns of ``simulate_patient`` (the rule, not the model, is under
    test here; the simulation itself is tested in tests/sim)."""
    start = dt.datetime(2026, 1, 1)
    n = 60
    return pl.DataFrame(
        {
            "time": [start + dt.timedelta(minutes=i) for i in range(n)],
            "plasma_glucose_mg_dl": [120.0 + i for i in range(n)],
            "interstitial_glucose_mg_dl": [118.0 + i for i in range(n)],
            "insulin_u_per_min": [0.01] * n,
            "carbs_g_per_min": [0.0] * n,
            "c_peptide_pmol_l": [100.0] * n,
            "secretion_pmol_kg_min": [1.0] * n,
            "graft_glucagon_egp_mg_kg_min": [0.0] * n,
            "glucagon_pg_ml": [100.0] * n,
            "rescue_carbs_g": [0.0] * n,
            "severe_event": [0] * n,
        }
    )


_PATCH = pytest.MonkeyPatch()


def _needs(prefix: list[str]) -> None:
    """``sim patient`` runs on :func:`_fake_trace` (imports the simulator only where needed)."""
    if prefix[0] == "sim":
        import endolab.sim.replay

        _PATCH.setattr(endolab.sim.replay, "simulate_patient", _fake_trace)


@pytest.fixture(scope="module", autouse=True)
def _undo_patches() -> Iterator[None]:
    yield
    _PATCH.undo()


def _boom(*_args: Any, **_kwargs: Any) -> Any:
    raise AssertionError("computation started although the output was refused")


def _tripwire(monkeypatch: pytest.MonkeyPatch) -> None:
    import endolab.sim.studies
    import endolab.trial.report

    monkeypatch.setattr(endolab.trial.report, "run", _boom)
    monkeypatch.setattr(endolab.sim.studies, "write_demo", _boom)
    monkeypatch.setattr(endolab.sim.studies, "demo_trial", _boom)


def _run(args: list[str]) -> tuple[int, str]:
    """Run in process; no traceback, at most one error line; the exit status and the error line."""
    result = runner.invoke(app, args)
    everything = result.output + (result.stderr or "")
    assert "Traceback" not in everything, everything
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        repr(result.exception),
        args,
    )
    errors = [line for line in (result.stderr or "").splitlines() if line.startswith("error:")]
    assert len(errors) <= 1, errors
    return result.exit_code, errors[0] if errors else ""


def _snapshot(root: Path) -> dict[str, tuple[str, int, str]]:
    """Every entry under ``root`` (and ``root`` itself): kind, permission bits, content digest."""
    found: dict[str, tuple[str, int, str]] = {}
    for path in [root, *sorted(root.rglob("*"))]:
        info = path.lstat()
        rel = path.relative_to(root).as_posix()
        if stat.S_ISLNK(info.st_mode):
            found[rel] = ("link", 0, os.readlink(path))
        elif stat.S_ISDIR(info.st_mode):
            found[rel] = ("dir", stat.S_IMODE(info.st_mode), "")
        else:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            found[rel] = ("file", stat.S_IMODE(info.st_mode), digest)
    return found


def _kept(before: dict[str, tuple[str, int, str]], root: Path) -> None:
    after = _snapshot(root)
    changed = {rel: (v, after.get(rel)) for rel, v in before.items() if after.get(rel) != v}
    assert not changed, f"entries endolab did not write were changed or removed: {changed}"


# ------------------------------------------------------------------------------ the cases


def test_analyze_never_deletes_a_thesis_next_to_an_endpoints_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    u = tmp_path / "u"
    u.mkdir()
    (u / "endpoints.json").write_text("{}\n")
    (u / "thesis.docx").write_text("x\n")
    (u / "chapter").mkdir()
    (u / "chapter" / "draft.md").write_text("draft\n")
    before = _snapshot(u)
    _tripwire(monkeypatch)
    code, line = _run(["trial", "analyze", str(TRIAL), "--out", str(u)])
    assert code == 3
    assert line == (  # the first foreign entry in sorted order
        f"error: --out {str(u)!r}: the folder holds {str(u / 'chapter')!r}, which endolab "
        "did not write; endolab never deletes or replaces what it did not write: give a new or "
        "empty folder"
    )
    _kept(before, u)


def test_demo_never_replaces_a_folder_because_it_holds_a_demo_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    d = tmp_path / "d"
    d.mkdir()
    (d / "demo.json").write_text("{}\n")
    (d / "results.xlsx").write_bytes(b"PK\x03\x04 mine")
    before = _snapshot(d)
    _tripwire(monkeypatch)
    code, line = _run(["trial", "demo", "--out", str(d)])
    assert code == 3 and f"holds {str(d / 'demo.json')!r}, which endolab did not write" in line
    _kept(before, d)


def test_a_report_with_a_users_file_added_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """endolab's own manifest does not make the user's files in the same folder endolab's."""
    from endolab.trial.report import REPORT_CONTENTS

    rep = tmp_path / "rep"
    with atomic_directory(rep, writer=REPORT_CONTENTS) as tmp:
        for name in ("report.html", "endpoints.json", "participants.csv", "tables.md"):
            (tmp / name).write_text(f"endolab's {name}\n")
    (rep / "notes.txt").write_text("mine\n")
    before = _snapshot(rep)
    _tripwire(monkeypatch)
    code, line = _run(["trial", "analyze", str(TRIAL), "--out", str(rep)])
    assert code == 3 and "notes.txt" in line
    _kept(before, rep)


#: (arguments before the output, the option, the file name, the other files the command writes)
FILE_COMMANDS: list[tuple[list[str], str, str, tuple[str, ...]]] = [
    (["cgm", "metrics", str(GENERIC)], "--out", "m.csv", ()),
    (["cgm", "episodes", str(GENERIC)], "--out", "e.json", ()),
    (["cgm", "agp", str(GENERIC), "--id", "S01"], "--out", "agp.png", ()),
    (["hcg", "mix", *HCG_MIX], "--svg", "s.svg", ()),
    (["hcg", "reverse", *HCG_REVERSE], "--svg", "s.svg", ()),
    (["hcg", "plan", *HCG_PLAN], "--ics", "plan.ics", ()),
    (["hcg", "plan", *HCG_PLAN], "--svg", "s.svg", ()),
    (["sim", "patient", "--id", "adult#001", "--days", "1"], "--out", "trace.csv", ("trace.png",)),
    (PK, "--svg", "pk.svg", ()),
    (PK, "--png", "pk.png", ()),
]
#: The property runs once per command (a command's second option writes the same way).
PROPERTY_FILE_COMMANDS = [
    c for c in FILE_COMMANDS if (c[0][1], c[1]) not in {("plan", "--svg"), ("pk", "--png")}
]


@pytest.mark.parametrize(("prefix", "flag", "name", "others"), FILE_COMMANDS)
def test_an_existing_file_is_refused_without_overwrite(
    tmp_path: Path,
    prefix: list[str],
    flag: str,
    name: str,
    others: tuple[str, ...],
) -> None:
    _needs(prefix)
    target = tmp_path / name
    target.write_bytes(b"the user's file\n")
    target.chmod(0o444)
    before = _snapshot(tmp_path)
    code, line = _run([*prefix, flag, str(target)])
    assert code == 3
    assert line == f"error: {flag} {str(target)!r}: the file exists; add --overwrite to replace it"
    _kept(before, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


@pytest.mark.parametrize(("prefix", "flag", "name", "others"), FILE_COMMANDS)
@pytest.mark.parametrize("mode", [0o444, 0o640])
def test_overwrite_replaces_atomically_keeping_the_permissions(
    tmp_path: Path,
    prefix: list[str],
    flag: str,
    name: str,
    others: tuple[str, ...],
    mode: int,
) -> None:
    _needs(prefix)
    (tmp_path / "keep.txt").write_text("a neighbour\n")
    for each in (name, *others):
        (tmp_path / each).write_bytes(b"old\n")
        (tmp_path / each).chmod(mode)
    neighbour = _snapshot(tmp_path)["keep.txt"]
    code, line = _run([*prefix, flag, str(tmp_path / name), "--overwrite"])
    assert code == 0, line
    for each in (name, *others):
        path = tmp_path / each
        assert path.read_bytes() != b"old\n" and path.stat().st_size > 100
        assert stat.S_IMODE(path.stat().st_mode) == mode
    assert _snapshot(tmp_path)["keep.txt"] == neighbour
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["keep.txt", name, *others])


def test_sim_patient_refuses_when_only_the_figure_exists(tmp_path: Path) -> None:
    _needs(["sim"])
    """`sim patient --out trace.csv` also writes trace.png: the same rule, checked before both."""
    (tmp_path / "trace.png").write_bytes(b"my picture")
    before = _snapshot(tmp_path)
    code, line = _run(["sim", "patient", "--id", "adult#001", "--out", str(tmp_path / "trace.csv")])
    assert code == 3 and "trace.png" in line and "--overwrite" in line
    _kept(before, tmp_path)
    assert not (tmp_path / "trace.csv").exists()


def test_sim_patient_writes_a_new_trace_and_its_figure(tmp_path: Path) -> None:
    _needs(["sim"])
    code, line = _run(["sim", "patient", "--id", "adult#001", "--out", str(tmp_path / "t.csv")])
    assert code == 0, line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv", "t.png"]


def test_running_a_folder_command_again_replaces_only_its_own_files(tmp_path: Path) -> None:
    ex = tmp_path / "ex"
    assert _run(["examples", str(ex)])[0] == 0
    (ex / "cgm" / "generic.csv").chmod(0o444)
    before = _snapshot(ex)
    assert _run(["examples", str(ex)])[0] == 0  # its own, unchanged files: rewritten
    assert _snapshot(ex) == before
    (ex / "trial" / "labs.csv").write_text("edited by hand\n")
    code, line = _run(["examples", str(ex)])
    assert code == 3 and "labs.csv', which was changed after endolab wrote it" in line
    assert (ex / "trial" / "labs.csv").read_text() == "edited by hand\n"
    code, line = _run(["trial", "template", str(ex)])  # another command's folder
    assert code == 3 and "holds endolab's example data written by endolab" in line


# ----------------------------------------------------------------------------------- the property

#: Names that a command might take for its own, and names of every other sort.
_TEMPTING = [
    "endpoints.json",
    "demo.json",
    "report.html",
    "tables.md",
    "participants.csv",
    "calibration.md",
    "simulation.json",
    "README.md",
    MANIFEST_NAME,
    "_SUCCESS",
    "part-00000.parquet",
    "dataset",
    "report",
    "cgm",
    "trial",
    "dose_response.json",
    "m.csv",
    "e.json",
    "agp.png",
    "s.svg",
    "plan.ics",
    "trace.csv",
    "trace.png",
    "thesis.docx",
]
_NAMES = st.one_of(
    st.sampled_from(_TEMPTING),
    st.text(
        alphabet=st.characters(codec="utf-8", exclude_characters="/\x00"),
        min_size=1,
        max_size=24,
    ).filter(lambda s: s not in (".", "..")),
)
_FILE = st.tuples(st.binary(max_size=48), st.sampled_from([0o644, 0o444, 0o600, 0o755]))
_TREE = st.recursive(
    _FILE,
    lambda inner: st.dictionaries(_NAMES, inner, min_size=0, max_size=3),
    max_leaves=6,
)
_FOREIGN = st.dictionaries(_NAMES, _TREE, min_size=1, max_size=4)


def _make(root: Path, tree: dict[str, Any]) -> None:
    for name, node in tree.items():
        path = root / name
        if isinstance(node, dict):
            if path.is_file():  # the manifest of an earlier output, replaced by a foreign folder
                path.unlink()
            path.mkdir()
            _make(path, node)
        else:
            data, mode = node
            path.write_bytes(data)
            path.chmod(mode)


FOLDER_COMMANDS: dict[str, Callable[[str], list[str]]] = {
    "examples": lambda out: ["examples", out],
    "trial template": lambda out: ["trial", "template", out],
    "trial analyze": lambda out: ["trial", "analyze", str(TRIAL), "--out", out],
    "trial simulate": lambda out: [
        "trial",
        "simulate",
        "--participants",
        "1",
        "--days",
        "1",
        "--out",
        out,
    ],
    "trial demo": lambda out: ["trial", "demo", "--out", out],
    "sim dose-response": lambda out: [
        "sim",
        "dose-response",
        "--doses",
        "2e8",
        "--participants",
        "1",
        "--days",
        "1",
        "--out",
        out,
    ],
    "cgm metrics --engine dask": lambda out: [
        "cgm",
        "metrics",
        str(DATA / "cgm" / "generic.parquet"),
        "--engine",
        "dask",
        "--out",
        out,
    ],
}


#: What each folder command's manifest records (module, constant), imported only when used.
CONTENTS: dict[str, tuple[str, str]] = {
    "examples": ("endolab.examples", "EXAMPLES_CONTENTS"),
    "trial template": ("endolab.trial.dataset", "TEMPLATE_CONTENTS"),
    "trial analyze": ("endolab.trial.report", "REPORT_CONTENTS"),
    "trial simulate": ("endolab.trial.dataset", "DATASET_CONTENTS"),
    "trial demo": ("endolab.sim.studies", "DEMO_CONTENTS"),
    "sim dose-response": ("endolab.sim.studies", "DOSE_RESPONSE_CONTENTS"),
    "cgm metrics --engine dask": ("endolab.cgm.distributed", "PARTS_CONTENTS"),
}


@pytest.mark.parametrize("command", sorted(FOLDER_COMMANDS))
@settings(max_examples=25, deadline=None)
@given(tree=_FOREIGN, inside=st.booleans(), own=st.booleans(), data=st.data())
def test_folder_commands_keep_every_foreign_entry(
    command: str, tree: dict[str, Any], inside: bool, own: bool, data: st.DataObject
) -> None:
    """Whatever a folder command does (it must refuse here: the folder holds entries endolab did
    not write — next to an earlier output of the same command when ``own``), every entry it did not
    write is byte-identical afterwards, with its permissions."""
    import importlib

    if command.endswith("dask"):
        pytest.importorskip(
            "distributed", reason="the optional extra endolab[dask] is not installed"
        )
    module, constant = CONTENTS[command]
    writer = getattr(importlib.import_module(module), constant)
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "work"
        if own:  # an earlier output of this very command, with its manifest
            with atomic_directory(root, writer=writer) as tmp:
                (tmp / "earlier-output.txt").write_bytes(b"endolab " * 8)  # longer than any leaf
        else:
            root.mkdir()
        _make(root, tree)
        # the output is the foreign folder itself, or an entry in it (a file or a non-empty folder;
        # an empty one would rightly be written into, at the cost of a whole simulation)
        entries = sorted(n for n, v in tree.items() if v != {})
        out = root / data.draw(st.sampled_from(entries)) if inside and entries else root
        before = _snapshot(root)
        with pytest.MonkeyPatch.context() as patch:
            _tripwire(patch)
            code, _line = _run(FOLDER_COMMANDS[command](str(out)))
        assert code == 3
        _kept(before, root)


@pytest.mark.parametrize(("prefix", "flag", "name", "others"), PROPERTY_FILE_COMMANDS)
@settings(max_examples=25, deadline=None)
@given(tree=_FOREIGN, data=st.data())
def test_file_commands_keep_every_foreign_entry(
    prefix: list[str],
    flag: str,
    name: str,
    others: tuple[str, ...],
    tree: dict[str, Any],
    data: st.DataObject,
) -> None:
    """A file command writing into a folder of foreign entries — under a new name, or the name of
    one of them — leaves every one of them byte-identical, with its permissions (no --overwrite)."""
    _needs(prefix)
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "work"
        root.mkdir()
        _make(root, tree)
        out = root / data.draw(st.sampled_from(sorted({*tree, name})))
        before = _snapshot(root)
        code, line = _run([*prefix, flag, str(out)])
        assert code in (0, 3), line
        if code == 0:
            assert out.is_file() and out.relative_to(root).as_posix() not in before
        _kept(before, root)


# ---------------------------------------------------------------------------------- OS errors

LONG = "a" * 300  # one path component of 300 bytes: longer than any common file system allows

REASON = "a name in the path is {n} bytes long; the file system allows at most 255"


@pytest.mark.parametrize(
    ("args", "path", "flag"),
    [
        (["cgm", "metrics", f"{LONG}.csv"], f"{LONG}.csv", None),
        (["cgm", "agp", f"{LONG}.csv", "--id", "S01", "--out", "a.png"], f"{LONG}.csv", None),
        (["trial", "validate", LONG], LONG, None),
        (["trial", "analyze", LONG, "--json"], LONG, None),
        (
            ["trial", "analyze", str(TRIAL), "--protocol", f"{LONG}.toml", "--json"],
            f"{LONG}.toml",
            None,
        ),
        (["cgm", "metrics", str(GENERIC), "--window", "1:2", "--day0", LONG], LONG, None),
    ],
)
def test_a_300_byte_input_name_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], path: str, flag: str | None
) -> None:
    monkeypatch.chdir(tmp_path)
    code, line = _run(args)
    assert code == 3
    n = len(os.fsencode(Path(path).name))
    assert line == f"error: {path!r}: {REASON.format(n=n)}"


@pytest.mark.parametrize(
    ("prefix", "flag", "name"),
    [
        *[(p, f, n) for p, f, n, _ in FILE_COMMANDS],
        (["trial", "analyze", str(TRIAL)], "--out", "report"),
        (["trial", "simulate", "--participants", "1", "--days", "1"], "--out", "sim"),
        (["trial", "demo"], "--out", "demo"),
        (["sim", "dose-response", "--doses", "2e8", "--participants", "1"], "--out", "dr"),
        (["trial", "template"], "", "t"),
        (["examples"], "", "ex"),
    ],
)
@pytest.mark.parametrize("where", ["name", "folder"])
def test_a_300_byte_output_name_is_one_line_before_any_work(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    prefix: list[str],
    flag: str,
    name: str,
    where: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    _tripwire(monkeypatch)
    out = f"{LONG}{Path(name).suffix}" if where == "name" else f"{LONG}/{name}"
    code, line = _run([*prefix, *([flag] if flag else []), out])
    assert code == 3
    label = flag or ("DIR" if prefix == ["examples"] else "OUT")
    n = len(os.fsencode(out.split("/")[0]))
    assert line == f"error: {label} {out!r}: {REASON.format(n=n)}"
    assert list(tmp_path.iterdir()) == []


def test_an_os_error_anywhere_in_a_command_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command-line catch-all: an OSError no check foresaw still names its path (exit 3)."""
    import errno

    import endolab.cgm.results

    def loop(*_args: Any, **_kwargs: Any) -> Any:
        raise OSError(errno.ELOOP, "Too many levels of symbolic links", "data/cgm.csv")

    # the reader the command calls (endolab.cgm.results.load_cgm → read_cgm)
    monkeypatch.setattr(endolab.cgm.results, "read_cgm", loop)
    code, line = _run(["cgm", "metrics", str(GENERIC)])
    assert code == 3
    assert line == "error: 'data/cgm.csv': too many levels of symbolic links (a loop of links?)"
