"""The e-ledger through the API: a meeting recorded as it happens (one session for several
types), listed by period, audited; a bad entry refused in Chinese naming the field, and nothing
recorded; another organization's code is a 404."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from dutyflow.models.db import session_scope
from dutyflow.models.tables import Event, LedgerMeeting, Organization
from tests.portal.conftest import token_for


def members(org_code: str) -> int:
    with session_scope() as session:
        return session.get(Organization, org_code).members


def ledger_rows() -> int:
    with session_scope() as session:
        return int(session.execute(select(func.count()).select_from(LedgerMeeting)).scalar_one())


def test_a_branch_records_a_meeting_of_two_types_and_finds_it_in_its_month(client, portal_db):
    headers = token_for("一支部书记")
    entry = {"org_code": portal_db.mine, "meeting_types": ["主题党日", "party_lecture"],
             "held_on": "2026-11-12", "attendees": members(portal_db.mine) - 1,
             "full_members_present": 3, "topic": "学习贯彻全会精神"}
    made = client.post("/api/ledger/meetings", headers=headers, json=entry)
    assert made.status_code == 201, made.text
    listed = client.get("/api/ledger/meetings?period=2026-11", headers=headers).json()
    assert [(m["id"], m["meeting_types"], m["held_on"], m["recorded_by"]) for m in listed] == [
        (made.json()["id"], ["theme_day", "party_lecture"], "2026-11-12", "一支部书记")]
    assert client.get("/api/ledger/meetings?period=2026-10", headers=headers).json() == []
    assert client.get("/api/ledger/meetings?period=2026-11",
                      headers=token_for("他支部书记")).json() == []
    with session_scope() as session:
        logged = session.execute(select(Event).where(
            Event.event == "ledger_recorded")).scalars().one()
    assert logged.actor == "一支部书记" and portal_db.mine in logged.note


@pytest.mark.parametrize(("change", "says"), [
    ({"meeting_types": ["茶话会"]}, "会议类型“茶话会”不存在"),
    ({"meeting_types": []}, "请填写会议类型"),
    ({"held_on": "2026-02-30"}, "召开日期“2026-02-30”不是有效日期"),
    ({"held_on": "2999-01-01"}, "召开日期 2999-01-01 晚于今天"),
    ({"held_on": None}, "请填写召开日期"),
    ({"attendees": -2}, "实到人数应为不小于0的整数"),
    ({"attendees": "很多"}, "实到人数应为不小于0的整数"),
    ({"attendees": 100000}, "实到人数 100000 超过该组织党员人数"),
    ({"full_members_present": 5, "attendees": 4}, "到会正式党员数 5 超过该组织本次实到人数 4"),
    ({"topic": "长" * 501}, "会议主题不能超过500个字"),
])
def test_a_bad_entry_is_refused_naming_the_field_and_nothing_is_recorded(client, portal_db,
                                                                        change, says):
    entry = {"org_code": portal_db.mine, "meeting_types": ["主题党日"], "held_on": "2026-11-12",
             "attendees": 4, **change}
    refused = client.post("/api/ledger/meetings", headers=token_for("一支部书记"), json=entry)
    assert refused.status_code == 422 and says in refused.json()["detail"], refused.text
    assert ledger_rows() == 0


def test_another_organization_s_ledger_is_a_404(client, portal_db):
    entry = {"org_code": portal_db.theirs, "meeting_types": ["主题党日"],
             "held_on": "2026-11-12", "attendees": 3}
    refused = client.post("/api/ledger/meetings", headers=token_for("一支部书记"), json=entry)
    assert refused.status_code == 404 and ledger_rows() == 0
    # a unit records for a branch of its subtree
    entry["org_code"] = portal_db.mine
    assert client.post("/api/ledger/meetings", headers=token_for("单位党务"),
                       json=entry).status_code == 201


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_minutes_and_a_sign_in_sheet_are_kept_with_a_meeting_once_and_offered_for_download(
        client, portal_db):
    from pathlib import Path

    from dutyflow.models.tables import LedgerFile
    from tests.desk.test_desk_security import csrf_of, log_in

    headers = token_for("一支部书记")
    made = client.post("/api/ledger/meetings", headers=headers, json={
        "meeting_types": ["主题党日"], "held_on": "2026-11-12", "attendees": 3}).json()["id"]
    url = f"/api/ledger/meetings/{made}/files"
    added = client.post(url, headers=headers, data={"kind": "minutes"},
                        files=[("files", ("../../会议记录.pdf", PDF, "application/pdf"))])
    assert added.status_code == 201, added.text
    assert [(f["kind"], f["name"]) for f in added.json()] == [("minutes", "会议记录.pdf")]
    sheet = client.post(url, headers=headers, data={"kind": "sign_in"},
                        files=[("files", ("签到表.png", PNG, "image/png")),
                               ("files", ("again.pdf", PDF, "application/pdf"))])
    assert [f["name"] for f in sheet.json()] == ["签到表.png"]  # the minutes again: kept once
    # refused in Chinese by content, whatever the name says; nothing kept
    for data, files, says in (
            ({"kind": "minutes"}, [("files", ("假的.pdf", b"MZ\x90\x00", "application/pdf"))],
             "不是版式文档、图片或文字处理文档"),
            ({"kind": "照片"}, [("files", ("a.png", PNG, "image/png"))], "文件类别“照片”不存在"),
            ({"kind": "minutes"}, [], "请选择要上传的会议记录或签到表文件")):
        refused = client.post(url, headers=headers, data=data, files=files or None)
        assert refused.status_code == 422 and says in refused.json()["detail"], refused.text
    with session_scope() as session:
        kept = list(session.execute(select(LedgerFile).order_by(LedgerFile.id)).scalars())
        logged = session.execute(select(Event).where(
            Event.event == "ledger_files_added")).scalars().all()
    assert [(f.kind, f.name) for f in kept] == [("minutes", "会议记录.pdf"), ("sign_in", "签到表.png")]
    assert [Path(f.path).read_bytes() for f in kept] == [PDF, PNG]
    assert all(portal_db.theirs not in f.path and ".." not in f.path for f in kept)
    assert len(logged) == 2 and all(e.actor == "一支部书记" for e in logged)
    listed = client.get("/api/ledger/meetings?period=2026-11", headers=headers).json()
    assert [f["sha256"] for f in listed[0]["files"]] == [f.sha256 for f in kept]

    # the ledger page lists them with links; the link gives the file back; a unit sees it
    assert log_in(client, "一支部书记").headers["location"] == "/portal"
    page = client.get("/portal/ledger?period=2026-11").text
    link = f"/portal/ledger/meetings/{made}/files/{kept[1].sha256}"
    assert link in page and "签到表：签到表.png" in page and "会议记录：会议记录.pdf" in page
    got = client.get(link)
    assert got.status_code == 200 and got.content == PNG
    # the page's form: one more file, then back to the meeting's month
    token = csrf_of(page)
    posted = client.post(f"/portal/ledger/meetings/{made}/files",
                         data={"csrf": token, "kind": "sign_in"},
                         files=[("files", ("第二页.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 16,
                                           "image/jpeg"))])
    assert posted.status_code == 303
    assert posted.headers["location"] == "/portal/ledger?period=2026-11"
    assert "签到表：第二页.jpg" in client.get("/portal/ledger?period=2026-11").text


def test_the_ledger_page_offers_the_month_s_own_ledger_as_a_meetings_workbook(client,
                                                                            portal_db,
                                                                            tmp_path):
    from io import BytesIO

    import pandas as pd
    from typer.testing import CliRunner

    from dutyflow.cli import app
    from tests.desk.test_desk_security import log_in

    for name, kinds in (("一支部书记", ["主题党日", "党课"]), ("他支部书记", ["党小组会"])):
        assert client.post("/api/ledger/meetings", headers=token_for(name), json={
            "meeting_types": kinds, "held_on": "2026-11-12", "attendees": 2}).status_code == 201
    assert log_in(client, "一支部书记").headers["location"] == "/portal"
    assert "/portal/ledger/export.xlsx?period=2026-11" in client.get(
        "/portal/ledger?period=2026-11").text
    got = client.get("/portal/ledger/export.xlsx?period=2026-11")
    assert got.status_code == 200 and "attachment" in got.headers["content-disposition"]
    sheet = pd.read_excel(BytesIO(got.content), sheet_name="组织生活台账", header=1)
    assert list(sheet.columns) == ["组织编码", "会议类型", "召开日期", "实到人数"]
    assert sheet.values.tolist() == [[portal_db.mine, "主题党日、党课",
                                      pd.Timestamp("2026-11-12"), 2]]  # only its own
    # the office's command: all organizations, or one subtree; an unknown code in Chinese
    out = tmp_path / "all.xlsx"
    result = CliRunner().invoke(app, ["ledger", "export", "--period", "2026-11",
                                      "--output", str(out)])
    assert result.exit_code == 0 and "已导出 2 次组织生活" in result.output, result.output
    result = CliRunner().invoke(app, ["ledger", "export", "--period", "2026-11", "--org",
                                      portal_db.theirs, "--output", str(out)])
    assert "已导出 1 次组织生活" in result.output
    assert set(pd.read_excel(out, header=1)["组织编码"]) == {portal_db.theirs}
    result = CliRunner().invoke(app, ["ledger", "export", "--period", "2026-11", "--org",
                                      "XX999", "--output", str(tmp_path / "none.xlsx")])
    assert result.exit_code == 2 and "组织编码“XX999”不存在" in result.output
