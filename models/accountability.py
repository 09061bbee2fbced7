"""Data access for evaluations, findings and actions. Re-running a period is safe by design:
ids are deterministic, unchanged actions are left alone, vanished ones are withdrawn (kept)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update
from sqlmodel import Session

from dutyflow.core.calendar import is_working_day
from dutyflow.core.periods import Period
from dutyflow.core.report_tables import (
    ASSESSMENTS,
    ORGANIZATIONS,
    TableSpec,
)
from dutyflow.core.vocabulary import REVIEWABLE, DocumentStatus, FollowUp
from dutyflow.models.chases import unanswered_chases
from dutyflow.models.db import bulk_insert, read_columns
from dutyflow.models.documents import log_events
from dutyflow.models.ledger import (
    ledger_reported,
    meetings_of_record,
    rectifications_of_record,
)
from dutyflow.models.tables import (
    Assessment,
    Case,
    Document,
    DocumentCase,
    EvaluationRun,
    Finding,
    IngestBatch,
    Organization,
    utcnow,
)

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class StoreResult:
    opened: int
    changed: int
    withdrawn: int
    unchanged: int


def _frame(session: Session, statement: Any, columns: list[str]) -> pd.DataFrame:
    import pandas as pd  # here, not at the top: the read-only commands never need it

    values = read_columns(session, statement)
    if not values or not values[0]:
        return pd.DataFrame([], columns=columns)  # no rows: object columns, as before
    return pd.DataFrame(dict(zip(columns, values, strict=True)), columns=columns)


def _table_frame(session: Session, model: Any, table: TableSpec, *where: Any) -> pd.DataFrame:
    """A report table's declared columns (as stored) of the rows `where` selects."""
    columns = list(table.stored_columns)
    return _frame(session, select(*(getattr(model, c) for c in columns)).where(*where), columns)


def settle_cutoff(period: Period, settle_working_days: int) -> date:
    """The last day a measure may be issued and still climb for `period`: the period's last
    day, or that many working days before it."""
    day, left = period.last_day, settle_working_days
    while left:
        day -= timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day


def read_meeting_frames(*, session: Session, period: Period, codes: Collection[str],
                        meetings_since: date) -> dict[str, Any]:
    """The organizations `codes` and the meetings they held since `meetings_since`: what
    their meeting duties are judged from, without the rest of the period's data."""
    codes = list(codes)
    return {"organizations": _table_frame(session, Organization, ORGANIZATIONS,
                                          Organization.org_code.in_(codes)),  # type: ignore[attr-defined]
            "meetings": meetings_of_record(session=session, first=meetings_since,
                                           last=period.last_day, codes=codes)}


