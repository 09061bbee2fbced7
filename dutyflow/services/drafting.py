"""Drafting: which actions need a notice, what each notice needs, written shard by shard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlmodel import Session

from dutyflow.core.faults import fault_point
from dutyflow.core.vocabulary import ORG_TYPE_SHORT
from dutyflow.documents.files import write_draft
from dutyflow.documents.history import History, history_of
from dutyflow.documents.titles import keep_words
from dutyflow.models.accountability import cases_needing_drafts, talk_slots
from dutyflow.models.db import session_scope
from dutyflow.models.documents import set_drafts
from dutyflow.models.record import past_measures
from dutyflow.models.tables import Organization
from dutyflow.services.shards import assign_shards, subtree_roots

ACTION_FIELDS = ("id", "period", "org_code", "measure", "evidence", "proposal", "decision_ref",
                 "reply_days")
ORG_FIELDS = ("org_code", "org_name", "org_type", "secretary", "parent_code", "unit_party_group")


def organizations(session: Session) -> dict[str, SimpleNamespace]:
    """Every organization, detached, by code (its columns only: an ORM object each cost a
    second per 20,000 organizations); one that names no 所在单位党组 has its unit's."""
    rows = session.execute(select(*(getattr(Organization, f) for f in ORG_FIELDS)))
    orgs = {row.org_code: SimpleNamespace(**row._asdict()) for row in rows}
    for org in orgs.values():  # a branch's secretary is a cadre of its unit: its 党组 is theirs
        seen, above = {org.org_code}, org
        while not org.unit_party_group and above.parent_code in orgs \
                and above.parent_code not in seen:
            above = orgs[above.parent_code]
            seen.add(above.org_code)
            org.unit_party_group = above.unit_party_group
    return orgs


def histories(session: Session, cases: list[Any], orgs: dict[str, Any], *, on: date,
              named: bool = False) -> dict[str, History]:
    """What the record says of each case's organization as of `on` (the document's date),
    by case id. Addressed to the organization (你支部), except a letter to its party group
    (诫勉), which names it, and with `named` a document to all units whose heading names it
    (该支部)."""
    record = past_measures(session=session, org_codes={c.org_code for c in cases}, before=on)
    out = {}
    for case in cases:
        org = orgs.get(case.org_code)
        you = None
        if org is not None and named:
            you = f"该{ORG_TYPE_SHORT.get(org.org_type, '单位')}"
        elif org is not None and case.measure == "admonishment":
            you = org.org_name
        out[case.id] = history_of(record.get(case.org_code, []), org=org, on=on,
                                  period=case.period, you=you)
    return out


@dataclass(frozen=True)
class DraftItem:
    """One notice to draft and everything it needs, detached from the database."""

    action: SimpleNamespace
    org: SimpleNamespace | None
    parent: SimpleNamespace | None
    talk_slot: int
    history: History = History()  # what the record says of the organization's past


def plan_drafts(*, period: str, shards: int, on: date) -> list[list[DraftItem]]:
    """The actions whose draft is missing (new or changed), split by organization subtree,
    each with the record of its organization's past as of `on` (the drafts' date)."""
    with session_scope() as session:
        actions = cases_needing_drafts(session=session, period=period, fields=ACTION_FIELDS)
        if not actions:
            return []
        slots = talk_slots(session=session, period=period)
        orgs = organizations(session)
        record = histories(session, actions, orgs, on=on)
    items = []
    for action in actions:
        org = orgs.get(action.org_code)
        parent = orgs.get(org.parent_code) if org and org.parent_code else None
        items.append(DraftItem(SimpleNamespace(**action._asdict()), org, parent,
                               slots.get(action.id, 0), record[action.id]))
    frame = pd.DataFrame({"org_code": [i.action.org_code for i in items],
                          "item": range(len(items))})
    roots = subtree_roots(pd.DataFrame([{"org_code": c, "parent_code": o.parent_code}
                                        for c, o in orgs.items()]))
    return [[items[i] for i in part["item"]] for part in assign_shards(frame, roots, shards)]


def draft_shard(items: list[DraftItem], *, on: date, output_dir: Path) -> dict[str, tuple[str, str]]:
    """Write one shard's drafts; each action's .docx and .html paths."""
    drafts = {}
    for n, item in enumerate(items, start=1):
        written = write_draft(action=item.action, org=item.org, parent=item.parent, on=on,
                              talk_slot=item.talk_slot, output_dir=output_dir,
                              history=item.history)
        drafts[item.action.id] = (str(written.docx), str(written.html))
        if n == len(items) // 2 + 1:
            fault_point("mid_rendering")
    keep_words()  # the titles' stretches cut in this shard, for the next run
    return drafts


def record_drafts(drafts: dict[str, tuple[str, str]]) -> None:
    """Point each action at its new draft, in one transaction."""
    with session_scope() as session:
        set_drafts(session=session, drafts=drafts)
