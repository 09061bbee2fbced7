"""What a drafted document knows of the organization tree."""

from __future__ import annotations

from dutyflow.models.db import session_scope
from dutyflow.models.tables import Organization
from dutyflow.services.drafting import organizations


def test_a_branch_without_its_own_party_group_takes_its_units(sqlite_url):
    with session_scope() as session:
        session.add_all([
            Organization(org_code="DW1", org_name="局机关党委", org_type="党委",
                         unit_party_group="中共市教育局党组"),
            Organization(org_code="ZZ1", org_name="总支", org_type="党总支", parent_code="DW1"),
            Organization(org_code="ZB1", org_name="一支部", org_type="党支部", parent_code="ZZ1"),
            Organization(org_code="ZB2", org_name="二支部", org_type="党支部", parent_code="ZZ1",
                         unit_party_group="中共市教育局直属单位党组"),
            Organization(org_code="DW2", org_name="无党组", org_type="党委"),
            Organization(org_code="ZB3", org_name="三支部", org_type="党支部", parent_code="DW2"),
        ])
    with session_scope() as session:
        orgs = organizations(session)
    assert orgs["ZB1"].unit_party_group == "中共市教育局党组"  # two levels up
    assert orgs["ZB2"].unit_party_group == "中共市教育局直属单位党组"  # its own wins
    assert orgs["ZB3"].unit_party_group is None  # nobody above names one: still missing


def test_a_moved_output_folder_keeps_its_issued_documents_and_loses_only_orphans(tmp_path):
    from dutyflow.services.issuing import sweep_orphans

    old, moved = tmp_path / "old" / "issued", tmp_path / "new" / "issued"
    moved.mkdir(parents=True)
    for name in ("市直工委函_2026_1号-2026-08-X.docx", "市直工委函_2026_1号-2026-08-X.pdf",
                 "市直工委函_2026_2号-2026-08-Y.docx"):  # the last: written, never committed
        (moved / name).write_bytes(b"x")
    removed = sweep_orphans(moved, keep={str(old / "市直工委函_2026_1号-2026-08-X.docx")})
    assert [p.name for p in removed] == ["市直工委函_2026_2号-2026-08-Y.docx"]
    assert (moved / "市直工委函_2026_1号-2026-08-X.pdf").exists()
