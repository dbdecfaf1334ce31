"""Every method reference in src/, tests/ and docs/ resolves to a heading of docs/methods/ (issue 22).

A reference is ``docs/methods/<page>.md`` optionally followed by sections of that page,
``docs/methods/hcg.md §3.2``, ``docs/methods/hormones.md §2.1, §2.7``,
``docs/methods/hormones.md §5.1–§5.4`` or ``docs/methods/hcg.md §7 item 3``. Section numbers are the
numbers that start the headings of the page (``### 3.2 Formulas``); an item is a numbered list entry
in that section. Inside docs/methods/ a page also cites itself (a section sign alone) and its
neighbours (``cgm.md`` followed by a section). External standards are cited as ``RFC 5545`` plus a
section. Any other section sign in the scanned files — for example a leftover ``spec`` reference to
the design notes that are not in the repository — fails, as does a path into ``specs/``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
METHODS = ROOT / "docs" / "methods"
PAGES = ("index", "hormones", "hcg", "cgm", "trial", "sim")

SIGN = "\N{SECTION SIGN}"
_HEADING = re.compile(r"^(#{1,6}) (\d+(?:\.\d+)*)\.? (.*)$")
_HEADING_ANY = re.compile(r"^(#{1,6}) (.*)$")
_ITEM = re.compile(r"^\s*(\d+)\. ")
_SECTION = rf"{SIGN}\s?(?P<sec>\d+(?:\.\d+)*)(?:\s+item\s+(?P<item>\d+))?"
_SEP = r"(?:,\s*and\s+|\s+and\s+|,\s*|\s*[–/-]\s*|\s+)"
_ANCHOR_REPO = r"(?P<repo>docs/methods/(?P<page>[A-Za-z0-9_-]+)\.md)"
_ANCHOR_LOCAL = r"(?<![\w/.-])(?P<lpage>[a-z0-9_-]+)\.md(?=\s*" + SIGN + r")"
_ANCHOR_RFC = r"(?P<rfc>RFC \d+)"
_NEXT = re.compile(_SEP + _SECTION)
_FIRST = re.compile(r"\s*" + _SECTION)
_LINK = re.compile(r"\]\((?P<file>[a-z0-9_-]+\.md)?#(?P<anchor>[^)\s]+)\)")
_FORBIDDEN = re.compile(r"specs/[\w-]+\.md")


@dataclass(frozen=True)
class Page:
    """The numbered sections of one methods page, the numbered items under each, and its anchors."""

    sections: dict[str, frozenset[int]]
    anchors: frozenset[str]


def _slug(title: str) -> str:
    """GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens."""
    kept = "".join(c for c in title.lower() if c.isalnum() or c in " -_")
    return kept.replace(" ", "-")


def parse_page(text: str) -> Page:
    """Sections (heading numbers) with their numbered list items, and heading anchors."""
    sections: dict[str, set[int]] = {}
    anchors: set[str] = set()
    current: str | None = None
    fenced = False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
            continue
        if fenced:
            continue
        any_heading = _HEADING_ANY.match(line)
        if any_heading:
            anchors.add(_slug(any_heading.group(2)))
            numbered = _HEADING.match(line)
            current = numbered.group(2) if numbered else None
            if current is not None:
                if current in sections:
                    raise ValueError(f"section {current} appears twice")
                sections[current] = set()
            continue
        item = _ITEM.match(line)
        if item and current is not None:
            sections[current].add(int(item.group(1)))
    return Page({k: frozenset(v) for k, v in sections.items()}, frozenset(anchors))


def load_pages(folder: Path = METHODS) -> dict[str, Page]:
    """Every page of docs/methods/ by name (without ``.md``)."""
    return {p.stem: parse_page(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.md"))}


def check_text(text: str, pages: dict[str, Page], *, own_page: str | None = None) -> list[str]:
    """Problems with the references in ``text``: ``"line N: message"`` each (empty when all resolve).

    ``own_page`` is the methods page ``text`` belongs to: there a section sign alone cites that page
    and ``<page>.md`` followed by a section cites a neighbour.
    """
    problems: list[str] = []
    consumed: set[int] = set()
    anchors = [_ANCHOR_REPO, _ANCHOR_RFC] + ([_ANCHOR_LOCAL] if own_page else [])
    anchor_re = re.compile("|".join(anchors))

    def line_of(pos: int) -> int:
        return text.count("\n", 0, pos) + 1

    def resolve(page: str, sec: str, item: str | None, pos: int) -> None:
        target = pages.get(page)
        if target is None:
            problems.append(f"line {line_of(pos)}: no page docs/methods/{page}.md")
        elif sec not in target.sections:
            problems.append(f"line {line_of(pos)}: docs/methods/{page}.md has no {SIGN}{sec}")
        elif item is not None and int(item) not in target.sections[sec]:
            problems.append(
                f"line {line_of(pos)}: docs/methods/{page}.md {SIGN}{sec} has no item {item}"
            )

    for m in anchor_re.finditer(text):
        groups = m.groupdict()
        page = groups.get("page") or groups.get("lpage")
        if page is not None and page not in pages:
            problems.append(f"line {line_of(m.start())}: no page docs/methods/{page}.md")
            page = None  # its sections are consumed below, not reported again
        pos, first = m.end(), True
        while True:
            nxt = (_FIRST if first else _NEXT).match(text, pos)
            if nxt is None:
                break
            consumed.add(text.index(SIGN, nxt.start()))
            if page is not None:
                resolve(page, nxt.group("sec"), nxt.group("item"), nxt.start())
            pos, first = nxt.end(), False
    for m in re.finditer(_SECTION, text):
        if m.start() in consumed:
            continue
        if own_page is not None:
            resolve(own_page, m.group("sec"), m.group("item"), m.start())
        else:
            problems.append(
                f"line {line_of(m.start())}: {m.group(0)!r} names no page "
                f"(write docs/methods/<page>.md {SIGN}<section>)"
            )
    for m in _FORBIDDEN.finditer(text):
        problems.append(f"line {line_of(m.start())}: {m.group(0)} is not in the repository")
    if own_page is not None:
        for m in _LINK.finditer(text):
            page = (m.group("file") or f"{own_page}.md")[:-3]
            if page in pages and m.group("anchor") not in pages[page].anchors:
                problems.append(f"line {line_of(m.start())}: no heading #{m.group('anchor')}")
    return problems


def _scanned() -> list[Path]:
    files = [
        *(ROOT / "src").rglob("*.py"),
        *(ROOT / "src").rglob("*.toml"),
        *(ROOT / "src").rglob("*.html"),
        *(ROOT / "tests").rglob("*.py"),
        *(ROOT / "docs").glob("*.md"),
        ROOT / "README.md",
    ]  # not CHANGELOG.md: its old entries record what the code cited then
    return sorted(p for p in files if p.is_file())


def test_every_engine_has_a_methods_page() -> None:
    assert set(load_pages()) == set(PAGES)


@pytest.mark.parametrize("page", PAGES)
def test_methods_page_sections_are_numbered_and_its_references_resolve(page: str) -> None:
    pages = load_pages()
    assert pages[page].sections, f"{page}.md has no numbered section"
    text = (METHODS / f"{page}.md").read_text(encoding="utf-8")
    assert check_text(text, pages, own_page=page) == []


def test_every_reference_in_src_tests_and_docs_resolves() -> None:
    pages = load_pages()
    problems = []
    for path in _scanned():
        for problem in check_text(path.read_text(encoding="utf-8"), pages):
            problems.append(f"{path.relative_to(ROOT)}: {problem}")
    assert problems == []


def test_the_code_cites_the_methods_pages() -> None:
    # the rewrite of issue 22 left the references in place: most engines cite their page often
    cited = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "src").rglob("*.py"))
    for page in ("hormones", "hcg", "cgm", "trial", "sim"):
        assert cited.count(f"docs/methods/{page}.md") >= 3, page


# --- the checker itself (each case can fail) ---------------------------------------------------

#: Built in pieces so that the scan of this file does not see them as references.
DEMO = "docs/methods/" + "demo.md"
NOPE = "docs/methods/" + "nope.md"
SPECS = "specs/" + "hcg.md"
_DEMO = (
    "## 1. One\n\n### 1.1 Sub\n\n1. first\n2. second\n\n## 2. Two\n\nSee "
    + SIGN
    + "1.1 and [x](#1-one).\n"
)


def test_checker_accepts_resolving_references() -> None:
    pages = {"demo": parse_page(_DEMO)}
    good = (
        f"{DEMO} {SIGN}1.1; {DEMO} {SIGN}1, {SIGN}2; "
        f"{DEMO} {SIGN}1–{SIGN}2; {DEMO} {SIGN}1.1 item 2; "
        f"{DEMO}; RFC 5545 {SIGN}3.1"
    )
    assert check_text(good, pages) == []
    assert check_text(_DEMO, pages, own_page="demo") == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (f"{DEMO} {SIGN}9.9", f"has no {SIGN}9.9"),
        (f"{DEMO} {SIGN}1, {SIGN}3", f"has no {SIGN}3"),
        (f"{DEMO} {SIGN}1.1 item 3", "has no item 3"),
        (f"{NOPE} {SIGN}1", f"no page {NOPE}"),
        (f"the spec {SIGN}1.1", "names no page"),
        (f"{DEMO} {SIGN}1 and later {SIGN}2", "names no page"),
        (f"as {SPECS} says", f"{SPECS} is not in the repository"),
    ],
)
def test_checker_reports_broken_references(text: str, message: str) -> None:
    problems = check_text(text, {"demo": parse_page(_DEMO)})
    assert len(problems) == 1 and message in problems[0], problems


def test_checker_reports_broken_links_and_sections_inside_a_page() -> None:
    pages = {"demo": parse_page(_DEMO)}
    assert check_text(f"see {SIGN}7", pages, own_page="demo") == [f"line 1: {DEMO} has no {SIGN}7"]
    assert check_text("[x](#2-too)", pages, own_page="demo") == ["line 1: no heading #2-too"]


def test_a_section_number_is_given_once() -> None:
    with pytest.raises(ValueError, match="appears twice"):
        parse_page("## 1. A\n\n## 1. B\n")
