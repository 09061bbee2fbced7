"""`serve`: the whole service in the foreground (Prefect server, worker, review desk);
`server stop`: stop the local Prefect server the commands keep between them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from dutyflow.cli._app import app
from dutyflow.cli._utilities import user_errors

server_app = typer.Typer(help="The local Prefect server kept between commands.",
                         no_args_is_help=True)
app.add_typer(server_app, name="server")


@server_app.command("stop")
@user_errors
def server_stop() -> None:
    """Stop the local Prefect server that `run` and the other flow commands keep between
    them (it also stops by itself when idle)."""
    from dutyflow.flows import kept_api

    if kept_api.stop():
        typer.echo("本地 Prefect 服务已停止")
    else:
        typer.echo("本地 Prefect 服务没有在运行")


@server_app.command("status")
@user_errors
def server_status() -> None:
    """Whether the kept local Prefect server runs, and its address."""
    from dutyflow.flows import kept_api

    state = kept_api.read_state()
    typer.echo(f"本地 Prefect 服务运行中：{state['url']}" if state
               else "本地 Prefect 服务没有在运行")


@app.command()
@user_errors
def serve(
    port: Annotated[int, typer.Option("--port")] = 4200,
    prefect_db: Annotated[str, typer.Option(
        "--prefect-db", envvar="PREFECT_API_DATABASE_CONNECTION_URL",
        help="The Prefect server's own database.")] = (
        "postgresql+asyncpg://postgres@127.0.0.1:5432/prefect"),
    logs: Annotated[Path, typer.Option("--logs", help="Where server and worker logs go.")
                    ] = Path("logs"),
) -> None:
    """Start a Prefect server on PostgreSQL, deploy prefect.yaml, run a worker and the review
    desk until Ctrl-C."""
    import signal
    import time

    from dutyflow.core.settings import settings
    from dutyflow.server import start_service

    def stop_on_term(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt  # systemd, `kill` and `timeout` send SIGTERM: stop it all

    signal.signal(signal.SIGTERM, stop_on_term)
    service = start_service(prefect_db_url=prefect_db, dutyflow_db_url=settings.database_url,
                            port=port, logs=logs)
    typer.echo(f"Prefect 界面：http://127.0.0.1:{port}   审核台：{settings.desk_address()}\n"
               f"日志在 {logs}/；按 Ctrl-C 全部停止")
    try:
        while all(p.poll() is None for p in service.processes.values()):
            time.sleep(2)
        ended = [n for n, p in service.processes.items() if p.poll() is not None]
        typer.echo(f"{'、'.join(ended)} 已退出（见 {logs}/{ended[0]}.log），全部停止",
                   err=True)
    except KeyboardInterrupt:
        pass
    finally:
        service.stop()
