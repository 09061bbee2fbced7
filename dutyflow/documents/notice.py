"""Build a document's content: its kind's format and addressees, the template's title and
body, the attachments the recipient needs to answer, the signature, date and 附注.

One sandboxed Jinja2 environment per template folder; templates compile once and are reused.
The same Notice feeds both writers, so the .docx and the HTML view never disagree.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from dutyflow.core.calendar import add_working_days, is_working_day, working_days
from dutyflow.core.errors import DutyflowError
from dutyflow.core.periods import Period
from dutyflow.core.settings import settings
from dutyflow.core.vocabulary import (
    CHASE,
    DEFAULT_REPLY_DAYS,
    DOCUMENT_KINDS,
    ITEM_STATUS_NAMES,
    MEASURE_KINDS,
    ORG_TYPE_SHORT,
    Attachment,
    DocumentFormat,
    DocumentKind,
)
from dutyflow.documents.addressing import address
from dutyflow.documents.history import History
from dutyflow.documents.markup import inert_data, restore
from dutyflow.documents.titles import title_lines
from dutyflow.documents.wording import chinese_date, describe_finding

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
DRAFT_NUMBER = "〔待编号〕"


@dataclass(frozen=True)
class Block:
    kind: str  # paragraph / heading / subheading / table / note
    text: str = ""
    rows: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class AttachedPage:
    """An attachment (附件), laid out on pages of its own after the signature."""

    label: str  # 附件1, or 附件 when there is only one
    title: str
    blocks: tuple[Block, ...]
    title_lines: tuple[str, ...] = ()  # the title broken at word boundaries (titles.py)


@dataclass(frozen=True)
class Notice:
    document_id: str  # the document id (a case notice has the case id)
    kind: str  # a DocumentKind key
    kind_name: str
    format: str  # "letter" (信函格式), "document" (文件格式) or "" (a plain form, no number)
    mark: str  # the red issuing-organ mark ("" for a plain form)
    doc_number: str
    title: str
    recipient: str  # 主送, with its colon
    blocks: tuple[Block, ...]
    signature: str
    date_text: str
    copy_to: str  # names joined by 、 (empty: no 抄送)
    annotation: str = ""  # 附注: （联系人：…，电话：…）
    attachments: tuple[AttachedPage, ...] = ()
    is_draft: bool = True
    printed_by: str = ""  # the 印发 line's office (文件 only: letters have none)
    missing: tuple[str, ...] = ()  # addressees that could not be named: not issuable
    meta: dict[str, Any] = field(default_factory=dict)
    title_lines: tuple[str, ...] = ()  # the title broken at word boundaries (titles.py)

    @property
    def is_letter(self) -> bool:
        return self.format == DocumentFormat.LETTER

    @property
    def attachment_note(self) -> tuple[str, ...]:
        """附件说明: 附件：1. 问题清单 / 2. 整改情况反馈表 (one attachment: no number)."""
        if len(self.attachments) == 1:
            return (f"附件：{self.attachments[0].title}",)
        return tuple(f"{n}. {a.title}" for n, a in enumerate(self.attachments, start=1))


def unnested(text: str) -> str:
    """Text that goes inside parentheses, with its own parentheses opened out (本市做法（台账
    填报要求） → 本市做法，台账填报要求): a citation never nests （）."""
    return str(text).replace("（", "，").replace("）", "")


@functools.cache
def environment(folder: str) -> ImmutableSandboxedEnvironment:
    """The Jinja2 environment for a template folder (created once per folder)."""
    # Notice text is plain (escaped by each writer); the HTML layout autoescapes.
    environment = ImmutableSandboxedEnvironment(
        loader=FileSystemLoader(folder), autoescape=select_autoescape(["html", "html.j2"]),
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, auto_reload=False,
    )
    environment.filters["day"] = chinese_date
    environment.filters["unnested"] = unnested
    return environment


def env() -> ImmutableSandboxedEnvironment:
    return environment(str(settings.templates_dir or TEMPLATES))


def parse_body(text: str) -> tuple[Block, ...]:
    """Body markup: "# " a heading (黑体), "## " a subheading (楷体), "|a|b|" table rows (the
    first is the header), "> " a note, anything else a paragraph. The data's own `|`, `#`,
    `>` and line breaks were made inert before the template ran (markup.py) and come back
    here, inside their cell or paragraph (a line break as "\n")."""
    blocks: list[Block] = []
    table: list[tuple[str, ...]] = []
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("|") and line.endswith("|") and len(line) > 1:
            table.append(tuple(restore(c.strip()) for c in line[1:-1].split("|")))
            continue
        if table:
            blocks.append(Block("table", rows=tuple(table)))
            table = []
        if not line:
            continue
        if line.startswith("## "):
            blocks.append(Block("subheading", restore(line[3:].strip())))
        elif line.startswith("# "):
            blocks.append(Block("heading", restore(line[2:].strip())))
        elif line.startswith("> "):
            blocks.append(Block("note", restore(line[2:].strip())))
        else:
            blocks.append(Block("paragraph", restore(line)))
    if table:
        blocks.append(Block("table", rows=tuple(table)))
    return tuple(blocks)


class TemplateRefused(DutyflowError):
    exit_code = 2


class TemplateMissing(DutyflowError):
    exit_code = 2


def attachment_template(attachment: Attachment) -> str:
    return f"notices/attachments/{attachment.value}.j2"


def check_templates(folder: Path | None = None) -> None:
    """Refuse to start when a document kind or attachment of the vocabulary has no template."""
    root = Path(folder or settings.templates_dir or TEMPLATES)
    kinds = {*DOCUMENT_KINDS.values(), *(k.document for k in MEASURE_KINDS.values())}
    missing = sorted(kind.key for kind in kinds if not (root / kind.template).is_file())
    missing += [a.value for a in Attachment if not (root / attachment_template(a)).is_file()]
    if missing:
        raise TemplateMissing(f"no template for document kind(s) {', '.join(missing)} in "
                              f"{root / 'notices'}; add <kind>.j2 for each")


def _blocks(template_name: str, inert_context: dict[str, Any], names: tuple[str, ...]
            ) -> dict[str, str]:
    """The named blocks of a template; `inert_context` was made inert once for the notice (a
    third of a notice's composing time went to doing it again for each template)."""
    template = env().get_template(template_name)
    ctx = template.new_context(inert_context)
    try:
        if template.blocks:  # a notice fills the blocks it needs; the rest come from the base
            base = env().get_template("notices/_base.j2")
            return {name: "".join(template.blocks.get(name, base.blocks[name])(ctx)).strip()
                    for name in names}
        return {names[0]: "".join(template.root_render_func(ctx)).strip()}
    except SecurityError as exc:
        raise TemplateRefused(f"template {template_name} was refused: it tried to reach "
                              f"outside its data ({exc})") from None


def _attachments(kind: DocumentKind, inert_context: dict[str, Any]) -> tuple[AttachedPage, ...]:
    pages = []
    single = len(kind.attachments) == 1
    for n, attachment in enumerate(kind.attachments, start=1):
        body = _blocks(attachment_template(attachment), inert_context, ("body",))["body"]
        pages.append(AttachedPage("附件" if single else f"附件{n}", attachment.heading,
                                  parse_body(body), title_lines(attachment.heading)))
    return tuple(pages)


def attachment_labels(kind: DocumentKind) -> dict[str, str]:
    """How the body refers to each attachment: {"feedback_form": "附件2", ...}."""
    if len(kind.attachments) == 1:
        return {kind.attachments[0].value: "附件"}
    return {a.value: f"附件{n}" for n, a in enumerate(kind.attachments, start=1)}


def _org_view(org: Any) -> dict[str, Any]:
    if org is None:
        return {}
    return {"org_code": org.org_code, "org_name": org.org_name, "secretary": org.secretary,
            "org_type": org.org_type, "unit_party_group": getattr(org, "unit_party_group", None),
            "short": ORG_TYPE_SHORT.get(org.org_type, "单位")}


def _issuer() -> dict[str, Any]:
    office = settings.office
    return {"name": office.issuer_name, "address": office.issuer_address,
            "reply_office": office.reply_office, "contact_person": office.contact_person,
            "contact_phone": office.contact_phone}


@dataclass(frozen=True)
class TalkBooking:
    day: date
    time: str
    collective: bool

    @property
    def when(self) -> str:
        return f"{chinese_date(self.day)}{self.time}"


def book_talk(on: date, slot: int) -> TalkBooking:
    """The `slot`-th talk of a period (0-based), on working days only: after the lead time,
    one session for all (集体约谈) or the settings' slots a working day at a time."""
    first = add_working_days(on, settings.talk_lead_days)
    if settings.talk_mode == "collective":
        return TalkBooking(first, settings.collective_talk_time, True)
    slots = settings.talk_slots or ["上午9:00"]
    day = working_days(first, slot // len(slots) + 1)[-1]
    return TalkBooking(day, slots[slot % len(slots)], False)


def receipt_due(on: date, talk_day: date) -> date:
    """A talk's 回执 is due the settings' working days before the talk, and never before the
    first working day after the notice's date (nor after the talk itself)."""
    due = talk_day
    for _ in range(settings.talk_receipt_days):
        due -= timedelta(days=1)
        while not is_working_day(due):
            due -= timedelta(days=1)
    return min(max(due, add_working_days(on, 1)), talk_day)


def reply_due(on: date, days: int = DEFAULT_REPLY_DAYS) -> date:
    """The date an answer is due: `days` working days after `on`."""
    return add_working_days(on, days)


def _compose(*, kind: DocumentKind, subject: str, context: dict[str, Any], org: Any | None,
             parent: Any | None, on: date, doc_number: str | None,
             answer_due: date | None = None) -> Notice:
    addressing = address(kind, org=org, parent=parent)
    office = settings.office
    answer_due = answer_due or reply_due(on)  # circulars ask no answer: only a placeholder
    context = {**context, "kind": kind, "recipient": addressing.to or "（主送机关待补）",
               "attach": attachment_labels(kind), "issuer": _issuer(),
               "due": chinese_date(answer_due), "today": chinese_date(on),
               "doc_number": doc_number or "（印发时编号）"}
    inert_context = inert_data(context)
    parts = _blocks(kind.template, inert_context, ("title", "body"))
    numbered = kind.format is not None
    # kept whole on a line, as the organizations are: a person's name split reads as two
    names = tuple(o.org_name for o in (org, parent) if o is not None and o.org_name) + \
        tuple(getattr(o, "secretary", "") for o in (org, parent) if getattr(o, "secretary", ""))
    return Notice(
        document_id=subject, kind=kind.key, kind_name=kind.name,
        format=kind.format.value if kind.format else "",
        mark=(office.letter_mark if kind.format == DocumentFormat.LETTER else
              office.issuer_mark if kind.format == DocumentFormat.DOCUMENT else ""),
        doc_number="" if not numbered else (doc_number or DRAFT_NUMBER),
        title=restore(parts["title"], ""), recipient=f"{context['recipient']}：",
        blocks=parse_body(parts["body"]), signature=office.issuer_signature,
        date_text=chinese_date(on), copy_to=addressing.copy_to,
        annotation=f"（联系人：{office.contact_person}，电话：{office.contact_phone}）",
        attachments=_attachments(kind, inert_context), is_draft=doc_number is None,
        printed_by=office.printing_office if kind.format == DocumentFormat.DOCUMENT else "",
        missing=addressing.missing,
        meta={"reply_due": answer_due if kind.asks_reply else None},
        title_lines=title_lines(restore(parts["title"], ""), names),
    )


def _findings(action: Any, org: Any | None = None) -> list[dict[str, Any]]:
    """The case's findings with their sentences, addressed to the organization (你支部); a
    letter to its party group (诫勉) names it."""
    if org is None:
        you = "该单位"
    elif action.measure == "admonishment":
        you = org.org_name
    else:
        you = f"你{ORG_TYPE_SHORT.get(org.org_type, '单位')}"
    return [{**e, "sentence": describe_finding(e, you=you),
             "status_name": ITEM_STATUS_NAMES.get(e.get("facts", {}).get("status", ""), "")}
            for e in action.evidence]


def build_notice(*, action: Any, org: Any, parent: Any | None, on: date,
                 doc_number: str | None = None, talk_slot: int = 0,
                 extra: dict[str, Any] | None = None, history: History | None = None) -> Notice:
    """The notice of one case; without a document number it is a draft. `extra` adds to the
    template's context (the period 通报's number, in the letters that follow it). The answer
    is due the case's `reply_days` working days on: the judging policy's number for its
    measure (cases from before the policy said so: the default). `history` is what the
    record says of the organization's past (documents.history): the only source of any
    sentence about earlier measures."""
    reply_days = getattr(action, "reply_days", None) or DEFAULT_REPLY_DAYS
    context = {
        "org": _org_view(org), "parent": _org_view(parent) or None, "action": action,
        "findings": _findings(action, org), "period_label": Period.parse(action.period).label,
        "decision_ref": getattr(action, "decision_ref", None) or "",
        "record": history or History(),
        "circular_number": "", "circular_title": "", **(extra or {}),
    }
    due = reply_due(on, reply_days)
    booked: TalkBooking | None = None
    if action.measure == "talk":  # booked only for talks: drafting runs this once per case
        booking = booked = book_talk(on, talk_slot)
        attends = (f"{parent.org_name}书记{parent.secretary}同志" if parent is not None
                   and settings.talk_parent_secretary_attends and parent.secretary else "")
        context["talk"] = {"when": booking.when, "place": settings.office.talk_place,
                           "collective": booking.collective,
                           "conductor": settings.office.talk_conductor, "attends": attends,
                           "receipt_due": chinese_date(receipt_due(on, booking.day))}
        due = reply_due(booking.day, reply_days)  # the written report is due after the talk
    kind = MEASURE_KINDS[action.measure].document
    notice = _compose(kind=kind, subject=action.id, context=context, org=org, parent=parent,
                      on=on, doc_number=doc_number, answer_due=due)
    if booked is not None:  # kept on the issued document: later documents cite the day
        notice.meta.update(meeting_on=booked.day, meeting_time=booked.time)
    return notice


def build_chase(*, subject: str, chased: list[tuple[Any, date]], org: Any, parent: Any | None,
                working_days: int, warns_of: str, on: date, by_committee: bool = False,
                doc_number: str | None = None) -> Notice:
    """A 催办 letter: each chased case's notice (kind, number, date) asked for an answer by the
    date given with it and none came; it gives `working_days` more and, when `warns_of` names
    a measure not yet taken, says that measure follows if nothing comes then (proposed to
    the committee when `by_committee`)."""
    rows = [{"kind": MEASURE_KINDS[case.measure].document.name,
             "number": getattr(case, "document_number", None) or "",
             "issued": chinese_date(case.issued_on) if getattr(case, "issued_on", None) else "",
             "missed": chinese_date(missed)} for case, missed in chased]
    warning = ""
    if warns_of:
        name = MEASURE_KINDS[warns_of].name
        warning = f"提请工委会议研究给予{name}" if by_committee else f"进行{name}"
    first = chased[0][0]
    context = {
        "org": _org_view(org), "parent": _org_view(parent) or None, "action": first,
        "findings": _findings(first, org), "period_label": Period.parse(first.period).label,
        "chased": rows, "warning": warning,
    }
    return _compose(kind=DOCUMENT_KINDS[CHASE], subject=subject, context=context, org=org,
                    parent=parent, on=on, doc_number=doc_number,
                    answer_due=add_working_days(on, working_days))


def build_circular(*, kind: str, subject: str, context: dict[str, Any], on: date,
                   doc_number: str | None = None) -> Notice:
    """A circular to all units (the period's 通报批评, the quarter's 通报) from its figures."""
    return _compose(kind=DOCUMENT_KINDS[kind], subject=subject,
                    context={"org": {}, "parent": None, **context}, org=None, parent=None,
                    on=on, doc_number=doc_number)


def render_html(notice: Notice) -> str:
    return env().get_template("notice.html.j2").render(notice=notice)
