"""The quarter's circular is reviewed and audited like any other document: drafted for review,
issued only as approved, sent back to review when decisions change its figures."""

from __future__ import annotations

from datetime import date

import pytest
from typer.testing import CliRunner

from dutyflow.cli import app
from dutyflow.core.errors import DutyflowError
from dutyflow.flows.notices import issue_notices
from dutyflow.flows.scheduled import quarter_circular
from dutyflow.models.db import session_scope
from dutyflow.models.decisions import circular_events, get_circular
from dutyflow.services.review import decide, pending_items
from tests.flows.test_review_issue import cycle, office_letters

SUBJECT = "circular-2026-Q3"
runner = CliRunner()


def events() -> list[tuple[str, str]]:
    with session_scope() as session:
        return [(e.event, e.actor) for e in circular_events(session=session, subject=SUBJECT)]


def test_the_circular_is_issued_only_once_a_reviewer_approved_it(db_url):
    letters = office_letters(cycle())
    decide(action_id=letters[0].id, decision="approve", reviewer="张主任")
    assert quarter_circular(period="2026-Q3").endswith(f"{SUBJECT}.docx")
    assert [i.action_id for i in pending_items("2026-Q3")] == [SUBJECT]

    refused = issue_notices(period="2026-Q3", on=date(2026, 10, 12))
    assert refused.issued == [] and f"{SUBJECT} is draft" in refused.refused[0]

    with pytest.raises(DutyflowError, match="a rejection needs a reason"):
        decide(action_id=SUBJECT, decision="reject", reviewer="张主任")
    with pytest.raises(DutyflowError, match="is not a reviewer"):
        decide(action_id=SUBJECT, decision="approve", reviewer="王五")
    review = runner.invoke(app, ["review", SUBJECT, "--approve", "--reviewer", "刘审核"])
    assert review.exit_code == 0, review.output
    issued = issue_notices(period="2026-Q3", on=date(2026, 10, 12))
    [(subject, number, _)] = issued.issued
    assert subject == SUBJECT and number == "市直工委〔2026〕1号"
    with session_scope() as session:
        circular = get_circular(session=session, subject=SUBJECT)
        assert (circular.status, circular.doc_number) == ("issued", number)
    assert events() == [("opened", "dutyflow"), ("refused_reject", "张主任"),
                        ("refused_approve", "王五"), ("approved", "刘审核"),
                        ("issued", "dutyflow")]
    audit = runner.invoke(app, ["audit", "--period", "2026-Q3"])
    assert audit.exit_code == 0 and "2026-Q3 共 5 条记录" in audit.output
    events_printed = [line.split()[2:5] for line in audit.output.splitlines() if SUBJECT in line]
    assert ["批准", "刘审核", SUBJECT] in events_printed  # the reviewer's words, not the keys
    with pytest.raises(DutyflowError, match="was issued as 市直工委〔2026〕1号"):
        decide(action_id=SUBJECT, decision="reject", reviewer="张主任", note="改")


def test_a_decision_after_approval_sends_the_circular_back_to_review(db_url):
    letters = office_letters(cycle())
    decide(action_id=letters[0].id, decision="approve", reviewer="张主任")
    quarter_circular(period="2026-Q3")
    decide(action_id=SUBJECT, decision="approve", reviewer="张主任")
    decide(action_id=letters[1].id, decision="approve", reviewer="张主任")  # the figures change

    stale = issue_notices(period="2026-Q3", on=date(2026, 10, 12))
    assert stale.issued == [] and "decisions changed its figures" in stale.refused[0]
    quarter_circular(period="2026-Q3")
    with session_scope() as session:
        assert get_circular(session=session, subject=SUBJECT).status == "draft"
    assert events()[-1] == ("evidence_changed", "dutyflow")
    quarter_circular(period="2026-Q3")  # drafting the same figures again changes nothing
    assert events()[-1] == ("evidence_changed", "dutyflow") and len(events()) == 3


def test_a_quarter_without_decided_measures_opens_no_circular(db_url):
    cycle()  # drafts only: nothing decided
    assert quarter_circular(period="2026-Q3") == ""
    assert pending_items("2026-Q3") == []
    with session_scope() as session:
        assert get_circular(session=session, subject=SUBJECT) is None


def test_the_circulars_history_cannot_be_edited_or_deleted(db_url):
    from sqlalchemy import text
    from sqlalchemy.exc import DatabaseError

    letters = office_letters(cycle())
    decide(action_id=letters[0].id, decision="approve", reviewer="张主任")
    quarter_circular(period="2026-Q3")
    for statement in ("UPDATE circular_event SET note = 'forged'", "DELETE FROM circular_event"):
        with pytest.raises(DatabaseError, match="append-only"), session_scope() as session:
            session.execute(text(statement))
    assert events() == [("opened", "dutyflow")]
