"""The organization's home page (issue 28, "what is due, live"): the latest monthly score with
the very lines `dutyflow explain-score` prints, its place in the last ranking communiqué the
office issued (never a draft's), and for a unit account its organizations side by side: a
table at an office PC, cards on a phone."""

from __future__ import annotations

import html
import re
from datetime import date

from sqlalchemy import select
from typer.testing import CliRunner

from dutyflow.cli import app
from dutyflow.core.vocabulary import RANKING_CIRCULAR
from dutyflow.models.db import session_scope
from dutyflow.models.tables import RankingEntry
from dutyflow.rules.scoring import score_text
from tests.desk.test_desk_security import log_in
from tests.portal.conftest import MONTH, PASSWORD, SCREENSHOTS
from tests.portal.test_portal_browser import fits
from tests.portal.test_portal_scope import subtree


def page_text(client, path: str = "/portal") -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", client.get(path).text))


def test_the_home_page_shows_the_latest_score_with_explain_score_s_own_lines(client, portal_db):
    printed = CliRunner().invoke(app, ["explain-score", portal_db.mine, "--period", MONTH])
    assert printed.exit_code == 0, printed.output
    lines = printed.output.strip().splitlines()
    assert lines[0].endswith("2026年8月党建工作得分") and lines[-1].startswith("得分 ")
    log_in(client, "一支部书记")
    page = client.get("/portal").text
    shown = html.unescape(re.search(r'<pre class="score-lines">(.*?)</pre>', page, re.S).group(1))
    assert shown.splitlines() == lines[1:]  # every line, in the same words and order
    assert lines[0] in html.unescape(page)
    assert f'<span class="figure">{lines[-1].split()[-1]}</span> 分' in page


def test_a_quarter_s_run_is_not_taken_for_the_latest_month(client, portal_db):
    """2026-Q3 would sort above 2026-08 and match a month's pattern: the home page still shows
    August's score (it had no month to score, and failed, before)."""
    from datetime import UTC, datetime

    from dutyflow.models.db import session_scope
    from dutyflow.models.tables import EvaluationRun

    with session_scope() as session:
        session.add(EvaluationRun(period="2026-Q3", policy_version="x",
                                  finished_at=datetime.now(UTC)))
    log_in(client, "一支部书记")
    page = client.get("/portal")
    assert page.status_code == 200
    assert "2026年8月党建工作得分" in html.unescape(page.text)


def test_only_an_issued_ranking_communique_gives_the_home_page_a_place(client, portal_db):
    from dutyflow.core.settings import settings
    from dutyflow.models.documents import record_decision
    from dutyflow.rules.policy import load_policy
    from dutyflow.services.issuing import draft_circular, issue_circular

    log_in(client, "一支部书记")
    assert "还没有印发的考评排名通报" in page_text(client)
    policy = load_policy(settings.policy_file)
    assert draft_circular(quarter="2026-Q3", on=date(2026, 10, 12), kind=RANKING_CIRCULAR,
                          policy=policy) is not None
    assert "还没有印发的考评排名通报" in page_text(client)  # a draft is the office's
    with session_scope() as session:
        record_decision(session=session, document_id="ranking-2026-Q3", decision="approve",
                        reviewer="张主任", note="")
    assert "还没有印发的考评排名通报" in page_text(client)  # approved, not yet issued
    number, _ = issue_circular(quarter="2026-Q3", on=date(2026, 10, 15), issued_by="张主任",
                               kind=RANKING_CIRCULAR, policy=policy)
    with session_scope() as session:
        mine = session.get(RankingEntry, ("2026-Q3", portal_db.mine))
        ranked = len(session.execute(select(RankingEntry).where(
            RankingEntry.quarter == "2026-Q3", RankingEntry.group == mine.group)).all())
    text = page_text(client)
    assert (f"2026年第三季度基层党支部第 {mine.rank} 名（共{ranked}个）"
            f"\n  · 得分 {score_text(mine.score)}") in text
    assert f"据{number}" in text


def sides_of(text: str) -> dict[str, list[str]]:
    rows = re.findall(r"<tr><td class=\"org\"><b>(.*?)</b></td>(.*?)</tr>", text, re.S)
    return {html.unescape(name): [re.sub(r"<[^>]+>|\s+", " ", c).strip()
                                  for c in re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S)]
            for name, cells in rows}


def test_a_unit_sees_each_organization_under_it_side_by_side(client, portal_db):
    from dutyflow.core.settings import settings
    from dutyflow.models.tables import Organization
    from dutyflow.rules.policy import load_policy
    from dutyflow.services.scores import month_scores

    month = month_scores(period=MONTH, policy=load_policy(settings.policy_file))
    log_in(client, "单位党务")
    sides = sides_of(client.get("/portal").text)
    tree = subtree(portal_db.unit) - {portal_db.unit}
    with session_scope() as session:
        names = {o: session.get(Organization, o).org_name for o in tree}
    assert set(sides) == set(names.values())
    for code in tree:  # the same score `dutyflow scores` gives it, computed for the whole city
        assert sides[names[code]][-1] == score_text(month.scores[code].score)
    # the unit's own score: the mean of its branches, with its own lines
    text = page_text(client)
    assert f"所属{len(tree)}个党组织平均分" in text
    # a branch's account sees no one but itself
    client.post("/logout", data={"csrf": re.search(r'name="csrf" value="([^"]+)"',
                                                   client.get("/portal").text).group(1)})
    log_in(client, "一支部书记")
    assert 'id="sides"' not in client.get("/portal").text


def test_a_unit_s_side_by_side_is_a_table_at_a_desk_and_cards_on_a_phone(phone, portal_url,
                                                                         portal_db):
    SCREENSHOTS.mkdir(exist_ok=True)
    page = phone
    size = page.viewport_size["width"]
    page.goto(f"{portal_url}/login")
    page.fill("input[name=name]", "单位党务")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/portal$"))
    rows = page.locator("#sides tbody tr")
    assert rows.count() == len(subtree(portal_db.unit)) - 1
    header = page.locator("#sides thead")
    if size < 800:  # cards: no header row, each cell labelled
        assert not header.is_visible()
        assert rows.first.evaluate("r => getComputedStyle(r).display") == "block"
        label = rows.first.locator("td").last.evaluate(
            "td => getComputedStyle(td, '::before').content")
        assert label == '"最近月度得分："'  # the header's words, before each value
    else:
        assert header.is_visible()
        assert rows.first.evaluate("r => getComputedStyle(r).display") == "table-row"
    assert page.locator("#score pre").inner_text().startswith("所属")
    fits(page)
    page.screenshot(path=str(SCREENSHOTS / f"portal-unit-home-{size}.png"), full_page=True)
