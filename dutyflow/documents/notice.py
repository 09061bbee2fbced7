"""Build a notice's content from its template: title, recipient, body blocks, signature, date.

One sandboxed Jinja2 environment for the process; templates compile once and are reused.
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

from dutyflow.core.errors import DutyflowError
from dutyflow.core.periods import Period
from dutyflow.core.settings import settings
from dutyflow.core.vocabulary import ACTION_KINDS, ITEM_STATUS_NAMES
from dutyflow.documents.wording import chinese_date, describe_finding

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
DRAFT_NUMBER = "〔待编号〕"


@dataclass(frozen=True)
class Block:
    kind: str  # paragraph / heading / table / note
    text: str = ""
    rows: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class Notice:
    action_id: str
    kind: str
    issuer_mark: str
    doc_number: str
    title: str
    recipient: str
    blocks: tuple[Block, ...]
    signature: str
    date_text: str
    copy_to: str
    is_draft: bool = True
    printed_by: str = ""  # the 印发 line's office
    meta: dict[str, Any] = field(default_factory=dict)


@functools.cache
def environment(folder: str) -> ImmutableSandboxedEnvironment:
    """The Jinja2 environment for a template folder (created once per folder)."""
    # Notice text is plain (escaped by each writer); the HTML layout autoescapes.
    environment = ImmutableSandboxedEnvironment(
        loader=FileSystemLoader(folder), autoescape=select_autoescape(["html", "html.j2"]),
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, auto_reload=False,
    )
    environment.filters["day"] = chinese_date
    return environment


def env() -> ImmutableSandboxedEnvironment:
    return environment(str(settings.templates_dir or TEMPLATES))


def parse_body(text: str) -> tuple[Block, ...]:
    blocks: list[Block] = []
    table: list[tuple[str, ...]] = []
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("|") and line.endswith("|") and len(line) > 1:
            table.append(tuple(c.strip() for c in line[1:-1].split("|")))
            continue
        if table:
            blocks.append(Block("table", rows=tuple(table)))
            table = []
        if not line:
            continue
        if line.startswith("# "):
            blocks.append(Block("heading", line[2:].strip()))
        elif line.startswith("> "):
            blocks.append(Block("note", line[2:].strip()))
        else:
            blocks.append(Block("paragraph", line))
    if table:
        blocks.append(Block("table", rows=tuple(table)))
    return tuple(blocks)


def _issuer() -> dict[str, Any]:
    return {"name": settings.issuer_name, "mark": settings.issuer_mark,
            "contact": settings.issuer_contact, "address": settings.issuer_address,
            "reply_days": settings.reply_days}


class TemplateRefused(DutyflowError):
    exit_code = 2


class TemplateMissing(DutyflowError):
    exit_code = 2


def check_templates(folder: Path | None = None) -> None:
    """Refuse to start when an action kind of the vocabulary has no notice template."""
    root = Path(folder or settings.templates_dir or TEMPLATES)
    missing = [kind.key for kind in ACTION_KINDS.values() if not (root / kind.template).is_file()]
    if missing:
        raise TemplateMissing(f"no notice template for action kind(s) {', '.join(missing)} in "
                              f"{root / 'notices'}; add <kind>.j2 for each")


def _render(template_name: str, context: dict[str, Any]) -> dict[str, str]:
    template = env().get_template(template_name)
    base = env().get_template("notices/_base.j2")
    ctx = template.new_context(context)
    # A notice overrides the blocks it needs; the rest come from the base template.
    try:
        return {name: "".join(template.blocks.get(name, base.blocks[name])(ctx)).strip()
                for name in ("title", "recipient", "body", "copy_to")}
    except SecurityError as exc:
        raise TemplateRefused(f"template {template_name} was refused: it tried to reach "
                              f"outside its data ({exc})") from None


def _org_view(org: Any) -> dict[str, Any]:
    if org is None:
        return {}
    return {"org_code": org.org_code, "org_name": org.org_name, "secretary": org.secretary,
            "org_type": org.org_type, "unit_party_group": getattr(org, "unit_party_group", None)}


def talk_time(on: date, slot: int) -> str:
    """The `slot`-th talk of a period: the settings' slots, a day at a time, after the lead time."""
    slots = settings.talk_slots or ["上午9:00"]
    day = on + timedelta(days=settings.talk_lead_days + slot // len(slots))
    return f"{chinese_date(day)}{slots[slot % len(slots)]}"


def build_notice(*, action: Any, org: Any, parent: Any | None, on: date,
                 doc_number: str | None = None, talk_slot: int = 0) -> Notice:
    """The notice for one action; without a document number it is a draft."""
    findings = [
        {**e, "sentence": describe_finding(e),
         "status_name": ITEM_STATUS_NAMES.get(e.get("facts", {}).get("status", ""), "")}
        for e in action.evidence
    ]
    context = {
        "org": _org_view(org), "parent": _org_view(parent) or None, "action": action,
        "findings": findings, "period_label": Period.parse(action.period).label,
        "issuer": _issuer(),
        "talk": {"when": talk_time(on, talk_slot), "place": settings.talk_place},
    }
    parts = _render(ACTION_KINDS[action.action].template, context)
    return Notice(
        action_id=action.id, kind=action.action, issuer_mark=settings.issuer_mark,
        doc_number=DRAFT_NUMBER if doc_number is None else doc_number, title=parts["title"],
        recipient=parts["recipient"], blocks=parse_body(parts["body"]),
        signature=settings.issuer_signature, date_text=chinese_date(on),
        copy_to=parts["copy_to"], is_draft=doc_number is None,
        printed_by=settings.printing_office,
    )


def build_circular(*, period: Period, actions: list[Any], orgs: dict[str, Any], on: date,
                   doc_number: str | None = None) -> Notice:
    """The quarter's circular: every organization criticised, with a table of its failures."""
    counts = dict.fromkeys(ACTION_KINDS, 0)
    criticised = []
    for action in actions:
        counts[action.action] += 1
        if action.action == "circulated_criticism":
            org = orgs.get(action.org_code)
            criticised.append({
                "org_name": org.org_name if org else action.org_code,
                "secretary": org.secretary if org else "",
                "period_label": Period.parse(action.period).label,
                "failures": "；".join(e["text"] for e in action.evidence),
            })
    measures = [{"name": ACTION_KINDS[k].name, "count": n} for k, n in counts.items() if n]
    context = {"period_label": period.label, "issuer": _issuer(), "measures": measures,
               "actions_total": len(actions), "criticised": criticised,
               "org": {}, "parent": None}
    parts = _render("notices/circular.j2", context)
    return Notice(
        action_id=f"circular-{period}", kind="circular", issuer_mark=settings.issuer_mark,
        doc_number=doc_number or DRAFT_NUMBER, title=parts["title"],
        recipient=parts["recipient"], blocks=parse_body(parts["body"]),
        signature=settings.issuer_signature, date_text=chinese_date(on),
        copy_to=parts["copy_to"], is_draft=doc_number is None,
        printed_by=settings.printing_office,
    )


def render_html(notice: Notice) -> str:
    return env().get_template("notice.html.j2").render(notice=notice)
