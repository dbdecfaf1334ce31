"""Help a newcomer can read (issue 13): units visible, readable types, an example per command."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from endolab.cli import app
from endolab.cli._common import EXAMPLES

runner = CliRunner()


def _commands() -> list[str]:
    root: Any = typer.main.get_command(app)
    found: list[str] = []

    def walk(command: Any, path: str) -> None:
        subs = getattr(command, "commands", None)
        if isinstance(subs, dict):
            for name, sub in subs.items():
                walk(sub, f"{path} {name}".strip())
        else:
            found.append(path)

    walk(root, "")
    return found


COMMANDS = _commands()


def _help(path: str, flag: str = "--help") -> str:
    result = runner.invoke(app, [*path.split(), flag], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("path", COMMANDS)
def test_every_command_has_a_readable_help_with_an_example(path: str) -> None:
    text = _help(path, "-h")
    assert "Examples:" in text, f"add an example for {path!r} to EXAMPLES in cli/_common.py"
    assert "endolab " + path in text
    assert not re.search(r"<(str|int|float|bool|path|list\[)", text), text


def test_units_in_brackets_are_shown() -> None:
    assert "[mL]" in _help("hcg mix")
    assert "[weeks]" in _help("hcg plan") or "[week]" in _help("hcg plan")
    assert "[IU]" in _help("hcg mix")


def test_examples_name_existing_commands() -> None:
    assert set(EXAMPLES) <= set(COMMANDS)


@pytest.mark.parametrize(
    "path", [p for p in COMMANDS if p.split()[0] in ("hormones", "hcg") and "--svg" not in p]
)
def test_calculator_examples_run(path: str, tmp_path: Any, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    for example in EXAMPLES[path]:
        result = runner.invoke(app, example.split()[1:])
        assert result.exit_code == 0, (example, result.output)


def test_dash_h_and_completion() -> None:
    text = _help("", "-h")
    assert "--install-completion" in text


def test_shell_completion_answers() -> None:
    """Completion as bash asks for it: ``endolab hc<TAB>`` → ``hcg``."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "_ENDOLAB_COMPLETE": "complete_bash", "COMP_WORDS": "endolab hc"}
    env["COMP_CWORD"] = "1"
    script = Path(sys.executable).with_name("endolab")
    if not script.is_file():
        pytest.skip(f"no endolab console script beside {sys.executable} (not installed)")
    proc = subprocess.run(
        [str(script)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["hcg"]


def test_reader_choices_are_the_librarys() -> None:
    """--reader on every CGM command offers exactly the library's readers (cgm.readers.ReaderName),
    and each command's help lists them all."""
    from typing import get_args

    from endolab.cgm.readers import ReaderName
    from endolab.cli._common import READER_CHOICES, READER_HELP

    assert get_args(ReaderName) == READER_CHOICES
    for name in READER_CHOICES:
        assert name in READER_HELP
