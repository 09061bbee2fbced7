"""An organization's account sees its own organization (a unit account its subtree) and
nothing else: every portal page and API route, read off the app so a new one cannot forget,
answers another organization's id exactly as it answers an id that does not exist."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import iter_route_contexts
from sqlalchemy import func, select
from starlette.routing import Mount

from dutyflow.models.db import session_scope
from dutyflow.models.tables import (
    Document,
    DocumentReceipt,
    Event,
    LedgerRectification,
    Organization,
    Reply,
    ReplyDraft,
)
from tests.desk.test_desk_security import csrf_of, log_in
from tests.portal.conftest import MONTH, PASSWORD, token_for

NOWHERE = "2026-08-DW9999-ZB99"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def portal_routes(client) -> list[tuple[str, str]]:
    return [(m, r.path) for r in iter_route_contexts(client.app.routes)
            if r.path.startswith("/portal") for m in sorted(r.methods or ())]


def api_routes(client) -> list[tuple[str, str]]:
    mounted = next(r for r in client.app.routes if isinstance(r, Mount) and r.path == "/api")
    return [(m, "/api" + r.path) for r in mounted.app.routes
            if not r.path.startswith("/openapi") for m in sorted(getattr(r, "methods", ()) or ())
            if m != "HEAD"]


def with_id(path: str, some_id: str) -> str:
    return re.sub(r"\{[^}]+\}", some_id, path)


def their_meeting(seed) -> tuple[int, str]:
    """A meeting in another organization's ledger with a file kept: (its id, the file's hash)."""
    from dutyflow.services import ledger
    from dutyflow.services.portal import Scope, Upload
    from dutyflow.services.reviewers import BRANCH, Reviewer

    scope = Scope(Reviewer("他支部书记", "", seed.theirs, BRANCH), seed.theirs,
                  frozenset({seed.theirs}))
    meeting = ledger.record_meeting(scope, {"meeting_types": ["主题党日"],
                                            "held_on": f"{MONTH}-12", "attendees": 1})
    kept = ledger.attach_files(scope, meeting.id or 0, [Upload("签到表.png", PNG)], "sign_in")
    return meeting.id or 0, kept[0].sha256


def their_item(seed) -> tuple[int, str]:
    """A rectification item in another organization's ledger with evidence kept: (its id, the
    file's hash)."""
    from dutyflow.services import ledger
    from dutyflow.services.portal import Scope, Upload
    from dutyflow.services.reviewers import BRANCH, Reviewer

    scope = Scope(Reviewer("他支部书记", "", seed.theirs, BRANCH), seed.theirs,
                  frozenset({seed.theirs}))
    item = ledger.record_rectification(scope, {"item_id": "THEIRS-01", "description": "别人的问题",
                                               "deadline": "2026-10-31", "status": "整改中"})
    kept = ledger.update_item(scope, item.id or 0, status="整改中", completed_on="",
                              uploads=[Upload("佐证.png", PNG)])
    return item.id or 0, kept.evidence[0]["sha256"]


def other_and_missing(path: str, seed, meeting: tuple[int, str],
                      item: tuple[int, str] = (0, "")) -> list[str]:
    """The path with another organization's ids, and with ids that do not exist."""
    if "{rectification_id}" in path:  # the ledger's rectification items (and evidence)
        return [path.replace("{rectification_id}", str(item[0])).replace("{sha256}", item[1]),
                path.replace("{rectification_id}", "999999").replace("{sha256}", "0" * 64)]
    if "{meeting_id}" in path:  # the ledger's routes: a meeting (and its file) of theirs
        return [path.replace("{meeting_id}", str(meeting[0])).replace("{sha256}", meeting[1]),
                path.replace("{meeting_id}", "999999").replace("{sha256}", "0" * 64)]
    return [with_id(path, some_id) for some_id in (seed.their_case, NOWHERE)]


def writes() -> tuple[object, ...]:
    with session_scope() as session:
        counts = tuple(int(session.execute(select(func.count()).select_from(t)).scalar_one())
                       for t in (Event, DocumentReceipt, Reply, ReplyDraft))
        items = tuple((i.status, i.completed_on, len(i.evidence)) for i in session.execute(
            select(LedgerRectification).order_by(LedgerRectification.id)).scalars())
        return (*counts, *items)


