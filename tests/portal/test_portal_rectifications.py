"""整改台账 in the portal: a branch adds a problem and brings its status, completion date and
evidence up to date on the ledger page, every write audited with the account; a bad entry is
refused in Chinese naming the field, by the ingest's own rules for a rectifications row, and
nothing is kept; the month's workbook items are listed beside the ledger's."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from dutyflow.models.db import session_scope
from dutyflow.models.tables import Event, LedgerRectification, Rectification
from dutyflow.services.portal import today
from tests.desk.test_desk_security import csrf_of, log_in
from tests.portal.conftest import MONTH
from tests.portal.test_portal_pages import flashes

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
ITEM = {"item_id": "XC-2026-07", "description": "三会一课记录不规范", "source": "巡察",
        "found_on": "2026-09-01", "deadline": "2026-10-31", "status": "整改中",
        "responsible": "王书记"}


def signed_in(client, name: str = "一支部书记") -> str:
    log_in(client, name)
    return csrf_of(client.get("/portal/ledger").text)


def items() -> list[LedgerRectification]:
    with session_scope() as session:
        return list(session.execute(select(LedgerRectification)
                                    .order_by(LedgerRectification.id)).scalars())


def events(name: str) -> list[Event]:
    with session_scope() as session:
        return list(session.execute(select(Event).where(Event.event == name)).scalars())


def test_a_branch_adds_an_item_and_brings_it_up_to_date_with_evidence(client, portal_db):
    token = signed_in(client)
    added = client.post("/portal/ledger/rectifications", data={"csrf": token, **ITEM})
    assert added.status_code == 303
    page = client.get(added.headers["location"]).text
    assert "已登记整改问题XC-2026-07" in flashes(page)
    [item] = items()
    assert (item.org_code, item.status, item.found_on.isoformat(), item.recorded_by) == (
        portal_db.mine, "in_progress", "2026-09-01", "一支部书记")
    assert "三会一课记录不规范" in page and "台账登记" in page

    updated = client.post(f"/portal/ledger/rectifications/{item.id}",
                          data={"csrf": token, "status": "已整改", "completed_on": "2026-10-20"},
                          files=[("files", ("整改报告.pdf", PDF, "application/pdf")),
                                 ("files", ("照片.png", PNG, "image/png"))])
    assert updated.status_code == 303
    page = client.get(updated.headers["location"]).text
    assert "已更新整改问题XC-2026-07：已整改" in flashes(page)
    [item] = items()
    assert (item.status, item.completed_on.isoformat()) == ("done", "2026-10-20")
    assert [f["name"] for f in item.evidence] == ["整改报告.pdf", "照片.png"]
    # kept under the content hash, as an answer's evidence is
    kept = Path(item.evidence[1]["path"])
    assert kept.read_bytes() == PNG and kept.name.startswith(item.evidence[1]["sha256"][:16])
    link = re.search(r'href="(/portal/ledger/rectifications/\d+/files/[0-9a-f]{64})">佐证材料：照片.png',
                     page)
    assert link and client.get(link.group(1)).content == PNG
    # the same file again is kept once
    client.post(f"/portal/ledger/rectifications/{item.id}",
                data={"csrf": token, "status": "已销号", "completed_on": "2026-10-20"},
                files=[("files", ("again.png", PNG, "image/png"))])
    [item] = items()
    assert item.status == "closed" and len(item.evidence) == 2

    [recorded] = events("ledger_rectification_recorded")
    changes = events("ledger_rectification_updated")
    assert recorded.actor == "一支部书记" and portal_db.mine in recorded.note
    assert [e.actor for e in changes] == ["一支部书记", "一支部书记"]
    assert "已整改" in changes[0].note and "照片.png" in changes[0].note


@pytest.mark.parametrize(("change", "says"), [
    ({"status": "差不多"}, "整改状态无法识别：差不多，应为：未整改、整改中、已整改、已销号"),
    ({"status": ""}, "请填写整改状态"),
    ({"description": "  "}, "请填写问题描述"),
    ({"deadline": "2026-02-30"}, "整改时限不是有效日期：2026-02-30"),
    ({"completed_on": "2098-01-01", "status": "已整改"}, "完成日期2098-01-01晚于今天"),
    ({"found_on": "2098-01-01"}, "发现日期2098-01-01晚于今天"),
    ({"completed_on": "2026-08-20", "status": "已整改"}, "完成日期2026-08-20早于发现日期2026-09-01"),
    ({"extended_to": "2026-10-01"}, "延期至2026-10-01，不晚于整改时限2026-10-31"),
    ({"item_id": "X" * 65}, "问题编号共65个字，超过64个字的上限"),
])
def test_a_bad_item_is_refused_in_chinese_naming_the_field_and_nothing_is_kept(
        client, portal_db, change, says):
    token = signed_in(client)
    refused = client.post("/portal/ledger/rectifications",
                          data={"csrf": token, **ITEM, **change})
    assert refused.status_code == 303
    assert any(says in f for f in flashes(client.get(refused.headers["location"]).text)), says
    assert items() == [] and events("ledger_rectification_recorded") == []


def test_an_update_is_checked_as_an_entry_is_and_a_refusal_changes_nothing(client, portal_db):
    token = signed_in(client)
    client.get(client.post("/portal/ledger/rectifications",
                           data={"csrf": token, **ITEM}).headers["location"])
    [item] = items()
    again = client.post("/portal/ledger/rectifications", data={"csrf": token, **ITEM})
    assert "问题编号“XC-2026-07”已在整改台账中" in flashes(
        client.get(again.headers["location"]).text)[0]
    for data, files, says in (
            ({"status": "已整改", "completed_on": "2026-08-31"}, None,
             "完成日期2026-08-31早于发现日期2026-09-01"),
            ({"status": "已整改", "completed_on": (today().replace(year=today().year + 1))
              .isoformat()}, None, "晚于今天"),
            ({"status": "完了"}, None, "整改状态无法识别：完了"),
            ({"status": "已整改", "completed_on": "2026-10-20"},
             [("files", ("报告.pdf", b"just text", "application/pdf"))],
             "不能作为佐证材料")):
        refused = client.post(f"/portal/ledger/rectifications/{item.id}",
                              data={"csrf": token, **data}, files=files)
        assert refused.status_code == 303
        assert says in flashes(client.get(refused.headers["location"]).text)[0], says
    assert [(i.status, i.completed_on, i.evidence) for i in items()] == [
        ("in_progress", None, [])]
    assert events("ledger_rectification_updated") == []


def test_the_page_lists_the_month_s_workbook_items_beside_the_ledger_s(client, portal_db):
    from tests.portal.test_portal_scope import subtree

    tree = subtree(portal_db.unit)
    with session_scope() as session:
        rows = session.execute(select(Rectification.item_id, Rectification.org_code).where(
            Rectification.period == MONTH)).all()
    loaded = {i for i, org in rows if org in tree}
    others = {i for i, org in rows if org not in tree}
    assert loaded and others
    token = signed_in(client, "单位党务")
    client.post("/portal/ledger/rectifications",
                data={"csrf": token, **ITEM, "org_code": portal_db.mine})
    page = client.get(f"/portal/ledger?period={MONTH}").text
    shown = set(re.findall(r"<strong>([^<]+)</strong>", page))
    assert shown == loaded | {ITEM["item_id"]}
    assert "报表载入" in page
    # a workbook covers the branch in August: its rows are judged then, not the ledger's
    assert "台账登记（本月以报表为准）" in page


def test_an_item_for_another_organization_is_a_404_and_nothing_is_kept(client, portal_db):
    token = signed_in(client)
    refused = client.post("/portal/ledger/rectifications",
                          data={"csrf": token, **ITEM, "org_code": portal_db.theirs})
    assert refused.status_code == 404 and "没有找到该内容，或不属于本组织" in refused.text
    assert items() == [] and events("ledger_rectification_recorded") == []


def test_the_api_keeps_items_as_the_page_does(client, portal_db):
    from tests.portal.conftest import token_for

    headers = token_for("一支部书记")
    refused = client.post("/api/ledger/rectifications", headers=headers,
                          json={**ITEM, "completed_on": "2026-08-20", "status": "done"})
    assert refused.status_code == 422
    assert refused.json() == {"detail": "完成日期2026-08-20早于发现日期2026-09-01"}
    made = client.post("/api/ledger/rectifications", headers=headers, json=ITEM)
    assert made.status_code == 201, made.text
    item_id = made.json()["id"]
    updated = client.post(f"/api/ledger/rectifications/{item_id}", headers=headers,
                          data={"status": "已整改", "completed_on": "2026-10-20"},
                          files=[("files", ("整改报告.pdf", PDF, "application/pdf"))])
    assert updated.status_code == 200, updated.text
    assert (updated.json()["status"], updated.json()["completed_on"]) == ("done", "2026-10-20")
    listed = client.get("/api/ledger/rectifications?period=2026-10", headers=headers).json()
    assert [(r["id"], r["item_id"], [f["name"] for f in r["evidence"]]) for r in listed] == [
        (item_id, "XC-2026-07", ["整改报告.pdf"])]
    assert client.get("/api/ledger/rectifications?period=2026-10",
                      headers=token_for("他支部书记")).json() == []
