"""SQLModel tables. Report rows are scoped by the period they were reported for."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from dutyflow.core.vocabulary import DocumentStatus


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """A stored time as an aware UTC time (SQLite gives naive ones back; they were UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Organization(SQLModel, table=True):
    """A party organization (党组织); `parent_code` makes the tree."""

    __tablename__ = "organization"

    org_code: str = Field(primary_key=True, max_length=64)
    org_name: str = Field(max_length=200)
    org_type: str = Field(max_length=16)  # 党委 / 党总支 / 党支部
    parent_code: str | None = Field(default=None, max_length=64, index=True)
    secretary: str = Field(default="", max_length=100)
    members: int = 0
    groups: int = 0
    full_members: int | None = None  # 正式党员数: members with a vote (None: not reported)
    has_committee: bool | None = None  # 是否设支委会 (None: not reported)
    unit_party_group: str | None = Field(default=None, max_length=200)  # 所在单位党组
    extra: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    batch_id: int | None = Field(default=None, foreign_key="ingest_batch.id")
    updated_at: datetime = Field(default_factory=utcnow)


class IngestBatch(SQLModel, table=True):
    """One table of one source file loaded for a period; the checksum makes re-ingest a no-op."""

    __tablename__ = "ingest_batch"
    __table_args__ = (
        Index("ix_ingest_batch_period_table", "period", "table_name"),
        # One current batch per period and table: a racing second load fails and retries.
        Index("uq_ingest_batch_current", "period", "table_name", unique=True,
              sqlite_where=text("current"), postgresql_where=text("current")),
    )

    id: int | None = Field(default=None, primary_key=True)
    period: str = Field(max_length=16)
    table_name: str = Field(max_length=32)
    source_file: str = Field(max_length=500)
    sheet: str = Field(default="", max_length=200)
    checksum: str = Field(max_length=64)
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    current: bool = True  # False once a corrected file replaced it
    loaded_at: datetime = Field(default_factory=utcnow)


class Meeting(SQLModel, table=True):
    """One meeting held (组织生活台账 row)."""

    __tablename__ = "meeting"
    __table_args__ = (Index("ix_meeting_period_org", "period", "org_code"),)

    id: int | None = Field(default=None, primary_key=True)
    period: str = Field(max_length=16)
    org_code: str = Field(max_length=64, foreign_key="organization.org_code")
    meeting_type: str = Field(max_length=32)
    held_on: date
    attendees: int
    for_year: int | None = None  # 所属年度: the year a yearly meeting is for, when reported
    extra: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    batch_id: int = Field(foreign_key="ingest_batch.id")


class Rectification(SQLModel, table=True):
    """One problem in a rectification ledger (整改台账), as reported for a period."""

    __tablename__ = "rectification"
    __table_args__ = (UniqueConstraint("period", "item_id", name="uq_rectification_period_item"),)

    id: int | None = Field(default=None, primary_key=True)
    period: str = Field(max_length=16, index=True)
    item_id: str = Field(max_length=64)
    org_code: str = Field(max_length=64, foreign_key="organization.org_code")
    description: str
    deadline: date
    status: str = Field(max_length=16)  # open / in_progress / done / closed
    completed_on: date | None = None
    extended_to: date | None = None  # 延期至: an approved extension of the deadline
    source: str | None = Field(default=None, max_length=50)  # 问题来源: 巡察 / 督查 / ...
    responsible: str | None = Field(default=None, max_length=100)  # 整改责任人
    extra: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    batch_id: int = Field(foreign_key="ingest_batch.id")


class Assessment(SQLModel, table=True):
    """A responsibility-fulfillment assessment (履责考核) of one organization."""

    __tablename__ = "assessment"
    __table_args__ = (
        UniqueConstraint("period", "org_code", "assessed_period", name="uq_assessment_period_org"),
    )

    id: int | None = Field(default=None, primary_key=True)
    period: str = Field(max_length=16, index=True)
    org_code: str = Field(max_length=64, foreign_key="organization.org_code")
    assessed_period: str = Field(max_length=16)
    score: float
    tasks_total: int
    tasks_done: int
    # 述职评议等次 as its key: good / fairly_good / average / poor (vocabulary.RATINGS)
    duty_report_rating: str | None = Field(default=None, max_length=16)
    extra: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    batch_id: int = Field(foreign_key="ingest_batch.id")


class QuarantinedRow(SQLModel, table=True):
    """A report row that was not loaded, with where it came from and why."""

    __tablename__ = "quarantined_row"

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="ingest_batch.id", index=True)
    period: str = Field(max_length=16, index=True)
    table_name: str = Field(max_length=32)
    source_file: str = Field(max_length=500)
    sheet: str = Field(default="", max_length=200)
    row_number: int
    column: str = Field(default="", max_length=100)
    value: str = ""
    reason: str