def read_period_frames(*, session: Session, period: Period,
                       meetings_since: date | None = None,
                       settle_working_days: int = 0) -> dict[str, Any]:
    """The frames the facts are built from (see rules.facts.PeriodData): organizations, the
    meetings held since `meetings_since` (default: the year's start), the period's ledger and
    assessments, and earlier findings with whether a measure was taken on them (issued by
    the settling cut-off) or is still settling (issued after it, by the period's end: its
    case id)."""
    orgs = _table_frame(session, Organization, ORGANIZATIONS)
    since = meetings_since or period.containing("year").first_day
    meetings = meetings_of_record(session=session, first=since, last=period.last_day)
    rects = rectifications_of_record(session=session, period=period)
    assessments = _table_frame(session, Assessment, ASSESSMENTS,
                               Assessment.period == str(period))
    # a measure was taken on a finding when its notice was actually issued (sent) by the end
    # of the period judged (less the settling days): only then can a later document cite it
    cutoff = settle_cutoff(period, settle_working_days)
    taken = select(Case.period, Case.org_code).join(Document, Document.id == Case.id).where(
        Document.status == DocumentStatus.ISSUED,
        Document.issued_on <= cutoff).distinct().subquery()  # type: ignore[operator]
    settling = select(Case.period, Case.org_code, Case.id.label("case_id")).join(
        Document, Document.id == Case.id).where(
        Document.status == DocumentStatus.ISSUED, Document.issued_on > cutoff,  # type: ignore[operator]
        Document.issued_on <= period.last_day).subquery()  # type: ignore[operator]
    # a failure added to a settling measure's case counts as measured by that measure
    settled_into = Finding.facts["settling"].as_string()
    merged = select(Case.id).join(Document, Document.id == Case.id).where(
        Document.status == DocumentStatus.ISSUED).subquery()
    # a case closed (销号): the problem was fixed, and its coming back is a recurrence
    closed = select(Case.period, Case.org_code,
                    func.coalesce(Case.document_number, Case.id).label("closed")).where(
        Case.follow_up == FollowUp.CLOSED).subquery()
    hist_cols = ["org_code", "family", "subject", "span", "period", "measure", "measured",
                 "closed", "settling"]
    history = _frame(session, select(
        Finding.org_code, Finding.family, Finding.subject, Finding.span, Finding.period,
        Finding.measure, taken.c.org_code.is_not(None) | merged.c.id.is_not(None),
        closed.c.closed, settling.c.case_id).outerjoin(
        taken, (taken.c.period == Finding.period) & (taken.c.org_code == Finding.org_code))
        .outerjoin(merged, merged.c.id == settled_into)
        .outerjoin(closed, (closed.c.period == Finding.period)
                   & (closed.c.org_code == Finding.org_code))
        .outerjoin(settling, (settling.c.period == Finding.period)
                   & (settling.c.org_code == Finding.org_code))
        .where(Finding.current, Finding.period != str(period)), hist_cols)
    # 催办 letters whose escalation date may fall in this period (escalate_after is at most
    # 60 working days: a quarter back covers it)
    import pandas as pd

    unanswered = pd.DataFrame(unanswered_chases(
        session=session, issued_since=period.first_day - timedelta(days=120),
        issued_until=period.last_day))
    # the meeting duties are judged once the period is reported: a meetings workbook loaded
    # for it, or any meeting recorded in the ledger in it
    has_meetings = session.execute(select(IngestBatch.id).where(
        IngestBatch.table_name == "meetings", IngestBatch.current,
        IngestBatch.period == str(period)).limit(1)).first() is not None or ledger_reported(
        session=session, first=period.first_day, last=period.last_day)
    return {"organizations": orgs, "meetings": meetings, "rectifications": rects,
            "assessments": assessments, "history": history, "has_meetings": has_meetings,
            "unanswered": unanswered}


def start_evaluation(*, session: Session, period: str, policy_version: str, policy_name: str,
                     flow_run_id: str | None) -> EvaluationRun:
    run = EvaluationRun(period=period, policy_version=policy_version, policy_name=policy_name,
                        flow_run_id=flow_run_id)
    session.add(run)
    session.flush()
    return run


def store_findings(*, session: Session, period: str, policy_version: str,
                   findings: list[Any]) -> None:
    """Upsert the period's findings; those not found again are marked not current."""
    existing = {f.id: f for f in session.execute(
        select(Finding).where(Finding.period == period)).scalars()}
    now = utcnow()
    seen = set()
    new: list[dict[str, Any]] = []
    for draft in findings:
        seen.add(draft.id)
        values = dict(span=draft.span, org_code=draft.org_code, family=draft.family,
                      subject=draft.subject, rule_id=draft.rule_id, rule_ids=list(draft.rule_ids),
                      measure=draft.measure, text=draft.text, facts=draft.facts,
                      policy_version=policy_version)
        row = existing.get(draft.id)
        if row is None:
            new.append({"id": draft.id, "period": period, "current": True, "found_at": now,
                        "withdrawn_at": None, **values})
            continue
        changed = any(getattr(row, k) != v for k, v in values.items()) or not row.current
        if changed:
            for k, v in values.items():
                setattr(row, k, v)
            row.current, row.withdrawn_at = True, None
    if new:  # Core insert: a first evaluation writes every finding, no ORM object needed
        bulk_insert(session, Finding, new)
    gone = [fid for fid, row in existing.items() if fid not in seen and row.current]
    if gone:
        session.execute(update(Finding).where(Finding.id.in_(gone))  # type: ignore[attr-defined]
                        .values(current=False, withdrawn_at=now))


