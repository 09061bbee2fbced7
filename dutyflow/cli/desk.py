"""`desk`: the review desk, where reviewers read each notice in a browser and decide."""

from __future__ import annotations

from typing import Annotated

import typer

from dutyflow.cli._app import app
from dutyflow.cli._utilities import user_errors


@app.command()
@user_errors
def desk(
    host: Annotated[str | None, typer.Option(
        "--host", help="Bind address (DUTYFLOW_DESK_HOST).")] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port (DUTYFLOW_DESK_PORT).")] = None,
) -> None:
    """Run the review desk: reviewers log in from a browser, read each notice and decide."""
    import uvicorn

    from dutyflow.core.settings import settings
    from dutyflow.desk.app import create_app
    from dutyflow.models.db import upgrade_database

    upgrade_database()
    host, port = host or settings.desk_host, port or settings.desk_port
    address = settings.desk_url or f"http://{host}:{port}"
    typer.echo(f"审核台在 http://{host}:{port} 运行（审核人打开 {address}）")
    # proxy_headers off: the trusted proxy is recognised by its own address (X-Remote-User)
    uvicorn.run(create_app(), host=host, port=port, log_level="warning", proxy_headers=False)
