"""A plain pandas reference evaluator: the compiled rules judged column-wise, no rule engine.

It reads every threshold from the compiled `Rule.conditions` (the same list `rules.engine` hands
to durable-rules), so it can only disagree with the engine if one of them is wrong. Semantics
match `rules.engine.evaluate_facts`:

- a fact whose field is missing or empty (None/NaN) fails every condition on that field
  (the engine drops such keys before asserting, so the condition cannot hold);
- a numeric threshold compared with a non-numeric value fails;
- a rule's conditions are ANDed; every rule that holds for a fact is reported, each once.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from numbers import Number
from typing import Any

import numpy as np
import pandas as pd

from dutyflow.rules.compile import Condition, Rule

_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}


def _numeric(value: Any) -> bool:
    return isinstance(value, Number) and not isinstance(value, bool)


class _Columns:
    """Fact columns, converted once per evaluation to the type each threshold compares with."""

    def __init__(self, facts: pd.DataFrame) -> None:
        self.facts = facts
        self._numeric: dict[str, np.ndarray] = {}
        self._other: dict[str, pd.Series] = {}

    def numeric(self, field: str) -> np.ndarray:
        if field not in self._numeric:
            column = pd.to_numeric(self.facts[field], errors="coerce")  # text -> NaN: fails
            self._numeric[field] = column.to_numpy(dtype="float64", na_value=np.nan)
        return self._numeric[field]

    def other(self, field: str) -> pd.Series:
        if field not in self._other:
            self._other[field] = self.facts[field]
        return self._other[field]


def _holds(columns: _Columns, condition: Condition) -> np.ndarray:
    n = len(columns.facts)
    if condition.field not in columns.facts.columns:
        return np.zeros(n, dtype=bool)
    compare = _COMPARE[condition.op]
    if _numeric(condition.value):
        values = columns.numeric(condition.field)
        with np.errstate(invalid="ignore"):
            return np.asarray(compare(values, float(condition.value)), dtype=bool)  # NaN -> False
    series = columns.other(condition.field)
    present = series.notna().to_numpy()
    if not present.any():
        return present
    kept = series[present]
    hit = np.zeros(n, dtype=bool)
    # Element-wise, so a text threshold against a number fails instead of raising.
    hit[present] = [_safe(compare, v, condition.value) for v in kept] if condition.op != "==" \
        else (kept == condition.value).to_numpy(dtype=bool)
    return hit


def _safe(compare: Callable[[Any, Any], Any], left: Any, right: Any) -> bool:
    try:
        return bool(compare(left, right))
    except TypeError:
        return False


def evaluate_facts(rules: list[Rule], facts: pd.DataFrame) -> list[tuple[str, str]]:
    """Every (rule id, fact id) pair where the rule holds for the fact, like rules.engine."""
    if facts.empty or not rules:
        return []
    facts = facts.reset_index(drop=True)
    columns = _Columns(facts)
    fids = facts["fid"].to_numpy(dtype=object)
    cache: dict[Condition, np.ndarray] = {}
    out: list[tuple[str, str]] = []
    for rule in rules:
        mask = np.ones(len(facts), dtype=bool)
        for condition in rule.conditions:
            if condition not in cache:
                cache[condition] = _holds(columns, condition)
            mask &= cache[condition]
            if not mask.any():
                break
        out.extend((rule.id, str(fid)) for fid in fids[mask])
    return out
