"""Races on PostgreSQL: two evaluations of a period at once, and a review decision arriving
while a re-run withdraws the action. Nothing duplicated, no decision lost."""

from __future__ import annotations

import threading
from pathlib import Path

from dutyflow.core.periods import Period
from dutyflow.flows.cycle import run_cycle
from dutyflow.models.accountability import list_cases, read_period_frames, store_cases
from dutyflow.models.db import lock_period, session_scope
from dutyflow.models.documents import events_about
from dutyflow.models.tables import Finding
from dutyflow.rules.compile import compile_policy
from dutyflow.rules.engine import evaluate_facts
from dutyflow.rules.facts import PeriodData, build_facts
from dutyflow.rules.outcome import build_findings, group_cases
from dutyflow.rules.policy import load_policy
from dutyflow.services.evaluate import store_outcome
from dutyflow.services.review import decide

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "2026-08-党建报表.xlsx"
ROUNDS = 5


def drafts():
    policy = load_policy()
    with session_scope() as session:
        frames = read_period_frames(session=session, period=Period.parse("2026-08"))
    facts = build_facts(policy, PeriodData(period=Period.parse("2026-08"), **frames))
    rules = compile_policy(policy)
    findings = build_findings(policy, "2026-08", facts, rules, evaluate_facts(rules, facts))
    return policy, findings, group_cases(policy, "2026-08", findings)


def race(*targets) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(targets))

    def run(target):
        barrier.wait()
        try:
            target()
        except BaseException as exc:  # a failure is the finding
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(t,)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_two_evaluations_of_a_period_at_once_store_each_action_once(pg_url):
    run_cycle(period="2026-08", input_path=SAMPLE)
    policy, findings, actions = drafts()
    with session_scope() as session:
        before = sorted(a.id for a in list_cases(session=session, period="2026-08"))
    for _ in range(ROUNDS):
        errors = race(*[lambda: store_outcome(policy=policy, period="2026-08", facts=0,
                                              findings=findings, actions=actions)] * 2)
        assert not errors
    with session_scope() as session:
        after = sorted(a.id for a in list_cases(session=session, period="2026-08"))
        assert session.query(Finding).count() == len({f.id for f in findings})
    assert after == before


def test_a_decision_racing_a_withdrawal_is_never_lost(pg_url):
    run_cycle(period="2026-08", input_path=SAMPLE)
    policy, _, actions = drafts()
    target = actions[0]
    others = [a for a in actions if a.id != target.id]
    outcomes = set()

    def withdraw():
        with session_scope() as session:
            lock_period(session, "evaluate 2026-08")
            store_cases(session=session, period="2026-08", policy_version=policy.version,
                        cases=others)

    def approve():
        decide(document_id=target.id, decision="approve", reviewer="张主任",
               decision_ref="工委会议纪要〔2026〕9号" if target.proposal else "")

    for _ in range(ROUNDS):
        with session_scope() as session:  # the action is back, a draft again
            store_cases(session=session, period="2026-08", policy_version=policy.version,
                        cases=actions)
        errors = race(withdraw, approve)
        assert all("只有草稿可以审核" in str(e) for e in errors)
        with session_scope() as session:
            status = next(a.status for a in list_cases(session=session, period="2026-08")
                          if a.id == target.id)
            tail = [e.event for e in events_about(session=session, case_id=target.id)][-2:]
        assert status == "withdrawn"
        # either approved then withdrawn, or withdrawn then the late approval refused and logged
        assert tail in (["approved", "withdrawn"], ["withdrawn", "refused_approve"])
        outcomes.add(tuple(tail))
    assert outcomes  # the log holds every decision, accepted or refused
