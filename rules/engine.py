"""The one module that talks to durable-rules. Swap the engine here and nowhere else.

durable-rules' sharp edges, handled on purpose:
- a fact that matches no rule raises MessageNotHandledException and its batch's actions are
  deferred to a background timer: every ruleset gets a catch-all rule, so batches complete
  synchronously;
- identical facts raise MessageObservedException: every fact carries its unique `fid`;
- facts (not events) are asserted, so every rule that matches a fact fires, not only the first;
- arithmetic inside conditions is refused: rules.facts derives such values with pandas first;
- a float written with an exponent (1e-05) makes it skip the rest of a batch: see _plain;
- the engine pays per fact asserted and per action called, each a JSON round trip: facts are
  packed (rules.packing: one rich fact per organization) and each rule takes its matches in
  groups (`cap`);
- ruleset names are process-global and the engine is not thread-safe: one Host per process,
  one ruleset per policy version, and every call goes through one lock. Prefect runs tasks in
  threads; scale-out uses processes, each with its own engine.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from durable import engine as durable_engine

from dutyflow.rules.compile import Condition, Rule
from dutyflow.rules.packing import pack

BATCH = 5_000  # facts per assert, each batch in its own state; 20,000 trips a false MessageObserved
# Matches reach Python in groups of up to CAP per rule (durable-rules' `cap`): one action call,
# one state update and one JSON round trip per group rather than per fact, which was most of
# the engine's time (every fact fires the catch-all).
CAP = 1_000
_OPS = {"<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte"}
_lock = threading.Lock()


class _SynchronousHost(durable_engine.Host):  # type: ignore[misc]
    """A Host without its background dispatch timers.

    The stock Host polls every ruleset from timer threads; that thread races with actions
    being completed inside assert_facts (seen: lost matches, error 307, segfaults on large
    batches). With a catch-all rule every action completes synchronously, so no poller is needed.
    """

    def _run(self) -> None:
        return None


_host: _SynchronousHost | None = None
# ruleset name -> the sink its actions fill: (rule id, fid field, the fact's position)
_registered: dict[str, list[tuple[str, str, int]]] = {}


def _condition(condition: Condition) -> dict[str, Any]:
    if condition.op == "==":
        return {condition.field: condition.value}
    return {_OPS[condition.op]: {condition.field: condition.value}}


def _definition(rules: list[Rule], origin: dict[str, tuple[str, str]],
                sink: list[tuple[str, str, int]]) -> dict[str, Any]:
    def record(rule_id: str, fid: str) -> Callable[[Any], None]:
        def run(c: Any) -> None:  # with `cap`, c.m is the list of matched facts
            sink.extend((rule_id, fid, m.fid) for m in c.m)
        return run

    definition: dict[str, Any] = {
        rule.id: {"all": [{"m": {"$and": [_condition(c) for c in rule.conditions]}}],
                  "cap": CAP, "run": record(*origin[rule.id])}
        for rule in rules
    }
    # Every fact has a fid; this rule makes every fact "handled" (see the module docstring).
    definition["_catch_all"] = {"all": [{"m": {"$ex": {"fid": 1}}}], "cap": CAP,
                                "run": lambda c: None}
    return definition


def _ruleset(rules: list[Rule], origin: dict[str, tuple[str, str]]
             ) -> tuple[str, list[tuple[str, str, int]]]:
    global _host
    signature = repr([(r.id, r.conditions, origin[r.id]) for r in rules])
    name = f"dutyflow_{abs(hash(signature)):x}"
    if name not in _registered:
        sink: list[tuple[str, str, int]] = []
        if _host is None:
            _host = _SynchronousHost()
        _host.register_rulesets({name: _definition(rules, origin, sink)})
        _registered[name] = sink
    return name, _registered[name]


# durable-rules reads JSON numbers written with an exponent but no decimal point (1e-05, 1e+16:
# how Python writes floats below 1e-4 or from 1e16) wrongly: the facts after one in a batch go
# unjudged, silently. Such floats are moved to the nearest value Python writes plainly; that
# keeps every comparison with a threshold in [1e-4, 1e16) -- all the policy allows -- unchanged.
_TINY, _HUGE = 1e-4, 9_999_999_999_999_998.0


def _plain(column: pd.Series) -> list[Any]:
    """A column as plain Python values (what json.dumps takes), its floats moved as above."""
    if column.dtype.kind == "f":
        values = column.to_numpy()
        magnitude = np.abs(values)
        values = np.where((magnitude > 0) & (magnitude < _TINY), np.sign(values) * _TINY,
                          values)
        values = np.where(np.isfinite(values) & (magnitude > _HUGE), np.sign(values) * _HUGE,
                          values)
        return values.tolist()  # type: ignore[no-any-return]
    if column.dtype.kind != "O":
        return column.tolist()  # type: ignore[no-any-return]
    return [v if v is None or type(v) is str else _plain_value(v) for v in column.tolist()]


def _plain_value(value: Any) -> Any:
    if hasattr(value, "item"):  # numpy scalars in an object column
        value = value.item()
    if isinstance(value, float) and value == value and abs(value) != float("inf"):
        if 0 < abs(value) < _TINY:
            return _TINY if value > 0 else -_TINY
        if abs(value) > _HUGE:
            return _HUGE if value > 0 else -_HUGE
    return value


def _records(facts: pd.DataFrame, fields: list[str]) -> list[dict[str, Any]]:
    """One dict per fact with only the fields it has, built family by family and column-wise
    (pandas' own to_dict was a third of the engine's time): a family's fields are empty in
    another family's rows, and a field set in every row of a family needs no check."""
    records: list[dict[str, Any]] = [{} for _ in range(len(facts))]
    positions = pd.RangeIndex(len(facts))
    shapes = facts["family"].fillna("") if "family" in facts else pd.Series("", facts.index)
    for _, rows in pd.Series(positions, index=facts.index).groupby(shapes.to_numpy(),
                                                                   sort=False):
        group = facts.iloc[rows.to_numpy()]
        present = group[fields].notna()
        full = [f for f in fields if present[f].all()]
        partial = [f for f in fields if present[f].any() and not present[f].all()]
        built = [dict(zip(full, row, strict=True))
                 for row in zip(*(_plain(group[f]) for f in full), strict=True)] \
            if full else [{} for _ in range(len(group))]
        for f in partial:
            for record, value in zip(built, _plain(group[f]), strict=True):
                if value is not None and value == value:
                    record[f] = value
        for at, record in zip(rows.to_numpy().tolist(), built, strict=True):
            records[at] = record
    return records


def evaluate_facts(rules: list[Rule], facts: pd.DataFrame) -> list[tuple[str, str]]:
    """Every (rule id, fact id) pair where the rule holds for the fact."""
    if facts.empty:
        return []
    packed = pack(rules, facts)
    present = [f for f in packed.fields() if f in packed.facts.columns]
    records = _records(packed.facts, present)
    for position, record in enumerate(records):  # a fact's id to the engine is its position
        record["fid"] = position
    with _lock:
        name, sink = _ruleset(packed.rules, packed.origin)
        assert _host is not None
        sink.clear()
        for start in range(0, len(records), BATCH):
            sid = f"b{start}"
            batch = [{**r, "sid": sid} for r in records[start:start + BATCH]]
            try:
                _host.assert_facts(name, batch)
            except Exception as exc:  # the engine's messages quote the whole batch: keep it short
                raise RuntimeError(f"durable-rules refused facts {start}-{start + len(batch)}: "
                                   f"{type(exc).__name__}") from None
            finally:
                _host.delete_state(name, sid)
        found = list(sink)
        sink.clear()
    ids = {field: packed.facts[field].tolist() for field in {f for _, f, _ in found}}
    return [(rule_id, ids[field][position]) for rule_id, field, position in found]
