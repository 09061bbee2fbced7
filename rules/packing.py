"""Few, rich facts for the engine: an organization's one-per-subject facts packed into one.

A rule engine pays per fact asserted (parsing, state, the catch-all's action), not per field,
so the engine sees one fact per organization carrying each of its duties' measures in a slot
of its own (`held__s3`, `prior__s3`, `fid__s3`), and each rule is rewritten to read its slot.
The rules still decide every finding: packing only routes a fact's fields to the slot its rule
selects by equality (the family, and the duty for families judged per duty), and each match
is mapped back to the fact it was about. A family whose facts are not one per organization and
slot (ledger items, 催办 letters) is asserted as it is.

Packing is pure pandas and knows nothing of durable-rules; the engine module asserts the result.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from dutyflow.rules.compile import Condition, Rule

PACK_KEY = "org_code"
FAMILY, SLOTTED_BY = "family", "duty"  # what rules select a fact by (== conditions)
FID = "fid"
MAX_RANK = 8  # facts of one family and slot packed per organization; more are asserted alone
# durable-rules 2.0.28 crashes the process (no exception) on a fact of more than about 250
# properties: a packed fact stays well under, the slots past it are asserted as they are
MAX_FIELDS = 200


@dataclass(frozen=True)
class Packed:
    """The engine's view of a batch: the rules and facts as asserted, and for each asserted
    rule the rule it stands for and the field of a matching fact that holds the id of the
    fact the match is about."""

    rules: list[Rule]
    facts: pd.DataFrame
    origin: dict[str, tuple[str, str]]

    def fields(self) -> list[str]:
        """Every field the rules read. (The fid fields stay in Python: the engine knows a fact
        by its position, and `origin` says which fid field of that row a match is about.)"""
        return sorted({c.field for r in self.rules for c in r.conditions})


def _equals(rule: Rule, name: str) -> object | None:
    for c in rule.conditions:
        if c.field == name and c.op == "==":
            return c.value
    return None


def _slot_fields(rules: list[Rule]) -> dict[str, tuple[str, ...]]:
    """The packable families, each with the fields that name a fact's slot within its
    organization: every rule of the family selects by family (and all of them by duty, or
    none), and tests something beyond its slot. A rule that does not name its family could
    read any fact, so then nothing is packed."""
    families: dict[str, tuple[str, ...] | None] = {}
    for rule in rules:
        family = _equals(rule, FAMILY)
        if not isinstance(family, str):
            return {}
        by = (FAMILY, SLOTTED_BY) if _equals(rule, SLOTTED_BY) is not None else (FAMILY,)
        tests = [c for c in rule.conditions if c.field not in by]
        families[family] = by if tests and families.get(family, by) == by else None
    return {f: by for f, by in families.items() if by is not None}


def pack(rules: list[Rule], facts: pd.DataFrame) -> Packed:
    """Facts of packable families packed by organization, a slot per (family, duty, rank):
    the k-th ledger item of an organization goes to rank k. Ranks from MAX_RANK on, and facts
    of other families, are asserted as they are, judged by the rules as written."""
    slot_fields = _slot_fields(rules)
    if PACK_KEY not in facts.columns or FAMILY not in facts.columns:
        slot_fields = {}
    slots: dict[tuple[object, ...], int] = {}
    parts: list[pd.DataFrame] = []
    facts = facts.reset_index(drop=True)  # positions and labels agree from here on
    single = np.ones(len(facts), dtype=bool)
    width = 0
    for family, by in slot_fields.items():
        rows = facts[facts[FAMILY] == family]
        if rows.empty or any(f not in rows for f in by) or \
                rows[[PACK_KEY, *by]].isna().to_numpy().any():
            continue
        rank = rows.groupby([PACK_KEY, *by], sort=False).cumcount()
        rows = rows[rank < MAX_RANK].assign(_rank=rank)
        needed = sorted({c.field for r in rules if _equals(r, FAMILY) == family
                         for c in r.conditions if c.field not in by} & set(rows.columns))
        for key, part in rows.groupby([*by, "_rank"], sort=True):
            if width + len(needed) + 1 > MAX_FIELDS:
                continue  # this slot's facts are asserted as they are
            width += len(needed) + 1
            slot = slots.setdefault(tuple(key), len(slots))
            parts.append(part.set_index(PACK_KEY)[[*needed, FID]].add_suffix(f"__s{slot}"))
            single[part.index.to_numpy()] = False
    if not parts:
        return Packed(rules, facts, {r.id: (r.id, FID) for r in rules})
    wide = pd.concat(parts, axis=1, join="outer")
    wide = wide.assign(**{FID: "pack|" + wide.index.astype(str)}).reset_index(drop=True)
    out_rules = list(rules)  # as written, for the facts asserted as they are
    origin = {r.id: (r.id, FID) for r in rules}
    for rule in rules:
        named = _equals(rule, FAMILY)
        if not isinstance(named, str) or named not in slot_fields:
            continue
        by = slot_fields[named]
        key = tuple(_equals(rule, f) for f in by)
        for (*slot_key, _), slot in slots.items():
            if tuple(slot_key) != key:
                continue
            suffix = f"__s{slot}"
            out_rules.append(replace(rule, id=f"{rule.id}{suffix}", conditions=tuple(
                Condition(c.field + suffix, c.op, c.value)
                for c in rule.conditions if c.field not in by)))
            origin[f"{rule.id}{suffix}"] = (rule.id, FID + suffix)
    return Packed(out_rules, pd.concat([wide, facts[single]], ignore_index=True), origin)
