"""`endolab serve` — the web app (calculators, widgets, CGM page, trial explorer) with uvicorn."""

from __future__ import annotations

import errno
import socket

import typer

__all__ = ["serve_command"]


def serve_command(
    host: str = typer.Option(
        "127.0.0.1",
        "--host",
        metavar="HOST",
        help="Address to bind (default 127.0.0.1: this computer only; 0.0.0.0 opens it to the network).",
    ),
    port: int = typer.Option(8000, "--port", min=0, max=65535, help="TCP port (default 8000)."),
    workers: int = typer.Option(
        1, "--workers", min=1, max=64, help="Worker processes (default 1)."
    ),
    max_upload_mb: int = typer.Option(
        50, "--max-upload-mb", min=1, max=4096, help="Largest upload [MB] (default 50)."
    ),
    no_demo: bool = typer.Option(
        False,
        "--no-demo",
        help="Do not build the virtual trial before serving (built on first visit).",
    ),
) -> None:
    """Serve the web app: hormone predictor, hCG calculator, CGM page, trial explorer, JSON API.

    The built-in virtual trial is simulated once (a progress line) and cached in the user's cache
    folder (platformdirs; on Linux $XDG_CACHE_HOME/endolab; ENDOLAB_CACHE_DIR overrides it);
    later starts read it back. Other settings come from ENDOLAB_* environment variables.
    """
    from endolab.web.server import run
    from endolab.web.settings import Settings
    from endolab.web.trialdata import demo_folder

    sock = _bind(host, port)  # first: a busy port is said at once, before any work
    port = int(sock.getsockname()[1])  # the real port (--port 0: the one the system chose)
    settings = Settings(max_upload_bytes=max_upload_mb * 1024 * 1024, warm_trial=not no_demo)
    if not no_demo:
        last = [-1]

        def progress(done: int, total: int) -> None:
            pct = int(100 * done / total) if total else 100
            if pct != last[0]:
                last[0] = pct
                typer.echo(
                    f"\rbuilding the virtual trial (once, then cached): {pct:3d} %", nl=False
                )

        folder = demo_folder(settings, progress)
        if last[0] >= 0:
            typer.echo("")
        typer.echo(f"virtual trial: {folder}")
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    typer.echo(f"endolab is serving on http://{shown}:{port}/  (Ctrl+C to stop)")
    # the socket bound above: the URL printed is the one that answers; the settings reach every
    # worker through uvicorn's configuration (endolab.web.server), not os.environ
    with sock:
        run(settings, fd=sock.fileno(), host=host, port=port, workers=workers)


def _bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host``:``port``; an address in use or not available is one line
    naming it (exit status 3), before anything else is done."""
    from endolab.errors import InputError

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        raise InputError(
            f"cannot serve on {host}:{port}: {exc.strerror or exc}"
            + (
                " (another server is using the port: give --port)"
                if exc.errno == errno.EADDRINUSE
                else ""
            ),
            field="--port",
            value=port,
        ) from None
    sock.set_inheritable(True)
    return sock
