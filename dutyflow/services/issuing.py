"""Issuing: approved cases get the next number of their series and a final document, gaplessly.

Each document is numbered, written and recorded in one transaction; if anything fails before
the commit the written files go too (the number was not used, so no document may carry it),
and a later run sweeps files a killed run left behind. Letters and 文件 number in their own
series. The period's 通报批评 is one 文件 for every criticism decided in the period, issued in
the same transaction as the letter each criticised organization gets.
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

from dutyflow.core.faults import fault_point
from dutyflow.core.periods import Period
from dutyflow.core.settings import settings
from dutyflow.core.vocabulary import (
    DOCUMENT_KINDS,
    MEASURE_KINDS,
    QUARTER_CIRCULAR,
    RANKING_CIRCULAR,
    DocumentFormat,
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
from dutyflow.documents.notice import Notice, build_circular
from dutyflow.documents.pdf import print_pdfs
from dutyflow.models.db import lock_period, session_scope
from dutyflow.models.decisions import (
    get_circular,
    log_circular_event,
    log_event,
    store_circular_draft,
    talk_slots,
)
from dutyflow.models.issuing import (
    approved_action_ids,
    claim_for_issue,
    criticism_circulars,
    issued_for,
    issued_paths,
    measures_of,
    next_number,
    record_issued,
)
from dutyflow.models.tables import IssuedDocument
from dutyflow.rules.policy import Policy
from dutyflow.services.circulars import criticism_context, quarter_context
from dutyflow.services.drafting import organizations
from dutyflow.services.ranking import communique_context, compute_ranking, publish
from dutyflow.services.scores import ScoreError

log = logging.getLogger(__name__)
CRITICISM = "circulated_criticism"
CRITICISM_CIRCULAR = "criticism_circular"


def _series(kind: str) -> DocumentFormat:
    """The number series of a circular's document kind (both are 文件)."""
    return DOCUMENT_KINDS[kind].format or DocumentFormat.DOCUMENT


@dataclass
class IssueSummary:
    period: str
    issued: list[tuple[str, str, str]] = field(default_factory=list)  # subject, number, path
    skipped: int = 0
    refused: list[str] = field(default_factory=list)  # why an approved case was not issued
    pdfs: int = 0


def sweep_orphans(folder: Path, *, keep: set[str]) -> list[Path]:
    """Remove documents a killed issue run wrote but never committed (their numbers were not
    used, so they will be written again under the same number), and their PDF views."""
    removed = []
    if folder.is_dir():
        for path in folder.iterdir():
            orphan_view = path.suffix == ".pdf" and str(path.with_suffix(".docx").resolve()) not in keep
            if orphan_view or (path.suffix in (".docx", ".html", ".tmp")
                               and str(path.resolve()) not in keep):
                path.unlink()
                removed.append(path)
    if removed:
        log.warning("removed %d uncommitted documents in %s", len(removed), folder)
    return removed


def number_and_record(*, session: Any, subject: str, period: str, on: date, issued_by: str,
                      action: Any, series: DocumentFormat,
                      render: Callable[[str], Written]) -> tuple[str, Written]:
    """Take the series' next number, write the document, record it, inside the caller's
    transaction."""
    prefix = series_prefix(series)
    number = next_number(session=session, prefix=prefix, year=on.year)
    doc_number = document_number(prefix, on.year, number)
    written = None
    try:
        written = render(doc_number)
        record_issued(session=session, action=action, document=IssuedDocument(
            doc_number=doc_number, prefix=prefix, year=on.year, number=number,
            subject=subject, period=period, path=str(written.docx),
            html_path=str(written.html), sha256=written.sha256, issued_by=issued_by))
        session.flush()
    except BaseException:
        if written is not None:
            written.docx.unlink(missing_ok=True)
            written.html.unlink(missing_ok=True)
        raise
    return doc_number, written


def _await_reply(action: Any, due: date | None, on: date) -> None:
    """An issued measure that asks for an answer waits for it until the date it gives."""
    action.issued_on, action.reply_due = on, due
    action.follow_up = FollowUp.AWAITING_REPLY if due else None


