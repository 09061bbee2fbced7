"""Issuing: every approved document of a period gets the next number of its series and its
final file, gaplessly, whatever its kind.

Each document is numbered, written and recorded in one transaction; if anything fails before
the commit the written files go too (the number was not used, so no document may carry it),
and a later run sweeps files a killed run left behind. What differs between kinds is only how
the final document is written (`_WRITERS`); the claim, the number, the record and the log are
one path. The period's 通报批评 and the letters that cite its number are issued in one
transaction; a letter whose 通报 is not approved yet waits for it.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from dutyflow.core.calendar import add_working_days
from dutyflow.core.faults import fault_point
from dutyflow.core.office import OfficeError
from dutyflow.core.periods import Period
from dutyflow.core.settings import settings
from dutyflow.core.vocabulary import (
    CHASE,
    CRITICISM_CIRCULAR,
    DOCUMENT_KINDS,
    MEASURE_KINDS,
    QUARTER_CIRCULAR,
    RANKING_CIRCULAR,
    DocumentStatus,
    FollowUp,
    circular_subject,
)
from dutyflow.documents.addressing import address
from dutyflow.documents.files import (
    NotIssuable,
    Written,
    document_number,
    drafts_folder,
    final_notice,
    issued_folder,
    refuse_unaddressed,
    safe_name,
    series_prefix,
    write_final,
    write_notice,
)
from dutyflow.documents.notice import build_circular
from dutyflow.documents.pdf import print_pdfs
from dutyflow.models.accountability import talk_slots
from dutyflow.models.db import lock_period, session_scope
from dutyflow.models.documents import (
    Numbered,
    back_to_draft,
    case_ids_of,
    claim_for_issue,
    get_document,
    issued_paths,
    log_event,
    open_document,
    period_documents,
    record_issue,
    record_meeting,
    set_drafts,
)
from dutyflow.models.issuing import approved_documents, next_number
from dutyflow.models.tables import Case, Document
from dutyflow.rules.policy import Policy
from dutyflow.services.circulars import criticism_context, quarter_context
from dutyflow.services.drafting import histories, organizations
from dutyflow.services.notify import queue_notifications
from dutyflow.services.ranking import communique_context, compute_ranking, publish
from dutyflow.services.scores import ScoreError

log = logging.getLogger(__name__)
CRITICISM = "circulated_criticism"


@dataclass
class IssueSummary:
    period: str
    issued: list[tuple[str, str, str]] = field(default_factory=list)  # id, number, path
    skipped: int = 0
    refused: list[str] = field(default_factory=list)  # why an approved document waits
    waiting: list[str] = field(default_factory=list)  # documents still to be reviewed
    pdfs: int = 0


def sweep_orphans(folder: Path, *, keep: set[str]) -> list[Path]:
    """Remove documents a killed issue run wrote but never committed (their numbers were not
    used, so they will be written again under the same number), and their PDF views."""
    removed = []
    # by name too: an output folder moved or copied elsewhere keeps what was issued in it
    names = {Path(p).name for p in keep}
    if folder.is_dir():
        for path in folder.iterdir():
            docx = path.with_suffix(".docx")
            orphan_view = path.suffix == ".pdf" and str(docx.resolve()) not in keep \
                and docx.name not in names
            if orphan_view or (path.suffix in (".docx", ".html", ".tmp")
                               and str(path.resolve()) not in keep and path.name not in names):
                path.unlink()
                removed.append(path)
    if removed:
        log.warning("removed %d uncommitted documents in %s", len(removed), folder)
    return removed


@dataclass(frozen=True)
class _Run:
    """What every document of one issue run shares."""

    period: str
    on: date
    issued_by: str
    orgs: dict[str, Any]
    slots: dict[str, int]
    policy: Policy | None

    def org_and_parent(self, org_code: str | None) -> tuple[Any, Any]:
        org = self.orgs.get(org_code) if org_code else None
        return org, self.orgs.get(org.parent_code) if org and org.parent_code else None


# A writer renders one claimed document's final file under its number ("" when its kind
# carries none) and returns it with the date an answer is due (None: no answer asked).
Writer = Callable[[Any, _Run, Document, str], tuple[Written, date | None]]


def _write_case_notice(session: Any, run: _Run, document: Document, number: str,
                       extra: dict[str, Any] | None = None) -> tuple[Written, date | None]:
    case = session.get(Case, document.id)
    org, parent = run.org_and_parent(case.org_code)
    history = histories(session, [case], run.orgs, on=run.on)[case.id]
    notice = final_notice(action=case, org=org, parent=parent, on=run.on, doc_number=number,
                          talk_slot=run.slots.get(case.id, 0), extra=extra, history=history)
    if notice.meta.get("meeting_on"):
        record_meeting(session=session, document_id=document.id, day=notice.meta["meeting_on"],
                       time=notice.meta["meeting_time"])
    return write_final(notice, run.period), notice.meta["reply_due"]


def _citing(circular_number: str, circular_title: str) -> Writer:
    """A criticised organization's letter, citing the 通报 that named it."""
    extra = {"circular_number": circular_number, "circular_title": circular_title}

    def write(session: Any, run: _Run, document: Document,
              number: str) -> tuple[Written, date | None]:
        return _write_case_notice(session, run, document, number, extra)
    return write


