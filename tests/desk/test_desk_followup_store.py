"""The follow-up's new queries on both databases: a reply decided twice at once is decided
once, the states after issue, what waits for a reviewer and what they decided this week."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from dutyflow.core.calendar import office_today
from dutyflow.core.errors import DutyflowError
from dutyflow.models.db import session_scope
from dutyflow.models.followup import latest_reply
from dutyflow.services.followup import (
    accept_reply,
    follow_up_statuses,
    follow_up_view,
    record_reply,
    return_reply,
)
from dutyflow.services.my_work import my_work
from dutyflow.services.reviewers import Reviewer
from tests.flows.test_follow_up import issued_letter

TODAY = office_today()


def test_a_reply_decided_twice_at_once_is_decided_once_and_every_state_is_read(db_url):
    case_id = issued_letter(date(2026, 9, 7))
    assert follow_up_statuses([case_id, "nope"], TODAY) == {case_id: "overdue"}
    record_reply(case_id=case_id, received=TODAY, measures="已整改", completed=True)
    with session_scope() as session:
        seen = latest_reply(session=session, case_id=case_id).id
    [tracked], _ = follow_up_view(period="2026-08", today=TODAY)
    assert tracked.case.id == case_id and tracked.tracking == "answered"
    waiting = my_work(Reviewer("张主任", "", None))
    assert [c.id for c, _ in waiting.replies] == [case_id]

    outcomes: list[str] = []
    start = threading.Barrier(2)

    def decide(verb: str) -> None:
        start.wait()
        try:
            if verb == "accept":
                accept_reply(case_id=case_id, reviewer="张主任", seen_reply=seen)
            else:
                return_reply(case_id=case_id, reviewer="张主任", note="材料不全", seen_reply=seen)
            outcomes.append(verb)
        except DutyflowError as exc:
            outcomes.append(f"refused: {exc}")

    threads = [threading.Thread(target=decide, args=(verb,)) for verb in ("accept", "return")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    decided = [o for o in outcomes if not o.startswith("refused")]
    assert len(decided) == 1, outcomes
    [refused] = [o for o in outcomes if o.startswith("refused")]
    assert "在您阅看之后已有变化" in refused

    work = my_work(Reviewer("张主任", "", None))
    assert work.replies == []
    assert [(e.subject, e.event) for e in work.decided][:1] == [
        (case_id, {"accept": "accepted", "return": "returned"}[decided[0]])]
    with pytest.raises(DutyflowError, match="在您阅看之后已有变化"):
        accept_reply(case_id=case_id, reviewer="张主任", seen_reply=seen)
