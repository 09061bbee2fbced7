"""`dutyflow account`: organizations' accounts beside the reviewers, in the one account table;
`dutyflow reviewer` keeps working; a token is shown once and replaces the one before."""

from __future__ import annotations

from typer.testing import CliRunner

from dutyflow.cli import app
from dutyflow.models.db import session_scope
from dutyflow.models.tables import ReviewerAccount
from dutyflow.services.reviewers import find_reviewer, token_digest, token_holder
from tests.portal.conftest import PASSWORD

runner = CliRunner()


def run(*args: str, password: str | None = None):
    return runner.invoke(app, list(args), input=f"{password}\n" if password else None)


def test_an_office_adds_branch_and_unit_accounts_and_a_reviewer_both_ways(portal_db):
    added = run("account", "add", "二支部组织委员", "--role", "branch", "--org", portal_db.theirs,
                "--title", "组织委员", "--password-stdin", password=PASSWORD)
    assert added.exit_code == 0, added.output
    assert f"党支部账号 二支部组织委员（组织委员），所属组织 {portal_db.theirs}" in added.output
    unit = run("account", "add", "单位干事", "--role", "unit", "--org", portal_db.unit,
               "--password-stdin", password=PASSWORD)
    assert unit.exit_code == 0 and "直属党组织账号 单位干事" in unit.output
    reviewer = run("account", "add", "王审核", "--role", "reviewer", "--title", "审核员",
                   "--password-stdin", password=PASSWORD)
    assert reviewer.exit_code == 0 and "审核人 王审核（审核员）" in reviewer.output
    old_way = run("reviewer", "add", "钱审核", "--role", "组织部审核员", "--password-stdin",
                  password=PASSWORD)
    assert old_way.exit_code == 0 and "审核人 钱审核（组织部审核员）" in old_way.output
    with session_scope() as session:
        kinds = {a.name: (a.kind, a.org_code) for a in session.query(ReviewerAccount).all()}
    assert kinds["二支部组织委员"] == ("branch", portal_db.theirs)
    assert kinds["单位干事"] == ("unit", portal_db.unit)
    assert kinds["王审核"][0] == kinds["钱审核"][0] == "reviewer"
    assert find_reviewer("王审核") is not None and find_reviewer("二支部组织委员") is None

    listed = run("account", "list")
    assert "党支部账号" in listed.output and "直属党组织账号" in listed.output
    reviewers_only = run("reviewer", "list")
    assert "钱审核" in reviewers_only.output and "二支部组织委员" not in reviewers_only.output


def test_an_organization_account_needs_a_known_organization_and_a_known_role(portal_db):
    for args, says in ((("--role", "branch"), "须写明所属党组织"),
                       (("--role", "branch", "--org", "DW9999-ZB99"), "没有组织编码为 DW9999-ZB99"),
                       (("--role", "secretary", "--org", portal_db.mine), "账号类型“secretary”不存在")):
        refused = run("account", "add", "某书记", *args, "--password-stdin", password=PASSWORD)
        assert refused.exit_code == 2 and says in refused.output, refused.output
    with session_scope() as session:
        assert session.get(ReviewerAccount, "某书记") is None


def test_a_token_is_printed_once_kept_hashed_and_replaces_the_previous_one(portal_db):
    first = run("account", "token", "一支部书记").output.strip()
    second = run("account", "token", "一支部书记").output.strip()
    assert first != second and len(second) > 40
    with session_scope() as session:
        stored = session.get(ReviewerAccount, "一支部书记").token_hash
    assert stored == token_digest(second) and second not in stored
    assert token_holder(first) is None and token_holder(second).name == "一支部书记"
    assert run("account", "disable", "一支部书记").exit_code == 0
    assert token_holder(second) is None
    assert run("account", "enable", "一支部书记").exit_code == 0
    assert token_holder(second).org_code == portal_db.mine
    missing = run("account", "token", "无此人")
    assert missing.exit_code == 2 and "无此人" in missing.output
    assert run("account", "unlock", "一支部书记").exit_code == 0
