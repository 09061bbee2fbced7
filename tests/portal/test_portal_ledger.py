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