def _write_chase(session: Any, run: _Run, document: Document,
                 number: str) -> tuple[Written, date | None]:
    from dutyflow.services.chasing import chase_notice

    assert run.policy is not None
    notice = chase_notice(session, document, run.policy, run.on, number or None, run.orgs)
    refuse_unaddressed(document.id, notice.missing)
    written = write_notice(notice, issued_folder(run.period),
                           safe_name(f"{number}-{document.id}"))
    return written, add_working_days(run.on, run.policy.replies.chase.working_days)


def _write_circular(figures: CircularFigures) -> Writer:
    def write(session: Any, run: _Run, document: Document,
              number: str) -> tuple[Written, date | None]:
        notice = build_circular(kind=document.kind, subject=document.id,
                                context=figures.context, on=run.on, doc_number=number)
        written = write_notice(notice, issued_folder(run.period),
                               safe_name(f"{number}-{document.id}"))
        if figures.on_issue is not None:
            figures.on_issue(session, run.on, number)
        return written, None
    return write


def _issue_one(session: Any, run: _Run, document: Document, write: Writer,
               after_write: Callable[[], None] = lambda: None) -> tuple[str, Written]:
    """Take the series' next number, write the document, record it: the caller's
    transaction. Nothing is numbered for a document that names no one to send it to."""
    kind = DOCUMENT_KINDS[document.kind]
    numbered = None
    if kind.format is not None:
        prefix = series_prefix(kind.format)
        number = next_number(session=session, prefix=prefix, year=run.on.year)
        numbered = Numbered(document_number(prefix, run.on.year, number), prefix, run.on.year,
                            number)
    written = None
    try:
        written, due = write(session, run, document, numbered.document_number if numbered else "")
        after_write()
        record_issue(session=session, document=document, on=run.on, issued_by=run.issued_by,
                     path=str(written.docx), html_path=str(written.html),
                     sha256=written.sha256, numbered=numbered,
                     reply_due=due,
                     note=_issue_note(document, numbered, due))
        _follow(session, document, run.on, due)
        # the addressees are told later (send-notifications): a mail server or a robot that
        # is down must never hold up or undo an issue
        queue_notifications(session=session, document=document)
    except BaseException:
        if written is not None:
            written.docx.unlink(missing_ok=True)
            written.html.unlink(missing_ok=True)
        raise
    return (numbered.document_number if numbered else ""), written


def _issue_note(document: Document, numbered: Numbered | None, due: date | None) -> str:
    number = numbered.document_number if numbered else f"{DOCUMENT_KINDS[document.kind].name}（不编号）"
    return f"{number}，限{due}前反馈" if document.kind == CHASE and due else number


def _follow(session: Any, document: Document, on: date, due: date | None) -> None:
    """An issued notice that asks for an answer: its case waits for it until `due`."""
    if document.kind not in MEASURE_KINDS:
        return
    case = session.get(Case, document.id)
    case.reply_due = due
    case.follow_up = FollowUp.AWAITING_REPLY if due else None
    session.add(case)


