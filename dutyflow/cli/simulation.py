"""`simulate`: what a changed policy would do to a period's cases, writing nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dutyflow.cli._app import app
from dutyflow.cli._options import Json, Period
from dutyflow.cli._tables import print_table
from dutyflow.cli._utilities import echo_json, user_errors


@app.command()
@user_errors
def simulate(
    period: Period,
    policy: Annotated[Path, typer.Option("--policy", help="The changed policy YAML to try.")],
    as_json: Json = False,
) -> None:
    """Dry run: which cases and measures a changed policy would change, and which
    requirements notices would quote in other words. Writes nothing."""
    from dutyflow.services.simulation import simulate_policy

    diff = simulate_policy(period=period, policy_path=policy)
    if as_json:
        echo_json(diff.as_dict())
        return
    appear, disappear = set(diff.appear), set(diff.disappear)
    changed = {c.case_id for c in diff.changes}
    rows = [(c.case_id, "新增" if c.case_id in appear else "撤销" if c.case_id in disappear
             else "措施改变", c.words) for c in diff.changes]
    rows += [(i, "新增" if i in appear else "撤销", "")
             for i in [*diff.appear, *diff.disappear] if i not in changed]
    if rows:
        print_table(["案件编号", "变化", "措施（现在 → 按试行规则）"], rows)
    if diff.wording:
        print_table(["规则", "文书引用的要求（现在）", "按试行规则"],
                    [(w.family, w.now or "（无此规则）", w.then or "（无此规则）")
                     for w in diff.wording])
    typer.echo(f"{diff.period} 按规则版本 {diff.policy_version} 试算（现有案件的规则版本："
               f"{'、'.join(diff.stored_versions) or '无'}）：新增 {len(diff.appear)} 件，"
               f"撤销 {len(diff.disappear)} 件，保留 {len(diff.stay)} 件；"
               + (f"文书引用的要求改变 {len(diff.wording)} 处；" if diff.wording else "")
               + "未写入任何数据")