@dataclass(frozen=True)
class _Issuer:
    """What every document of one issue run shares."""

    period: str
    on: date
    issued_by: str
    orgs: dict[str, Any]
    slots: dict[str, int]

    def org_and_parent(self, action: Any) -> tuple[Any, Any]:
        org = self.orgs.get(action.org_code)
        return org, self.orgs.get(org.parent_code) if org and org.parent_code else None

    def issue_case(self, session: Any, action: Any, extra: dict[str, Any] | None = None,
                   after_write: Callable[[], None] = lambda: None) -> tuple[str, Written]:
        """Number, write and record one claimed case's document (its number may be empty)."""
        kind = MEASURE_KINDS[action.measure].document
        org, parent = self.org_and_parent(action)
        if kind.format is None:  # a return for correction: sent, but carries no number
            notice = final_notice(action=action, org=org, parent=parent, on=self.on,
                                  doc_number="")
            _await_reply(action, notice.meta["reply_due"], self.on)
            written = write_final(notice, self.period)
            action.document, action.html_document = str(written.docx), str(written.html)
            action.document_sha256 = written.sha256
            session.add(action)
            log_event(session=session, action_id=action.id, event=DocumentStatus.ISSUED,
                      actor=self.issued_by, note=f"{kind.name}（不编号）")
            return "", written
        # refuse before a number is taken: nothing to roll back but the claim
        refuse_unaddressed(action.id, address(kind, org=org, parent=parent).missing)

        def render(doc_number: str) -> Written:
            notice = final_notice(action=action, org=org, parent=parent, on=self.on,
                                  doc_number=doc_number, talk_slot=self.slots.get(action.id, 0),
                                  extra=extra)
            written = write_final(notice, self.period)
            _await_reply(action, notice.meta["reply_due"], self.on)  # the date the notice itself gives
            after_write()
            return written

        return number_and_record(session=session, subject=action.id, period=self.period,
                                 on=self.on, issued_by=self.issued_by, action=action,
                                 series=kind.format, render=render)


def issue_approved(*, period: str, on: date, issued_by: str) -> IssueSummary:
    """Number and finalise each approved case of a month, one transaction per document (the
    period's 通报批评 and its letters in one)."""
    summary = IssueSummary(period)
    with session_scope() as session:
        ids = approved_action_ids(session=session, period=period)
        recorded = issued_paths(session=session, period=period)
    sweep_orphans(issued_folder(period), keep=recorded)
    with session_scope() as session:
        run = _Issuer(period, on, issued_by, organizations(session),
                      talk_slots(session=session, period=period))
        kinds = measures_of(session=session, ids=ids)
    criticised = [i for i in ids if kinds.get(i) == CRITICISM]
    if criticised:
        _issue_criticism(run, criticised, summary)
    for action_id in (i for i in ids if i not in criticised):
        try:
            with session_scope() as session:
                action = claim_for_issue(session=session, action_id=action_id)
                if action is None:  # another issue run took it first
                    summary.skipped += 1
                    continue

                def mid_issue() -> None:
                    if len(summary.issued) == 1:
                        fault_point("mid_issue")  # one issued, the second written, uncommitted

                doc_number, written = run.issue_case(session, action, after_write=mid_issue)
        except NotIssuable as refused:
            summary.refused.append(str(refused))
            log.warning("%s", refused)
            continue
        summary.issued.append((action_id, doc_number, str(written.docx)))
    summary.pdfs = _print_views(summary)
    return summary


def _issue_criticism(run: _Issuer, ids: list[str], summary: IssueSummary) -> None:
    """One 通报 for all the period's decided criticisms, then a letter to each criticised
    organization citing it, all in one transaction: none is issued without the others."""
    written_files: list[Written] = []
    circulars: list[Notice] = []
    try:
        with session_scope() as session:
            lock_period(session, f"criticism-{run.period}")
            actions = [a for i in ids if (a := claim_for_issue(session=session, action_id=i))]
            if not actions:
                summary.skipped += len(ids)
                return
            previous = len(criticism_circulars(session=session, period=run.period))
            subject = f"criticism-{run.period}" + (f"-{previous + 1}" if previous else "")
            context = criticism_context(actions=actions, orgs=run.orgs,
                                        period=Period.parse(run.period))

            def render(doc_number: str) -> Written:
                notice = build_circular(kind=CRITICISM_CIRCULAR, subject=subject,
                                        context=context, on=run.on, doc_number=doc_number)
                circulars.append(notice)
                written = write_notice(notice, issued_folder(run.period),
                                       safe_name(f"{doc_number}-{subject}"))
                written_files.append(written)
                return written

            number, written = number_and_record(
                session=session, subject=subject, period=run.period, on=run.on,
                issued_by=run.issued_by, action=None, series=_series(CRITICISM_CIRCULAR),
                render=render)
            title = circulars[-1].title
            issued = [(subject, number, str(written.docx))]
            for action in actions:
                doc_number, letter = run.issue_case(
                    session, action, extra={"circular_number": number, "circular_title": title})
                written_files.append(letter)
                log_event(session=session, action_id=action.id, event="circulated",
                          actor=run.issued_by, note=f"通报 {number}")
                issued.append((action.id, doc_number, str(letter.docx)))
    except NotIssuable as refused:
        for files in written_files:
            files.docx.unlink(missing_ok=True)
            files.html.unlink(missing_ok=True)
        summary.refused.append(str(refused))
        log.warning("the period's 通报批评 was not issued: %s", refused)
        return
    summary.issued.extend(issued)