def issue_approved(*, period: str, on: date, issued_by: str,
                   policy: Policy | None = None) -> IssueSummary:
    """Number and finalise every approved document of a period, one transaction each (the
    period's 通报批评 with its letters in one). A quarter's are its circulars. Nothing is
    issued while the office file is missing or still holds an example (OfficeError)."""
    require_office()
    summary = IssueSummary(period)
    with session_scope() as session:
        approved = approved_documents(session=session, period=period)
        recorded = issued_paths(session=session, period=period)
        run = _Run(period, on, issued_by, organizations(session),
                   talk_slots(session=session, period=period), policy)
    sweep_orphans(issued_folder(period), keep=recorded)
    letters = {i for i, kind in approved if kind == CRITICISM}
    for document_id, kind in approved:
        if kind == CRITICISM:
            continue
        try:
            if kind == CRITICISM_CIRCULAR:
                issued = _issue_criticism(run, document_id, letters)
            elif kind in (QUARTER_CIRCULAR, RANKING_CIRCULAR):
                issued = _issue_circular(run, document_id, kind)
            else:
                issued = _issue_document(run, document_id, summary)
        except NotIssuable as refused:
            summary.refused.append(str(refused))
            log.warning("%s", refused)
            continue
        if issued is None:
            summary.skipped += 1
        else:
            summary.issued.extend(issued)
    for document_id in sorted(letters):  # criticisms whose 通报 was issued before them
        try:
            issued = _issue_late_letter(run, document_id)
        except NotIssuable as refused:
            summary.refused.append(str(refused))
            continue
        if issued:
            summary.issued.extend(issued)
    with session_scope() as session:
        summary.waiting = [f"{d.id} 现为“{d.status_words}”：经审核批准后才能印发"
                           for d in period_documents(session=session, period=period,
                                                     statuses=(DocumentStatus.DRAFT,))]
    summary.pdfs = _print_views(summary)
    return summary


def require_office() -> None:
    """Every issued document names its issuer, its address, telephone and 约谈人: refuse,
    naming the setting, while any of them is missing or an example."""
    refusal = settings.issue_refusal()
    if refusal:
        raise OfficeError(refusal)


def _issue_document(run: _Run, document_id: str, summary: IssueSummary
                    ) -> list[tuple[str, str, str]] | None:
    """A case's notice or a 催办."""
    with session_scope() as session:
        document = claim_for_issue(session=session, document_id=document_id)
        if document is None:  # another issue run took it first
            return None
        if document.kind == CHASE:
            from dutyflow.services.chasing import answered_meanwhile

            if answered_meanwhile(session, document):
                return []
            write: Writer = _write_chase
        else:
            write = _write_case_notice
            org, parent = run.org_and_parent(document.org_code)
            # refuse before a number is taken: nothing to roll back but the claim
            refuse_unaddressed(document.id, address(DOCUMENT_KINDS[document.kind], org=org,
                                                    parent=parent).missing)

        def mid_issue() -> None:
            if len(summary.issued) == 1:
                fault_point("mid_issue")  # one issued, the second written, uncommitted

        number, written = _issue_one(session, run, document, write, after_write=mid_issue)
    return [(document_id, number, str(written.docx))]


