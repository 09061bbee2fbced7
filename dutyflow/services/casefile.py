"""A case as a reviewer reads it at the desk: the notice, the evidence, the organization's
earlier cases and every event, plus the queue around it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from dutyflow.core.errors import DutyflowError
from dutyflow.core.vocabulary import (
    MEASURE_KINDS,
    QUARTER_CIRCULAR,
    RANKING_CIRCULAR,
    REVIEWABLE,
    circular_kind,
    circular_name,
    is_chase,
    is_circular,
    measure_name,
    status_words,
)
from dutyflow.models.accountability import action_events, organization_cases
from dutyflow.models.chases import get_chase, pending_chases
from dutyflow.models.db import session_scope
from dutyflow.models.decisions import circular_events, get_circular, pending_circulars
from dutyflow.models.issuing import issued_for
from dutyflow.models.queue import QueueFilter, QueuePage, case_queue, matching_ids, queue_choices
from dutyflow.models.tables import (
    ActionEvent,
    Case,
    Chase,
    CircularEvent,
    CircularReview,
    Organization,
)
from dutyflow.services.review import decide


@dataclass(frozen=True)
class CaseFile:
    action: Case
    org: Organization | None
    unit: Organization | None
    events: list[ActionEvent]
    history: list[Case]  # this organization's cases of other periods, newest first

    @property
    def measure(self) -> str:
        return measure_name(self.action.measure)

    @property
    def status_words(self) -> str:
        return status_words(self.action.status)

    @property
    def decidable(self) -> bool:
        return self.action.status in REVIEWABLE

    def document(self, suffix: str) -> Path | None:
        """The case's notice as .docx, .html or .pdf (the issued one once it is issued)."""
        return notice_path(self.action.document, self.action.html_document, suffix)


def notice_path(docx: str | None, html: str | None, suffix: str) -> Path | None:
    if not docx:
        return None
    path = Path(docx).with_suffix(suffix) if suffix != ".html" else Path(
        html or Path(docx).with_suffix(".html"))
    return path if path.is_file() else None


def case_document(subject: str, suffix: str) -> Path | None:
    """Only the notice's file: a download needs neither the history nor the audit trail."""
    with session_scope() as session:
        if is_circular(subject):
            issued = issued_for(session=session, subject=subject)
            if issued is not None:
                return notice_path(issued.path, issued.html_path, suffix)
            circular = get_circular(session=session, subject=subject)
            return notice_path(circular.document, circular.html_document, suffix) \
                if circular else None
        if is_chase(subject):
            chase = get_chase(session=session, chase_id=subject)
            return notice_path(chase.document, chase.html_document, suffix) if chase else None
        action = session.get(Case, subject)
    return notice_path(action.document, action.html_document, suffix) if action else None


@dataclass(frozen=True)
class ChaseFile:
    """A 催办 letter as the reviewer reads it: the letter, the case it chases, its history."""

    chase: Chase
    case: Case
    org: Organization | None
    events: list[ActionEvent]

    @property
    def status_words(self) -> str:
        return status_words(self.chase.status)

    @property
    def measure(self) -> str:
        return measure_name(self.case.measure)

    @property
    def decidable(self) -> bool:
        return self.chase.status in REVIEWABLE


def chase_file(subject: str) -> ChaseFile | None:
    with session_scope() as session:
        chase = get_chase(session=session, chase_id=subject) if is_chase(subject) else None
        if chase is None:
            return None
        case = session.get(Case, chase.action_id)
        assert case is not None
        return ChaseFile(chase, case, session.get(Organization, chase.org_code),
                         action_events(session=session, action_id=case.id))


def waiting_chases(period: str) -> list[Chase]:
    with session_scope() as session:
        return pending_chases(session=session, period=period or None)


@dataclass(frozen=True)
class CircularFile:
    """A quarter's circular as the reviewer reads it: the draft, its status and history."""

    circular: CircularReview
    events: list[CircularEvent]

    @property
    def status_words(self) -> str:
        return status_words(self.circular.status)

    @property
    def decidable(self) -> bool:
        return self.circular.status in REVIEWABLE

    @property
    def name(self) -> str:
        return circular_name(self.circular.subject)

    @property
    def basis(self) -> str:
        """What the reviewer approves, and what sends it back to review."""
        return _CIRCULAR_BASIS[circular_kind(self.circular.subject) or QUARTER_CIRCULAR]


_CIRCULAR_BASIS = {
    QUARTER_CIRCULAR: "通报只计已批准、已印发的措施；批准后若有新的决定改变了其中的数字，"
                      "须重新起草并再次审核。",
    RANKING_CIRCULAR: "排名依各月调度得分和政策的排名规则；批准后若重新调度改变了名次或榜单，"
                      "须重新起草并再次审核。印发后排名即固定，黄榜整改期满转黑榜或撤榜。",
}


def circular_file(subject: str) -> CircularFile | None:
    with session_scope() as session:
        circular = get_circular(session=session, subject=subject)
        if circular is None:
            return None
        return CircularFile(circular, circular_events(session=session, subject=subject))


def waiting_circulars(period: str) -> list[CircularReview]:
    with session_scope() as session:
        return pending_circulars(session=session, period=period or None)


def case_file(action_id: str) -> CaseFile | None:
    with session_scope() as session:
        action = session.get(Case, action_id)
        if action is None:
            return None
        org = session.get(Organization, action.org_code)
        unit = session.get(Organization, org.parent_code) if org and org.parent_code else None
        history = organization_cases(session=session, org_code=action.org_code,
                                     excluding=action.id)
        return CaseFile(action, org, unit, action_events(session=session, action_id=action_id),
                        history)


def queue_page(wanted: QueueFilter, page: int, size: int) -> tuple[QueuePage, dict]:
    """One page of the queue and the options of its filters."""
    with session_scope() as session:
        return (case_queue(session=session, wanted=wanted, page=page, size=size),
                queue_choices(session=session))


def queue_ids(wanted: QueueFilter) -> list[str]:
    with session_scope() as session:
        return matching_ids(session=session, wanted=wanted)


@dataclass
class BulkOutcome:
    approved: list[str]
    refused: list[str]  # "case id: reason"


def approve_office_cases(case_ids: list[str], reviewer: str) -> BulkOutcome:
    """Approve each case as its own decision; proposals are refused (the committee decides)."""
    outcome = BulkOutcome([], [])
    wanted = list(dict.fromkeys(case_ids))
    with session_scope() as session:  # one read for the lot, then one transaction per decision
        proposals = set(session.execute(select(Case.id).where(  # type: ignore[call-overload]
            Case.id.in_(wanted), Case.proposal.is_(True))).scalars())  # type: ignore[attr-defined]
    for case_id in wanted:
        try:
            if case_id in proposals:
                outcome.refused.append(f"{case_id}: a proposal needs the committee decision's "
                                       "reference; decide it on its own page")
                continue
            decide(action_id=case_id, decision="approve", reviewer=reviewer)
            outcome.approved.append(case_id)
        except DutyflowError as exc:
            outcome.refused.append(f"{case_id}: {exc}")
    return outcome


MEASURES = [(key, kind.name) for key, kind in sorted(MEASURE_KINDS.items(),
                                                     key=lambda kv: kv[1].rank)]
