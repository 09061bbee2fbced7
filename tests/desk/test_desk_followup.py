"""The follow-up at the desk (闭环): the 反馈跟踪 view, a reply and its evidence read in the
case's page and served only as recorded, 销号 and 退回 decided with the reviewer rules, the
CSRF check and the stale-page check, every refusal in Chinese and in the audit trail."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from dutyflow.core.calendar import office_today
from dutyflow.flows.notices import issue_notices
from dutyflow.models.db import session_scope
from dutyflow.models.documents import events_about, get_document
from dutyflow.models.followup import replies_of
from dutyflow.models.tables import Case
from dutyflow.services.followup import record_reply
from dutyflow.services.review import decide
from tests.desk.test_desk_security import csrf_of, log_in

CASE = "2026-08-DW0002-ZB03"
OTHER = "2026-08-DW0002-ZB08"
OWN = "2026-08-DW0004-ZB07"  # 赵书记's own branch
ISSUED_ON = date(2026, 9, 7)
PDF = b"%PDF-1.4 minutes of the committee meeting"


def issue(*case_ids: str) -> None:
    for case_id in case_ids:
        decide(document_id=case_id, decision="approve", reviewer="张主任")
    issue_notices(period="2026-08", on=ISSUED_ON)


def reply(case_id: str, folder: Path, *, name: str = "会议记录.pdf", body: bytes = PDF,
          measures: str = "已补开支部委员会会议", received: date = date(2026, 9, 15)) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    evidence = folder / name
    evidence.write_bytes(body)
    return record_reply(case_id=case_id, received=received, files=[evidence],
                        measures=measures, completed=True, note="附会议记录").id


def case(case_id: str) -> Case:
    with session_scope() as session:
        return session.get(Case, case_id)


def trail(case_id: str) -> list[tuple[str, str]]:
    with session_scope() as session:
        return [(e.event, e.actor) for e in events_about(session=session, case_id=case_id)]


def test_a_reply_and_its_evidence_are_read_in_the_case_page(client, tmp_path):
    issue(CASE)
    reply_id = reply(CASE, tmp_path / "in")
    log_in(client)
    page = client.get(f"/documents/{CASE}")
    assert page.status_code == 200
    assert "已补开支部委员会会议" in page.text and "是否完成：已完成" in page.text
    assert "附会议记录" in page.text and 'id="accept"' in page.text and 'id="return"' in page.text
    link = f"/documents/{CASE}/replies/{reply_id}/files/0"
    assert f'href="{link}"' in page.text and "会议记录.pdf" in page.text
    served = client.get(link)
    assert served.status_code == 200 and served.content == PDF
    assert served.headers["content-type"] == "application/pdf"
    assert served.headers["content-disposition"].startswith("inline")
    assert "sandbox" in served.headers["content-security-policy"]


def test_evidence_is_served_only_for_its_own_case_and_reply_by_index(client, tmp_path):
    issue(CASE, OTHER)
    mine = reply(CASE, tmp_path / "a")
    theirs = reply(OTHER, tmp_path / "b", name="另一支部.docx", body=b"PK other branch")
    log_in(client)
    # the other case's reply named under this case, an index past the end, not a number, a path
    for path in (f"/documents/{CASE}/replies/{theirs}/files/0",
                 f"/documents/{OTHER}/replies/{mine}/files/0",
                 f"/documents/{CASE}/replies/{mine}/files/1",
                 f"/documents/{CASE}/replies/{mine}/files/-1",
                 f"/documents/{CASE}/replies/x/files/0",
                 f"/documents/{CASE}/replies/{mine}/files/..%2F..%2Fdutyflow.db",
                 f"/documents/{CASE}/replies/99999/files/0"):
        refused = client.get(path)
        assert refused.status_code == 404, path
        assert PDF not in refused.content, path
        # a path in the address matches no route at all: the desk's own 404 says so
        assert ("没有这份佐证材料" if "%2F" not in path else "没有这个页面") in refused.text, path
    # its own file: a Word file is downloaded, never shown
    served = client.get(f"/documents/{OTHER}/replies/{theirs}/files/0")
    assert served.status_code == 200 and served.content == b"PK other branch"
    assert served.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert served.headers["content-disposition"].startswith("attachment")
    # a recorded path outside the output folder (a tampered record) is not served either
    with session_scope() as session:
        [kept] = replies_of(session=session, case_id=CASE)
        kept.files = [{"name": "x", "path": "/etc/hostname", "sha256": ""}]
        session.add(kept)
    assert client.get(f"/documents/{CASE}/replies/{mine}/files/0").status_code == 404


def test_a_return_without_a_reason_is_refused_in_chinese_and_audited(client, tmp_path):
    issue(CASE)
    reply_id = reply(CASE, tmp_path / "in")
    log_in(client)
    token = csrf_of(client.get(f"/documents/{CASE}").text)
    refused = client.post(f"/documents/{CASE}/return",
                          data={"csrf": token, "reply": str(reply_id), "note": "  "})
    assert refused.status_code == 303 and refused.headers["location"] == f"/documents/{CASE}"
    page = client.get(f"/documents/{CASE}").text
    assert f"{CASE} 未记录：退回须写明理由" in page
    assert case(CASE).replied_on == date(2026, 9, 15)  # still waiting for a decision
    assert trail(CASE)[-1] == ("refused_return", "李审核")

    returned = client.post(f"/documents/{CASE}/return",
                           data={"csrf": token, "reply": str(reply_id), "note": "缺少会议签到表"})
    assert returned.status_code == 303
    due = case(CASE).reply_due
    assert f"须于 {due} 前重新反馈" in client.get(f"/documents/{CASE}").text
    assert case(CASE).replied_on is None and trail(CASE)[-1] == ("returned", "李审核")


def test_a_decision_on_a_reply_settled_since_is_refused_naming_who(client, tmp_path):
    from fastapi.testclient import TestClient

    issue(CASE)
    reply_id = reply(CASE, tmp_path / "in")
    log_in(client)
    token = csrf_of(client.get(f"/documents/{CASE}").text)
    with TestClient(client.app, follow_redirects=False) as second:
        from tests.desk.conftest import PASSWORD  # noqa: F401 (same password for every account)

        log_in(second)
        second_token = csrf_of(second.get(f"/documents/{CASE}").text)
        assert second.post(f"/documents/{CASE}/accept", data={
            "csrf": second_token, "reply": str(reply_id)}).status_code == 303
    assert case(CASE).follow_up == "closed"
    stale = client.post(f"/documents/{CASE}/return",
                        data={"csrf": token, "reply": str(reply_id), "note": "材料不全"})
    assert stale.status_code == 303
    page = client.get(f"/documents/{CASE}").text
    assert "在您阅看之后已有变化：李审核已于" in page and "反馈通过，销号" in page
    assert case(CASE).follow_up == "closed" and trail(CASE)[-1] == ("refused_return", "李审核")
    assert 'id="accept"' not in page  # nothing left to decide


def test_a_secretary_neither_sees_nor_may_send_a_decision_on_their_own_branch_s_reply(client,
                                                                                     tmp_path):
    issue(OWN)
    reply_id = reply(OWN, tmp_path / "in")
    log_in(client, "赵书记")
    page = client.get(f"/documents/{OWN}").text
    assert 'id="accept"' not in page and "须由他人审核" in page
    client.post(f"/documents/{OWN}/accept", data={"csrf": csrf_of(page), "reply": str(reply_id)})
    assert "不能审核" in client.get(f"/documents/{OWN}").text
    assert case(OWN).follow_up == "awaiting_reply" and trail(OWN)[-1] == ("refused_accept", "赵书记")


def test_the_follow_up_view_shows_each_issued_case_s_state_and_the_units(client, tmp_path):
    issue(CASE, OTHER, OWN)
    reply(OTHER, tmp_path / "in")
    log_in(client)
    view = client.get("/followup?period=2026-08")
    assert view.status_code == 200
    rows = view.text.split('<tbody>')[1].split('</tbody>')[0]
    assert rows.count('class="case-link"') == 3
    assert 'data-state="answered"' in rows and 'data-state="overdue"' in rows  # due in September
    assert 'id="chart"' in view.text and 'class="stackbar"' in view.text
    answered = client.get("/followup?period=2026-08&state=answered").text
    assert answered.split('<tbody>')[1].count('class="case-link"') == 1 and OTHER in answered
    assert 'id="board"' not in client.get("/followup/board?period=2026-08").text  # sent later
    board = client.get("/followup/board?period=2026-09").text  # as of September's last day
    table = board.split('id="board"')[1].split("</table>")[0]
    assert "中共市教育局机关委员会" in table and "合计" in table and "已反馈待审核" in table
    # the queue says what `dutyflow cases` says, and its filter leads to the view
    queue = client.get("/queue?status=issued&period=2026-08").text
    assert "反馈已逾期" in queue
    moved = client.get("/queue?status=followup:overdue&period=2026-08")
    assert moved.status_code == 303
    assert moved.headers["location"] == "/followup?period=2026-08&state=overdue"


def test_the_view_names_a_chase_by_its_number_and_warns_of_an_answer_due_soon(client):
    from dutyflow.core.calendar import add_working_days
    from dutyflow.core.vocabulary import chase_subject
    from dutyflow.rules.policy import load_policy
    from dutyflow.services.chasing import draft_chases

    issue(CASE, OTHER)  # both answers due 20 September
    [chase, _] = sorted(draft_chases(period="2026-09", on=date(2026, 10, 8), policy=load_policy()))
    assert chase == chase_subject("2026-09", "DW0002-ZB03")
    decide(document_id=chase, decision="approve", reviewer="张主任")
    issue_notices(period="2026-09", on=date(2026, 10, 9))
    # a letter of the day whose answer falls due within five working days
    today = office_today()  # the desk counts in the office's day
    soon = next(day for day in (today - timedelta(days=n) for n in range(1, 30))
                if today <= add_working_days(day, 10) <= add_working_days(today, 5))
    decide(document_id=OWN, decision="approve", reviewer="张主任")
    issue_notices(period="2026-08", on=soon)
    log_in(client)
    view = client.get("/followup?period=2026-08").text
    rows = {row.split('"')[0]: row for row in view.split('<tr data-state="')[1:]}
    chased = [r for r in view.split('<tr data-state="')[1:] if r.startswith("chased")]
    assert len(chased) == 1 and CASE in chased[0] and "市直工委函〔2026〕" in chased[0]
    with session_scope() as session:
        number = get_document(session=session, document_id=chase).document_number
    assert number in chased[0]
    assert "due_soon" in rows and OWN in rows["due_soon"]
    assert "overdue" in rows and OTHER in rows["overdue"]