def _issue_criticism(run: _Run, circular_id: str, letters: set[str]
                     ) -> list[tuple[str, str, str]] | None:
    """The period's 通报 and the letter to each organization it names, in one transaction:
    none is issued without the others. The letters must be approved too; the 通报 must still
    say what the committee decided."""
    from dutyflow.services.criticism import content_hash, decided_criticisms

    with session_scope() as session:
        lock_period(session, f"criticism-{run.period}")
        circular = claim_for_issue(session=session, document_id=circular_id)
        if circular is None:
            return None
        named = case_ids_of(session=session, document_id=circular_id)
        decided = decided_criticisms(session=session, period=run.period)
        if content_hash([c for c in decided if c.id in named]) != circular.content_hash \
                or {c.id for c in decided} != set(named):
            raise NotIssuable(f"{circular_id}：批准后工委会议的决定有变化，通报须重新起草并再次审核")
        criticised = [c for c in decided if c.id in named]
        context = criticism_context(actions=criticised, orgs=run.orgs,
                                    period=Period.parse(run.period),
                                    histories=histories(session, criticised, run.orgs,
                                                        on=run.on, named=True))
        figures = CircularFigures(context, circular.content_hash)
        number, written = _issue_one(session, run, circular, _write_circular(figures))
        issued = [(circular_id, number, str(written.docx))]
        title = build_circular(kind=CRITICISM_CIRCULAR, subject=circular_id, context=context,
                               on=run.on, doc_number=number).title
        for case_id in named:
            letter = claim_for_issue(session=session, document_id=case_id)
            if letter is None:
                raise NotIssuable(f"{case_id}：通报批评整改函未获批准，通报暂不印发")
            letters.discard(case_id)
            org, parent = run.org_and_parent(letter.org_code)
            refuse_unaddressed(case_id, address(DOCUMENT_KINDS[CRITICISM], org=org,
                                                parent=parent).missing)
            doc_number, letter_file = _issue_one(session, run, letter, _citing(number, title))
            log_event(session=session, subject=case_id, period=letter.period, event="circulated",
                      actor=run.issued_by, note=f"通报 {number}")
            issued.append((case_id, doc_number, str(letter_file.docx)))
    return issued


def _issue_late_letter(run: _Run, case_id: str) -> list[tuple[str, str, str]]:
    """A criticism decided after its 通报 was issued waits for the next 通报; one already named
    by an issued 通报 goes out citing it."""
    with session_scope() as session:
        cited = [d for d in period_documents(session=session, period=run.period,
                                             kinds=(CRITICISM_CIRCULAR,),
                                             statuses=(DocumentStatus.ISSUED,))
                 if case_id in case_ids_of(session=session, document_id=d.id)]
        if not cited:
            raise NotIssuable(f"{case_id}：通报批评整改函随通报印发，本期通报尚未批准（请先审核通报）")
        letter = claim_for_issue(session=session, document_id=case_id)
        if letter is None:
            return []
        number, written = _issue_one(session, run, letter,
                                     _citing(cited[-1].document_number or "", ""))
    return [(case_id, number, str(written.docx))]


def _print_views(summary: IssueSummary) -> int:
    if not settings.pdf_views:
        return 0
    return len(print_pdfs([Path(path) for _, _, path in summary.issued]))


# ------------------------------------------------------------------ the quarter's circulars


class EmptyCircular(NotIssuable):
    """A quarter with nothing to circulate gets no circular number."""


class CircularNotApproved(NotIssuable):
    """A circular is issued only as a reviewer approved it."""


@dataclass(frozen=True)
class CircularFigures:
    """What a circular says, the hash its review approves (dates aside: the draft and the
    issued document differ in their date only), and why there is nothing to say, if so."""

    context: dict[str, Any]
    digest: str
    empty: str = ""
    # what issuing it also records, in its transaction (the ranking as published)
    on_issue: Callable[[Any, date, str], None] | None = None


def content_digest(content: Any) -> str:
    return hashlib.sha256(json.dumps(content, ensure_ascii=False, sort_keys=True,
                                     default=str).encode()).hexdigest()


def quarter_figures(quarter: str) -> CircularFigures:
    """The quarter's circular (季度通报) speaks of decided measures only."""
    with session_scope() as session:
        context = quarter_context(session=session, quarter=Period.parse(quarter), decided=True)
    empty = "" if context["measures_total"] or context["accountability_total"] else \
        "本季度没有已决定的措施"
    return CircularFigures(context, content_digest(context), empty)


def circular_figures(kind: str, quarter: str, on: date, policy: Policy | None) -> CircularFigures:
    if kind == QUARTER_CIRCULAR:
        return quarter_figures(quarter)
    if policy is None:
        raise ValueError(f"the {kind} needs the policy its scores follow")
    return ranking_figures(quarter=quarter, policy=policy, on=on)


def ranking_figures(*, quarter: str, policy: Policy, on: date) -> CircularFigures:
    """The ranking communiqué (考评排名通报) from the quarter's ranking as computed today."""
    try:
        ranking = compute_ranking(quarter=Period.parse(quarter), policy=policy, on=on)
    except ScoreError as why:
        return CircularFigures({}, "", str(why))
    standings = [(r.group, r.rank, r.org_code, r.score, r.listing, r.previous)
                 for r in ranking.rows]

    def keep(session: Any, day: date, doc_number: str) -> None:
        publish(session=session, ranking=ranking, on=day, doc_number=doc_number)

    return CircularFigures(communique_context(ranking, on),
                           content_digest([standings, policy.ranking.model_dump()]), on_issue=keep)


