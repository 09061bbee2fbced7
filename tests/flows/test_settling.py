"""Time for a measure to work (policy escalation.settle_working_days): a reminder issued fewer
than N working days before the end of the month judged does not climb yet; the month's new
failure joins the reminder's open case, and the ladder climbs a month later. At the cut-off
day itself the reminder counts, as the plain rule says."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dutyflow.cli import app
from dutyflow.core.calendar import is_working_day
from dutyflow.core.periods import Period
from dutyflow.flows.cycle import run_cycle
from dutyflow.flows.notices import issue_notices
from dutyflow.models.accountability import get_case, settle_cutoff
from dutyflow.models.db import session_scope
from dutyflow.models.documents import events_of
from dutyflow.models.tables import Finding
from dutyflow.rules.policy import DEFAULT_POLICY
from dutyflow.services.review import decide
from tests.flows.test_review_issue import SAMPLES

ORG = "DW0004-ZB02"  # reminded for August, failing again in September and October
REMINDER = f"2026-08-{ORG}"
DAYS = 5


def policy_with_settling(tmp_path: Path) -> Path:
    text = Path(DEFAULT_POLICY).read_text(encoding="utf-8")
    assert "settle_working_days: 0" in text
    path = tmp_path / "policy.yaml"
    path.write_text(text.replace("settle_working_days: 0", f"settle_working_days: {DAYS}"),
                    encoding="utf-8")
    return path


def month(period: str, policy: Path):
    year, mon = map(int, period.split("-"))
    return run_cycle(period=period, input_path=SAMPLES / f"{period}-党建报表.xlsx",
                     policy_path=policy, on=date(year + mon // 12, mon % 12 + 1, 2))


def case(case_id: str):
    with session_scope() as session:
        return get_case(session=session, case_id=case_id)


def next_working_day_after(day: date) -> date:
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


@pytest.mark.parametrize("late", [False, True], ids=["on-the-cut-off", "a-day-after"])
def test_a_reminder_issued_near_the_month_end_settles_before_it_climbs(sqlite_url, tmp_path,
                                                                       late):
    policy = policy_with_settling(tmp_path)
    month("2026-08", policy)
    assert case(REMINDER).measure == "reminder"
    decide(document_id=REMINDER, decision="approve", reviewer="张主任")
    cutoff = settle_cutoff(Period.parse("2026-09"), DAYS)
    issued_on = next_working_day_after(cutoff) if late else cutoff
    assert issued_on <= date(2026, 9, 30)
    issue_notices(period="2026-08", on=issued_on)

    month("2026-09", policy)
    september = case(f"2026-09-{ORG}")
    with session_scope() as session:
        merged = [e.note for e in events_of(session=session, subject=REMINDER)
                  if e.event == "merged"]
        settled = [f for f in session.query(Finding).filter(
            Finding.period == "2026-09", Finding.org_code == ORG, Finding.current)
                   if f.facts.get("settling")]
    if not late:  # issued by the cut-off: the plain rule, September climbs to a talk
        assert september is not None and september.measure == "talk"
        assert merged == [] and settled == []
        return
    # issued after it: September's meeting and score failures join August's open case
    assert settled and all(f.facts["settling"] == REMINDER for f in settled)
    assert september is None or all(
        e["family"] not in ("meeting", "fulfillment") for e in september.evidence)
    assert merged and all("并入本案" in note and f"不足{DAYS}个工作日" in note for note in merged)
    explained = CliRunner().invoke(app, ["explain", REMINDER]).output
    assert "并入：2026年9月的问题并入本案" in explained
    # re-running September adds nothing twice
    month("2026-09", policy)
    with session_scope() as session:
        again = [e for e in events_of(session=session, subject=REMINDER) if e.event == "merged"]
    assert len(again) == len(merged)
    # a month later the ladder climbs from the reminder the failure settled into
    month("2026-10", policy)
    october = case(f"2026-10-{ORG}")
    assert october is not None and october.measure == "talk"