def test_every_api_route_answers_another_organization_s_id_with_the_same_404(client, portal_db):
    headers = token_for("一支部书记")
    routes = api_routes(client)
    assert {p for _, p in routes} >= {"/api/documents/{document_id}/pdf",
                                      "/api/documents/{document_id}/receipt",
                                      "/api/cases/{case_id}/replies",
                                      "/api/cases/{case_id}/reply-draft",
                                      "/api/cases/{case_id}/reply-draft/submit"}
    meeting, item = their_meeting(portal_db), their_item(portal_db)
    before = writes()
    tried = 0
    for method, path in routes:
        if "{" not in path:
            continue
        answers = [client.request(method, url, headers=headers,
                                  json={"measures": "别人的整改", "items": []})
                   if method == "PUT" else
                   client.request(method, url, headers=headers,
                                  data={"measures": "别人的整改", "completed": "true",
                                        "status": "已整改", "completed_on": "2026-10-01"},
                                  files=[("files", ("a.png", PNG, "image/png"))])
                   for url in other_and_missing(path, portal_db, meeting, item)]
        assert [a.status_code for a in answers] == [404, 404], path
        assert answers[0].json() == answers[1].json() == {"detail": "没有找到该内容，或不属于本组织"}
        tried += 1
    assert {"/api/ledger/meetings/{meeting_id}/files",
            "/api/ledger/rectifications/{rectification_id}"} <= {p for _, p in routes}
    assert tried == sum("{" in p for _, p in routes) and writes() == before
    listed = client.get("/api/documents", headers=headers).json()
    assert portal_db.their_case not in {d["id"] for d in listed}
    due = client.get(f"/api/due?period={MONTH}", headers=headers).json()
    assert {d["org_code"] for d in due} == {portal_db.mine}


def test_every_portal_page_answers_another_organization_s_id_with_the_same_404(client,
                                                                              portal_db):
    assert log_in(client, "一支部书记").headers["location"] == "/portal"
    token = csrf_of(client.get("/portal").text)
    routes = portal_routes(client)
    assert ("POST", "/portal/cases/{case_id}/reply") in routes
    assert {("POST", "/portal/ledger/meetings/{meeting_id}/files"),
            ("GET", "/portal/ledger/meetings/{meeting_id}/files/{sha256}")} <= set(routes)
    meeting = their_meeting(portal_db)
    assert ("POST", "/portal/cases/{case_id}/draft") in routes
    assert {("POST", "/portal/ledger/rectifications/{rectification_id}"),
            ("GET", "/portal/ledger/rectifications/{rectification_id}/files/{sha256}")
            } <= set(routes)
    item = their_item(portal_db)
    before = writes()
    tried = 0
    for method, path in routes:
        if "{" not in path:
            continue
        answers = [client.request(method, url,
                                  data={"csrf": token, "measures": "别人的整改", "completed": "是",
                                        "status": "已整改", "completed_on": "2026-10-01"},
                                  files=[("files", ("a.png", PNG, "image/png"))]
                                  if method == "POST" else None)
                   for url in other_and_missing(path, portal_db, meeting, item)]
        assert [a.status_code for a in answers] == [404, 404], (method, path)
        assert all("没有找到该内容，或不属于本组织" in a.text for a in answers), path
        assert portal_db.their_case not in answers[0].text.replace(
            f"/{portal_db.their_case}", "")  # nothing of it is shown
        tried += 1
    assert tried == sum("{" in p for _, p in routes) and writes() == before
    assert portal_db.their_case not in client.get("/portal/inbox").text


def subtree(root: str) -> set[str]:
    """Worked out here by walking parents, not with the portal's recursive query."""
    with session_scope() as session:
        parent = dict(session.execute(select(Organization.org_code, Organization.parent_code)).all())

    def under(code: str | None) -> bool:
        while code:
            if code == root:
                return True
            code = parent.get(code)
        return False

    return {c for c in parent if under(c)}


