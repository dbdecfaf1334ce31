"""Run schemathesis (every check) against the web API's /openapi.json and record the result.

    .venv/bin/python validation/web_schemathesis.py [--examples 60] [--seed 19]

Starts the app on a free loopback port (small trial-simulation limits, so a generated simulation
stays quick; the schema states those limits), runs ``schemathesis run --checks all`` with the
settings in ``validation/web_schemathesis.toml``, writes ``validation/web_schemathesis.md`` (the
latest result; docs/web.md quotes it) and exits 1 unless it generated at least 1,000 test cases
with no failure and no error.
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
MIN_CASES = 1000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> int:
    import schemathesis
    import uvicorn

    from endolab.web import Settings, create_app

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=60, help="test cases per operation")
    parser.add_argument("--seed", type=int, default=19)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="endolab-st-") as tmp:
        settings = Settings(
            max_simulate_participants=1,
            max_simulate_days=3,
            max_zip_entries=20,
            cache_dir=Path(tmp) / "cache",
        )
        port = _free_port()
        server = uvicorn.Server(
            uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="error")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        warm = urllib.request.Request(  # compile the simulator once, before the timed requests
            f"{base}/api/v1/trial/simulate",
            data=b'{"participants": 1, "days": 1}',
            headers={"content-type": "application/json"},
        )
        urllib.request.urlopen(warm, timeout=300).read()
        report = Path(tmp) / "report.json"
        command = [
            str(Path(sys.executable).with_name("schemathesis")),
            "--config-file",
            str(HERE / "web_schemathesis.toml"),
            "run",
            f"{base}/openapi.json",
            "--checks",
            "all",
            "--max-examples",
            str(args.examples),
            "--seed",
            str(args.seed),
            "--request-timeout",
            "120",
            "--generation-database",
            "none",
            "--report",
            "json",
            "--report-json-path",
            str(report),
        ]
        run = subprocess.run(command, capture_output=True, text=True, check=False)
        server.should_exit = True
        thread.join(timeout=10)
        if not report.exists():
            print(run.stdout[-4000:], run.stderr[-4000:], sep="\n")
            return 1
        doc = json.loads(report.read_text())
    cases = doc["test_cases"]
    failures = sum(f["count"] for f in doc["failures"])
    errors = sum(e["count"] for e in doc["errors"])
    ok = failures == 0 and errors == 0 and cases["generated"] >= MIN_CASES
    shown = " ".join(["schemathesis", *command[1:]]).replace(base, "http://127.0.0.1:PORT")
    shown = shown.replace(str(HERE / "web_schemathesis.toml"), "validation/web_schemathesis.toml")
    shown = shown.replace(str(report), "report.json")
    lines = [
        "# schemathesis against the web API (latest run)",
        "",
        f"Written by `validation/web_schemathesis.py` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.",
        "",
        f"- schemathesis {schemathesis.__version__ if hasattr(schemathesis, '__version__') else doc['schemathesis_version']}, "
        f"seed {doc['seed']}, {doc['operations']['tested']} operations",
        f"- command: `{shown}`",
        "- phases: " + ", ".join(f"{k} {v['status']}" for k, v in doc["phases"].items()),
        f"- test cases: **{cases['generated']} generated**, {cases['with_failures']} with failures, "
        f"{cases['errored']} errored",
        f"- failures: **{failures}**"
        + "".join(f"; {f['code']} {f['title']}: {f['count']}" for f in doc["failures"]),
        f"- errors: **{errors}**" + "".join(f"; {e['title']}: {e['count']}" for e in doc["errors"]),
        f"- result: **{'pass' if ok else 'FAIL'}** (at least {MIN_CASES} cases, 0 failures, 0 errors)",
        "",
    ]
    (HERE / "web_schemathesis.md").write_text("\n".join(lines))
    print("\n".join(lines))
    if not ok:
        print(run.stdout[-6000:])
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
