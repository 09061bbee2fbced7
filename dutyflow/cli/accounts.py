"""`account` and `reviewer`: the accounts. A reviewer decides and logs into the desk; a branch
or unit account (an organization's) sees its own organization (a unit: its subtree) in the
portal and the API. `reviewer ...` is the older name for the reviewers' half and keeps working."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from dutyflow.cli._app import app
from dutyflow.cli._tables import print_table
from dutyflow.cli._utilities import user_errors

reviewer_app = typer.Typer(no_args_is_help=True,
                           help="Reviewer accounts: who may decide, and log into the desk.")
account_app = typer.Typer(no_args_is_help=True,
                          help="Accounts: reviewers, and organizations' accounts for the portal "
                               "and the API (branch: its organization; unit: its subtree).")
app.add_typer(reviewer_app, name="reviewer")
app.add_typer(account_app, name="account")
Name = Annotated[str, typer.Argument(help="The account's name, as recorded on its decisions.")]
PasswordStdin = Annotated[bool, typer.Option(
    "--password-stdin", help="Read the password from standard input.")]
NoPassword = Annotated[bool, typer.Option(
    "--no-password", help="No password: the CLI, single sign-on through the reverse proxy, or "
    "the API token only.")]
Replace = Annotated[bool, typer.Option("--replace", help="Change an existing account.")]
KIND_WORDS = {"reviewer": "审核人", "branch": "党支部账号", "unit": "直属党组织账号"}


def _password(password_stdin: bool, no_password: bool) -> str | None:
    if no_password:
        return None
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(typer.prompt("password", hide_input=True, confirmation_prompt=True))


@reviewer_app.command("add")
@user_errors
def reviewer_add(
    name: Name,
    role: Annotated[str, typer.Option("--role", help="e.g. 市直机关工委组织部审核员")] = "",
    org: Annotated[str | None, typer.Option(
        "--org", help="The reviewer's own branch (组织编码): they never decide on its "
        "cases.")] = None,
    password_stdin: PasswordStdin = False,
    no_password: NoPassword = False,
    replace: Replace = False,
) -> None:
    """Add a reviewer; asks for the desk password twice unless told otherwise."""
    from dutyflow.services.reviewers import add_reviewer

    password = _password(password_stdin, no_password)
    reviewer = add_reviewer(name=name, role=role, password=password, org_code=org,
                            replace=replace)
    typer.echo(f"审核人 {reviewer.name}（{reviewer.role or '未填职务'}）"
               + (f"，本人所在组织 {reviewer.org_code}（不审核其案件）" if reviewer.org_code else "")
               + ("" if password else "；未设审核台密码"))


@account_app.command("add")
@user_errors
def account_add(
    name: Name,
    role: Annotated[str, typer.Option(
        "--role", help="reviewer (decides at the desk), branch (a branch's secretary or 组织委员: "
        "its organization), or unit (a 直属党组织's worker: its whole subtree).")] = "reviewer",
    org: Annotated[str | None, typer.Option(
        "--org", help="The account's organization (组织编码); for a reviewer, their own branch, "
        "on whose cases they never decide.")] = None,
    title: Annotated[str, typer.Option("--title", help="The person's title, e.g. 支部书记.")] = "",
    email: Annotated[str | None, typer.Option(
        "--email", help="Where the account is told of documents issued to it (by SMTP).")] = None,
    password_stdin: PasswordStdin = False,
    no_password: NoPassword = False,
    replace: Replace = False,
) -> None:
    """Add an account; asks for its password twice unless told otherwise."""
    from dutyflow.services.reviewers import ACCOUNT_KINDS, add_reviewer, checked_email

    kind = role.strip().lower()
    if kind not in ACCOUNT_KINDS:  # refused before a password is asked for
        add_reviewer(name=name, role=title, password=None, org_code=org, kind=kind)
    if email is not None:  # a wrong address is refused before a password is asked for
        checked_email(email)
    password = _password(password_stdin, no_password)
    account = add_reviewer(name=name, role=title, password=password, org_code=org,
                           replace=replace, kind=kind, email=email)
    typer.echo(f"{KIND_WORDS[account.kind]} {account.name}"
               + (f"（{account.role}）" if account.role else "")
               + (f"，所属组织 {account.org_code}" if account.org_code else "")
               + ("" if password else "；未设登录密码"))


def _list(kinds: set[str] | None) -> None:
    from dutyflow.core.settings import settings
    from dutyflow.services.reviewers import reviewers

    accounts = [a for a in reviewers() if kinds is None or a[0].kind in kinds]
    rows = [(r.name, KIND_WORDS.get(r.kind, r.kind), "启用" if active else "停用",
             "可登录" if can_log_in else "不可登录", r.role, r.org_code)
            for r, active, can_log_in in accounts]
    known = {r.name for r, _, _ in reviewers()}
    rows += [(listed.name, "审核人", "仅限命令行（DUTYFLOW_REVIEWERS）", "不可登录", listed.role, None)
             for listed in settings.reviewers if listed.name not in known]
    if rows:
        print_table(["姓名", "类型", "状态", "登录", "职务", "所属组织"], rows)
    typer.echo(f"账号 {len(rows)} 个")


@reviewer_app.command("list")
@user_errors
def reviewer_list() -> None:
    """Every reviewer account, and the CLI-only names of DUTYFLOW_REVIEWERS."""
    _list({"reviewer"})


@account_app.command("list")
@user_errors
def account_list() -> None:
    """Every account, reviewers and organizations' alike."""
    _list(None)


def _set_active(name: str, active: bool) -> None:
    from dutyflow.services.reviewers import set_active

    set_active(name=name, active=active)
    typer.echo(f"账号 {name} 已{'启用' if active else '停用'}")


def _unlock(name: str) -> None:
    from dutyflow.services.reviewers import unlock

    unlock(name=name)
    typer.echo(f"账号 {name} 的登录锁定已解除")


@reviewer_app.command("disable")
@account_app.command("disable")
@user_errors
def account_disable(name: Name) -> None:
    """Stop an account from deciding, logging in or using its API token (its past records
    stay)."""
    _set_active(name, False)


@reviewer_app.command("enable")
@account_app.command("enable")
@user_errors
def account_enable(name: Name) -> None:
    """Let a disabled account work again."""
    _set_active(name, True)


@reviewer_app.command("unlock")
@account_app.command("unlock")
@user_errors
def account_unlock(name: Name) -> None:
    """Lift the login lock of an account (after too many failed logins): it may log in again
    at once, from any address."""
    _unlock(name)


@account_app.command("token")
@user_errors
def account_token(name: Name) -> None:
    """Print a new API token for the account (shown once, kept only as a hash); the previous
    token stops working."""
    from dutyflow.services.reviewers import new_token

    typer.echo(new_token(name=name))


@account_app.command("email")
@user_errors
def account_email(name: Name, address: Annotated[str, typer.Argument(
        help="The email address; an empty one (\"\") removes it.")]) -> None:
    """Set the email address an account is told of its documents at."""
    from dutyflow.services.reviewers import set_email

    found = set_email(name=name, email=address)
    typer.echo(f"账号 {name} 的电子邮箱已设为 {found}" if found else f"账号 {name} 的电子邮箱已清除")
