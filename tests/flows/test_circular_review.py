"""The quarter's circular is reviewed and audited like any other document: drafted for review,
issued only as approved, sent back to review when measures issued change its figures."""

from __future__ import annotations

from datetime import date

import pytest
from typer.testing import CliRunner

from dutyflow.cli import app
from dutyflow.core.errors import DutyflowError
from dutyflow.flows.notices import issue_notices
from dutyflow.flows.scheduled import quarter_circular
from dutyflow.models.db import session_scope
from dutyflow.models.documents import events_of, get_document
from dutyflow.services.review import decide, pending_items
from tests.flows.test_review_issue import cycle, office_letters

SUBJECT = "circular-2026-Q3"
runner = CliRunner()


def events() -> list[tuple[str, str]]:
    with session_scope() as session:
        return [(e.event, e.actor) for e in events_of(session=session, subject=SUBJECT)]


def test_the_circular_is_issued_only_once_a_reviewer_approved_it(db_url):
    letters = office_letters(cycle())
    decide(document_id=letters[0].id, decision="approve", reviewer="张主任")
    assert quarter_circular(period="2026-Q3") == ""  # approved is not yet a measure taken
    issue_notices(period="2026-08", on=date(2026, 9, 7))
    assert quarter_circular(period="2026-Q3").endswith(f"{SUBJECT}.docx")
    assert [i.document_id for i in pending_items("2026-Q3")] == [SUBJECT]

    refused = issue_notices(period="2026-Q3", on=date(2026, 10, 12))
    assert refused.issued == [] and f"{SUBJECT} 现为“草稿，待审核”" in refused.waiting[0]

    with pytest.raises(DutyflowError, match="驳回须写明理由"):
        decide(document_id=SUBJECT, decision="reject", reviewer="张主任")
    with pytest.raises(DutyflowError, match="不是审核人"):
        decide(document_id=SUBJECT, decision="approve", reviewer="王五")
    review = runner.invoke(app, ["review", SUBJECT, "--approve", "--reviewer", "刘审核"])
    assert review.exit_code == 0, review.output
    issued = issue_notices(period="2026-Q3", on=date(2026, 10, 12))
    [(subject, number, _)] = issued.issued
    assert subject == SUBJECT and number == "市直工委〔2026〕1号"
    with session_scope() as session:
        circular = get_document(session=session, document_id=SUBJECT)
        assert (circular.status, circular.document_number) == ("issued", number)
    assert events() == [("drafted", "dutyflow"), ("refused_reject", "张主任"),
                        ("refused_approve", "王五"), ("approved", "刘审核"),
                        ("issued", "dutyflow")]
    audit = runner.invoke(app, ["audit", "--period", "2026-Q3"])
    assert audit.exit_code == 0 and "2026-Q3 共 5 条记录" in audit.output
    events_printed = [line.split()[2:5] for line in audit.output.splitlines() if SUBJECT in line]
    assert ["批准", "刘审核", SUBJECT] in events_printed  # the reviewer's words, not the keys
    with pytest.raises(DutyflowError, match="以市直工委〔2026〕1号印发"):
        decide(document_id=SUBJECT, decision="reject", reviewer="张主任", note="改")


def test_a_decision_after_approval_sends_the_circular_back_to_review(db_url):
    letters = office_letters(cycle())
    decide(document_id=letters[0].id, decision="approve", reviewer="张主任")
    issue_notices(period="2026-08", on=date(2026, 9, 7))
    quarter_circular(period="2026-Q3")
    decide(document_id=SUBJECT, decision="approve", reviewer="张主任")
    decide(document_id=letters[1].id, decision="approve", reviewer="张主任")
    issue_notices(period="2026-08", on=date(2026, 9, 8))  # one more measure: the figures change

    stale = issue_notices(period="2026-Q3", on=date(2026, 10, 12))
    assert stale.issued == [] and "数字已有变化" in stale.refused[0]
    quarter_circular(period="2026-Q3")
    with session_scope() as session:
        assert get_document(session=session, document_id=SUBJECT).status == "draft"
    assert events()[-1] == ("evidence_changed", "dutyflow")
    quarter_circular(period="2026-Q3")  # drafting the same figures again changes nothing
    assert events()[-1] == ("evidence_changed", "dutyflow") and len(events()) == 3


def test_a_quarter_without_issued_measures_opens_no_circular(db_url):
    cycle()  # drafts only: nothing decided
    assert quarter_circular(period="2026-Q3") == ""
    assert pending_items("2026-Q3") == []
    with session_scope() as session:
        assert get_document(session=session, document_id=SUBJECT) is None


def test_the_circulars_history_cannot_be_edited_or_deleted(db_url):
    from sqlalchemy import text
    from sqlalchemy.exc import DatabaseError

    letters = office_letters(cycle())
    decide(document_id=letters[0].id, decision="approve", reviewer="张主任")
    issue_notices(period="2026-08", on=date(2026, 9, 7))
    quarter_circular(period="2026-Q3")
    for statement in ("UPDATE event SET note = 'forged'", "DELETE FROM event"):
        with pytest.raises(DatabaseError, match="append-only"), session_scope() as session:
            session.execute(text(statement))
    assert events() == [("drafted", "dutyflow")]