class EvaluationRun(SQLModel, table=True):
    """One evaluation of a period: which policy version judged it, and what came out."""

    __tablename__ = "evaluation_run"

    id: int | None = Field(default=None, primary_key=True)
    period: str = Field(max_length=16, index=True)
    policy_version: str = Field(max_length=32)
    policy_name: str = Field(default="", max_length=200)
    facts: int = 0
    findings: int = 0
    actions_opened: int = 0
    actions_changed: int = 0
    actions_withdrawn: int = 0
    flow_run_id: str | None = Field(default=None, max_length=64)
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None


class Finding(SQLModel, table=True):
    """One failed duty or item of one organization in one period, and the facts that show it."""

    __tablename__ = "finding"
    __table_args__ = (Index("ix_finding_history", "org_code", "family", "subject", "span"),)

    id: str = Field(primary_key=True, max_length=40)
    period: str = Field(max_length=16, index=True)
    span: str = Field(max_length=16)  # the duty's own period: a month, quarter or year
    org_code: str = Field(max_length=64, foreign_key="organization.org_code")
    family: str = Field(max_length=16)  # meeting / rectification / fulfillment
    subject: str = Field(max_length=64)  # duty id, item id, or "fulfillment"
    rule_id: str = Field(max_length=100)
    rule_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    measure: str = Field(max_length=32)  # the measure the finding earns
    text: str
    facts: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    policy_version: str = Field(max_length=32)
    current: bool = True  # False once a corrected report made it vanish
    found_at: datetime = Field(default_factory=utcnow)
    withdrawn_at: datetime | None = None


class Case(SQLModel, table=True):
    """An accountability case: one organization, one period, all its findings as evidence,
    one measure (`action`), one notice. (The table keeps its first name, `action`.)"""

    __tablename__ = "accountability_case"

    id: str = Field(primary_key=True, max_length=120)  # 2026-10-DW0004-ZB07
    period: str = Field(max_length=16, index=True)
    org_code: str = Field(max_length=64, foreign_key="organization.org_code")
    measure: str = Field(max_length=32)  # a MeasureKind key
    status: str = Field(default=DocumentStatus.DRAFT, max_length=16)  # an DocumentStatus
    # the measure needs a committee decision: approving it requires the decision's reference
    proposal: bool = False
    rule_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    evidence: list[dict[str, Any]] = Field(default_factory=list,
                                           sa_column=Column(JSON, nullable=False))
    evidence_hash: str = Field(max_length=64)
    policy_version: str = Field(max_length=32)
    document: str | None = Field(default=None, max_length=500)
    html_document: str | None = Field(default=None, max_length=500)
    # The latest decision (the full history is in action_event).
    reviewer: str | None = Field(default=None, max_length=100)
    decided_at: datetime | None = None
    note: str | None = None
    decision_ref: str | None = Field(default=None, max_length=200)  # e.g. 工委会议纪要〔2026〕9号
    # Set once, when issued; an issued case never changes again.
    doc_number: str | None = Field(default=None, max_length=64, unique=True)
    document_sha256: str | None = Field(default=None, max_length=64)
    issued_at: datetime | None = None
    issued_on: date | None = None  # the date the issued document carries (成文日期)
    reply_due: date | None = None  # issued measures that ask for an answer
    reply_days: int | None = None  # working days the notice gives (the judging policy's)
    follow_up: str | None = Field(default=None, max_length=16)  # a FollowUp, once issued
    replied_on: date | None = None  # the reply waiting for the office's review, if any
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ActionEvent(SQLModel, table=True):
    """Append-only history of an action: opened, changed, withdrawn, reviewed, issued."""

    __tablename__ = "action_event"

    id: int | None = Field(default=None, primary_key=True)
    action_id: str = Field(max_length=120, foreign_key="accountability_case.id", index=True)
    period: str = Field(max_length=16, index=True)
    event: str = Field(max_length=32)
    actor: str = Field(default="dutyflow", max_length=100)
    note: str = ""
    at: datetime = Field(default_factory=utcnow)


class DocumentCounter(SQLModel, table=True):
    """The last document number an issuer used in a year; numbers run without gaps."""

    __tablename__ = "document_counter"

    prefix: str = Field(primary_key=True, max_length=64)
    year: int = Field(primary_key=True)
    last_number: int = 0


class IssuedDocument(SQLModel, table=True):
    """A numbered document: an action's notice or a period circular. Never rewritten."""

    __tablename__ = "issued_document"
    __table_args__ = (UniqueConstraint("prefix", "year", "number", name="uq_issued_number"),)

    id: int | None = Field(default=None, primary_key=True)
    doc_number: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=64)
    year: int
    number: int
    subject: str = Field(max_length=120, index=True)  # an action id, or circular-<period>
    period: str = Field(max_length=16)
    path: str = Field(max_length=500)
    html_path: str = Field(max_length=500)
    sha256: str = Field(max_length=64)
    issued_by: str = Field(default="", max_length=100)
    issued_at: datetime = Field(default_factory=utcnow)


