"""Helpers every command module shares: known errors as one line, Prefect's preparation,
periods and dates from the command line. Only typer and the errors are imported here, so
importing the CLI stays fast."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import typer

from dutyflow.core.errors import DutyflowError

F = TypeVar("F", bound=Callable[..., Any])


def user_errors(command: F) -> F:
    """A known error prints as one line on stderr and exits with its code."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except DutyflowError as exc:
            typer.echo(f"错误：{exc}", err=True)
            raise typer.Exit(exc.exit_code) from None

    return wrapper  # type: ignore[return-value]


def prepare_prefect() -> None:
    """Before a command imports Prefect: server-less by default, Prefect's temporary API
    started now (it starts while this process imports the flows), without its start/stop
    chatter."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from dutyflow.console import quiet_console
    from dutyflow.flows import temporary_api

    temporary_api.start()
    quiet_console()


def api_ready() -> None:
    """Just before a flow runs: the temporary server answers."""
    from dutyflow.flows import temporary_api

    temporary_api.wait_until_ready()


def period_key(text: str) -> str:
    """A period as written on the command line, checked and normalised (2026-10)."""
    from dutyflow.core.periods import Period

    return str(Period.parse(text))


def period_and_input(period: str, path: Path) -> str:
    """Check what can be checked before Prefect starts (it takes seconds to start)."""
    from dutyflow.core.errors import BadInputError

    normalised = period_key(period)
    if not path.exists():
        raise BadInputError("文件或文件夹不存在", file=str(path))
    return normalised


def parse_date(text: str) -> date:
    from dutyflow.core.errors import BadInputError

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadInputError(f"不是有效的日期：{text}（应写作 2026-12-02）") from None


def optional_date(text: str | None) -> date | None:
    return parse_date(text) if text else None


def echo_json(value: Any) -> None:
    """JSON for scripts: the machine keys, Chinese as it is (not escaped)."""
    import json

    typer.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))
