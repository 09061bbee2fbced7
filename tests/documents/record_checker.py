"""A reader that checks every issued document against the database, the way a 机关工委 officer
checks a draft before signing: each document number it cites was issued, to the organization
it speaks to, before it, on the date it gives; each answer it says came (or did not) is on
record; each deadline falls on a working day; no history is told that the record does not
hold. It returns the problems found, one line each: an empty list is a pass."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import docx
from sqlalchemy import select

from dutyflow.core.calendar import is_working_day, local_time
from dutyflow.core.settings import settings
from dutyflow.core.vocabulary import CHASE, CRITICISM_CIRCULAR, DocumentStatus
from dutyflow.models.db import session_scope
from dutyflow.models.tables import Case, Document, DocumentCase, Event, Reply

DAY = r"(\d{4})年(\d{1,2})月(\d{1,2})日"
# the office's two series (letters first: its prefix extends the other)
NUMBER = (f"(?:{re.escape(settings.office.letter_prefix)}"
          f"|{re.escape(settings.office.issuer_prefix)})" r"〔\d{4}〕\d+号")
# histories a document once told from the ladder, not from the record
INFERRED = ("经提醒、约谈", "已被提醒、约谈", "前期已被", "提醒、约谈、通报批评后")


def day_of(match: tuple[str, str, str]) -> date:
    return date(*map(int, match))


def document_text(path: str) -> str:
    """Every paragraph and table cell of a .docx, in order (cells joined by |)."""
    doc = docx.Document(path)
    lines = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        lines += ["|".join(c.text for c in row.cells) for row in table.rows]
    return "\n".join(lines)


@dataclass(frozen=True)
class Issued:
    id: str
    kind: str
    org_code: str | None
    number: str | None
    issued_on: date
    reply_due: date | None
    path: str
    case_ids: tuple[str, ...]


def _record() -> tuple[dict[str, Issued], dict[str, str], dict[str, list[date]],
                       dict[str, list[date]], dict[str, Case]]:
    with session_scope() as session:
        links: dict[str, list[str]] = {}
        for document_id, case_id in session.execute(select(DocumentCase.document_id,
                                                           DocumentCase.case_id)).all():
            links.setdefault(document_id, []).append(case_id)
        issued = {d.id: Issued(d.id, d.kind, d.org_code, d.document_number, d.issued_on,
                               d.reply_due, d.path, tuple(sorted(links.get(d.id, []))))
                  for d in session.execute(select(Document).where(
                      Document.status == DocumentStatus.ISSUED)).scalars()}
        replies: dict[str, list[date]] = {}
        for case_id, received in session.execute(select(Reply.case_id, Reply.received_on)):
            replies.setdefault(case_id, []).append(received)
        accepted: dict[str, list[date]] = {}
        for subject, at in session.execute(select(Event.subject, Event.at).where(
                Event.event == "accepted")):
            accepted.setdefault(subject, []).append(local_time(at).date())
        cases = {c.id: c for c in session.execute(select(Case)).scalars().unique()}
        session.expunge_all()
    by_number = {d.number: d.id for d in issued.values() if d.number}
    return issued, by_number, replies, accepted, cases


def _orgs_of(document: Issued, cases: dict[str, Case]) -> set[str]:
    if document.org_code:
        return {document.org_code}
    return {cases[c].org_code for c in document.case_ids if c in cases}


def check_issued_documents() -> list[str]:
    """Every issued document checked against the record; the problems found."""
    issued, by_number, replies, accepted, cases = _record()
    problems: list[str] = []
    for document in issued.values():
        if not document.path or not document.path.endswith(".docx"):
            continue
        text = document_text(document.path)
        where = f"{document.id}（{document.number or '不编号'}）"

        def problem(line: str, where: str = where) -> None:
            problems.append(f"{where}：{line}")

        for phrase in INFERRED:
            if phrase in text:
                problem(f"讲述了记录中没有的经过：“{phrase}”")
        speaks_to = _orgs_of(document, cases)
        for cited_number in set(re.findall(NUMBER, text)) - {document.number}:
            cited_id = by_number.get(cited_number)
            if cited_id is None:
                problem(f"引用的文号{cited_number}没有印发记录")
                continue
            cited = issued[cited_id]
            same_issue = cited.kind == CRITICISM_CIRCULAR and cited.issued_on == document.issued_on
            if cited.issued_on >= document.issued_on and not same_issue:
                problem(f"引用的{cited_number}（{cited.issued_on}）不早于本文")
            if not (_orgs_of(cited, cases) & speaks_to):
                problem(f"引用的{cited_number}与本文所涉党组织无关")
        # "2026年8月9日，我委以X…" and "我委于2026年9月9日以X…": the date is X's
        for y, m, d, cited_number in [*re.findall(DAY + r"，我委以(" + NUMBER + ")", text),
                                      *re.findall(r"我委于" + DAY + r"以(" + NUMBER + ")", text)]:
            cited_id = by_number.get(cited_number)
            if cited_id and issued[cited_id].issued_on != day_of((y, m, d)):
                problem(f"{cited_number}的印发日期写作{y}年{m}月{d}日，记录为"
                        f"{issued[cited_id].issued_on}")
        _check_answers(document, text, issued, by_number, replies, accepted, problem)
        for y, m, d in re.findall(r"于" + DAY + "前", text):
            due = day_of((y, m, d))
            if due >= document.issued_on and not is_working_day(due):
                problem(f"期限{due}不是工作日")
        if document.org_code and document.kind != "admonishment" and "该支部" in text:
            problem("致本支部的文书中称“该支部”")
        office = settings.office
        own_name = text.replace(office.printing_office, "").count(office.issuer_name)
        if document.org_code and own_name > 2:
            problem(f"正文中以全称自称{own_name - 2}次（应称“我委”）")
    problems += _check_chases(issued, cases)
    problems += _check_criticisms(issued, cases)
    return problems


def _check_answers(document: Issued, text: str, issued: dict[str, Issued],
                   by_number: dict[str, str], replies: dict[str, list[date]],
                   accepted: dict[str, list[date]], problem) -> None:
    """Each sentence about an answer: it came (or not) as the record says."""
    for sentence in re.split(r"。", text):
        cited = [by_number[n] for n in re.findall(NUMBER, sentence) if n in by_number]
        case_ids = {c for d in cited for c in issued[d].case_ids}
        missing = re.search(r"要求于" + DAY + r"前报送整改情况反馈，截至" + DAY + "未收到", sentence)
        if missing:
            due, asof = day_of(missing.groups()[:3]), day_of(missing.groups()[3:])
            if due >= asof:
                problem(f"称答复未收到，但期限{due}在{asof}尚未届满")
            for case_id in case_ids:
                if any(r <= asof for r in replies.get(case_id, [])):
                    problem(f"称{case_id}未收到答复，但记录中已收到")
            dues = {issued[d].reply_due for d in cited if issued[d].reply_due}
            if dues and due not in dues:
                problem(f"所引文书的反馈期限写作{due}，记录为{sorted(dues)}")
        for y, m, d in re.findall(r"于" + DAY + r"报送了整改情况反馈", sentence):
            if not any(day_of((y, m, d)) in replies.get(c, []) for c in case_ids):
                problem(f"称{y}年{m}月{d}日收到答复，记录中没有")
        for y, m, d in re.findall(DAY + r"经审核予以销号", sentence):
            if not any(day_of((y, m, d)) in accepted.get(c, []) for c in case_ids):
                problem(f"称{y}年{m}月{d}日销号，记录中没有")


def _check_chases(issued: dict[str, Issued], cases: dict[str, Case]) -> list[str]:
    """One 催办 per organization and date; each names only answers overdue and not received."""
    problems = []
    seen: dict[tuple[str | None, date], str] = {}
    for chase in (d for d in issued.values() if d.kind == CHASE):
        key = (chase.org_code, chase.issued_on)
        if key in seen:
            problems.append(f"{chase.id}：{chase.org_code}在{chase.issued_on}收到第二份催办"
                            f"（{seen[key]}）")
        seen[key] = chase.id
        for case_id in chase.case_ids:
            case = cases[case_id]
            if case.measure == "return_for_correction":
                problems.append(f"{chase.id}：催办了退回补正单{case_id}")
    return problems


def _check_criticisms(issued: dict[str, Issued], cases: dict[str, Case]) -> list[str]:
    """A 通报 names only criticisms the committee decided (with its decision's reference)."""
    problems = []
    for circular in (d for d in issued.values() if d.kind == CRITICISM_CIRCULAR):
        text = document_text(circular.path)
        for case in (c for c in cases.values() if c.measure == "circulated_criticism"):
            named = case.id in circular.case_ids
            if named and not case.decision_ref:
                problems.append(f"{circular.id}：通报了未经工委会议决定的{case.id}")
            org_name = case.evidence and case.org_code
            if not named and case.status != DocumentStatus.ISSUED and org_name and \
                    f"（{case.org_code}）" in text:
                problems.append(f"{circular.id}：提到了未决定的{case.id}")
    return problems
