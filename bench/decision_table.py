"""The compiled rules as a GoRules JDM decision table, evaluated with zen-engine.

`decision_document(rules)` builds the JSON Decision Model: an input node, one decision table
(hit policy "collect": every matching row is returned), an output node. The table has one input
column per fact field the rules read, and one row per compiled rule; a row's cell holds that
rule's conditions on the column's field as a ZEN unary test (`< 1`, `> 30 and <= 90`,
`'meeting'`), empty when the rule says nothing about the field. Thresholds come only from the
compiled `Rule.conditions`.

The table runs in the engine's "loop" execution mode over an array of facts, so one
`evaluate` call judges a whole chunk (per-fact calls through the Python binding cost ~250 µs
each, the loop ~6 µs per fact). Each row outputs its rule's position in the list, not the
rule id, so no id ever has to survive the expression language's string literals.

Semantics kept equal to `rules.engine` (durable-rules):

- facts are handed over as JSON text. zen-engine compares numbers as decimals; a Python float
  passed as an object is rounded on the way in (0.7999999999999999 arrives as 0.8), while JSON
  text carries Python's shortest round-trip repr of the double, so decimal order is the
  float's order and boundaries hold exactly;
- missing or empty (None/NaN) fields are left out of the fact; a unary test on a missing
  field is false in ZEN, as a condition on a dropped key is in durable-rules.
"""

from __future__ import annotations

import json
import keyword
import math
import re
from dataclasses import dataclass
from typing import Any

import pandas as pd
import zen

from dutyflow.rules.compile import Condition, Rule

CHUNK = 5_000  # facts per evaluate call (one JSON document each)
_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ZEN_WORDS = {"and", "or", "not", "in", "true", "false", "null"}


def _literal(value: Any) -> str:
    """A ZEN literal for a threshold; refuses what the expression language cannot say safely."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        number = float(value) if not isinstance(value, int) else value
        if isinstance(number, float) and not math.isfinite(number):
            raise ValueError(f"threshold {value!r} has no decision-table literal")
        return repr(number)
    if isinstance(value, str):
        for quote in ("'", '"'):
            if quote not in value and "\\" not in value:
                return f"{quote}{value}{quote}"
        raise ValueError(f"threshold {value!r} has both quote kinds or a backslash")
    raise ValueError(f"threshold {value!r} ({type(value).__name__}) has no decision-table literal")


def _unary(condition: Condition) -> str:
    literal = _literal(condition.value)
    if condition.op == "==":
        return literal if isinstance(condition.value, str) else f"== {literal}"
    return f"{condition.op} {literal}"


def _fields(rules: list[Rule]) -> list[str]:
    fields = sorted({c.field for r in rules for c in r.conditions})
    for field in fields:
        if not _FIELD.match(field) or field in _ZEN_WORDS or keyword.iskeyword(field):
            raise ValueError(f"fact field {field!r} cannot be a decision-table column")
    return fields


def decision_document(rules: list[Rule]) -> dict[str, Any]:
    """The JDM document (a dict, JSON-ready) judging one chunk of facts per evaluation."""
    fields = _fields(rules)
    inputs = [{"id": f"in_{f}", "name": f, "field": f} for f in fields]
    rows = []
    for index, rule in enumerate(rules):
        row: dict[str, str] = {"_id": f"rule_{index}", "_description": rule.id}
        for field in fields:
            tests = [_unary(c) for c in rule.conditions if c.field == field]
            row[f"in_{field}"] = " and ".join(tests)
        row["out_rule"] = str(index)
        rows.append(row)
    table = {
        "hitPolicy": "collect",
        "inputs": inputs,
        "outputs": [{"id": "out_rule", "name": "rule", "field": "rule"}],
        "rules": rows,
        "inputField": "facts",
        "outputPath": "matches",
        "executionMode": "loop",
        "passThrough": False,
    }
    return {
        "contentType": "application/vnd.gorules.decision",
        "nodes": [
            {"id": "request", "type": "inputNode", "name": "facts", "position": {"x": 0, "y": 0}},
            {"id": "rules", "type": "decisionTableNode", "name": "compiled policy rules",
             "position": {"x": 300, "y": 0}, "content": table},
            {"id": "response", "type": "outputNode", "name": "matches",
             "position": {"x": 600, "y": 0}},
        ],
        "edges": [
            {"id": "e1", "type": "edge", "sourceId": "request", "targetId": "rules"},
            {"id": "e2", "type": "edge", "sourceId": "rules", "targetId": "response"},
        ],
    }


@dataclass(frozen=True)
class _Compiled:
    decision: Any  # zen.ZenDecision
    fields: tuple[str, ...]
    rule_ids: tuple[str, ...]


_engine: Any = None
_compiled: dict[str, _Compiled] = {}  # rules signature -> its decision, compiled once


def compiled(rules: list[Rule]) -> _Compiled:
    """The zen decision for these rules, built and validated once per process."""
    global _engine
    signature = repr([(r.id, r.conditions) for r in rules])
    if signature not in _compiled:
        if _engine is None:
            _engine = zen.ZenEngine()
        document = json.dumps(decision_document(rules), ensure_ascii=False)
        decision = _engine.create_decision(document)
        decision.validate()
        _compiled[signature] = _Compiled(decision, tuple(_fields(rules)),
                                         tuple(r.id for r in rules))
    return _compiled[signature]


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):
        value = value.item()
    return value


def _records(facts: pd.DataFrame, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    present = [f for f in fields if f in facts.columns]
    return [
        {k: _plain(v) for k, v in row.items() if v is not None and v == v}
        for row in facts[present].to_dict(orient="records")
    ]


def evaluate_facts(rules: list[Rule], facts: pd.DataFrame, chunk: int = CHUNK
                   ) -> list[tuple[str, str]]:
    """Every (rule id, fact id) pair where the rule holds for the fact, like rules.engine."""
    if facts.empty or not rules:
        return []
    table = compiled(rules)
    records = _records(facts, table.fields)
    fids = [str(f) for f in facts["fid"]]
    out: list[tuple[str, str]] = []
    for start in range(0, len(records), chunk):
        body = json.dumps({"facts": records[start:start + chunk]}, ensure_ascii=False,
                          allow_nan=False)
        response = table.decision.evaluate(body)
        for offset, hits in enumerate(response["result"]["matches"]):
            fid = fids[start + offset]
            out.extend((table.rule_ids[int(hit["rule"])], fid) for hit in hits)
    return out