def _print_views(summary: IssueSummary) -> int:
    if not settings.pdf_views:
        return 0
    return len(print_pdfs([Path(path) for _, _, path in summary.issued]))


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
        "no measure was decided in the quarter"
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


def issue_circular(*, quarter: str, on: date, issued_by: str, kind: str = QUARTER_CIRCULAR,
                   policy: Policy | None = None) -> tuple[str, str] | None:
    """Number and write a quarter's circular, once: never empty, and only as approved."""
    subject = circular_subject(quarter, kind)
    with session_scope() as session:
        if issued_for(session=session, subject=subject) is not None:
            return None  # an issued circular is never rewritten
        review = get_circular(session=session, subject=subject)
        drafted = review is not None
    figures = circular_figures(kind, quarter, on, policy)
    if figures.empty:
        raise EmptyCircular(f"{quarter}: {figures.empty}; an empty circular is not issued")
    if not drafted:
        raise CircularNotApproved(f"{subject} is not drafted yet: draft it ({_DRAFTED_BY[kind]}) "
                                  "and have it reviewed")
    with session_scope() as session:
        lock_period(session, subject)
        if issued_for(session=session, subject=subject) is not None:
            return None
        review = get_circular(session=session, subject=subject)
        if review is None or review.status != DocumentStatus.APPROVED:
            raise CircularNotApproved(
                f"{subject} is {review.status if review else 'gone'}: it is issued once a "
                f"reviewer approves it (the desk, or `dutyflow review {subject} --approve "
                "--reviewer NAME`)")
        if review.content_hash != figures.digest:
            raise CircularNotApproved(
                f"{subject}: decisions changed its figures after {review.reviewer} approved it; "
                f"draft it again ({_DRAFTED_BY[kind]}) and have it reviewed")

        def render(doc_number: str) -> Written:
            notice = build_circular(kind=kind, subject=subject, context=figures.context,
                                    on=on, doc_number=doc_number)
            return write_notice(notice, issued_folder(quarter),
                                safe_name(f"{doc_number}-{subject}"))

        doc_number, written = number_and_record(
            session=session, subject=subject, period=quarter, on=on, issued_by=issued_by,
            action=None, series=_series(kind), render=render)
        if figures.on_issue is not None:
            figures.on_issue(session, on, doc_number)
        review.status, review.doc_number = DocumentStatus.ISSUED, doc_number
        log_circular_event(session=session, circular=review, event=DocumentStatus.ISSUED,
                           actor=issued_by, note=doc_number)
    if settings.pdf_views:
        print_pdfs([written.docx])
    return doc_number, str(written.docx)


def circular_drafted(quarter: str, kind: str) -> bool:
    with session_scope() as session:
        return get_circular(session=session, subject=circular_subject(quarter, kind)) is not None


_DRAFTED_BY = {QUARTER_CIRCULAR: "the quarter-circular flow",
               RANKING_CIRCULAR: "`dutyflow ranking --period Q --draft`"}


def draft_circular(*, quarter: str, on: date, kind: str = QUARTER_CIRCULAR,
                   policy: Policy | None = None) -> Path | None:
    """Draft a quarter's circular as it would be issued and open its review; a draft whose
    figures changed goes back to review. None: nothing to circulate."""
    subject = circular_subject(quarter, kind)
    with session_scope() as session:
        review = get_circular(session=session, subject=subject)
        if review is not None and review.status == DocumentStatus.ISSUED:
            return Path(review.document) if review.document else None
    figures = circular_figures(kind, quarter, on, policy)
    if figures.empty:
        log.warning("%s: %s; no circular to draft", quarter, figures.empty)
        return None
    with session_scope() as session:
        lock_period(session, subject)
        review = get_circular(session=session, subject=subject)
        if review is not None and review.status == DocumentStatus.ISSUED:
            return Path(review.document) if review.document else None
        notice = build_circular(kind=kind, subject=subject, context=figures.context, on=on)
        written = write_notice(notice, drafts_folder(quarter), subject)
        store_circular_draft(session=session, subject=subject, period=quarter,
                             content_hash=figures.digest, document=str(written.docx),
                             html_document=str(written.html))
    return written.docx
