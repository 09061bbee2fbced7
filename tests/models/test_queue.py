"""The desk's queue names each case's unit (直属党组织: the top of its subtree) and filters by
it, however deep the tree."""

from __future__ import annotations

from sqlalchemy import select

from dutyflow.models.db import session_scope
from dutyflow.models.queue import QueueFilter, case_queue, queue_choices, unit_of
from dutyflow.models.tables import Case, Document, Organization


def _org(code: str, kind: str, parent: str | None) -> Organization:
    return Organization(org_code=code, org_name=f"{code}名", org_type=kind, parent_code=parent)


def test_a_branch_under_a_general_branch_belongs_to_the_top_unit(sqlite_url):
    with session_scope() as session:
        session.add_all([_org("DW1", "党委", None), _org("ZZ1", "党总支", "DW1"),
                         _org("ZB1", "党支部", "ZZ1"), _org("ZB2", "党支部", "DW1"),
                         _org("DW2", "党委", None), _org("ZB3", "党支部", "DW2")])
        session.flush()
        for code in ("ZB1", "ZB2", "ZB3"):
            session.add(Case(id=f"2026-10-{code}", period="2026-10", org_code=code,
                             measure="reminder", evidence_hash="h", policy_version="v"))
            session.add(Document(id=f"2026-10-{code}", kind="reminder", period="2026-10",
                                 org_code=code))
    with session_scope() as session:
        tree = unit_of()
        units = dict(session.execute(select(tree.c.org_code, tree.c.unit)).all())
        assert units == {"DW1": "DW1", "ZZ1": "DW1", "ZB1": "DW1", "ZB2": "DW1",
                         "DW2": "DW2", "ZB3": "DW2"}
        page = case_queue(session=session, wanted=QueueFilter(unit="DW1"))
        assert [(r.org_code, r.unit_name) for r in page.rows] == [("ZB1", "DW1名"),
                                                                   ("ZB2", "DW1名")]
        assert queue_choices(session=session)["units"] == [("DW1", "DW1名"), ("DW2", "DW2名")]