class ReviewerAccount(SQLModel, table=True):
    """A person who may decide on cases, and how they log into the review desk.

    `password_hash` is an argon2 hash (None: CLI and single sign-on only). `org_code` is the
    reviewer's own branch, on whose cases they may never decide."""

    __tablename__ = "reviewer_account"

    name: str = Field(primary_key=True, max_length=100)
    role: str = Field(default="", max_length=100)
    org_code: str | None = Field(default=None, max_length=64)
    password_hash: str | None = Field(default=None, max_length=200)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class LoginAttempt(SQLModel, table=True):
    """Every login to the desk, good or bad: the log of who tried, and the rate limit's memory
    (kept in the database so a restart or a second desk process does not reset it)."""

    __tablename__ = "login_attempt"
    __table_args__ = (Index("ix_login_attempt_name_at", "name", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    address: str = Field(default="", max_length=64)
    succeeded: bool = False
    at: datetime = Field(default_factory=utcnow)


class CircularReview(SQLModel, table=True):
    """A quarter's circular (季度通报) on its way to issue: drafted, decided, issued.

    It is no organization's case, so it has its own record; `content_hash` is the hash of what
    the draft says, so a circular whose content changed after approval is not issued."""

    __tablename__ = "circular_review"

    subject: str = Field(primary_key=True, max_length=120)  # circular-2026-Q3
    period: str = Field(max_length=16, index=True)
    status: str = Field(default=DocumentStatus.DRAFT, max_length=16)  # an DocumentStatus
    content_hash: str = Field(max_length=64)
    document: str | None = Field(default=None, max_length=500)
    html_document: str | None = Field(default=None, max_length=500)
    reviewer: str | None = Field(default=None, max_length=100)
    decided_at: datetime | None = None
    note: str | None = None
    doc_number: str | None = Field(default=None, max_length=64)
    updated_at: datetime = Field(default_factory=utcnow)


class CircularEvent(SQLModel, table=True):
    """Append-only history of a circular, beside the cases' `action_event`."""

    __tablename__ = "circular_event"

    id: int | None = Field(default=None, primary_key=True)
    subject: str = Field(max_length=120, foreign_key="circular_review.subject", index=True)
    period: str = Field(max_length=16, index=True)
    event: str = Field(max_length=32)
    actor: str = Field(default="dutyflow", max_length=100)
    note: str = ""
    at: datetime = Field(default_factory=utcnow)


class Reply(SQLModel, table=True):
    """An organization's answer to an issued measure (整改情况反馈), from the CLI or the
    period's 整改反馈 table. Appended, never edited; the office accepts or returns it."""

    id: int | None = Field(default=None, primary_key=True)
    action_id: str = Field(max_length=120, foreign_key="accountability_case.id", index=True)
    received_on: date
    measures: str = ""  # 整改措施
    completed: bool | None = None  # 是否完成
    note: str = ""
    files: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    source: str = Field(default="cli", max_length=500)  # cli, or the report file it came from
    recorded_at: datetime = Field(default_factory=utcnow)


class Chase(SQLModel, table=True):
    """A 催办 letter: a case's answer did not come by its date. Drafted at the cycle that
    found it overdue, reviewed and issued like a notice (the letter series), it gives a new
    date; one per missed date. Its history is in the case's `action_event`."""

    __tablename__ = "chase"
    __table_args__ = (UniqueConstraint("action_id", "overdue_since", name="uq_chase_missed"),)

    id: str = Field(primary_key=True, max_length=140)  # chase-2026-08-DW0001-ZB03-1
    action_id: str = Field(max_length=120, foreign_key="accountability_case.id", index=True)
    round: int = 1
    period: str = Field(max_length=16, index=True)  # the cycle that found the answer overdue
    org_code: str = Field(max_length=64)
    overdue_since: date  # the date the answer was due and did not come
    status: str = Field(default=DocumentStatus.DRAFT, max_length=16)  # an DocumentStatus
    document: str | None = Field(default=None, max_length=500)
    html_document: str | None = Field(default=None, max_length=500)
    reviewer: str | None = Field(default=None, max_length=100)
    decided_at: datetime | None = None
    note: str | None = None
    doc_number: str | None = Field(default=None, max_length=64, unique=True)
    document_sha256: str | None = Field(default=None, max_length=64)
    issued_on: date | None = None
    reply_due: date | None = None  # the date the 催办 gives
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class RankingEntry(SQLModel, table=True):
    """One organization's place in an issued quarter's ranking, as the communiqué printed it:
    what was published never moves. A bottom-list entry's `listing` goes on from provisional
    (黄榜) to confirmed or lifted when its correction window ends."""

    __tablename__ = "ranking_entry"

    quarter: str = Field(primary_key=True, max_length=16)  # 2026-Q3
    org_code: str = Field(primary_key=True, max_length=64, foreign_key="organization.org_code")
    group: str = Field(max_length=16)  # unit / branch (RANKING_GROUPS)
    rank: int
    score: float
    months: list[float | None] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    findings: int = 0
    previous_rank: int | None = None
    listing: str | None = Field(default=None, max_length=16)  # a Listing
    window_ends: date | None = None  # the last day to correct a 黄榜 entry
    settled_on: date | None = None  # when it was confirmed or lifted
    doc_number: str = Field(max_length=64)  # the communiqué that published it
