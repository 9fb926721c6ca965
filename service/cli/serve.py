"""``interlayer serve`` and ``interlayer worker``: the service processes."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import typer
import uvicorn

from ..logs import configure_logging
from ..settings import Settings, default_data_dir
from ..store.db import printable_url


def serve_command(
    host: str = typer.Option("127.0.0.1", help="Address the API listens on."),
    port: int = typer.Option(8000, help="Port of the API."),
    workers: int = typer.Option(1, help="Worker processes to start beside the API (0: run them elsewhere)."),
    concurrency: int = typer.Option(2, help="Jobs each worker process runs at once."),
    broker: str = typer.Option("auto", help="Embedded broker when INTERLAYER_REDIS_URL is unset: auto, redis-server or fakeredis."),
) -> None:
    """Run the API, with worker processes and (without INTERLAYER_REDIS_URL) an embedded broker."""
    from ..http import create_app
    from ..stack import LocalStack

    configure_logging()
    settings = Settings()
    # Worker logs beside the SQLite file, or in the user's data folder.
    log_dir = (Path(settings.database_url.removeprefix("sqlite:///")).parent
               if settings.database_url.startswith("sqlite:///") else default_data_dir() / "logs")
    log_dir.mkdir(parents=True, exist_ok=True)
    # SIGTERM (a service manager, `kill`) stops like Ctrl-C: uvicorn shuts down, then the workers and broker.
    signal.signal(signal.SIGTERM, _interrupt)
    stack = LocalStack(settings, workers=workers, concurrency=concurrency, broker=broker, log_dir=log_dir)
    stack.start(api=False)
    typer.echo(f"interlayer: database {printable_url(settings.database_url)}", err=True)
    typer.echo(f"interlayer: broker {stack.settings.redis_url} ({stack.broker.kind if stack.broker else 'external'}), "
               f"{workers} worker process(es); API on http://{host}:{port}", err=True)
    # Children inherit the broker URL so that `interlayer worker` elsewhere on this machine can join.
    os.environ["INTERLAYER_REDIS_URL"] = stack.settings.redis_url
    try:
        uvicorn.run(create_app(stack.settings), host=host, port=port, log_level="warning")
    except KeyboardInterrupt:
        pass  # Ctrl-C or SIGTERM: uvicorn already shut down gracefully
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        stack.stop()
    typer.echo(f"interlayer: stopped; worker logs in {log_dir}", err=True)


def _interrupt(_signum, _frame) -> None:
    raise KeyboardInterrupt


def worker_command(
    concurrency: int = typer.Option(1, help="Jobs this process runs at once (prefork children)."),
    loglevel: str = typer.Option("WARNING", help="Celery log level."),
    hostname: str = typer.Option(None, help="Celery node name (default interlayer-PID@host)."),
) -> None:
    """Consume the job queue (needs INTERLAYER_REDIS_URL; INTERLAYER_DATABASE_URL as for the API)."""
    from ..worker.process import run_worker
    run_worker(Settings(), concurrency=concurrency, loglevel=loglevel, hostname=hostname)
