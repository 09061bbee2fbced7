"""Who a document goes to and who is copied: read off the organization tree and the settings.

A document kind names its addressees by role (vocabulary.Addressee); this is the one place
the roles become names. A role that cannot be named (a 诫勉 recommendation for a branch whose
unit's 党组 the organizations table does not give) is reported, so the draft says what is
missing and issuing refuses it instead of sending a letter to nobody.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dutyflow.core.settings import settings
from dutyflow.core.vocabulary import Addressee, DocumentKind

MISSING = {
    Addressee.ORGANIZATION: "被处置的党组织",
    Addressee.PARENT: "上级党组织（组织表“上级组织编码”）",
    Addressee.UNIT_PARTY_GROUP: "所在单位党组（组织表“所在单位党组”列）",
}


@dataclass(frozen=True)
class Addressing:
    to: str  # 主送, without the closing colon
    copy_to: str  # 抄送, names joined with 、 (empty: none)
    missing: tuple[str, ...]  # roles that could not be named


def _name(role: Addressee, org: Any | None, parent: Any | None) -> str | None:
    if role is Addressee.ORGANIZATION:
        return getattr(org, "org_name", None)
    if role is Addressee.PARENT:
        return getattr(parent, "org_name", None)
    if role is Addressee.UNIT_PARTY_GROUP:
        return getattr(org, "unit_party_group", None) or None
    return {Addressee.ALL_UNITS: settings.office.all_units,
            Addressee.ORGANIZATION_DEPARTMENT: settings.office.organization_department,
            Addressee.DISCIPLINE_GROUP: settings.office.discipline_group}[role]


def address(kind: DocumentKind, *, org: Any | None, parent: Any | None) -> Addressing:
    """The main recipient and the 抄送 list of one document of `kind`."""
    missing: list[str] = []
    to = []
    for role in kind.to:
        name = _name(role, org, parent)
        if name:
            to.append(name)
        else:
            missing.append(MISSING.get(role, role.value))
    # a copy to a level that does not exist (a committee has no 机关党委 above it) is dropped
    copies = [n for role in kind.copy_to if (n := _name(role, org, parent)) and n not in to]
    return Addressing("、".join(to), "、".join(dict.fromkeys(copies)), tuple(missing))