def store_cases(*, session: Session, period: str, policy_version: str,
                cases: list[Any]) -> StoreResult:
    """Open new cases (each with its notice, a draft), refresh changed ones (their notice goes
    back to draft: earlier decisions were about other facts), withdraw vanished ones; every
    change logged. What was issued never changes."""
    existing = {c.id: c for c in session.execute(
        select(Case).where(Case.period == period)).scalars().unique()}
    now = utcnow()
    opened = changed = unchanged = withdrawn = 0
    events: list[dict[str, Any]] = []
    new_cases: list[dict[str, Any]] = []
    new_notices: list[dict[str, Any]] = []
    redrafted: list[dict[str, Any]] = []
    seen = set()

    def event(case_id: str, name: str, note: str = "") -> dict[str, Any]:
        return {"subject": case_id, "period": period, "event": name, "note": note, "at": now}

    for draft in cases:
        seen.add(draft.id)
        row = existing.get(draft.id)
        if row is None:
            new_cases.append({"id": draft.id, "period": period, "org_code": draft.org_code,
                              "measure": draft.measure, "proposal": draft.proposal,
                              "reply_due": None, "reply_days": draft.reply_days,
                              "rule_ids": list(draft.rule_ids), "evidence": list(draft.evidence),
                              "evidence_hash": draft.evidence_hash,
                              "policy_version": policy_version, "follow_up": None,
                              "replied_on": None, "created_at": now, "updated_at": now})
            new_notices.append(_notice_row(draft, period, now))
            events.append(event(draft.id, "opened"))
            opened += 1
        elif row.status == DocumentStatus.ISSUED:
            unchanged += 1  # what was issued never changes
        elif row.evidence_hash == draft.evidence_hash and row.status != DocumentStatus.WITHDRAWN:
            unchanged += 1
        else:
            reopened = row.status == DocumentStatus.WITHDRAWN
            row.rule_ids, row.evidence = list(draft.rule_ids), list(draft.evidence)
            row.measure, row.proposal, row.reply_days = draft.measure, draft.proposal, draft.reply_days
            row.evidence_hash, row.policy_version, row.updated_at = draft.evidence_hash, policy_version, now
            session.add(row)
            version = row.notice.version if row.notice else 0
            redrafted.append({**_notice_row(draft, period, now), "version": version + 1})
            events.append(event(row.id, "reopened" if reopened else "evidence_changed"))
            changed += 1
    gone = [case_id for case_id, row in existing.items() if case_id not in seen
            and row.status not in (DocumentStatus.WITHDRAWN, DocumentStatus.ISSUED)]
    for case_id in gone:
        events.append(event(case_id, DocumentStatus.WITHDRAWN, "复核后原认定的问题已不存在"))
        withdrawn += 1
    session.flush()
    if new_cases:  # Core inserts: thousands of new cases on a first run, no ORM object each
        bulk_insert(session, Case, new_cases)
        bulk_insert(session, Document, new_notices)
        bulk_insert(session, DocumentCase, [{"document_id": c["id"], "case_id": c["id"]}
                                            for c in new_cases])
    if redrafted:  # the earlier decision stays in the log; the notice is drafted again
        session.execute(update(Document), [
            {k: v for k, v in r.items() if k not in ("period", "org_code", "created_at")}
            for r in redrafted])
    if gone:
        session.execute(update(Document).where(
            Document.id.in_(gone), Document.status != DocumentStatus.ISSUED)  # type: ignore[attr-defined]
            .values(status=DocumentStatus.WITHDRAWN, version=Document.version + 1,
                    updated_at=now))
    # the log's time is taken once the rows are held (the UPDATEs above wait for a decision
    # being committed on them): a withdrawal that waited for an approval reads after it
    written = utcnow()
    log_events(session=session, events=[{**e, "at": written} for e in events])
    return StoreResult(opened, changed, withdrawn, unchanged)


def _notice_row(draft: Any, period: str, now: Any) -> dict[str, Any]:
    """A case's notice as a fresh draft: its kind is the case's measure."""
    return {"id": draft.id, "kind": draft.measure, "period": period,
            "org_code": draft.org_code, "status": DocumentStatus.DRAFT,
            "content_hash": draft.evidence_hash, "version": 1, "path": None, "html_path": None,
            "reviewer": None, "decided_at": None, "note": None, "decision_ref": None,
            "document_number": None, "number_prefix": None, "number_year": None,
            "number": None, "sha256": None, "issued_by": None, "issued_at": None,
            "issued_on": None, "overdue_since": None, "reply_due": None, "created_at": now,
            "updated_at": now}


