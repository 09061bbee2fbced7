"""The portal's pages through the desk's login, sessions and CSRF: forms refused without this
session's token, answers refused in Chinese and nothing lost or recorded, a disabled account
stopped at once; the API's failed tokens count against the address as failed logins do."""

from __future__ import annotations

import re

from sqlalchemy import select
from typer.testing import CliRunner

from dutyflow.cli import app
from dutyflow.core import refusals
from dutyflow.models.db import session_scope
from dutyflow.models.tables import DocumentReceipt, Reply
from tests.desk.test_desk_chinese import english
from tests.desk.test_desk_security import csrf_of, log_in

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def flashes(html: str) -> list[str]:
    return re.findall(r'class="flash (?:ok|error)"[^>]*>([^<]*)<', html)


def replies() -> int:
    with session_scope() as session:
        return len(session.execute(select(Reply)).all())


def test_portal_forms_refuse_a_missing_or_forged_csrf_token(client, portal_db):
    log_in(client, "一支部书记")
    real = csrf_of(client.get("/portal").text)
    for path in (f"/portal/documents/{portal_db.my_case}/receipt",
                 f"/portal/cases/{portal_db.my_case}/reply"):
        for token in (None, "forged", real[:-1]):
            data = {"measures": "已整改"} | ({} if token is None else {"csrf": token})
            assert client.post(path, data=data).status_code == 403, (path, token)
    with session_scope() as session:
        assert session.get(DocumentReceipt, (portal_db.my_case, portal_db.mine)) is None
    assert replies() == 0


def test_an_answer_refused_on_the_page_says_why_in_chinese_and_records_nothing(client,
                                                                            portal_db):
    log_in(client, "一支部书记")
    form = client.get(f"/portal/cases/{portal_db.my_case}").text
    token = csrf_of(form)
    assert 'enctype="multipart/form-data"' in form
    where = f"/portal/cases/{portal_db.my_case}/reply"
    empty = client.post(where, data={"csrf": token, "measures": "  "})
    assert empty.headers["location"] == f"/portal/cases/{portal_db.my_case}"
    assert flashes(client.get(empty.headers["location"]).text) == ["请填写整改措施"]
    wrong = client.post(where, data={"csrf": token, "measures": "已整改", "completed": "是"},
                        files=[("files", ("报告.pdf", b"plain text, not a pdf", "application/pdf"))])
    said = flashes(client.get(wrong.headers["location"]).text)
    assert len(said) == 1 and "报告.pdf" in said[0] and "不能作为佐证材料" in said[0]
    assert not english(said[0].replace("报告.pdf", ""))
    assert replies() == 0
    good = client.post(where, data={"csrf": token, "measures": "已整改", "completed": "否"},
                       files=[("files", ("照片.png", PNG, "image/png"))])
    assert good.headers["location"] == "/portal"
    with session_scope() as session:
        reply = session.execute(select(Reply)).scalars().one()
    assert reply.completed is False and len(reply.files) == 1


def test_every_portal_page_is_plain_chinese(client, portal_db):
    log_in(client, "一支部书记")
    for path in ("/portal", "/portal/inbox", "/portal/ledger",
                 f"/portal/documents/{portal_db.my_case}",
                 f"/portal/cases/{portal_db.my_case}", "/portal/documents/nothing"):
        page = client.get(path).text
        text = re.sub(r"<[^>]+>", " ", re.sub(r"<(style|script)\b.*?</\1>", "", page, flags=re.S))
        assert not english(text), (path, english(text))


def test_a_disabled_account_is_stopped_at_once_and_logging_out_ends_the_session(client,
                                                                             portal_db):
    log_in(client, "一支部书记")
    assert client.get("/portal").status_code == 200
    assert CliRunner().invoke(app, ["account", "disable", "一支部书记"]).exit_code == 0
    assert client.get("/portal").status_code == 303
    assert CliRunner().invoke(app, ["account", "enable", "一支部书记"]).exit_code == 0
    log_in(client, "一支部书记")
    cookie = client.cookies.get("dutyflow_desk")
    token = csrf_of(client.get("/portal").text)
    assert client.post("/logout", data={"csrf": token}).status_code == 303
    client.cookies.set("dutyflow_desk", cookie)  # a copy of the old cookie signs no one in
    assert client.get("/portal").status_code == 303


