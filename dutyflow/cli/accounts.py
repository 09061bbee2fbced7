"""`reviewer`: the reviewer accounts, who may decide and log into the desk."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from dutyflow.cli._app import app
from dutyflow.cli._tables import print_table
from dutyflow.cli._utilities import user_errors

reviewer_app = typer.Typer(no_args_is_help=True,
                           help="Reviewer accounts: who may decide, and log into the desk.")
app.add_typer(reviewer_app, name="reviewer")
Name = Annotated[str, typer.Argument(help="The account's name, as recorded on its decisions.")]


@reviewer_app.command("add")
@user_errors
def reviewer_add(
    name: Name,
    role: Annotated[str, typer.Option("--role", help="e.g. 市直机关工委组织部审核员")] = "",
    org: Annotated[str | None, typer.Option(
        "--org", help="The reviewer's own branch (组织编码): they never decide on its "
        "cases.")] = None,
    password_stdin: Annotated[bool, typer.Option(
        "--password-stdin", help="Read the password from standard input.")] = False,
    no_password: Annotated[bool, typer.Option(
        "--no-password", help="No desk password: the CLI, or single sign-on through the "
        "reverse proxy, only.")] = False,
    replace: Annotated[bool, typer.Option("--replace", help="Change an existing account.")] = False,
) -> None:
    """Add a reviewer; asks for the desk password twice unless told otherwise."""
    from dutyflow.services.reviewers import add_reviewer

    if no_password:
        password = None
    elif password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    reviewer = add_reviewer(name=name, role=role, password=password, org_code=org,
                            replace=replace)
    typer.echo(f"审核人 {reviewer.name}（{reviewer.role or '未填职务'}）"
               + (f"，本人所在组织 {reviewer.org_code}（不审核其案件）" if reviewer.org_code else "")
               + ("" if password else "；未设审核台密码"))


@reviewer_app.command("list")
@user_errors
def reviewer_list() -> None:
    """Every reviewer account, and the CLI-only names of DUTYFLOW_REVIEWERS."""
    from dutyflow.core.settings import settings
    from dutyflow.services.reviewers import reviewers

    accounts = reviewers()
    rows = [(r.name, "启用" if active else "停用", "可登录" if can_log_in else "不可登录",
             r.role, r.org_code) for r, active, can_log_in in accounts]
    known = {r.name for r, _, _ in accounts}
    rows += [(listed.name, "仅限命令行（DUTYFLOW_REVIEWERS）", "不可登录", listed.role, None)
             for listed in settings.reviewers if listed.name not in known]
    if rows:
        print_table(["姓名", "状态", "审核台", "职务", "本人所在组织"], rows)
    typer.echo(f"审核人 {len(rows)} 名")


@reviewer_app.command("disable")
@user_errors
def reviewer_disable(name: Name) -> None:
    """Stop an account from deciding or logging in (its past decisions stay)."""
    from dutyflow.services.reviewers import set_active

    set_active(name=name, active=False)
    typer.echo(f"审核人 {name} 已停用")


@reviewer_app.command("enable")
@user_errors
def reviewer_enable(name: Name) -> None:
    """Let a disabled account decide and log in again."""
    from dutyflow.services.reviewers import set_active

    set_active(name=name, active=True)
    typer.echo(f"审核人 {name} 已启用")


@reviewer_app.command("unlock")
@user_errors
def reviewer_unlock(name: Name) -> None:
    """Lift the desk's login lock of an account (after too many failed logins): the reviewer
    may log in again at once, from any address."""
    from dutyflow.services.reviewers import unlock

    unlock(name=name)
    typer.echo(f"审核人 {name} 的登录锁定已解除")