def finish_evaluation(*, session: Session, run: EvaluationRun, facts: int, findings: int,
                      result: StoreResult) -> None:
    run.facts, run.findings = facts, findings
    run.actions_opened, run.actions_changed = result.opened, result.changed
    run.actions_withdrawn, run.finished_at = result.withdrawn, utcnow()
    session.add(run)


def list_cases(*, session: Session, period: str, include_withdrawn: bool = True) -> list[Case]:
    statement = select(Case).where(Case.period == period).order_by(Case.org_code, Case.id)
    if not include_withdrawn:
        statement = statement.where(Case.status != DocumentStatus.WITHDRAWN)
    return list(session.execute(statement).scalars().unique())


@dataclass(frozen=True)
class CaseLine:
    """A case as a period's digest lists it: how many findings, not the findings."""

    id: str
    org_code: str
    measure: str
    rule_ids: list[str]
    findings: int
    status: str
    document: str | None


def case_lines(*, session: Session, period: str) -> list[CaseLine]:
    """The period's cases (withdrawn ones too) in `list_cases`' order, read as columns: the
    digest of a province's month lists thousands, and their evidence is most of their bytes."""
    statement = (
        select(Case.id, Case.org_code, Case.measure, Case.rule_ids,
               func.json_array_length(Case.evidence),  # type: ignore[arg-type]
               func.coalesce(Document.status, DocumentStatus.DRAFT.value), Document.path)
        .outerjoin(Document, Document.id == Case.id)  # type: ignore[arg-type]
        .where(Case.period == period).order_by(Case.org_code, Case.id))
    return [CaseLine(*row) for row in zip(*read_columns(session, statement), strict=True)]


def get_case(*, session: Session, case_id: str) -> Case | None:
    return session.get(Case, case_id)


def organization_cases(*, session: Session, org_code: str, excluding: str = "") -> list[Case]:
    """An organization's cases of every period, newest first (the desk's history)."""
    return list(session.execute(
        select(Case).where(Case.org_code == org_code, Case.id != excluding)  # type: ignore[arg-type]
        .order_by(Case.period.desc())).scalars().unique())  # type: ignore[attr-defined]


def finding_counts(*, session: Session, first_period: str, last_period: str
                   ) -> list[tuple[str, str, int]]:
    """(org_code, period, current findings) for the months from first to last period."""
    rows = session.execute(
        select(Finding.org_code, Finding.period, func.count())
        .where(Finding.current, Finding.period >= first_period, Finding.period <= last_period)
        .group_by(Finding.org_code, Finding.period)).all()
    return [(org, period, int(count)) for org, period, count in rows]


def organization_names(*, session: Session) -> dict[str, str]:
    return dict(session.execute(select(Organization.org_code, Organization.org_name)).all())


def cases_needing_drafts(*, session: Session, period: str, fields: tuple[str, ...]
                         ) -> list[Any]:
    """Cases whose notice has no draft yet (new, or changed since) and is still to be decided
    or issued: the named columns of each, as rows (not ORM objects: thousands are drafted)."""
    columns = [getattr(Case, f) if f != "decision_ref" else Document.decision_ref
               for f in fields]
    return list(session.execute(
        select(*columns).join(Document, Document.id == Case.id)
        .where(Case.period == period, Document.path.is_(None),  # type: ignore[union-attr]
               Document.status.in_(REVIEWABLE))  # type: ignore[attr-defined]
        .order_by(Case.id)))


def talk_slots(*, session: Session, period: str) -> dict[str, int]:
    """Each live talk of the period and its place in the booking order (by case id)."""
    ids = session.execute(select(Case.id).where(
        Case.period == period, Case.measure == "talk",
        Case.status != DocumentStatus.WITHDRAWN).order_by(Case.id)).scalars()
    return {case_id: n for n, case_id in enumerate(ids)}
