"""Serving while the main job still runs: the API and dashboard come up as soon as the graph
holds rankings (at once on a rerun, after the rankings step on a first run), in a child
process, while the later steps (embeddings, clusters) go on. Each stored ranking is replaced
whole by its recomputation, so what is served is always a complete ranking; the dashboard's
banner names the steps still running (core/run_state.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from core.console import console
from core.settings import Settings


def has_rankings(store) -> bool:
    from graph import rankings as gq

    return bool(gq.ranking_combos(store))


def start(settings: Settings) -> subprocess.Popen:
    """``kizashi serve ui --api`` in a child, its output in ``<home>/logs/serve.log``."""
    log = settings.home / "logs" / "serve.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        proc = subprocess.Popen([sys.executable, "-m", "cli.main", "serve", "ui", "--api"], env=dict(os.environ),
                                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                cwd=Path(__file__).resolve().parent.parent)
    console.print(f"[bold]serving while the job runs[/bold]: API {settings.api_url}/docs · dashboard "
                  f"http://{settings.ui_host}:{settings.ui_port} · log {log}")
    return proc


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)       # serve ui stops its own children on SIGTERM
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def interrupt_on_sigterm() -> None:
    """SIGTERM unwinds like Ctrl-C, so a run records its state and a server stops the children it started."""
    def interrupted(*_: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)


def wait(proc: subprocess.Popen) -> None:
    """Keep serving in the foreground until Ctrl-C (or SIGTERM) or the server ends."""
    console.print("Serving the results; Ctrl-C stops the API and the dashboard.")
    interrupt_on_sigterm()
    try:
        proc.wait()
    except KeyboardInterrupt:
        pass
    finally:
        stop(proc)
