"""The one module that talks to durable-rules. Swap the engine here and nowhere else.

durable-rules' sharp edges, handled on purpose:
- a fact that matches no rule raises MessageNotHandledException and its batch's actions are
  deferred to a background timer: every ruleset gets a catch-all rule, so batches complete
  synchronously;
- identical facts raise MessageObservedException: every fact carries its unique `fid`;
- facts (not events) are asserted, so every rule that matches a fact fires, not only the first;
- arithmetic inside conditions is refused: rules.facts derives such values with pandas first;
- a float written with an exponent (1e-05) makes it skip the rest of a batch: see _plain;
- ruleset names are process-global and the engine is not thread-safe: one Host per process,
  one ruleset per policy version, and every call goes through one lock. Prefect runs tasks in
  threads; scale-out uses processes, each with its own engine.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pandas as pd
from durable import engine as durable_engine

from dutyflow.rules.compile import Condition, Rule

BATCH = 1_000  # facts per assert, each batch in its own state; 20,000 trips a false MessageObserved
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
_registered: dict[str, list[tuple[str, str]]] = {}  # ruleset name -> the sink its actions fill


def _condition(condition: Condition) -> dict[str, Any]:
    if condition.op == "==":
        return {condition.field: condition.value}
    return {_OPS[condition.op]: {condition.field: condition.value}}


def _definition(rules: list[Rule], sink: list[tuple[str, str]]) -> dict[str, Any]:
    def record(rule_id: str) -> Callable[[Any], None]:
        return lambda c: sink.append((rule_id, c.m.fid))

    definition: dict[str, Any] = {
        rule.id: {"all": [{"m": {"$and": [_condition(c) for c in rule.conditions]}}],
                  "run": record(rule.id)}
        for rule in rules
    }
    # Every fact has a fid; this rule makes every fact "handled" (see the module docstring).
    definition["_catch_all"] = {"all": [{"m": {"$ex": {"fid": 1}}}], "run": lambda c: None}
    return definition


def _ruleset(rules: list[Rule]) -> tuple[str, list[tuple[str, str]]]:
    global _host
    signature = repr([(r.id, r.conditions) for r in rules])
    name = f"dutyflow_{abs(hash(signature)):x}"
    if name not in _registered:
        sink: list[tuple[str, str]] = []
        if _host is None:
            _host = _SynchronousHost()
        _host.register_rulesets({name: _definition(rules, sink)})
        _registered[name] = sink
    return name, _registered[name]


# durable-rules reads JSON numbers written with an exponent but no decimal point (1e-05, 1e+16:
# how Python writes floats below 1e-4 or from 1e16) wrongly: the facts after one in a batch go
# unjudged, silently. Such floats are moved to the nearest value Python writes plainly; that
# keeps every comparison with a threshold in [1e-4, 1e16) -- all the policy allows -- unchanged.
_TINY, _HUGE = 1e-4, 9_999_999_999_999_998.0


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value == value and value not in (float("inf"), float("-inf")):
        if 0 < abs(value) < _TINY:
            return _TINY if value > 0 else -_TINY
        if abs(value) > _HUGE:
            return _HUGE if value > 0 else -_HUGE
    return value


def evaluate_facts(rules: list[Rule], facts: pd.DataFrame) -> list[tuple[str, str]]:
    """Every (rule id, fact id) pair where the rule holds for the fact."""
    if facts.empty:
        return []
    fields = sorted({c.field for r in rules for c in r.conditions} | {"fid"})
    present = [f for f in fields if f in facts.columns]
    records = [
        {k: _plain(v) for k, v in row.items() if v is not None and v == v}
        for row in facts[present].to_dict(orient="records")
    ]
    with _lock:
        name, sink = _ruleset(rules)
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
        matches = list(sink)
        sink.clear()
    return matches