def test_a_unit_account_sees_its_subtree_and_no_other(client, portal_db):
    headers = token_for("单位党务")
    tree = subtree(portal_db.unit)
    assert portal_db.mine in tree and portal_db.theirs not in tree and len(tree) > 2
    with session_scope() as session:
        issued = {d.id: d.org_code for d in session.execute(select(Document).where(
            Document.status == "issued")).scalars()}
    expected = {i for i, org in issued.items() if org is None or org in tree}
    listed = client.get("/api/documents", headers=headers).json()
    assert {d["id"] for d in listed} == expected and portal_db.my_case in expected
    assert portal_db.their_case in issued and portal_db.their_case not in expected
    due = client.get(f"/api/due?period={MONTH}", headers=headers).json()
    assert {d["org_code"] for d in due} <= tree and len({d["org_code"] for d in due}) > 1
    # it signs for a branch of its subtree, in that branch's name; another unit's is a 404
    signed = client.post(f"/api/documents/{portal_db.my_case}/receipt", headers=headers)
    assert signed.status_code == 200
    with session_scope() as session:
        receipt = session.get(DocumentReceipt, (portal_db.my_case, portal_db.mine))
        assert receipt is not None and receipt.signed_by == "单位党务"
    assert client.post(f"/api/documents/{portal_db.their_case}/receipt",
                       headers=headers).status_code == 404
    # the branch's own account sees it signed for
    mine = client.get("/api/documents", headers=token_for("一支部书记")).json()
    assert next(d for d in mine if d["id"] == portal_db.my_case)["signed_for_at"] is not None


def test_an_organization_s_account_never_decides_nor_opens_the_desk(client, portal_db):
    from dutyflow.services.review import NotAReviewer, check_reviewer

    # the one check every decision (desk, CLI) makes: an organization's account is no reviewer
    with pytest.raises(NotAReviewer, match="不是审核人"):
        check_reviewer(name="一支部书记", subject=portal_db.their_case, org=None)
    check_reviewer(name="李审核", subject=portal_db.their_case, org=None)
    log_in(client, "一支部书记")
    for office_page in ("/queue", "/receipts", "/notifications"):  # the office's pages
        refused = client.get(office_page)
        assert refused.status_code == 303 and refused.headers["location"].startswith("/login")
    assert client.get("/portal").status_code == 200  # still signed in to its portal
    assert client.get(f"/documents/{portal_db.my_case}").status_code == 303


def test_a_reviewer_is_sent_to_the_desk_not_the_portal(client, portal_db):
    token = csrf_of(client.get("/login").text)
    answer = client.post("/login", data={"name": "李审核", "password": PASSWORD, "csrf": token,
                                         "next": "/portal"})
    assert answer.headers["location"] == "/queue"
    assert client.get("/portal").status_code == 303


def test_a_notice_not_yet_issued_is_not_the_organization_s_to_see(sqlite_url):
    from fastapi.testclient import TestClient

    from dutyflow.desk.app import create_app
    from dutyflow.flows.cycle import run_cycle
    from dutyflow.models.accountability import list_cases
    from dutyflow.services.reviewers import add_reviewer
    from tests.portal.conftest import SAMPLES

    run_cycle(period=MONTH, input_path=SAMPLES / f"{MONTH}-党建报表.xlsx")
    with session_scope() as session:
        draft = list_cases(session=session, period=MONTH)[0]
    add_reviewer(name="草稿支部", role="", password=PASSWORD, org_code=draft.org_code,
                 kind="branch")
    headers = token_for("草稿支部")
    with TestClient(create_app(), follow_redirects=False) as client:
        assert client.get("/api/documents", headers=headers).json() == []
        for method, path in (("GET", f"/api/documents/{draft.id}/pdf"),
                             ("POST", f"/api/documents/{draft.id}/receipt"),
                             ("POST", f"/api/cases/{draft.id}/replies")):
            answer = client.request(method, path, headers=headers, data={"measures": "x"})
            assert answer.status_code == 404, path
        log_in(client, "草稿支部")
        assert client.get(f"/portal/cases/{draft.id}").status_code == 404
        assert client.get(f"/portal/documents/{draft.id}").status_code == 404
        home = client.get("/portal").text
        assert "没有待反馈的整改" in home and "所有文书均已签收" in home
