"""Scores and what is built on them: the month's `scores` (月调度) and `explain-score`, the
quarter's `ranking` (季通报) and the `year` (年考核)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dutyflow.cli._app import app
from dutyflow.cli._options import Json, Month, On, Policy, Quarter, Year
from dutyflow.cli._tables import RIGHT, print_table
from dutyflow.cli._utilities import (
    api_ready,
    echo_json,
    optional_date,
    prepare_prefect,
    user_errors,
)


@app.command()
@user_errors
def scores(period: Month, as_json: Json = False, policy: Policy = None) -> None:
    """The month's party-building scores (月调度): units first, then branches, highest first."""
    from dutyflow.core.settings import settings
    from dutyflow.core.vocabulary import RANKING_GROUPS
    from dutyflow.rules.policy import load_policy
    from dutyflow.rules.scoring import score_text
    from dutyflow.services.scores import month_scores

    month = month_scores(period=period, policy=load_policy(policy or settings.policy_file))
    rows = month.table()
    if as_json:
        echo_json(rows)
        return
    if rows:
        print_table(["类别", "组织编码", "组织", ("得分", RIGHT), ("扣分", RIGHT)], [
            (RANKING_GROUPS.get(str(row["kind"]), row["kind"]), row["org_code"],
             row["organization"], score_text(row["score"]), score_text(row["deductions"]))
            for row in rows])
    typer.echo(f"{month.period} 共评分 {len(rows)} 个组织；逐项扣分："
               f"dutyflow explain-score 组织编码 --period {month.period}")


@app.command("explain-score")
@user_errors
def explain_score_command(
    org_code: Annotated[str, typer.Argument(help="An organization's code, e.g. DW0004-ZB03.")],
    period: Month,
    policy: Policy = None,
) -> None:
    """An organization's month score, line by line: each deduction, cap and addition."""
    from dutyflow.core.settings import settings
    from dutyflow.rules.policy import load_policy
    from dutyflow.services.scores import explain_score

    typer.echo(explain_score(org_code=org_code, period=period,
                             policy=load_policy(policy or settings.policy_file)))


@app.command()
@user_errors
def ranking(
    period: Quarter,
    as_json: Json = False,
    xlsx: Annotated[Path | None, typer.Option(
        "--xlsx", help="Also write the ranking workbook here.")] = None,
    draft: Annotated[bool, typer.Option(
        "--draft", help="Draft the communiqué (考评排名通报) for review, with the workbook and "
        "charts under out/<quarter>/ and Prefect artifacts.")] = False,
    on: On = None,
    policy: Policy = None,
) -> None:
    """季通报: the quarter's units and branches ranked by score, with movement since the
    previous quarter and the 红黑榜; once its communiqué is issued, the ranking it printed.

    --on: as of this date (default today): the draft's date, and bottom-list windows ended
    before it are settled."""
    from datetime import date

    from dutyflow.core import periods
    from dutyflow.core.errors import BadInputError
    from dutyflow.core.settings import settings
    from dutyflow.core.vocabulary import RANKING_CIRCULAR, RANKING_GROUPS, circular_subject
    from dutyflow.rules.policy import load_policy
    from dutyflow.services.issuing import circular_drafted
    from dutyflow.services.ranking import ranking_of, settle_bottom_lists

    quarter = periods.Period.parse(period)
    if quarter.kind != "quarter":
        raise BadInputError(f"a ranking covers a quarter like 2026-Q3, not {period}")
    day = optional_date(on) or date.today()
    if day > date.today():
        raise BadInputError(f"--on {day} is after today")
    if draft:
        prepare_prefect()
        from dutyflow.flows.scheduled import quarter_ranking

        api_ready()
        workbook = quarter_ranking(period=str(quarter), on=day, policy_path=policy)
        typer.echo(f"排名表和图表：{Path(workbook).parent}")
    for entry in settle_bottom_lists(on=day):  # on stderr: --json stays parseable
        typer.echo(f"{entry.quarter} {entry.org_code}: {entry.listing.words}", err=True)
    standing = ranking_of(quarter=quarter, policy=load_policy(policy or settings.policy_file),
                          on=day)
    assert standing is not None
    if xlsx:
        typer.echo(f"已写入 {standing.write_xlsx(xlsx)}")
    if as_json:
        echo_json({"quarter": standing.quarter, "judged_months": standing.judged,
                   "doc_number": standing.doc_number, "rows": standing.table()})
        return
    for i, group in enumerate(standing.groups):
        if i:
            typer.echo()
        print_table([("名次", RIGHT), "组织编码", "组织", ("得分", RIGHT), "升降", "榜单"],
                    [(r.rank, r.org_code, r.name, r.score_text, r.movement_words,
                      r.listing_words) for r in standing.group(group)],
                    title=RANKING_GROUPS[group])
    subject = circular_subject(str(quarter), RANKING_CIRCULAR)
    review = None if standing.doc_number else circular_drafted(str(quarter), RANKING_CIRCULAR)
    typer.echo(f"{standing.quarter} 已评月份：{'、'.join(standing.judged)}；"
               + (f"已通报，文号 {standing.doc_number}" if standing.doc_number else
                  f"考评排名通报 {subject} 已起草，待审核；审核后印发："
                  f"dutyflow issue --period {quarter}" if review else
                  f"尚未通报；起草通报送审：dutyflow ranking --period {quarter} --draft"))


@app.command()
@user_errors
def year(
    period: Year,
    xlsx: Annotated[Path | None, typer.Option(
        "--xlsx", help="Where to write the workbook (default "
        "out/<year>/<year>-党建工作考核.xlsx).")] = None,
    policy: Policy = None,
) -> None:
    """年考核: the year's months rolled up into each organization's annual score and record
    (findings, cases, measures, answers, recurrences, lists), as a workbook, charts and a
    Prefect artifact."""
    from dutyflow.core import periods
    from dutyflow.core.errors import BadInputError

    if periods.Period.parse(period).kind != "year":
        raise BadInputError(f"the roll-up covers a year like 2026, not {period}")
    prepare_prefect()
    from dutyflow.flows.scheduled import year_roll_up

    api_ready()
    workbook = year_roll_up(period=period, workbook=xlsx, policy_path=policy)
    typer.echo(f"{period} 年度考核：{workbook}")
