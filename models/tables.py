"""SQLModel tables. Report rows are scoped by the period they were reported for."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint, select, text
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import relationship
from sqlmodel import Field, Relationship, SQLModel

from dutyflow.core.vocabulary import DocumentStatus, status_words


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
    found_on: date | None = None  # 发现日期: when the problem was found
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


class Document(SQLModel, table=True):
    """Anything a person reviews and the office may issue: a case's notice (its id is the
    case's), a 催办, the period's 通报批评, the quarter's circular, the ranking communiqué.

    One lifecycle for every kind: draft → approved or rejected → issued (numbered in its
    format's series, gaplessly), or withdrawn. Who may decide is the kind's (vocabulary); what
    was issued never changes (a trigger refuses it). `version` grows with every change of
    state, so a decision can name the state its reviewer saw."""

    __tablename__ = "document"
    __table_args__ = (
        UniqueConstraint("number_prefix", "number_year", "number", name="uq_document_number"),
        Index("ix_document_period_kind", "period", "kind"),
    )

    id: str = Field(primary_key=True, max_length=140)  # 2026-10-DW0004-ZB07, chase-…, circular-2026-Q3
    kind: str = Field(max_length=32)  # a DocumentKind key
    period: str = Field(max_length=16, index=True)  # the cycle or quarter it belongs to
    org_code: str | None = Field(default=None, max_length=64, index=True)  # None: to all units
    status: str = Field(default=DocumentStatus.DRAFT, max_length=16)  # a DocumentStatus
    content_hash: str = Field(default="", max_length=64)  # what the reviewer approves
    version: int = 1
    path: str | None = Field(default=None, max_length=500)  # the .docx (draft, then issued)
    html_path: str | None = Field(default=None, max_length=500)
    # the latest decision (the whole history is in `event`)
    reviewer: str | None = Field(default=None, max_length=100)
    decided_at: datetime | None = None
    note: str | None = None
    decision_ref: str | None = Field(default=None, max_length=200)  # 工委会议纪要〔2026〕9号
    # set once, when issued
    document_number: str | None = Field(default=None, max_length=64, unique=True)
    number_prefix: str | None = Field(default=None, max_length=64)
    number_year: int | None = None
    number: int | None = None
    sha256: str | None = Field(default=None, max_length=64)
    issued_by: str | None = Field(default=None, max_length=100)
    issued_at: datetime | None = None
    issued_on: date | None = None  # the date the document carries (成文日期)
    overdue_since: date | None = None  # a 催办: the date the answer it chases was due
    reply_due: date | None = None  # the date an issued document asks its answer by
    meeting_on: date | None = None  # a talk notice: the day of the talk it booked
    meeting_time: str | None = Field(default=None, max_length=32)  # 上午9:00
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    @property
    def status_words(self) -> str:
        return status_words(self.status)


class DocumentCase(SQLModel, table=True):
    """Which cases a document concerns (a notice its own, a 催办 or a 通报 several)."""

    __tablename__ = "document_case"

    document_id: str = Field(primary_key=True, max_length=140, foreign_key="document.id")
    case_id: str = Field(primary_key=True, max_length=120, index=True,
                         foreign_key="accountability_case.id")
    due_on: date | None = None  # a 催办: the date this case's answer was due and missed


class Case(SQLModel, table=True):
    """An accountability case: the judgement of one organization in one period (all its
    findings as evidence, one measure) and what follows it (the answer). Its notice is the
    document with the case's id; the review, the number and the file are the notice's, read
    here through `notice`."""

    __tablename__ = "accountability_case"
    model_config = {"ignored_types": (hybrid_property,)}  # type: ignore[assignment]

    id: str = Field(primary_key=True, max_length=120)  # 2026-10-DW0004-ZB07
    period: str = Field(max_length=16, index=True)
    org_code: str = Field(max_length=64, foreign_key="organization.org_code")
    measure: str = Field(max_length=32)  # a MeasureKind key
    # the measure needs a committee decision: approving it requires the decision's reference
    proposal: bool = False
    rule_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    evidence: list[dict[str, Any]] = Field(default_factory=list,
                                           sa_column=Column(JSON, nullable=False))
    evidence_hash: str = Field(max_length=64)
    policy_version: str = Field(max_length=32)
    reply_due: date | None = None  # issued measures that ask for an answer
    reply_days: int | None = None  # working days the notice gives (the judging policy's)
    follow_up: str | None = Field(default=None, max_length=16)  # a FollowUp, once issued
    replied_on: date | None = None  # the reply waiting for the office's review, if any
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    notice: Document | None = Relationship(sa_relationship=relationship(
        "Document", primaryjoin="foreign(Document.id) == Case.id", lazy="joined", viewonly=True,
        uselist=False))

    @hybrid_property
    def status(self) -> str:
        """The notice's status: the case's as a reviewer knows it (follow-up aside)."""
        return self.notice.status if self.notice else DocumentStatus.DRAFT

    @status.inplace.expression
    @classmethod
    def _status(cls) -> Any:
        return select(Document.status).where(Document.id == cls.id).scalar_subquery()

    @hybrid_property
    def document_number(self) -> str | None:
        return self.notice.document_number if self.notice else None

    @document_number.inplace.expression
    @classmethod
    def _document_number(cls) -> Any:
        return select(Document.document_number).where(Document.id == cls.id).scalar_subquery()

    @property
    def document(self) -> str | None:
        """The notice's .docx (the issued one once issued)."""
        return self.notice.path if self.notice else None

    @property
    def html_document(self) -> str | None:
        return self.notice.html_path if self.notice else None

    @property
    def reviewer(self) -> str | None:
        return self.notice.reviewer if self.notice else None

    @property
    def decided_at(self) -> datetime | None:
        return self.notice.decided_at if self.notice else None

    @property
    def note(self) -> str | None:
        return self.notice.note if self.notice else None

    @property
    def decision_ref(self) -> str | None:
        return self.notice.decision_ref if self.notice else None

    @property
    def issued_on(self) -> date | None:
        return self.notice.issued_on if self.notice else None


class Event(SQLModel, table=True):
    """The audit log, append-only (a trigger refuses UPDATE and DELETE): every step of every
    case and document, who took it and when. `subject` is the case or document it is about
    (a case's notice shares the case's id); `period` is the subject's."""

    __tablename__ = "event"
    __table_args__ = (Index("ix_event_period", "period", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    subject: str = Field(max_length=140, index=True)
    period: str = Field(max_length=16)
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
    # when an administrator last lifted the account's login lock (`dutyflow reviewer unlock`)
    unlocked_at: datetime | None = None
    # reviewer (decides at the desk), branch (its organization's portal), unit (a 直属党组织's
    # worker: its whole subtree); `role` stays the person's title
    kind: str = Field(default="reviewer", max_length=16)
    # the API token's sha256 (the token is random: a fast hash is enough, and it is looked up)
    token_hash: str | None = Field(default=None, max_length=64, unique=True)
    token_made_at: datetime | None = None
    # where an organization's account is told of a document issued to it (notifications)
    email: str | None = Field(default=None, max_length=254)


class LedgerMeeting(SQLModel, table=True):
    """A meeting an organization recorded as it happened (三会一课台账, the portal or the API).
    One session may count for several types. The cycle reads these beside the workbooks' rows
    (models.ledger.meetings_of_record: one source per organization and period)."""

    __tablename__ = "ledger_meeting"

    id: int | None = Field(default=None, primary_key=True)
    org_code: str = Field(max_length=64, foreign_key="organization.org_code", index=True)
    meeting_types: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    held_on: date = Field(index=True)
    attendees: int
    full_members_present: int | None = None  # 到会正式党员数 (a general meeting's quorum)
    topic: str = ""
    recorded_by: str = Field(max_length=100)
    recorded_at: datetime = Field(default_factory=utcnow)


class LedgerRectification(SQLModel, table=True):
    """A rectification item an organization keeps in its e-ledger (整改台账, the portal): the
    rectifications table's columns (core.report_tables.RECTIFICATIONS), its status, completion
    date and evidence brought up to date as the work goes on. The cycle reads these beside the
    workbooks' rows (models.ledger.rectifications_of_record: one source per organization and
    period)."""

    __tablename__ = "ledger_rectification"

    id: int | None = Field(default=None, primary_key=True)
    item_id: str = Field(max_length=64, unique=True)
    org_code: str = Field(max_length=64, foreign_key="organization.org_code", index=True)
    description: str
    deadline: date
    status: str = Field(max_length=16)  # open / in_progress / done / closed
    completed_on: date | None = None
    extended_to: date | None = None
    source: str | None = Field(default=None, max_length=50)
    responsible: str | None = Field(default=None, max_length=100)
    found_on: date | None = None
    # 佐证材料: [{name, sha256, path, added_by}], kept under the content hash as answers' are
    evidence: list[dict[str, Any]] = Field(default_factory=list,
                                           sa_column=Column(JSON, nullable=False))
    recorded_by: str = Field(max_length=100)
    recorded_at: datetime = Field(default_factory=utcnow)
    updated_by: str = Field(default="", max_length=100)
    updated_at: datetime = Field(default_factory=utcnow)


class DocumentReceipt(SQLModel, table=True):
    """签收: an organization acknowledged an issued document (once; also in the event log)."""

    __tablename__ = "document_receipt"

    document_id: str = Field(primary_key=True, max_length=140, foreign_key="document.id")
    org_code: str = Field(primary_key=True, max_length=64)
    signed_by: str = Field(max_length=100)
    signed_at: datetime = Field(default_factory=utcnow)


class EndedDeskSession(SQLModel, table=True):
    """A desk session its reviewer ended by logging out: its cookie, wherever a copy is kept,
    signs no one in any more. A row is kept as long as such a cookie could still be valid
    (DUTYFLOW_DESK_SESSION_HOURS after the end), then forgotten."""

    __tablename__ = "ended_desk_session"

    session_id: str = Field(primary_key=True, max_length=64)
    reviewer: str = Field(default="", max_length=100)
    ended_at: datetime = Field(default_factory=utcnow)


class DeskMessage(SQLModel, table=True):
    """A message the desk shows a reviewer once, on their next page (what a decision or a bulk
    approval did, row by row). Kept here, not in the session cookie: a cookie holds about
    4 KB, and a bulk decision may report on hundreds of rows."""

    __tablename__ = "desk_message"
    __table_args__ = (Index("ix_desk_message_session_key", "session_key", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    session_key: str = Field(max_length=64)
    kind: str = Field(default="ok", max_length=10)
    text: str
    created_at: datetime = Field(default_factory=utcnow)


class LoginAttempt(SQLModel, table=True):
    """Every login to the desk whose password was checked, good or bad: the log of who tried
    from where (the limits themselves are counted in the desk: services/reviewers.py)."""

    __tablename__ = "login_attempt"
    __table_args__ = (Index("ix_login_attempt_name_at", "name", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    address: str = Field(default="", max_length=64)
    succeeded: bool = False
    at: datetime = Field(default_factory=utcnow)


class Reply(SQLModel, table=True):
    """An organization's answer to an issued measure (整改情况反馈), from the CLI or the
    period's 整改反馈 table. Appended, never edited; the office accepts or returns it."""

    id: int | None = Field(default=None, primary_key=True)
    case_id: str = Field(max_length=120, foreign_key="accountability_case.id", index=True)
    received_on: date
    measures: str = ""  # 整改措施
    completed: bool | None = None  # 是否完成
    note: str = ""
    files: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # per finding of the case (portal answers): finding_id, text, done, completed_on
    items: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    source: str = Field(default="cli", max_length=500)  # cli, or the report file it came from
    recorded_at: datetime = Field(default_factory=utcnow)


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
    document_number: str = Field(max_length=64)  # the communiqué that published it


# ---------------------------------------------------------------- e-ledger files (ledger slice)


class LedgerFile(SQLModel, table=True):
    """A file kept with a ledger meeting (会议记录, 签到表): stored under its content hash as
    answer evidence is; the same file twice on one meeting is kept once."""

    __tablename__ = "ledger_file"
    __table_args__ = (UniqueConstraint("meeting_id", "sha256", name="uq_ledger_file_meeting_sha"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="ledger_meeting.id", index=True)
    kind: str = Field(max_length=16)  # minutes / sign_in (LEDGER_FILE_KINDS)
    name: str = Field(max_length=200)  # as the sender called it: shown, never a path
    sha256: str = Field(max_length=64)
    path: str = Field(max_length=500)
    added_by: str = Field(max_length=100)
    added_at: datetime = Field(default_factory=utcnow)


# ------------------------------------------------------------------ notifications (issue 28)


class Notification(SQLModel, table=True):
    """One message telling one account, through one channel, that a document was issued to
    it: written in the issuing transaction (the outbox), sent later by `send-notifications`.
    `channel` is `email` or `block:<type>/<name>` (a Prefect notification block)."""

    __tablename__ = "notification"
    __table_args__ = (UniqueConstraint("document_id", "account", "channel",
                                       name="uq_notification_document_account_channel"),
                      Index("ix_notification_due", "status", "next_attempt_at"))

    id: int | None = Field(default=None, primary_key=True)
    document_id: str = Field(max_length=140, foreign_key="document.id", index=True)
    org_code: str | None = Field(default=None, max_length=64)
    account: str = Field(max_length=100)
    channel: str = Field(max_length=200)
    address: str = Field(default="", max_length=254)  # the email address, when by email
    status: str = Field(default="pending", max_length=16)  # pending, sending, sent, failed
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow)
    claimed_at: datetime | None = None
    sent_at: datetime | None = None
    error: str = ""  # the last failure, in Chinese
    created_at: datetime = Field(default_factory=utcnow)


# ------------------------------------------------------------ the branch's answer drafts (home)


class ReplyDraft(SQLModel, table=True):
    """An organization's answer as it is being written (整改情况反馈草稿), one per case: saved,
    resumed, then submitted as a Reply. `submitted_round` is how many times the office had
    returned the case's answer when the draft was last submitted: submitting twice in one round
    is refused; a return (退回) opens the next round."""

    __tablename__ = "reply_draft"

    case_id: str = Field(primary_key=True, max_length=120, foreign_key="accountability_case.id")
    measures: str = ""
    items: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    files: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    saved_by: str = Field(max_length=100)
    saved_at: datetime = Field(default_factory=utcnow)
    submitted_round: int | None = None
    submitted_at: datetime | None = None
