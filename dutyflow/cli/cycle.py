"""The period's cycle: `ingest` the reports, `run` the whole cycle, `sample` report workbooks."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from dutyflow.cli._app import app
from dutyflow.cli._options import Input, On, OptionalInput, Period, Policy
from dutyflow.cli._tables import RIGHT, print_table
from dutyflow.cli._utilities import (
    api_ready,
    optional_date,
    period_and_input,
    period_key,
    prepare_prefect,
    user_errors,
)

# What loading a table did, as the ingest reports it (TableLoad.outcome)
OUTCOME_WORDS = {"loaded": "首次载入", "replaced": "以新文件替换",
                 "unchanged": "与上次载入的相同，未重新载入"}


def ingest_words(summary: Any) -> str:
    """The ingest in a sentence. A re-run of the same files loads nothing, and says so and
    what the period holds, rather than "0 rows loaded"."""
    holds = f"本期现有数据 {summary.rows_standing} 行，隔离 {summary.quarantined_standing} 行"
    if summary.tables and not summary.changed:
        return f"报表文件与上次载入的相同，未重新载入；{holds}"
    loaded = f"载入报表 {summary.rows_loaded} 行，隔离 {summary.rows_quarantined} 行"
    if any(t.outcome == "unchanged" for t in summary.tables):
        return f"{loaded}（其余报表文件与上次载入的相同）；{holds}"
    return loaded


def echo_ingest(summary: Any) -> None:
    """Each table: what its load did and what the period holds of it; then the rows
    quarantined now, each with its file, sheet, row, column and reason."""
    from dutyflow.core.report_tables import TABLES_BY_NAME

    def chinese(table: str) -> str:
        return next((n for n in TABLES_BY_NAME[table].names if not n.isascii()), table)

    def header(table: str, column: str) -> str:
        spec = TABLES_BY_NAME.get(table)
        found = [c.chinese[0] for c in spec.columns if c.name == column] if spec else []
        return found[0] if found else column

    rows: list[tuple[Any, ...]] = []
    for load in summary.tables:
        kept, quarantined = summary.standing.get(load.table, (load.rows_loaded,
                                                               load.rows_quarantined))
        rows.append((chinese(load.table), OUTCOME_WORDS.get(load.outcome, load.outcome), kept,
                     quarantined))
    for name in summary.skipped_tables:
        kept, quarantined = summary.standing.get(name, (None, None))
        rows.append((chinese(name), "本次未提供" if kept is None else "本次未提供，保留此前载入的",
                     kept, quarantined))
    print_table(["报表", "处理", ("本期行数", RIGHT), ("隔离行数", RIGHT)], rows)
    if summary.quarantined:
        typer.echo()
        print_table(["文件", "工作表", ("行号", RIGHT), "列", "原因"],
                    [(q.file, q.sheet, q.row, header(q.table, q.column), q.reason)
                     for q in summary.quarantined],
                    title=f"隔离的行（{len(summary.quarantined)}）")


@app.command()
@user_errors
def ingest(input: Input, period: Period) -> None:
    """Load a period's reports; bad rows are quarantined, the good ones load."""
    period = period_and_input(period, input)
    prepare_prefect()
    from dutyflow.flows.ingest import ingest_reports

    api_ready()
    summary = ingest_reports(period=period, input_path=input)
    typer.echo(f"{summary.period}：{ingest_words(summary)}")
    echo_ingest(summary)


@app.command()
@user_errors
def sample(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write into.")] = Path("samples"),
    orgs: Annotated[int, typer.Option("--orgs", "-n", help="How many branches to generate.")] = 60,
    period: Annotated[list[str], typer.Option("--period", "-p", help="A month to write; repeat "
                                              "for several.")] = ["2026-08", "2026-09", "2026-10"],  # noqa: B006
    seed: Annotated[int, typer.Option("--seed")] = 7,
    clean: Annotated[bool, typer.Option("--clean", help="Leave out the deliberately messy rows.")] = False,
) -> None:
    """Write realistic report workbooks (Chinese headers, some messy rows) for demos and benchmarks."""
    from dutyflow.services.samples import write_period_workbook

    for p in period:
        path = write_period_workbook(out, period=p, branches=orgs, seed=seed, messy=not clean)
        typer.echo(f"已写入 {path}")


@app.command()
@user_errors
def run(period: Period, input: OptionalInput = None, policy: Policy = None,
        on: On = None) -> None:
    """Run the whole cycle for a period as one Prefect flow run: ingest, evaluate, draft,
    and chase (催办) the answers overdue at the period's end.

    Without --input nothing is ingested: the period is judged on what is stored (workbooks
    loaded before, the meetings recorded in the e-ledger). --on dates the drafts."""
    if input is not None:
        period = period_and_input(period, input)
    else:
        from dutyflow.services.evaluate import require_reported

        period = period_key(period)
        require_reported(period)
    if policy is not None:
        from dutyflow.rules.policy import load_policy

        load_policy(policy)  # refuse a bad policy before anything runs
    day = optional_date(on)
    prepare_prefect()
    from dutyflow.flows.cycle import run_cycle

    api_ready()
    summary = run_cycle(period=period, input_path=input, policy_path=policy, on=day)
    ingest, evaluation, stored = summary.ingest, summary.evaluation, summary.evaluation.stored
    typer.echo(f"{summary.period}：" + (ingest_words(ingest) if input is not None
                                       else "未给报表文件，按已载入的报表和电子台账评查"))
    typer.echo(f"{summary.period}：查出问题 {evaluation.findings} 项，案件 {evaluation.actions} 件"
               f"（新立 {stored.opened} 件，依据变化 {stored.changed} 件，撤回 {stored.withdrawn} 件），"
               f"规则版本 {evaluation.policy_version}；起草通知 {summary.drafted} 份"
               + (f"，催办函 {len(summary.chased)} 份" if summary.chased else ""))
    echo_ingest(ingest)