_DRAFTED_BY = {QUARTER_CIRCULAR: "季度通报流程（quarter-circular）",
               RANKING_CIRCULAR: "dutyflow ranking --period Q --draft"}


def _issue_circular(run: _Run, document_id: str, kind: str) -> list[tuple[str, str, str]] | None:
    """A quarter's circular, once: never empty, and only as approved."""
    figures = circular_figures(kind, run.period, run.on, run.policy)
    if figures.empty:
        raise EmptyCircular(f"{run.period}：{figures.empty}，空的通报不印发")
    with session_scope() as session:
        lock_period(session, document_id)
        circular = claim_for_issue(session=session, document_id=document_id)
        if circular is None:
            return None
        if circular.content_hash != figures.digest:
            raise CircularNotApproved(
                f"{document_id}：{circular.reviewer}批准之后数字已有变化，须重新起草"
                f"（{_DRAFTED_BY[kind]}）并再次审核")
        number, written = _issue_one(session, run, circular, _write_circular(figures))
    return [(document_id, number, str(written.docx))]


def issue_circular(*, quarter: str, on: date, issued_by: str, kind: str = QUARTER_CIRCULAR,
                   policy: Policy | None = None) -> tuple[str, str] | None:
    """Issue one of the quarter's circulars if it is approved (None: issued already)."""
    require_office()
    subject = circular_subject(quarter, kind)
    with session_scope() as session:
        document = get_document(session=session, document_id=subject)
        if document is not None and document.status == DocumentStatus.ISSUED:
            return None
        run = _Run(quarter, on, issued_by, organizations(session), {}, policy)
    if document is None:
        raise CircularNotApproved(f"{subject} 尚未起草：请先起草（{_DRAFTED_BY[kind]}）并审核")
    if document.status != DocumentStatus.APPROVED:
        figures = circular_figures(kind, quarter, on, policy)
        if figures.empty:
            raise EmptyCircular(f"{quarter}：{figures.empty}，空的通报不印发")
        raise CircularNotApproved(f"{subject} 现为“{document.status_words}”：经审核批准后才能印发")
    issued = _issue_circular(run, subject, kind)
    if not issued:
        return None
    if settings.pdf_views:
        print_pdfs([Path(issued[0][2])])
    return issued[0][1], issued[0][2]


def circular_drafted(quarter: str, kind: str) -> bool:
    with session_scope() as session:
        return get_document(session=session,
                            document_id=circular_subject(quarter, kind)) is not None


def draft_circular(*, quarter: str, on: date, kind: str = QUARTER_CIRCULAR,
                   policy: Policy | None = None) -> Path | None:
    """Draft a quarter's circular as it would be issued and open its review; a draft whose
    figures changed goes back to review. None: nothing to circulate."""
    subject = circular_subject(quarter, kind)
    with session_scope() as session:
        document = get_document(session=session, document_id=subject)
        if document is not None and document.status == DocumentStatus.ISSUED:
            return Path(document.path) if document.path else None
    figures = circular_figures(kind, quarter, on, policy)
    if figures.empty:
        log.warning("%s: %s; no circular to draft", quarter, figures.empty)
        return None
    with session_scope() as session:
        lock_period(session, subject)
        document = get_document(session=session, document_id=subject)
        if document is not None and document.status == DocumentStatus.ISSUED:
            return Path(document.path) if document.path else None
        notice = build_circular(kind=kind, subject=subject, context=figures.context, on=on)
        written = write_notice(notice, drafts_folder(quarter), subject, view=False)
        if document is None:
            open_document(session=session, document_id=subject, kind=kind, period=quarter,
                          content_hash=figures.digest)
        else:
            back_to_draft(session=session, document=document, content_hash=figures.digest,
                          note="数字有变化：须再次审核")
        set_drafts(session=session, drafts={subject: (str(written.docx), str(written.html))})
    return written.docx

