"""Split a period's work by organization subtree, so shards can run in separate processes.

A subtree (a committee and every branch under it) never straddles two shards: escalation
history and notices are per organization, and keeping a unit's organizations together keeps
each shard's work self-contained. Shards are balanced greedily by row count, deterministically.
"""

from __future__ import annotations

import pandas as pd


def subtree_roots(organizations: pd.DataFrame) -> pd.Series:
    """org_code -> the code of its top-most ancestor (itself for a root)."""
    parent = organizations.set_index("org_code")["parent_code"]
    parent = parent.where(parent.notna() & parent.isin(parent.index), None)
    root = pd.Series(parent.index, index=parent.index)
    current = parent.copy()
    for _ in range(32):  # trees here are a few levels deep; the bound guards against cycles
        has_parent = current.notna()
        if not has_parent.any():
            break
        root[has_parent] = current[has_parent]
        current = current.map(parent).where(has_parent, None)
    return root


def assign_shards(frame: pd.DataFrame, roots: pd.Series, shards: int) -> list[pd.DataFrame]:
    """`frame` (with org_code) split into at most `shards` parts, whole subtrees each."""
    if shards <= 1 or frame.empty:
        return [frame]
    keys = frame["org_code"].map(roots).fillna(frame["org_code"])
    sizes = keys.value_counts().sort_index().sort_values(ascending=False, kind="stable")
    load = [0] * shards
    owner: dict[str, int] = {}
    for key, size in sizes.items():
        lightest = min(range(shards), key=lambda i: (load[i], i))
        owner[str(key)] = lightest
        load[lightest] += int(size)
    part = keys.map(owner)
    return [frame[part == i] for i in range(shards) if (part == i).any()]
