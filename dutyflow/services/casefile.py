"""A document as a reviewer reads it at the desk (a case's notice with its evidence and the
organization's earlier cases, a 催办, a circular), and the queue around it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from dutyflow.core.errors import DutyflowError
from dutyflow.core.vocabulary import (
    CHASE,
    CRITICISM_CIRCULAR,
    MEASURE_KINDS,
    QUARTER_CIRCULAR,
    RANKING_CIRCULAR,
    REVIEWABLE,
    DocumentStatus,
    document_name,
    measure_name,
    status_words,
)
from dutyflow.models.accountability import organization_cases, organization_names
from dutyflow.models.db import session_scope
from dutyflow.models.documents import (
    case_ids_of,
    events_about,
    events_of,
    get_document,
    period_documents,
)
from dutyflow.models.queue import QueueFilter, QueuePage, case_queue, matching_ids, queue_choices
from dutyflow.models.tables import Case, Document, Event, Organization
from dutyflow.services.review import decide


@dataclass(frozen=True)
class DocumentFile:
    """A document as the reviewer reads it at the desk, whatever its kind: the document, the
    case it is the notice of (if any), the cases it concerns, the organization, the history."""

    document: Document
    case: Case | None  # the case whose notice this is
    cases: list[Case]  # the cases it concerns (a 催办's, a 通报's)
    org: Organization | None
    parent: Organization | None
    events: list[Event]
    history: list[Case]  # the organization's cases of other periods, newest first
    committee: bool  # approving it needs the committee decision's reference

    @property
    def name(self) -> str:
        return document_name(self.document.kind)

    @property
    def measure(self) -> str:
        return measure_name(self.case.measure) if self.case else ""

    @property
    def status_words(self) -> str:
        return status_words(self.document.status)

    @property
    def decidable(self) -> bool:
        return self.document.status in REVIEWABLE

    @property
    def basis(self) -> str:
        """What the reviewer approves, and what sends it back to review."""
        return _BASIS.get(self.document.kind, "")

    def file(self, suffix: str) -> Path | None:
        """The document as .docx, .html or .pdf (the issued one once issued)."""
        return notice_path(self.document.path, self.document.html_path, suffix)


_BASIS = {
    QUARTER_CIRCULAR: "通报只计已批准、已印发的措施；批准后若有新的决定改变了其中的数字，"
                      "须重新起草并再次审核。",
    RANKING_CIRCULAR: "排名依各月调度得分和政策的排名规则；批准后若重新调度改变了名次或榜单，"
                      "须重新起草并再次审核。印发后排名即固定，黄榜整改期满转黑榜或撤榜。",
    CRITICISM_CIRCULAR: "通报只列工委会议已决定通报批评的组织；决定有变化时通报重新起草，"
                        "须再次审核。通报印发时，各被通报组织的整改函随之印发。",
    CHASE: "整改情况反馈逾期未收到；印发前收到反馈的，催办函自动撤回。",
}


def notice_path(docx: str | None, html: str | None, suffix: str) -> Path | None:
    if not docx:
        return None
    if suffix == ".html":  # a draft's view is laid out when first asked
        from dutyflow.documents.files import notice_view  # (Jinja2: not for read-only commands)

        return notice_view(Path(html or Path(docx).with_suffix(".html")))
    path = Path(docx).with_suffix(suffix)
    return path if path.is_file() else None


def document_path(document_id: str, suffix: str) -> Path | None:
    """Only the document's file: a download needs neither the history nor the audit trail."""
    with session_scope() as session:
        document = get_document(session=session, document_id=document_id)
    return notice_path(document.path, document.html_path, suffix) if document else None


def document_file(document_id: str) -> DocumentFile | None:
    with session_scope() as session:
        document = get_document(session=session, document_id=document_id)
        if document is None:
            return None
        case = session.get(Case, document_id)
        ids = case_ids_of(session=session, document_id=document_id)
        cases = list(session.execute(select(Case).where(Case.id.in_(ids))  # type: ignore[attr-defined]
                                     .order_by(Case.id)).scalars().unique())
        org = session.get(Organization, document.org_code) if document.org_code else None
        parent = session.get(Organization, org.parent_code) if org and org.parent_code else None
        if case is not None:
            events = events_about(session=session, case_id=case.id)
            history = organization_cases(session=session, org_code=case.org_code,
                                         excluding=case.id)
        else:
            events, history = events_of(session=session, subject=document_id), []
        return DocumentFile(document, case, [c for c in cases if c.id != document_id], org,
                            parent, events, history, bool(case and case.proposal))


def waiting_documents(period: str, kinds: tuple[str, ...]) -> list[tuple[Document, str]]:
    """Drafts of these kinds, each with the name of the organization it goes to."""
    with session_scope() as session:
        names = organization_names(session=session)
        return [(d, names.get(d.org_code, d.org_code) if d.org_code else "")
                for d in period_documents(session=session, period=period or None, kinds=kinds,
                                          statuses=(DocumentStatus.DRAFT,))]


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
    """Approve each case as its own decision; proposals are refused (the committee decides).

    Each id may carry the version of the notice the reviewer saw (`id@version`, as the queue
    sends it): a notice decided or changed since is refused, not overwritten."""
    outcome = BulkOutcome([], [])
    seen: dict[str, int | None] = {}
    for value in case_ids:
        case_id, _, version = value.partition("@")
        seen.setdefault(case_id, int(version) if version.isdigit() else None)
    wanted = list(seen)
    with session_scope() as session:  # one read for the lot, then one transaction per decision
        proposals = set(session.execute(select(Case.id).where(  # type: ignore[call-overload]
            Case.id.in_(wanted), Case.proposal.is_(True))).scalars())  # type: ignore[attr-defined]
    for case_id in wanted:
        try:
            if case_id in proposals:
                outcome.refused.append(f"{case_id}：提议须经工委会议决定，请在其页面上"
                                       "填写会议决定文号后批准")
                continue
            decide(document_id=case_id, decision="approve", reviewer=reviewer,
                   seen_version=seen[case_id])
            outcome.approved.append(case_id)
        except DutyflowError as exc:
            outcome.refused.append(f"{case_id}：{exc}")
    return outcome


MEASURES = [(key, kind.name) for key, kind in sorted(MEASURE_KINDS.items(),
                                                     key=lambda kv: kv[1].rank)]