def test_an_address_that_keeps_guessing_tokens_is_refused_for_a_while(client, portal_db,
                                                                      monkeypatch):
    from dutyflow.core.settings import settings

    answers = [client.get("/api/documents", headers={"Authorization": f"Bearer guess-{n}"})
               for n in range(settings.desk_login_address_attempts + 1)]
    assert {a.status_code for a in answers[:-1]} == {401}
    assert answers[-1].status_code == 429 and "请于" in answers[-1].json()["detail"]


def test_a_returned_answer_shows_the_reason_and_the_new_date_and_is_answered_again(client,
                                                                                  portal_db):
    from dutyflow.services.followup import accept_reply, return_reply

    log_in(client, "一支部书记")
    where = f"/portal/cases/{portal_db.my_case}"
    token = csrf_of(client.get(where).text)
    client.post(f"{where}/reply", data={"csrf": token, "measures": "已整改", "completed": "是"})
    assert "已反馈，等待审核" in client.get("/portal").text
    twice = client.post(f"{where}/reply", data={"csrf": token, "measures": "再报一次",
                                                 "completed": "是"})
    assert flashes(client.get(twice.headers["location"]).text) == [refusals.DRAFT_SUBMITTED]
    assert replies() == 1  # one answer a round, whichever form sent it
    returned = return_reply(case_id=portal_db.my_case, reviewer="李审核",
                            note="佐证材料不全，请补充会议记录")
    home = client.get("/portal").text
    assert "已退回" in home and "佐证材料不全，请补充会议记录" in home
    assert str(returned.reply_due) in home  # the new due date, as the office set it
    form = client.get(where).text
    assert "上次反馈已退回：佐证材料不全，请补充会议记录" in form
    again = client.post(f"{where}/reply", data={"csrf": csrf_of(form), "measures": "补充了会议记录",
                                                "completed": "是"},
                        files=[("files", ("会议记录.png", PNG, "image/png"))])
    assert again.headers["location"] == "/portal"
    home = client.get("/portal").text
    assert "已退回" not in home and "已反馈，等待审核" in home
    accept_reply(case_id=portal_db.my_case, reviewer="李审核")
    assert "没有待反馈的整改" in client.get("/portal").text
    assert replies() == 2


def test_a_secretary_records_a_meeting_in_the_ledger_and_a_bad_one_is_refused(client,
                                                                             portal_db):
    from dutyflow.models.tables import LedgerMeeting

    log_in(client, "一支部书记")
    page = client.get("/portal/ledger").text
    assert "主题党日" in page and 'name="org_code"' not in page  # a branch: its own only
    token = csrf_of(page)
    future = client.post("/portal/ledger", data={
        "csrf": token, "meeting_types": ["theme_day"], "held_on": "2999-01-01",
        "attendees": "3"})
    said = flashes(client.get(future.headers["location"]).text)
    assert len(said) == 1 and said[0].startswith("召开日期 2999-01-01 晚于今天")
    made = client.post("/portal/ledger", data={
        "csrf": token, "meeting_types": ["theme_day", "party_lecture"],
        "held_on": "2026-11-12", "attendees": "3", "topic": "学习党章"})
    assert made.headers["location"] == "/portal/ledger?period=2026-11"
    listed = client.get(made.headers["location"]).text
    assert "主题党日、党课" in listed and "学习党章" in listed
    with session_scope() as session:
        kept = session.execute(select(LedgerMeeting)).scalars().one()
    assert kept.org_code == portal_db.mine and kept.recorded_by == "一支部书记"
    # a unit chooses among its subtree; another organization's code is a 404
    log_in(client, "单位党务")
    assert f'value="{portal_db.mine}"' in client.get("/portal/ledger").text
    token = csrf_of(client.get("/portal/ledger").text)
    refused = client.post("/portal/ledger", data={
        "csrf": token, "org_code": portal_db.theirs, "meeting_types": ["theme_day"],
        "held_on": "2026-11-12", "attendees": "3"})
    assert refused.status_code == 404
