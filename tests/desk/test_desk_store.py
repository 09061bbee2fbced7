"""What the desk keeps in the database for a session and for an account, on both databases:
messages shown once, in order, each session its own; an administrator's unlock."""

from __future__ import annotations

from dutyflow.models.db import session_scope
from dutyflow.models.tables import ReviewerAccount
from dutyflow.services.reviewers import add_reviewer, keep_messages, take_messages, unlock


def test_messages_are_kept_per_session_in_order_and_shown_once(db_url):
    rows = [("error", f"第{i}行未记录：原因{'很长' * 200}") for i in range(300)]
    keep_messages(session_key="one", messages=rows)
    keep_messages(session_key="two", messages=[("ok", "已批准 1 件")])
    assert take_messages(session_key="one") == [(k, t[:2000]) for k, t in rows]
    assert take_messages(session_key="one") == []
    assert take_messages(session_key="two") == [("ok", "已批准 1 件")]


def test_an_unlock_is_recorded_on_the_account(db_url):
    add_reviewer(name="李审核", role="审核员", password="correct-horse-battery")
    unlock(name="李审核")
    with session_scope() as session:
        assert session.get(ReviewerAccount, "李审核").unlocked_at is not None
