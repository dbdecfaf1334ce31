"""Messages of issue 18: values echoed as the check saw them, impossible dates named, a closed
pipe ending quietly."""

from __future__ import annotations

import subprocess
import sys

from typer.testing import CliRunner

from endolab.cli import app


def _err(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(app, list(args))
    return res.exit_code, res.stderr.strip()


def test_a_refused_value_is_echoed_as_the_range_check_saw_it() -> None:
    # 90.0001 > 90 is refused; the message said "90 years is out of range; accepted 18–90"
    code, err = _err("hormones", "predict", "--total-t", "650", "--age", "90.0001")
    assert code == 3 and "90.0001 years is out of range; accepted 18–90 years" in err
    # a 309-digit number was echoed whole; at most 6 significant digits now
    code, err = _err("hormones", "predict", "--total-t", "1" + "0" * 308)
    assert code == 3 and "1e+308 ng/dL is out of range" in err and len(err) < 200


def test_an_impossible_date_is_not_a_calendar_date() -> None:
    code, err = _err(
        *("hcg", "plan", "--vial-iu", "5000", "--diluent-ml", "5", "--dose-iu", "250"),
        *("--freq", "eod", "--weeks", "2", "--start", "2026-02-30"),
    )
    assert code == 2 and "2026-02-30 is not a calendar date" in err
    code, err = _err(
        *("hcg", "plan", "--vial-iu", "5000", "--diluent-ml", "5", "--dose-iu", "250"),
        *("--freq", "eod", "--weeks", "2", "--start", "30.02.2026"),
    )
    assert code == 2 and "must be a date written YYYY-MM-DD" in err


def test_a_closed_pipe_ends_quietly_with_status_0() -> None:
    # `endolab --help | head -1` exited 1; the reader closing the pipe early is not an error
    for args in (["--help"], ["trial", "--help"], ["hormones", "predict", "--total-t", "650"]):
        with subprocess.Popen(
            [sys.executable, "-m", "endolab", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        ) as proc:
            assert proc.stdout is not None and proc.stderr is not None
            proc.stdout.close()  # the reader goes away before the first line is written
            err = proc.stderr.read().decode()
            assert proc.wait(timeout=60) == 0, (args, err)
        assert "Traceback" not in err and "Broken pipe" not in err, (args, err)


def test_option_types_say_what_they_take() -> None:
    # --engine and --doses were shown as NUMBER
    for args, option, label in (
        (["sim", "dose-response", "--help"], "--engine", "local|dask"),
        (["sim", "dose-response", "--help"], "--doses", "LIST"),
        (["cgm", "metrics", "--help"], "--engine", "local|dask"),
        (["trial", "analyze", "--help"], "--engine", "local|dask"),
    ):
        res = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
        line = next(x for x in res.stdout.splitlines() if f" {option} " in x)
        assert label in line and "NUMBER" not in line, line


def test_serve_binds_before_it_prints_and_names_the_real_port() -> None:
    # `serve` printed "serving on …" and then failed on a busy port; --port 0 never showed the port
    import urllib.request

    with subprocess.Popen(
        [sys.executable, "-m", "endolab", "serve", "--no-demo", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            url = line.split("serving on ", 1)[1].split()[0]
            port = int(url.rsplit(":", 1)[1].strip("/"))
            assert port != 0
            with urllib.request.urlopen(f"{url}api/v1/health", timeout=30) as r:  # loopback only
                assert r.status == 200
            busy = subprocess.run(
                [sys.executable, "-m", "endolab", "serve", "--no-demo", "--port", str(port)],
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert busy.returncode == 3 and busy.stdout == ""
            assert busy.stderr.strip().splitlines() == [
                f"error: cannot serve on 127.0.0.1:{port}: Address already in use "
                "(another server is using the port: give --port)"
            ]
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            if proc.stderr is not None:
                proc.stderr.read()
